"""Leave pages: HR's leave approvals (decide, cancel) and a staff member's own leave requests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from window_staff.attendance import leave_rules
from window_staff.attendance.errors import AttendanceInputInvalid, AttendanceStaffNotFound, LeaveBeyondBalance
from window_staff.attendance.schemas import LeaveCancelIn, LeaveDecisionIn, LeaveIn, LeaveOut
from window_staff.attendance.service import balances as service_balances, leave as service_leave
from window_staff.attendance.service.inputs import leave_rules_of
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.common.guards import principal_of
from window_staff.common.pagination import PageParams
from window_staff.common.principal import Principal, own_staff_id
from window_staff.errors import status_of
from window_staff.org import service as org
from window_staff.web import leave_words  # noqa: F401 (registers the kinds' and balances' words)
from window_staff.web.i18n import add_words, day_words, lang_of, time_words, translator
from window_staff.web.pages import PAGE, page_roles, refusal_of, render

add_words(
    {
        "leave.hr_title": {"zh": "请假审批", "en": "Leave approvals"},
        "leave.my_title": {"zh": "我的请假", "en": "My leave"},
        "leave.pending": {"zh": "待审批的申请", "en": "Pending requests"},
        "leave.no_pending": {"zh": "没有待审批的申请。", "en": "No pending requests."},
        "leave.recent": {"zh": "最近处理的申请", "en": "Recently decided"},
        "leave.no_recent": {"zh": "没有已处理的申请。", "en": "No decided requests."},
        "leave.filter": {"zh": "筛选", "en": "Filter"},
        "leave.all": {"zh": "全部", "en": "All"},
        "leave.department": {"zh": "科室", "en": "Department"},
        "leave.staff": {"zh": "工作人员", "en": "Staff member"},
        "leave.kind": {"zh": "类型", "en": "Kind"},
        "leave.span": {"zh": "起止时间", "en": "From - to"},
        "leave.start": {"zh": "开始时间", "en": "Start"},
        "leave.end": {"zh": "结束时间", "en": "End"},
        "leave.reason": {"zh": "事由", "en": "Reason"},
        "leave.requested_at": {"zh": "申请时间", "en": "Requested"},
        "leave.status": {"zh": "状态", "en": "Status"},
        "leave.decided": {"zh": "处理人/时间", "en": "Decided by / at"},
        "leave.note": {"zh": "审批意见（不同意或撤销时必填）", "en": "Note (required to refuse or cancel)"},
        "leave.approve": {"zh": "同意", "en": "Approve"},
        "leave.refuse": {"zh": "不同意", "en": "Refuse"},
        "leave.cancel": {"zh": "撤销", "en": "Cancel"},
        "leave.withdraw": {"zh": "撤回申请", "en": "Withdraw"},
        "leave.cancel_note": {"zh": "撤销理由", "en": "Why cancel"},
        "leave.request": {"zh": "提出申请", "en": "Request leave"},
        "leave.send": {"zh": "提交申请", "en": "Send the request"},
        "leave.mine": {"zh": "我的申请", "en": "My requests"},
        "leave.none_mine": {"zh": "您还没有请假申请。", "en": "You have no leave requests."},
        "leave.zone_hint": {"zh": "时间按北京时间填写。", "en": "Times are Beijing time (Asia/Shanghai)."},
        "leave.s.requested": {"zh": "待审批", "en": "Pending"},
        "leave.s.approved": {"zh": "已同意", "en": "Approved"},
        "leave.s.refused": {"zh": "不同意", "en": "Refused"},
        "leave.s.cancelled": {"zh": "已撤销", "en": "Cancelled"},
        "leave.done.requested": {"zh": "申请已提交，等待人事审批。", "en": "Your request was sent and awaits HR."},
        "leave.done.cancelled": {"zh": "已撤销。", "en": "Cancelled."},
        "leave.done.approved": {"zh": "已同意该申请。", "en": "The request was approved."},
        "leave.done.refused": {"zh": "已不同意该申请。", "en": "The request was refused."},
        "error.leave_form_invalid": {"zh": "表单内容不完整，请重新填写。", "en": "The form is incomplete; fill it in again."},
    }
)

KINDS = leave_rules.KINDS
STATUSES = ("requested", "approved", "refused", "cancelled")
_FORM_LIMIT = 16_384
_LIST = PageParams(limit=100, offset=0)
_ZONE = ZoneInfo(DEFAULT_TIME_ZONE)
_DONE = {"requested", "cancelled", "approved", "refused"}


def local_text(at: datetime | None, zone: ZoneInfo = _ZONE, *, lang: str = "zh") -> str:
    """A UTC instant as the centre's local time, to the minute, as people write it."""
    return time_words(at, lang, zone=zone.key)


