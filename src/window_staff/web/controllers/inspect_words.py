"""The words of the inspection pages (zh-CN and English) and the small readers both the inspector's and the lead's pages use."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from litestar import Request

from window_staff.auth import service as auth_service
from window_staff.auth.errors import UserNotFound
from window_staff.common.context import AppContext
from window_staff.inspections.errors import InspectionInputInvalid
from window_staff.inspections.schemas.visits import ReviewOutcomeOut
from window_staff.org import service as org
from window_staff.scoring.rules import ChecklistItem, rules_of
from window_staff.web.i18n import add_words, lang_of, time_words, translator

add_words(
    {
        "insp.my_visits": {"zh": "我的检查任务", "en": "My visits"},
        "insp.no_visits": {"zh": "暂无待进行的检查", "en": "No visits to carry out"},
        "insp.visit": {"zh": "检查", "en": "Visit"},
        "insp.site": {"zh": "地点", "en": "Site"},
        "insp.planned_at": {"zh": "计划时间", "en": "Planned for"},
        "insp.status": {"zh": "状态", "en": "Status"},
        "insp.kind": {"zh": "方式", "en": "Kind"},
        "insp.kind.open": {"zh": "公开检查", "en": "Open"},
        "insp.kind.undercover": {"zh": "暗访", "en": "Undercover"},
        "insp.status.planned": {"zh": "待开始", "en": "Planned"},
        "insp.status.in_progress": {"zh": "进行中", "en": "In progress"},
        "insp.status.done": {"zh": "已结束", "en": "Ended"},
        "insp.status.cancelled": {"zh": "已取消", "en": "Cancelled"},
        "insp.status.draft": {"zh": "待审核", "en": "Draft"},
        "insp.status.rejected": {"zh": "未采纳", "en": "Dismissed"},
        "insp.status.published": {"zh": "已发布", "en": "Published"},
        "insp.open": {"zh": "打开", "en": "Open"},
        "insp.start": {"zh": "开始检查", "en": "Start the visit"},
        "insp.end": {"zh": "结束检查", "en": "End the visit"},
        "insp.window": {"zh": "窗口", "en": "Window"},
        "insp.person": {"zh": "工作人员", "en": "Staff member"},
        "insp.person_unknown": {"zh": "（不确定）", "en": "(not known)"},
        "insp.problems": {"zh": "发现的问题", "en": "Problems found"},
        "insp.tick_hint": {
            "zh": "请只勾选本次检查中发现的问题，未发现问题的项目不要勾选。",
            "en": "Tick only the problems you found on this visit; leave everything else unticked.",
        },
        "insp.praise": {"zh": "表扬事项（加分项）", "en": "Commendations (add points)"},
        "insp.praise_hint": {"zh": "仅在表扬事项经核实后勾选。", "en": "Tick a commendation only once it is verified."},
        "insp.commendation": {"zh": "表扬", "en": "commendation"},
        "insp.severity": {"zh": "严重程度", "en": "Severity"},
        "insp.severity.minor": {"zh": "一般", "en": "Minor"},
        "insp.severity.major": {"zh": "较重", "en": "Major"},
        "insp.severity.serious": {"zh": "严重", "en": "Serious"},
        "insp.note": {"zh": "情况说明（仅供内部审核，不公开）", "en": "Note (for the review only, never published)"},
        "insp.plan_note": {"zh": "备注", "en": "Note"},
        "insp.photos": {"zh": "现场照片", "en": "Photos"},
        "insp.photos_chosen": {"zh": "已选照片", "en": "Chosen photos"},
        "insp.submit": {"zh": "提交记录", "en": "Log the findings"},
        "insp.draft_saved": {"zh": "草稿已保存", "en": "Draft saved"},
        "insp.draft_restored": {"zh": "已恢复草稿", "en": "Draft restored"},
        "insp.submitted": {"zh": "已记录 {n} 条，待检查组长审核：", "en": "{n} logged, awaiting the inspection lead's review:"},
        "insp.log_more": {"zh": "继续记录", "en": "Log more"},
        "insp.findings": {"zh": "本次检查记录", "en": "Findings of this visit"},
        "insp.no_findings": {"zh": "暂无记录", "en": "No findings yet"},
        "insp.tick_one": {"zh": "请至少勾选一个发现的问题或表扬事项", "en": "Tick at least one problem or commendation"},
        "insp.too_many_photos": {"zh": "照片过多", "en": "Too many photos"},
        "insp.history": {"zh": "已结束的检查", "en": "Ended visits"},
        "insp.no_history": {"zh": "暂无已结束的检查", "en": "No ended visits yet"},
        "insp.outcome.pending": {"zh": "待检查组长审核", "en": "Waiting for the lead's review"},
        "insp.outcome.published": {"zh": "已采纳并发布（{by}，{at}）", "en": "Kept and published ({by}, {at})"},
        "insp.outcome.rejected": {"zh": "未采纳（{by}，{at}）", "en": "Dismissed ({by}, {at})"},
        "insp.outcome.appeal_upheld": {"zh": "已发布，后经申诉撤销", "en": "Published, then cleared on appeal"},
        "insp.outcome.reason": {"zh": "理由：", "en": "Reason: "},
        "insp.end_title": {"zh": "确认结束检查", "en": "End this visit?"},
        "insp.end_text": {
            "zh": "结束后，本次检查不能再记录问题；已记录的 {n} 条由检查组长审核，审核结果可在“已结束的检查”中查看。",
            "en": "Once ended, no more findings can be logged on this visit; the inspection lead reviews the {n} logged, "
            "and the outcome shows under “Ended visits”.",
        },
        "insp.end_confirm": {"zh": "确认结束检查", "en": "Yes, end the visit"},
        "insp.back": {"zh": "返回，暂不结束", "en": "Go back"},
        "insp.ended": {"zh": "本次检查已结束，记录待检查组长审核。", "en": "The visit has ended; its findings await the lead's review."},
        "insp.offline": {
            "zh": "当前离线：显示的是上次打开时保存的页面，恢复网络后再提交",
            "en": "Offline: this is the page as last opened; submit once the network is back",
        },
        # The lead's page.
        "insp.review": {"zh": "待审核记录", "en": "Findings to review"},
        "insp.no_drafts": {"zh": "没有待审核的记录", "en": "Nothing to review"},
        "insp.no_photos": {"zh": "无现场照片", "en": "No photos"},
        "insp.inspector": {"zh": "检查人员", "en": "Inspector"},
        "insp.publish": {"zh": "采纳并发布", "en": "Keep and publish"},
        "insp.reject": {"zh": "不予采纳", "en": "Dismiss"},
        "insp.reason": {"zh": "不予采纳的理由", "en": "Why it is dismissed"},
        "insp.plan": {"zh": "安排检查", "en": "Plan a visit"},
        "insp.inspectors": {"zh": "检查人员", "en": "Inspectors"},
        "insp.windows": {"zh": "检查窗口", "en": "Windows"},
        "insp.windows_hint": {"zh": "只能选择所选地点的窗口。", "en": "Only windows of the chosen site can be picked."},
        "insp.plan_submit": {"zh": "安排", "en": "Plan"},
        "insp.published": {"zh": "已发布记录", "en": "Published findings"},
        "insp.no_published": {"zh": "暂无已发布记录", "en": "No published findings"},
        "insp.to_board": {"zh": "上曝光台…", "en": "Show on the board…"},
        "insp.on_board": {"zh": "已上曝光台", "en": "On the board"},
        "insp.done": {"zh": "已完成", "en": "Done"},
        "insp.visits": {"zh": "检查安排", "en": "Visits"},
        "insp.board_title": {"zh": "曝光台公开内容", "en": "What the board will say"},
        "insp.headline": {"zh": "公开标题（发现的问题）", "en": "Public headline (the problem found)"},
        "insp.public_text": {"zh": "公开说明", "en": "Public text"},
        "insp.public_hint": {
            "zh": "以下内容将向公众公开。检查人员的情况说明仅供内部审核，不会公开。",
            "en": "This is what the public reads. The inspector's note is for the review only and is never published.",
        },
        "insp.private_note": {"zh": "检查人员情况说明（不公开）", "en": "Inspector's note (not published)"},
        "insp.anonymous": {"zh": "不显示姓名", "en": "Hide the name"},
        "insp.preview": {"zh": "下一步：确认", "en": "Next: confirm"},
        "insp.board_confirm_title": {"zh": "确认在曝光台公开发布", "en": "Publish on the board?"},
        "insp.board_confirm_text": {
            "zh": "确认后，以下内容将在“自亮家丑”曝光台向公众公开，至 {until} 止；问题整改后，请标记“已整改”。",
            "en": "Once confirmed, the entry below is shown to the public on the exposure board until {until}; "
            "mark it rectified once the problem is put right.",
        },
        "insp.board_confirm": {"zh": "确认发布到曝光台", "en": "Publish on the board"},
        "insp.edit_again": {"zh": "返回修改", "en": "Change it"},
        "insp.person_shown": {"zh": "公开姓名", "en": "Name shown"},
        "insp.person_hidden": {"zh": "不公开姓名", "en": "Name hidden"},
        "insp.board_entries": {"zh": "曝光台内容", "en": "On the board"},
        "insp.rect.in_progress": {"zh": "整改中", "en": "Being rectified"},
        "insp.rect.rectified": {"zh": "已整改（{on}）", "en": "Rectified ({on})"},
        "insp.mark_rectified": {"zh": "标记已整改", "en": "Mark rectified"},
        "insp.cancel": {"zh": "取消", "en": "Cancel"},
        "insp.headline_needed": {"zh": "请填写公开标题", "en": "Give a public headline"},
    }
)


def words_of(request: Request) -> Callable[[str], str]:
    """The translator of the request's page language."""
    return translator(lang_of(request))


