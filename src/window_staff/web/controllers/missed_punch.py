"""Missed-punch (补卡) pages: a staff member asks on their phone; their department head or HR approves or refuses."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from window_staff.attendance.errors import AttendanceInputInvalid, AttendanceStaffNotFound, MonthClosed
from window_staff.attendance.schemas import MissedPunchDecisionIn, MissedPunchIn, MissedPunchOut
from window_staff.attendance.service import missed_punches
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.common.guards import principal_of
from window_staff.common.principal import Principal, own_staff_id
from window_staff.errors import status_of
from window_staff.org import service as org
from window_staff.web import leave_words  # noqa: F401 (registers the pages' words)
from window_staff.web.i18n import day_words, lang_of, month_words, time_words, translator
from window_staff.web.pages import PAGE, page_roles, refusal_of, render

_FORM_LIMIT = 16_384
_ZONE = ZoneInfo(DEFAULT_TIME_ZONE)
_FIELDS = ("day", "session", "kind", "time", "reason")


def punch_line(item: MissedPunchOut, *, lang: str) -> str:
    """What was asked for, in words: 2025年3月4日上午签退 12:02."""
    words = translator(lang)
    return words("mp.line").format(
        day=day_words(item.day, lang),
        session=words(f"mp.{item.session}"),
        kind=words(f"mp.s.{item.kind}"),
        time=item.at.astimezone(_ZONE).strftime("%H:%M"),
    )


def refusal_words(request: Request, exc: DomainError) -> str:
    """A refusal in the page's words; a closed month names the month."""
    lang = lang_of(request)
    if isinstance(exc, MonthClosed) and exc.extra.get("month"):
        return translator(lang)("error.month_closed_missed_punch").format(month=month_words(str(exc.extra["month"]), lang))
    return refusal_of(request, exc)


async def _rows(items: list[MissedPunchOut], *, lang: str) -> list[dict[str, Any]]:
    postings = {p.staff_id: p for p in await org.postings_of(sorted({i.staff_id for i in items}))}
    return [
        {
            "m": i,
            "line": punch_line(i, lang=lang),
            "name": postings[i.staff_id].name if i.staff_id in postings else "",
            "employee_no": postings[i.staff_id].employee_no if i.staff_id in postings else "",
            "decided_at": time_words(i.decided_at, lang),
        }
        for i in items
    ]


def _form_input(values: dict[str, str]) -> MissedPunchIn:
    try:
        return msgspec.convert(
            {
                "day": date.fromisoformat(values["day"]),
                "session": values["session"],
                "kind": values["kind"],
                "time": time.fromisoformat(values["time"]),
                "reason": values["reason"],
            },
            MissedPunchIn,
        )
    except (ValueError, msgspec.ValidationError):
        raise AttendanceInputInvalid("day, session, kind, time and a reason are required", code="missed_punch_form_invalid") from None


class MyMissedPunchPages(Controller):
    """A staff member's own missed-punch requests: ask, and see what was decided."""

    include_in_schema = False
    path = "/app/me/missed-punches"

    async def _page(
        self, ctx: AppContext, request: Request, principal: Principal, *, message: str | None = None, status: int = 200, form: Any = None
    ) -> Template:
        lang = lang_of(request)
        mine: list[dict[str, Any]] = []
        heads = False
        if principal.staff_id is not None:
            mine = await _rows(await missed_punches.list_missed_punches(ctx, staff_ids=[principal.staff_id]), lang=lang)
            heads = bool(await org.departments_headed_by(principal.staff_id))
        else:
            message = message or refusal_of(request, AttendanceStaffNotFound("this account is not linked to a staff member"))
        done = request.query_params.get("done")
        asked_day = request.query_params.get("day", "")
        return render(
            request,
            "staff/missed_punches.html",
            principal=principal,
            status=status,
            message=message,
            notice="mp.done.requested" if done == "requested" else None,
            mine=mine,
            heads=heads,
            form=form or {"day": asked_day if len(asked_day) == 10 else ""},
        )

    @get("", guards=[page_roles("staff")], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Template:
        """My requests and the request form (``?day=`` fills in the day)."""
        return await self._page(ctx, request, await principal_of(request))

    @post("", guards=[page_roles("staff")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def ask(self, ctx: AppContext, request: Request) -> Template | Redirect:
        """Ask for a missed punch (the time in the site's zone)."""
        principal = await principal_of(request)
        form = await request.form()
        values = {k: str(form.get(k, "")).strip() for k in _FIELDS}
        try:
            staff_id = own_staff_id(principal, missing=AttendanceStaffNotFound)
            await missed_punches.request_missed_punch(ctx, staff_id, _form_input(values), actor=principal.actor)
        except DomainError as exc:
            return await self._page(ctx, request, principal, message=refusal_words(request, exc), status=status_of(exc), form=values)
        return Redirect("/app/me/missed-punches?done=requested", status_code=303)


class MissedPunchApprovalPages(Controller):
    """The department head (for their department's staff) or HR approves or refuses missed-punch requests."""

    include_in_schema = False
    path = "/app/missed-punches"

    async def _page(
        self, ctx: AppContext, request: Request, principal: Principal, *, message: str | None = None, status: int = 200
    ) -> Template:
        lang = lang_of(request)
        staff_ids = await missed_punches.decidable_staff(principal)
        pending = await missed_punches.list_missed_punches(ctx, staff_ids=staff_ids, status="requested")
        pending = [p for p in pending if p.staff_id != principal.staff_id]
        recent = [r for r in await missed_punches.list_missed_punches(ctx, staff_ids=staff_ids, limit=50) if r.status != "requested"]
        done = request.query_params.get("done")
        return render(
            request,
            "hr/missed_punches.html",
            principal=principal,
            status=status,
            message=message,
            notice=f"mp.done.{done}" if done in ("approved", "refused") else None,
            pending=await _rows(pending, lang=lang),
            recent=await _rows(recent, lang=lang),
        )

    @get("", guards=[page_roles("staff", "hr")], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Template:
        """Requests I may decide (HR: everyone's; a department head: their department's), then recently decided ones."""
        return await self._page(ctx, request, await principal_of(request))

    @post("/{request_id:int}/decision", guards=[page_roles("staff", "hr")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def decide(self, ctx: AppContext, request: Request, request_id: int) -> Template | Redirect:
        """Approve (the punch is recorded as 补卡) or refuse with a note."""
        principal = await principal_of(request)
        form = await request.form()
        decision = str(form.get("decision", ""))
        try:
            if decision not in ("approve", "refuse"):
                raise AttendanceInputInvalid("choose approve or refuse", code="leave_form_invalid")
            data = MissedPunchDecisionIn(approved=decision == "approve", note=str(form.get("note", "")).strip()[:500])
            await missed_punches.decide_missed_punch(ctx, request_id, data, principal=principal)
        except DomainError as exc:
            return await self._page(ctx, request, principal, message=refusal_words(request, exc), status=status_of(exc))
        return Redirect(f"/app/missed-punches?done={'approved' if data.approved else 'refused'}", status_code=303)


__all__ = ["MissedPunchApprovalPages", "MyMissedPunchPages"]
