"""The words of HR's queue-machine page (排号机业务类型 and the events to look at), zh-CN and English."""

from __future__ import annotations

from collections.abc import Sequence

from window_staff.web.i18n import add_words

QUEUE_DONE = frozenset({"created", "changed", "removed", "closed"})

add_words(
    {
        "queue_categories": {"zh": "排号业务类型", "en": "Queue categories"},
        "qp.title": {"zh": "排号机业务类型", "en": "Queue machine categories"},
        "qp.intro": {
            "zh": "排号机上的每个业务类型对应一个部门和办理该业务的窗口，窗口的排队和空岗统计据此计算。",
            "en": "Each category of the ticket machine belongs to a department and the windows that serve it; "
            "the windows' queue and empty-post figures follow from it.",
        },
        "qp.site": {"zh": "场所", "en": "Site"},
        "qp.show": {"zh": "查看", "en": "Show"},
        "qp.categories": {"zh": "业务类型", "en": "Categories"},
        "qp.category": {"zh": "业务类型", "en": "Category"},
        "qp.name": {"zh": "业务名称", "en": "Name"},
        "qp.code": {"zh": "业务代码", "en": "Ticket code"},
        "qp.department": {"zh": "所属部门", "en": "Department"},
        "qp.windows": {"zh": "办理窗口", "en": "Windows"},
        "qp.changed": {"zh": "最后修改", "en": "Last changed"},
        "qp.change_hint": {"zh": "点击业务名称可修改或删除。", "en": "Choose a name to change or remove it."},
        "qp.add": {"zh": "添加业务类型", "en": "Add a category"},
        "qp.none": {"zh": "本场所尚未设置业务类型。", "en": "No categories at this site yet."},
        "qp.no_window": {"zh": "未指定窗口", "en": "No window yet"},
        "qp.no_windows_at_site": {"zh": "本场所没有在用的窗口。", "en": "This site has no windows in service."},
        "qp.pending": {"zh": "待处理的排号事件", "en": "Queue events to look at"},
        "qp.pending_count": {"zh": "待处理的排号事件 {n} 条", "en": "Queue events to look at: {n}"},
        "qp.pending_intro": {
            "zh": "以下业务代码尚未建立对应关系：事件均已保存，但系统不知道该业务由哪些窗口办理。"
            "建立对应关系后，这些事件随即处理完毕；测试票等无需对应的，可写明原因后关闭。",
            "en": "These ticket codes have no category yet: their events are kept, but nobody knows which windows serve them. "
            "Mapping the category settles them; a test ticket or the like can be closed with a note.",
        },
        "qp.no_pending": {"zh": "没有待处理的排号事件。", "en": "No queue events to look at."},
        "qp.n_events": {"zh": "事件数：", "en": "Events: "},
        "qp.sep": {"zh": "；", "en": "; "},
        "qp.first": {"zh": "最早", "en": "first"},
        "qp.last": {"zh": "最近", "en": "latest"},
        "qp.map": {"zh": "建立对应关系", "en": "Map this category"},
        "qp.mapped_since": {"zh": "已建立对应关系", "en": "Mapped already"},
        "qp.close": {"zh": "关闭这些事件", "en": "Close these events"},
        "qp.note": {"zh": "关闭原因（如：测试票）", "en": "Why (e.g. a test ticket)"},
        "qp.new_title": {"zh": "添加业务类型", "en": "Add a category"},
        "qp.edit_title": {"zh": "修改业务类型", "en": "Change a category"},
        "qp.code_hint": {
            "zh": "排号机取号单上显示的业务代码，如 A；添加后不能修改。",
            "en": "The code the ticket machine prints on tickets, e.g. A; it cannot change once added.",
        },
        "qp.fixed_hint": {
            "zh": "业务代码和场所不能修改；如需更改，请删除后重新添加。",
            "en": "The code and site cannot change: remove the category and add it again instead.",
        },
        "qp.choose_department": {"zh": "请选择部门", "en": "Choose a department"},
        "qp.windows_hint": {"zh": "勾选办理该业务的窗口。", "en": "Tick the windows that serve it."},
        "qp.save": {"zh": "保存", "en": "Save"},
        "qp.create": {"zh": "添加", "en": "Add"},
        "qp.back": {"zh": "返回业务类型", "en": "Back to the categories"},
        "qp.remove": {"zh": "删除业务类型", "en": "Remove the category"},
        "qp.done.created": {"zh": "已添加业务类型。", "en": "The category was added."},
        "qp.done.created_settled": {
            "zh": "已添加业务类型，该业务代码的 {n} 条待处理事件已一并处理。",
            "en": "The category was added; its {n} event(s) to look at are settled.",
        },
        "qp.done.changed": {"zh": "已保存修改。", "en": "The change was saved."},
        "qp.done.removed": {
            "zh": "已删除业务类型。此后收到的该业务代码的事件将列入待处理。",
            "en": "The category was removed. New events of its code will be listed to look at.",
        },
        "qp.done.closed": {"zh": "已关闭 {n} 条待处理事件。", "en": "{n} event(s) closed."},
        "confirm.what.queue-remove": {
            "zh": "删除后，该业务类型已有的排号事件仍然保留；此后收到的该业务代码的事件将列入“待处理的排号事件”，直至重新建立对应关系。",
            "en": "Its events so far are kept; new events of its code will go to the queue events to look at until the "
            "category is mapped again.",
        },
        "confirm.what.queue-close": {
            "zh": "关闭后，这些事件不再列入待处理，事件本身仍然保留；此后收到的同一业务代码的事件仍会列入待处理。",
            "en": "These events leave the list and are kept as they are; new events of the same code will still be listed.",
        },
        # Refusals, each saying what to fix.
        "error.queue_category_exists": {
            "zh": "本场所已有相同业务代码的业务类型：请修改原有的业务类型，或换一个业务代码。",
            "en": "This site already has a category with this code: change that one, or use another code.",
        },
        "error.queue_category_code_invalid": {"zh": "请填写业务代码（1至32个字符）。", "en": "Enter the ticket code (1 to 32 characters)."},
        "error.queue_category_name_invalid": {"zh": "请填写业务名称（1至100个字）。", "en": "Enter the name (1 to 100 characters)."},
        "error.queue_category_department_unknown": {"zh": "请选择所属部门。", "en": "Choose the department."},
        "error.queue_category_window_elsewhere": {
            "zh": "所选窗口不属于该场所，请重新勾选。",
            "en": "A chosen window is not at this site: tick the windows again.",
        },
        "error.queue_category_site_unknown": {"zh": "未找到该场所。", "en": "No such site."},
        "error.queue_category_code_fixed": {
            "zh": "业务代码和场所不能修改；如需更改，请删除后重新添加。",
            "en": "The code and site cannot change: remove the category and add it again instead.",
        },
        "error.queue_category_not_found": {
            "zh": "未找到该业务类型，可能已被他人删除。",
            "en": "No such category: someone may have removed it.",
        },
        "error.queue_note_invalid": {"zh": "请写明关闭原因（不超过500字）。", "en": "Say why (at most 500 characters)."},
        "error.queue_exception_not_found": {
            "zh": "这些事件已经处理（可能已由他人处理）。",
            "en": "These events are settled already (perhaps by someone else).",
        },
    }
)


def windows_words(numbers: Sequence[str], lang: str) -> str:
    """Windows by number as people say them: 3号、5号窗口 / Windows 3, 5."""
    if not numbers:
        return ""
    if lang == "en":
        return ("Window " if len(numbers) == 1 else "Windows ") + ", ".join(numbers)
    return "、".join(f"{n}号" for n in numbers) + "窗口"