def local_input(value: str, zone: ZoneInfo, *, field: str) -> datetime:
    """A ``datetime-local`` field read in the given time zone (an explicit offset is kept)."""
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        raise AttendanceInputInvalid(f"{field} is not a date and time", field=field) from None
    return naive.replace(tzinfo=zone) if naive.tzinfo is None else naive


def _note(form: Any) -> str:
    # The service refuses a refusal or an HR cancellation without a note (leave_note_required).
    return str(form.get("note", "")).strip()


def _convert(values: dict[str, Any], schema: type[Any]) -> Any:
    """The form as the API's input, checked by the same schema (a refusal is a DomainError with the reason)."""
    try:
        return msgspec.convert(values, schema)
    except msgspec.ValidationError as exc:
        raise AttendanceInputInvalid(str(exc)) from None


async def _rows(items: list[LeaveOut], *, lang: str = "zh") -> list[dict[str, Any]]:
    """Leave requests with the staff member's name, number and department for display."""
    postings = {p.staff_id: p for p in await org.postings_of([i.staff_id for i in items])}
    depts = await org.department_codes([p.department_id for p in postings.values()])
    out = []
    for item in items:
        p = postings.get(item.staff_id)
        zone = ZoneInfo(p.timezone) if p and p.timezone else _ZONE
        out.append(
            {
                "l": item,
                "name": p.name if p else f"#{item.staff_id}",
                "employee_no": p.employee_no if p else "",
                "department": depts.get(p.department_id, ("", ""))[1] if p else "",
                "start": local_text(item.start, zone, lang=lang),
                "end": local_text(item.end, zone, lang=lang),
                "requested_at": local_text(item.requested_at, zone, lang=lang),
                "decided_at": local_text(item.decided_at, zone, lang=lang),
            }
        )
    return out


async def _with_balances(ctx: AppContext, rows: list[dict[str, Any]], *, lang: str) -> list[dict[str, Any]]:
    """Each pending request with its staff member's balances of the request's year, in words (pending requests counted)."""
    words = translator(lang)
    for row in rows:
        item: LeaveOut = row["l"]
        year = item.start.astimezone(_ZONE).year
        row["balances"] = [
            words("leave.bal_short").format(kind=words(f"leave.k.{b.kind}"), left=b.left, granted=b.granted)
            for b in await service_balances.leave_balances(ctx, item.staff_id, year=year)
        ]
    return rows


def kind_lines(rule: leave_rules.LeaveKindRule, *, lang: str) -> tuple[str, str]:
    """A kind and what it means, in words: 带薪，视同出勤，须提供证明材料 ..."""
    words = translator(lang)
    parts = [words("leave.paid" if rule.paid else "leave.unpaid")]
    parts.append(words("leave.counts" if rule.counts_against_attendance else "leave.not_counted"))
    if rule.needs_document:
        parts.append(words("leave.document"))
    if rule.balance != "none":
        parts.append(words("leave.has_balance"))
    return words(f"leave.k.{rule.kind}"), (", " if lang == "en" else "，").join(parts)


def beyond_balance_words(exc: LeaveBeyondBalance, *, lang: str) -> str:
    """The refusal of a request beyond the balance, with the days left and asked."""
    words = translator(lang)
    x = exc.extra
    return words("leave.beyond_balance").format(kind=words(f"leave.k.{x['kind']}"), year=x["year"], left=x["left"], asked=x["asked"])


