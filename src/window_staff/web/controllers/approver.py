"""The approver's pages: months awaiting approval; one month's changes since the approver's baseline in words and figures, its
decided appeals and bonus by department, then approve / return / reopen behind a confirmation step."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from window_staff.appraisal import domain, service
from window_staff.appraisal.errors import AppraisalInputInvalid
from window_staff.appraisal.service import close as service_close, reports as service_reports, review as service_review
from window_staff.common import periods
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.common.guards import principal_of
from window_staff.errors import status_of
from window_staff.web.confirm import confirmed, reasons
from window_staff.web.controllers.hr import grade_titles
from window_staff.web.i18n import add_words, lang_of, translator
from window_staff.web.pages import PAGE, page_roles, refusal_of, render

_FORM_LIMIT = 16384  # a reason of up to 2000 characters, form-encoded
_REASON_MIN, _REASON_MAX = 2, 2000
# A rule change can move everyone's sheet: the page lists this many people and says how many there are.
_SHOWN_CHANGES = 300

approvers = page_roles("approver")

add_words(
    {
        "ap.waiting": {"zh": "待审批月份", "en": "Months awaiting approval"},
        "ap.closed": {"zh": "已结账月份（可申请重开）", "en": "Closed months (reopen on request)"},
        "ap.others": {"zh": "其他月份", "en": "Other months"},
        "ap.none": {"zh": "当前没有待审批的月份", "en": "No month awaits approval"},
        "ap.diff": {"zh": "考核结果变化情况", "en": "What changed in the results"},
        "ap.baseline.approval": {"zh": "与上次批准时（{at}）的结果相比：", "en": "Compared with the results as approved on {at}:"},
        "ap.baseline.return": {
            "zh": "与上次退回人事部门时（{at}）的结果相比：",
            "en": "Compared with the results when last returned to HR ({at}):",
        },
        "ap.baseline.appeals": {
            "zh": "与开放申诉时（{at}）向工作人员公布的结果相比：",
            "en": "Compared with the results staff were shown when appeals opened ({at}):",
        },
        "ap.baseline.previous": {"zh": "与上一次计算的结果相比：", "en": "Compared with the previous computation:"},
        "ap.baseline.none": {
            "zh": "本月只计算过一次，没有可对比的早前结果；请核对下列部门排名和奖金合计。",
            "en": "This month has been computed once: there are no earlier results to compare with. Check the rankings and bonus below.",
        },
        "ap.changed_count": {"zh": "共 {n} 人的考核结果有变化。", "en": "People whose result changed: {n}."},
        "ap.changes_shown": {
            "zh": "以上列出前 {n} 人（按部门、工号排序）；其余人员的变化请在人事考核页的考核表中查看。",
            "en": "The first {n} people are listed (by department and employee number); the others are on HR's sheets list.",
        },
        "ap.no_changes": {"zh": "此后没有任何人的考核结果发生变化。", "en": "Nobody's result has changed since."},
        "ap.person": {"zh": "人员", "en": "Person"},
        "ap.total_change": {"zh": "总分", "en": "Total"},
        "ap.grade_change": {"zh": "等级", "en": "Grade"},
        "ap.line_changes": {"zh": "变化的考核条目（分值）", "en": "Rules that changed (points)"},
        "ap.new_sheet": {"zh": "新增", "en": "new"},
        "ap.not_counted": {"zh": "未计", "en": "none"},
        "ap.appeals": {"zh": "本月已处理的申诉", "en": "Appeals decided this month"},
        "ap.no_appeals": {"zh": "本月没有已处理的申诉。", "en": "No appeal has been decided this month."},
        "ap.appeal_rule": {"zh": "申诉条目", "en": "Appealed rule"},
        "ap.outcome": {"zh": "处理结果", "en": "Outcome"},
        "ap.outcome.upheld": {"zh": "支持申诉", "en": "Upheld"},
        "ap.outcome.rejected": {"zh": "驳回申诉", "en": "Rejected"},
        "ap.restored": {"zh": "恢复 {points} 分", "en": "{points} points restored"},
        "ap.reviewer": {"zh": "处理人", "en": "Decided by"},
        "ap.decision_reason": {"zh": "处理理由", "en": "Reason"},
        "ap.bonus": {"zh": "绩效奖金（按部门）", "en": "Bonus by department"},
        "ap.bonus_preview": {
            "zh": "以下为按当前考核结果测算的金额，批准后即为发放依据。",
            "en": "Amounts these results would pay: once approved, they are what payroll pays.",
        },
        "ap.bonus_frozen": {"zh": "以下为已批准的发放金额。", "en": "The approved amounts."},
        "ap.bonus_unavailable": {"zh": "奖金暂时无法测算：", "en": "The bonus cannot be worked out now: "},
        "ap.bonus_total": {"zh": "合计", "en": "Total"},
        "ap.bonus_amount": {"zh": "奖金（元）", "en": "Bonus (yuan)"},
        "ap.decision": {"zh": "审批", "en": "Decision"},
        "ap.no_step": {"zh": "本月当前状态下无需审批操作。", "en": "Nothing is for the approver to do in this state."},
        "ap.reopen_asked": {"zh": "{who} 已申请重开本月，理由：{reason}", "en": "{who} asked to reopen this month: {reason}"},
        "ap.approve": {"zh": "批准", "en": "Approve"},
        "ap.return": {"zh": "退回人事", "en": "Return to HR"},
        "ap.reopen": {"zh": "申请重开", "en": "Ask to reopen"},
        "ap.reopen-confirm": {"zh": "确认重开", "en": "Confirm reopening"},
        "ap.done.approve": {"zh": "已批准", "en": "Approved"},
        "ap.done.return": {"zh": "已退回人事", "en": "Returned to HR"},
        "ap.done.reopen": {"zh": "重开申请已提交，等待另一位审批人确认", "en": "Reopening requested: a second approver confirms"},
        "ap.done.reopen-confirm": {"zh": "已重开", "en": "Reopened"},
        "ap.reason_needed": {"zh": "请填写理由（2至2000字）", "en": "Give a reason (2 to 2000 characters)"},
    }
)

_CALLS: dict[str, Any] = {
    "approve": lambda ctx, month, p, reason: service.approve(ctx, month, principal=p),
    "return": lambda ctx, month, p, reason: service.return_month(ctx, month, principal=p, reason=reason),
    "reopen": lambda ctx, month, p, reason: service_close.request_reopen(ctx, month, principal=p, reason=reason),
    "reopen-confirm": lambda ctx, month, p, reason: service_close.confirm_reopen(ctx, month, principal=p),
}
_NEEDS_REASON = frozenset({"return", "reopen"})


def actions_for(state: str, blocks: dict[str, str]) -> tuple[str, ...]:
    """The approver's steps shown for a state: allowed ones as forms, the rest (named in ``blocks``) disabled with the reason.

    Approval is shown from the computation on (disabled until appeals end), so the approver sees where the month stands; a
    closed month offers the request to reopen, or its confirmation once someone has asked.
    """
    if state == domain.CLOSED:
        return ("reopen-confirm",) if "reopen" in blocks else ("reopen",)
    if state == domain.DECIDED:
        return ("approve", "return")
    if state == domain.APPROVED:
        return ("return",)
    if state in (domain.COMPUTED, domain.APPEALS):
        return ("approve",)
    return ()


async def _month_page(ctx: AppContext, request: Request, month: str, *, message: str | None = None, status: int = 200) -> Template:
    principal = await principal_of(request)
    key = periods.month_key(periods.parse_month(month))
    period = await service.get_period(ctx, key)
    words = translator(lang_of(request))
    blocks = await service_review.blocked_steps(ctx, key, principal=principal)
    actions = actions_for(period.state, blocks)
    context: dict[str, Any] = {
        "month": key,
        "period": period,
        "message": message,
        "done": request.query_params.get("done"),
        "review": None,
        "departments": [],
        "actions": actions,
        "blocked": reasons({a: c for a, c in blocks.items() if a in actions}, words),
        "confirm": request.query_params.get("confirm"),
        "reopen_asked": await service_review.reopen_request(key),
        "grade_title": grade_titles(ctx, lang_of(request)),
        "shown_changes": _SHOWN_CHANGES,
    }
    if period.computation:
        context["review"] = await service_review.review(ctx, key)
        ranking = await service_reports.ranking(ctx, key, by="department", principal=principal)
        context.update(departments=ranking.groups, min_group=ranking.min_group)
    return render(request, "approver/month.html", principal=principal, status=status, **context)


class ApproverPageController(Controller):
    """The approver's pages under /app/approver."""

    path = "/app/approver"
    include_in_schema = False

    @get("/", guards=[approvers], opt=PAGE)
    async def months(self, ctx: AppContext, request: Request) -> Template:
        """Months decided or approved (to approve or return), closed months (to reopen), the rest for reference."""
        periods = await service.list_periods(ctx)
        waiting = [p for p in periods if p.state in (domain.DECIDED, domain.APPROVED)]
        closed = [p for p in periods if p.state == domain.CLOSED]
        others = [p for p in periods if p not in waiting and p not in closed]
        return render(request, "approver/months.html", principal=await principal_of(request), waiting=waiting, closed=closed, others=others)

    @get("/{month:str}", guards=[approvers], opt=PAGE)
    async def month(self, ctx: AppContext, request: Request, month: str) -> Template:
        """One month: what changed since the approver's baseline, the decided appeals, the bonus by department, then the steps."""
        return await _month_page(ctx, request, month)

    @post("/{month:str}/{action:str}", guards=[approvers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def act(self, ctx: AppContext, request: Request, month: str, action: str) -> Response:
        """Approve, return (with a reason), ask to reopen (with a reason) or confirm reopening, each from its confirmation step.

        A form sent without that step (an old page, a stray click) only opens the step; refusals are shown on the page.
        """
        form = await request.form()
        key = periods.month_key(periods.parse_month(month))
        call = _CALLS.get(action)
        if call is None:
            raise AppraisalInputInvalid(f"unknown action {action!r}", key="action")
        if not confirmed(form):
            return Redirect(f"/app/approver/{key}?confirm={action}#confirm-{action}", status_code=303)
        reason = str(form.get("reason", "")).strip()
        if action in _NEEDS_REASON and not _REASON_MIN <= len(reason) <= _REASON_MAX:
            return await _month_page(ctx, request, key, message=translator(lang_of(request))("ap.reason_needed"), status=422)
        try:
            await call(ctx, key, await principal_of(request), reason)
        except DomainError as exc:
            return await _month_page(ctx, request, key, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect(f"/app/approver/{key}?done={action}", status_code=303)