def when(value: datetime | None, lang: str = "zh") -> str:
    """A moment as the centre reads it (local time, to the minute, as people write it)."""
    return time_words(value, lang)


def item_words(ctx: AppContext, lang: str) -> dict[str, str]:
    """Checklist item id -> what a finding on it says in the page language (the problem found, or the commendation)."""
    return {i.id: i.wording(lang) for i in rules_of(ctx).checklist}


def checklist_sections(ctx: AppContext, lang: str) -> tuple[list[tuple[str, list[ChecklistItem]]], list[ChecklistItem]]:
    """The problems grouped by standard (in the rules' order, titled in the page language), and the commendations apart."""
    rules = rules_of(ctx)
    groups: dict[str, list[ChecklistItem]] = {}
    for item in rules.checklist:
        if not item.positive:
            groups.setdefault(item.category, []).append(item)
    out = []
    for code, items in groups.items():
        try:
            spec = rules.category(code)
            title = spec.title_en if lang == "en" else spec.title_zh
        except KeyError:
            title = code
        out.append((title, items))
    return out, [i for i in rules.checklist if i.positive]


async def staff_names(staff_ids: Sequence[int | None]) -> dict[int, str]:
    """Staff id -> name, for the ids given."""
    return {p.staff_id: p.name for p in await org.postings_of([s for s in staff_ids if s])}


