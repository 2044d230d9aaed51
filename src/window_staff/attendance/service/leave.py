"""Leave, official business (公出) and training: staff request, HR decides; decisions are events."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.columns.combination import Combinable

from window_staff.attendance import service
from window_staff.attendance.calendar import DEFAULT_TIME_ZONE
from window_staff.attendance.errors import (
    AttendanceInputInvalid,
    LeaveAlreadyDecided,
    LeaveNotCancellable,
    LeaveNotFound,
    LeaveOverlaps,
    OwnDecisionRefused,
)
from window_staff.attendance.leave_rules import canonical_kind
from window_staff.attendance.schemas import LeaveCancelIn, LeaveDecisionIn, LeaveIn, LeaveOut
from window_staff.attendance.service import balances
from window_staff.attendance.tables import AttendanceException, LeaveDecision, LeaveRequest
from window_staff.common import audit, periods
from window_staff.common.clock import as_utc
from window_staff.common.context import AppContext
from window_staff.common.db import one_at_a_time, write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.org import service as org

MAX_SPAN = timedelta(days=366)
# pg_advisory_xact_lock(namespace, staff id): a person's leave requests are checked one at a time.
LEAVE_LOCK = 7343031


def _out(r: dict[str, Any]) -> LeaveOut:
    return LeaveOut(
        id=r["id"],
        staff_id=r["staff"],
        kind=canonical_kind(r["kind"]),
        start=as_utc(r["start_at"]),
        end=as_utc(r["end_at"]),
        reason=r["reason"],
        status=r["status"],
        requested_at=as_utc(r["requested_at"]),
        decided_by=r["decided_by"],
        decided_at=as_utc(r["decided_at"]) if r["decided_at"] else None,
    )


def months_of(start: datetime, end: datetime, *, zone: str) -> list[date]:
    """First days of the local months that [start, end) touches."""
    tz = ZoneInfo(zone)
    first = start.astimezone(tz).date().replace(day=1)
    last = (end - timedelta(microseconds=1)).astimezone(tz).date().replace(day=1)
    out = []
    while first <= last:
        out.append(first)
        first = periods.month_end(first) + timedelta(days=1)
    return out


async def _months_touched(row: dict[str, Any]) -> tuple[list[date], list[date]]:
    """The local months a leave row spans, and those of them already closed at the staff member's site."""
    posting = next(iter(await org.postings_of([row["staff"]])), None)
    site = posting.site_id if posting else None
    months = months_of(as_utc(row["start_at"]), as_utc(row["end_at"]), zone=(posting.timezone if posting else None) or DEFAULT_TIME_ZONE)
    closed = [m for m in months if site is not None and await service.closed_sites([site], month=m)]
    return months, closed


def _begun(months: list[date], *, closed: list[date], now: datetime) -> list[date]:
    # Day records exist only for months that have begun (a later year may have no work calendar yet); closed ones stay as closed.
    latest = (now + timedelta(hours=14)).date().replace(day=1)  # the month has begun in the earliest zone a site may use
    return [m for m in months if m not in closed and m <= latest]


async def request_leave(ctx: AppContext, staff_id: int, data: LeaveIn, *, actor: str) -> LeaveOut:
    """A staff member's request (for themself); it counts only once HR approves it."""
    if data.start.tzinfo is None or data.end.tzinfo is None:
        raise AttendanceInputInvalid("start and end need a time zone offset, e.g. 2025-03-03T08:30:00+08:00")
    if not data.start < data.end or data.end - data.start > MAX_SPAN:
        raise AttendanceInputInvalid("leave must end after it starts, within 366 days")
    posting = await service.posting_or_404(staff_id)
    kind = canonical_kind(data.kind)
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        # One request per person at a time: two sent together must not both fit the balance or both miss the overlap.
        await one_at_a_time(ctx.engine, LEAVE_LOCK, staff_id)
        # the balance first: a request beyond it is refused in words, whatever else it clashes with
        await balances.check_balance(ctx, posting, kind=kind, start=data.start, end=data.end)
        clash = await LeaveRequest.exists().where(
            (LeaveRequest.staff == staff_id)
            & LeaveRequest.status.is_in(["requested", "approved"])
            & (LeaveRequest.start_at < data.end)
            & (LeaveRequest.end_at > data.start)
        )
        if clash:
            raise LeaveOverlaps("another requested or approved leave overlaps this span")
        rows = await LeaveRequest.insert(
            LeaveRequest(
                staff=staff_id,
                kind=kind,
                start_at=data.start,
                end_at=data.end,
                reason=data.reason,
                status="requested",
                requested_by=actor,
                requested_at=now,
            )
        ).returning(LeaveRequest.id)
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="leave.requested",
            subject_type="leave_request",
            subject_id=rows[0]["id"],
            data={"staff": staff_id, "kind": kind, "start": data.start.isoformat(), "end": data.end.isoformat()},
        )
    return await get_leave(ctx, rows[0]["id"])


