"""The words of the queue pages (zh-CN and English): HR's import of the machine's export, the month's window figures, HR's
categories (排号业务设置) and the events to look at."""

from __future__ import annotations

from collections.abc import Sequence

from window_staff.web.i18n import add_words

QUEUE_DONE = frozenset({"created", "changed", "removed", "closed"})
# The kinds of event a queue machine reports, in the order of a ticket's life (the file holds the code).
EVENT_KINDS = ("issued", "called", "recalled", "missed", "started", "finished", "transferred", "paused", "resumed")

add_words(
    {
        "qi.title": {"zh": "排号数据导入", "en": "Queue-machine import"},
        "qi.intro": {
            "zh": "上传排号机（叫号系统）导出的 CSV 文件。系统逐行检查：任何一行有误则整份文件不导入，并列出每一处问题；"
            "已导入过的记录自动跳过，排号机已实时上报的记录不会重复保存。",
            "en": "Upload the CSV export of the queue machine (calling system). Every line is checked: if any line is wrong nothing "
            "is imported and each problem is listed; rows imported before are skipped, and events the machine already "
            "reported live are not stored twice.",
        },
        "qi.back": {"zh": "返回排号业务设置", "en": "Back to the queue settings"},
        "qi.imported": {
            "zh": "共 {rows} 行：新导入 {imported} 条；已导入过而跳过 {skipped} 条；排号机已实时上报、未重复保存 {elsewhere} 条。",
            "en": "{rows} rows: {imported} imported; {skipped} skipped as imported before; {elsewhere} already reported live by "
            "the machine and not stored twice.",
        },
        "qi.exceptions": {
            "zh": "其中 {n} 条的业务类型尚未对应到部门和窗口，已列入待处理的排号事件，请在排号业务设置中处理。",
            "en": "{n} of them have a service category not yet mapped to a department and windows: they are listed as events "
            "to look at in the queue settings.",
        },
        "qi.format": {"zh": "文件格式说明", "en": "What the file holds"},
        "qi.optional": {"zh": "（可不填）", "en": "(may be empty)"},
        "qi.kinds": {"zh": "“事件类型”一列可填写", "en": "The column “kind of event” holds one of"},
        "qi.time_help": {
            "zh": "“发生时间”按中心所在时区填写，格式为“年-月-日 时:分”，秒可省略。",
            "en": "Write the time in the centre's time zone as year-month-day hours:minutes (seconds may be left out).",
        },
        "qi.limit": {
            "zh": "每份文件不超过 16 MB、10 万行（约一个中心一个月的数据）。",
            "en": "At most 16 MB and 100,000 rows a file (about a month of one centre).",
        },
        "error.queue_file_too_large": {
            "zh": "文件超过 16 MB：请按中心或按时段分别导出后再上传。",
            "en": "The file is over 16 MB: export it centre by centre or in parts.",
        },
        # Start pages.
        "queue_figures": {"zh": "排队与服务统计", "en": "Queue figures"},
        "qf.title": {"zh": "窗口排队与服务统计", "en": "Queues and service at the windows"},
        "qf.intro": {
            "zh": "根据排号机（叫号系统）的数据和考勤签到统计，只计已结束的日子。"
            "空岗指叫号或有人等候时窗口无人签到在岗，或暂停服务超过规定时长。",
            "en": "From the queue machine's events and the check-ins, days that are over only. Unattended (空岗): a call or a "
            "waiting queue while nobody rostered there was signed in, or a pause longer than allowed.",
        },
        "qf.month": {"zh": "月份", "en": "Month"},
        "qf.site": {"zh": "场所", "en": "Site"},
        "qf.show": {"zh": "查看", "en": "Show"},
        "qf.group": {"zh": "统计方式", "en": "Figures"},
        "qf.by_window": {"zh": "按窗口", "en": "By window"},
        "qf.by_staff": {"zh": "按工作人员", "en": "By staff member"},
        "qf.prev": {"zh": "上个月", "en": "Previous month"},
        "qf.next": {"zh": "下个月", "en": "Next month"},
        "qf.window": {"zh": "窗口", "en": "Window"},
        "qf.person": {"zh": "工作人员", "en": "Staff member"},
        "qf.served": {"zh": "办结（件）", "en": "Served"},
        "qf.wait_median": {"zh": "等候时间（中位数）", "en": "Wait (median)"},
        "qf.wait_p90": {"zh": "九成群众等候不超过", "en": "Wait, 9 in 10 within"},
        "qf.service_median": {"zh": "办理时长（中位数）", "en": "Service time (median)"},
        "qf.missed": {"zh": "过号（次）", "en": "Missed calls"},
        "qf.paused": {"zh": "暂停服务（分钟）", "en": "Paused (minutes)"},
        "qf.vacant": {"zh": "空岗（次）", "en": "Unattended (times)"},
        "qf.minutes": {"zh": "{n} 分钟", "en": "{n} min"},
        "qf.no_data": {"zh": "—", "en": "—"},
        "qf.none": {"zh": "这个月还没有排号数据。", "en": "No queue data for this month yet."},
        "qf.of_month": {"zh": "{month}统计", "en": "Figures for {month}"},
        "qp.more": {"zh": "排号数据", "en": "Queue data"},
        "qf.import": {"zh": "导入排号数据", "en": "Import queue data"},
        "qi.k.issued": {"zh": "取号", "en": "ticket issued"},
        "qi.k.called": {"zh": "叫号", "en": "called"},
        "qi.k.recalled": {"zh": "重呼", "en": "called again"},
        "qi.k.missed": {"zh": "过号", "en": "missed"},
        "qi.k.started": {"zh": "开始办理", "en": "service started"},
        "qi.k.finished": {"zh": "办理完毕", "en": "service finished"},
        "qi.k.transferred": {"zh": "转其他窗口", "en": "transferred"},
        "qi.k.paused": {"zh": "暂停服务", "en": "window paused"},
        "qi.k.resumed": {"zh": "恢复服务", "en": "window resumed"},
    }
)

add_words(
    {
        "queue_categories": {"zh": "排号业务设置", "en": "Queue settings"},
        "qp.title": {"zh": "排号业务设置", "en": "Queue settings"},
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
        "qp.back": {"zh": "返回排号业务设置", "en": "Back to the queue settings"},
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
