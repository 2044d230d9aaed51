"""The approver's pages: months awaiting approval, what changed since the last computation, approve / return / reopen."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from window_staff.appraisal import domain, service
from window_staff.appraisal.errors import AppraisalInputInvalid
from window_staff.appraisal.service import close as service_close, reports as service_reports
from window_staff.common import periods
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.common.guards import principal_of
from window_staff.errors import status_of
from window_staff.web.controllers.hr import grade_titles, local_time
from window_staff.web.i18n import add_words, lang_of
from window_staff.web.pages import PAGE, page_roles, refusal_of, render

_FORM_LIMIT = 16384  # a reason of up to 2000 characters, form-encoded
_REASON_MIN, _REASON_MAX = 2, 2000

approvers = page_roles("approver")

add_words(
    {
        "ap.waiting": {"zh": "待审批月份", "en": "Months awaiting approval"},
        "ap.closed": {"zh": "已结账月份（可申请重开）", "en": "Closed months (reopen on request)"},
        "ap.others": {"zh": "其他月份", "en": "Other months"},
        "ap.none": {"zh": "当前没有待审批的月份", "en": "No month awaits approval"},
        "ap.diff": {"zh": "与上次计算相比的变化", "en": "Changes since the last computation"},
        "ap.since": {"zh": "对比版本", "en": "Compared with computation"},
        "ap.no_changes": {"zh": "没有变化", "en": "Nothing changed"},
        "ap.before": {"zh": "之前", "en": "Before"},
        "ap.after": {"zh": "之后", "en": "After"},
        "ap.rules_changed": {"zh": "新增条目", "en": "Rules added"},
        "ap.rules_removed": {"zh": "移除条目", "en": "Rules removed"},
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


def actions_for(state: str) -> tuple[str, ...]:
    """The forms shown for a state (the service decides; an approve on a month not yet decided explains why not)."""
    if state == domain.CLOSED:
        return ("reopen", "reopen-confirm")
    if state in (domain.DECIDED, domain.APPROVED):
        return ("approve", "return") if state == domain.DECIDED else ("return",)
    if state in (domain.COMPUTED, domain.APPEALS):
        return ("approve",)
    return ()


async def _month_page(ctx: AppContext, request: Request, month: str, *, message: str | None = None, status: int = 200) -> Template:
    principal = await principal_of(request)
    key = periods.month_key(periods.parse_month(month))
    period = await service.get_period(ctx, key)
    context: dict[str, Any] = {
        "month": key,
        "period": period,
        "message": message,
        "done": request.query_params.get("done"),
        "diff": None,
        "departments": [],
        "actions": actions_for(period.state),
        "grade_title": grade_titles(ctx, lang_of(request)),
    }
    if period.computation:
        context["diff"] = await service_reports.diff(ctx, key)
        ranking = await service_reports.ranking(ctx, key, by="department", principal=principal)
        context.update(departments=ranking.groups, min_group=ranking.min_group)
    return render(request, "approver/month.html", principal=principal, status=status, local_time=local_time, **context)


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
        """One month: its state, what changed since the last computation, the department ranking, and the approver's forms."""
        return await _month_page(ctx, request, month)

    @post("/{month:str}/{action:str}", guards=[approvers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def act(self, ctx: AppContext, request: Request, month: str, action: str) -> Response:
        """Approve, return (with a reason), ask to reopen (with a reason) or confirm reopening; refusals are shown on the page."""
        form = await request.form()
        key = periods.month_key(periods.parse_month(month))
        call = _CALLS.get(action)
        if call is None:
            raise AppraisalInputInvalid(f"unknown action {action!r}", key="action")
        reason = str(form.get("reason", "")).strip()
        try:
            if action in _NEEDS_REASON and not _REASON_MIN <= len(reason) <= _REASON_MAX:
                raise AppraisalInputInvalid("a reason of 2 to 2000 characters is needed", key="reason")
            await call(ctx, key, await principal_of(request), reason)
        except DomainError as exc:
            return await _month_page(ctx, request, key, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect(f"/app/approver/{key}?done={action}", status_code=303)