async def get_leave(ctx: AppContext, leave_id: int, *, only_staff_id: int | None = None) -> LeaveOut:
    """One request; a staff user sees only their own."""
    where: Combinable = LeaveRequest.id == leave_id
    if only_staff_id is not None:
        where = where & (LeaveRequest.staff == only_staff_id)
    row = await LeaveRequest.select().where(where).first()
    if row is None:
        raise LeaveNotFound()
    return _out(row)


async def list_leave(
    ctx: AppContext, params: PageParams, *, staff_id: int | None = None, status: str | None = None, department_id: int | None = None
) -> Page[LeaveOut]:
    """Requests, newest first, filtered by staff, status or department."""
    conds = []
    if staff_id is not None:
        conds.append(LeaveRequest.staff == staff_id)
    if status is not None:
        conds.append(LeaveRequest.status == status)
    if department_id is not None:
        ids = [p.staff_id for p in await org.postings_in_department(department_id)]
        conds.append(LeaveRequest.staff.is_in(ids or [-1]))
    q = LeaveRequest.select().order_by(LeaveRequest.id, ascending=False).limit(params.limit).offset(params.offset)
    c = LeaveRequest.count()
    for cond in conds:
        q, c = q.where(cond), c.where(cond)
    return page_of([_out(r) for r in await q], total=await c, params=params)


async def decide_leave(ctx: AppContext, leave_id: int, data: LeaveDecisionIn, *, actor: str, decider_staff_id: int | None) -> LeaveOut:
    """HR approves or refuses; nobody decides their own leave; a closed month gets an exception, not a change."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await LeaveRequest.select().where(LeaveRequest.id == leave_id).first()
        if row is None:
            raise LeaveNotFound()
        if decider_staff_id is not None and decider_staff_id == row["staff"]:
            raise OwnDecisionRefused("nobody approves or refuses their own leave")
        if row["status"] != "requested":
            raise LeaveAlreadyDecided()
        if not data.approved and not data.note.strip():
            raise AttendanceInputInvalid("a refusal needs a note saying why", code="leave_note_required", field="note")
        status = "approved" if data.approved else "refused"
        await LeaveDecision.insert(LeaveDecision(request=leave_id, approved=data.approved, note=data.note, decided_by=actor, at=now))
        await LeaveRequest.update({LeaveRequest.status: status, LeaveRequest.decided_by: actor, LeaveRequest.decided_at: now}).where(
            LeaveRequest.id == leave_id
        )
        months, closed = await _months_touched(row)
        if data.approved and closed:
            await AttendanceException.insert(
                AttendanceException(
                    kind="leave_in_closed_month",
                    staff=row["staff"],
                    created_at=now,
                    detail=json.dumps({"leave_request": leave_id, "months": [periods.month_key(m) for m in closed]}),
                )
            )
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action=f"leave.{status}",
            subject_type="leave_request",
            subject_id=leave_id,
            data={"staff": row["staff"], "note": data.note},
        )
    if data.approved:
        for m in _begun(months, closed=closed, now=now):
            await service.recompute_staff_month(ctx, staff_ids=[row["staff"]], month=m)
    return await get_leave(ctx, leave_id)


async def cancel_leave(ctx: AppContext, leave_id: int, data: LeaveCancelIn, *, actor: str, only_staff_id: int | None = None) -> LeaveOut:
    """Cancel a request or approved leave; staff may cancel their own only before it starts, HR any time."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        where: Combinable = LeaveRequest.id == leave_id
        if only_staff_id is not None:
            where = where & (LeaveRequest.staff == only_staff_id)
        row = await LeaveRequest.select().where(where).first()
        if row is None:
            raise LeaveNotFound()
        if row["status"] not in ("requested", "approved"):
            raise LeaveNotCancellable(f"the request is {row['status']}")
        # Once approved leave has begun, days may already have been counted as leave: HR decides then.
        if only_staff_id is not None and row["status"] == "approved" and as_utc(row["start_at"]) <= now:
            raise LeaveNotCancellable("approved leave that has started can only be cancelled by HR")
        if only_staff_id is None and row["status"] == "approved" and not data.note.strip():
            raise AttendanceInputInvalid("cancelling approved leave needs a note saying why", code="leave_note_required", field="note")
        await LeaveRequest.update({LeaveRequest.status: "cancelled"}).where(LeaveRequest.id == leave_id)
        was_approved = row["status"] == "approved"
        months, closed = await _months_touched(row)
        if was_approved and closed:
            await AttendanceException.insert(
                AttendanceException(
                    kind="leave_cancelled_in_closed_month",
                    staff=row["staff"],
                    created_at=now,
                    detail=json.dumps({"leave_request": leave_id, "months": [periods.month_key(m) for m in closed]}),
                )
            )
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="leave.cancelled",
            subject_type="leave_request",
            subject_id=leave_id,
            data={"staff": row["staff"], "was": row["status"], "note": data.note},
        )
    if was_approved:
        for m in _begun(months, closed=closed, now=now):
            await service.recompute_staff_month(ctx, staff_ids=[row["staff"]], month=m)
    return await get_leave(ctx, leave_id)