def actor_user_id(actor: str | None) -> int | None:
    """The user id in an audit actor (``user:ID:username``), else None."""
    parts = (actor or "").split(":")
    return int(parts[1]) if len(parts) >= 3 and parts[0] == "user" and parts[1].isdigit() else None


async def people_names(ctx: AppContext, user_ids: Sequence[int | None]) -> dict[int, str]:
    """User id -> how a person is named on a page: the display name, else the staff name, else the username."""
    users = []
    for user_id in sorted({u for u in user_ids if u}):
        try:
            users.append(await auth_service.get_user(ctx, user_id))
        except UserNotFound:
            continue
    staff = await staff_names([u.staff_id for u in users if not u.display_name.strip()])
    return {u.id: u.display_name.strip() or staff.get(u.staff_id or 0) or u.username for u in users}


def outcome_text(outcome: ReviewOutcomeOut | None, words: Callable[[str], str], names: dict[int, str]) -> str:
    """A finding's review outcome in words: waiting, kept (by whom, when), dismissed (by whom, when)."""
    if outcome is None or outcome.outcome == "pending":
        return words("insp.outcome.pending")
    user_id = actor_user_id(outcome.by)
    by = names.get(user_id or 0) or (outcome.by or "")
    return words(f"insp.outcome.{outcome.outcome}").format(by=by, at=when(outcome.at))


def int_or_none(text: str, *, field: str) -> int | None:
    """A form field's whole number, None when empty (422 when not a number)."""
    if not text:
        return None
    if not text.isdigit():
        raise InspectionInputInvalid(f"{field} is not a number", field=field)
    return int(text)