class HrLeavePages(Controller):
    """HR decides leave requests (approve or refuse with a reason) and cancels approved leave."""

    include_in_schema = False
    path = "/app/hr/leave"

    async def _page(
        self, ctx: AppContext, request: Request, principal: Principal, *, message: str | None = None, status: int = 200
    ) -> Template:
        q = request.query_params
        asked_status = q.get("status") if q.get("status") in STATUSES else None
        department = int(q["department_id"]) if str(q.get("department_id", "")).isdigit() else None
        pending: list[LeaveOut] = []
        if asked_status in (None, "requested"):
            pending = (await service_leave.list_leave(ctx, _LIST, status="requested", department_id=department)).items
        recent: list[LeaveOut] = []
        if asked_status != "requested":
            recent = [
                r
                for r in (await service_leave.list_leave(ctx, _LIST, status=asked_status, department_id=department)).items
                if r.status != "requested"
            ]
        departments = sorted((await org.department_codes()).items(), key=lambda kv: kv[1][0])
        done = q.get("done")
        return render(
            request,
            "hr/leave/index.html",
            principal=principal,
            status=status,
            message=message,
            notice=f"leave.done.{done}" if done in _DONE else None,
            pending=await _with_balances(ctx, await _rows(pending, lang=lang_of(request)), lang=lang_of(request)),
            recent=await _rows(recent, lang=lang_of(request)),
            departments=departments,
            statuses=STATUSES,
            asked_status=asked_status or "",
            department_id=department,
        )

    async def _act(self, ctx: AppContext, request: Request, act: Callable[[Principal, Any], Awaitable[str]]) -> Template | Redirect:
        principal = await principal_of(request)
        form = await request.form()
        try:
            done = await act(principal, form)
        except DomainError as exc:
            return await self._page(ctx, request, principal, message=refusal_of(request, exc), status=status_of(exc))
        back = {
            k: v for k, v in (("status", str(form.get("back_status", ""))), ("department_id", str(form.get("back_department", "")))) if v
        }
        return Redirect(f"/app/hr/leave?{urlencode({**back, 'done': done})}", status_code=303)

    @get("", guards=[page_roles("hr")], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Template:
        """Pending requests first, then recently decided ones, filtered by status and department."""
        return await self._page(ctx, request, await principal_of(request))

    @post("/{leave_id:int}/decision", guards=[page_roles("hr")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def decide(self, ctx: AppContext, request: Request, leave_id: int) -> Template | Redirect:
        """Approve or refuse a request; a refusal needs a reason."""

        async def act(principal: Principal, form: Any) -> str:
            decision = str(form.get("decision", ""))
            if decision not in ("approve", "refuse"):
                raise AttendanceInputInvalid("choose approve or refuse", code="leave_form_invalid")
            approved = decision == "approve"
            data = _convert({"approved": approved, "note": _note(form)}, LeaveDecisionIn)
            await service_leave.decide_leave(ctx, leave_id, data, actor=principal.actor, decider_staff_id=principal.staff_id)
            return "approved" if approved else "refused"

        return await self._act(ctx, request, act)

    @post("/{leave_id:int}/cancel", guards=[page_roles("hr")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def cancel(self, ctx: AppContext, request: Request, leave_id: int) -> Template | Redirect:
        """Cancel a request or approved leave, with a reason."""

        async def act(principal: Principal, form: Any) -> str:
            data = _convert({"note": _note(form)}, LeaveCancelIn)
            await service_leave.cancel_leave(ctx, leave_id, data, actor=principal.actor)
            return "cancelled"

        return await self._act(ctx, request, act)


async def _zone_of(staff_id: int) -> ZoneInfo:
    """The staff member's site time zone (the centre's by default)."""
    posting = next(iter(await org.postings_of([staff_id])), None)
    return ZoneInfo(posting.timezone) if posting and posting.timezone else _ZONE


class MyLeavePages(Controller):
    """A staff member's own leave requests: ask, see the status, withdraw."""

    include_in_schema = False
    path = "/app/me/leave"

    async def _page(
        self,
        ctx: AppContext,
        request: Request,
        principal: Principal,
        *,
        message: str | None = None,
        status: int = 200,
        form: dict[str, str] | None = None,
    ) -> Template:
        mine: list[dict[str, Any]] = []
        if principal.staff_id is not None:
            mine = await _rows((await service_leave.list_leave(ctx, _LIST, staff_id=principal.staff_id)).items, lang=lang_of(request))
        else:
            message = message or refusal_of(request, AttendanceStaffNotFound("this account is not linked to a staff member"))
        now = ctx.clock.now()
        for row in mine:
            # The service lets staff cancel approved leave only before it starts; offer the button only then.
            row["cancellable"] = row["l"].status == "requested" or (row["l"].status == "approved" and row["l"].start > now)
        done = request.query_params.get("done")
        lang = lang_of(request)
        balances = []
        if principal.staff_id is not None:
            balances = await service_balances.leave_balances(ctx, principal.staff_id, only_staff_id=principal.staff_id)
        rules = leave_rules_of(ctx)
        return render(
            request,
            "staff/leave.html",
            balances=balances,
            since={b.kind: day_words(b.service_start, lang) for b in balances if b.service_start},
            hours_per_day=leave_rules.days_words(rules.time_off_hours_per_day),
            rules=[kind_lines(rules.of(k), lang=lang) for k in KINDS],
            principal=principal,
            status=status,
            message=message,
            mine=mine,
            kinds=KINDS,
            notice=f"leave.done.{done}" if done in ("requested", "cancelled") else None,
            form=form or {},
        )

    @get("", guards=[page_roles("staff")], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Template:
        """My requests with their status, and the request form."""
        return await self._page(ctx, request, await principal_of(request))

    @post("", guards=[page_roles("staff")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def request_leave(self, ctx: AppContext, request: Request) -> Template | Redirect:
        """Ask for leave, official business or training (times in the site's zone)."""
        principal = await principal_of(request)
        form = await request.form()
        values = {k: str(form.get(k, "")).strip() for k in ("kind", "start", "end", "reason")}
        try:
            staff_id = own_staff_id(principal, missing=AttendanceStaffNotFound)
            if not (values["kind"] and values["start"] and values["end"]):
                raise AttendanceInputInvalid("kind, start and end are required", code="leave_form_invalid")
            zone = await _zone_of(staff_id)
            data = _convert(
                {
                    "kind": values["kind"],
                    "start": local_input(values["start"], zone, field="start"),
                    "end": local_input(values["end"], zone, field="end"),
                    "reason": values["reason"],
                },
                LeaveIn,
            )
            await service_leave.request_leave(ctx, staff_id, data, actor=principal.actor)
        except LeaveBeyondBalance as exc:
            message = beyond_balance_words(exc, lang=lang_of(request))
            return await self._page(ctx, request, principal, message=message, status=status_of(exc), form=values)
        except DomainError as exc:
            return await self._page(ctx, request, principal, message=refusal_of(request, exc), status=status_of(exc), form=values)
        return Redirect("/app/me/leave?done=requested", status_code=303)

    @post("/{leave_id:int}/cancel", guards=[page_roles("staff")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def cancel(self, ctx: AppContext, request: Request, leave_id: int) -> Template | Redirect:
        """Withdraw my request (or my approved leave before it starts)."""
        principal = await principal_of(request)
        form = await request.form()
        try:
            staff_id = own_staff_id(principal, missing=AttendanceStaffNotFound)
            data = _convert({"note": str(form.get("note", "")).strip()}, LeaveCancelIn)
            await service_leave.cancel_leave(ctx, leave_id, data, actor=principal.actor, only_staff_id=staff_id)
        except DomainError as exc:
            return await self._page(ctx, request, principal, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect("/app/me/leave?done=cancelled", status_code=303)
