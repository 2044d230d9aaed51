"""Missed-punch requests (补卡): staff ask, their department head or HR decides; an approved one becomes a punch of its own source."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from window_staff.attendance import service
from window_staff.attendance.calendar import DEFAULT_TIME_ZONE
from window_staff.attendance.errors import (
    AttendanceDuplicate,
    AttendanceInputInvalid,
    MissedPunchAlreadyDecided,
    MissedPunchNotAllowed,
    MissedPunchNotFound,
    MonthClosed,
)
from window_staff.attendance.schemas import MissedPunchDecisionIn, MissedPunchIn, MissedPunchOut, MonthPunchOut
from window_staff.attendance.service.punches import NewPunch, record_punches
from window_staff.attendance.tables import MissedPunchRequest, Punch
from window_staff.common import audit, periods
from window_staff.common.clock import as_utc
from window_staff.common.context import AppContext
from window_staff.common.db import write_transaction
from window_staff.common.principal import Principal
from window_staff.org import service as org
from window_staff.org.service import Posting

SOURCE = "missed_punch"  # the punch's source and verify mode: shown as 补卡 wherever the punch shows


def _out(r: dict[str, Any]) -> MissedPunchOut:
    return MissedPunchOut(
        id=r["id"],
        staff_id=r["staff"],
        day=r["day"],
        session=r["session"],
        kind=r["kind"],
        at=as_utc(r["at"]),
        reason=r["reason"],
        status=r["status"],
        requested_at=as_utc(r["requested_at"]),
        decided_by=r["decided_by"],
        decided_at=as_utc(r["decided_at"]) if r["decided_at"] else None,
        note=r["note"],
        punch_id=r["punch"],
    )


async def _refuse_closed(posting: Posting, day: date) -> None:
    if posting.site_id is not None and await service.closed_sites([posting.site_id], month=day.replace(day=1)):
        raise MonthClosed(
            f"attendance for {periods.month_key(day)} is closed: a missed punch cannot be added", month=periods.month_key(day)
        )


async def request_missed_punch(ctx: AppContext, staff_id: int, data: MissedPunchIn, *, actor: str) -> MissedPunchOut:
    """A staff member's own request; a closed month, a time still to come or the same punch asked twice is refused."""
    posting = await service.posting_or_404(staff_id)
    at = datetime.combine(data.day, data.time, ZoneInfo(posting.timezone or DEFAULT_TIME_ZONE))
    now = ctx.clock.now()
    if at > now:
        raise AttendanceInputInvalid("a missed punch cannot be in the future", code="missed_punch_in_future", field="time")
    await _refuse_closed(posting, data.day)
    async with write_transaction(ctx.engine):
        same = await MissedPunchRequest.exists().where(
            (MissedPunchRequest.staff == staff_id)
            & (MissedPunchRequest.day == data.day)
            & (MissedPunchRequest.session == data.session)
            & (MissedPunchRequest.kind == data.kind)
            & MissedPunchRequest.status.is_in(["requested", "approved"])
        )
        if same:
            raise AttendanceDuplicate("this missed punch has been asked for already", code="missed_punch_duplicate")
        rows = await MissedPunchRequest.insert(
            MissedPunchRequest(
                staff=staff_id,
                day=data.day,
                session=data.session,
                kind=data.kind,
                at=at,
                reason=data.reason,
                status="requested",
                requested_by=actor,
                requested_at=now,
            )
        ).returning(MissedPunchRequest.id)
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="missed_punch.requested",
            subject_type="missed_punch_request",
            subject_id=rows[0]["id"],
            data={"staff": staff_id, "at": at.isoformat(), "kind": data.kind, "reason": data.reason},
        )
    return await get_missed_punch(rows[0]["id"])


async def get_missed_punch(request_id: int) -> MissedPunchOut:
    """One request."""
    row = await MissedPunchRequest.select().where(MissedPunchRequest.id == request_id).first()
    if row is None:
        raise MissedPunchNotFound()
    return _out(row)


async def list_missed_punches(
    ctx: AppContext, *, staff_ids: Sequence[int] | None = None, status: str | None = None, limit: int = 100
) -> list[MissedPunchOut]:
    """Requests, newest first, of some staff (all when None) and of one status (all when None)."""
    q = MissedPunchRequest.select().order_by(MissedPunchRequest.id, ascending=False).limit(limit)
    if staff_ids is not None:
        q = q.where(MissedPunchRequest.staff.is_in(list(staff_ids) or [-1]))
    if status is not None:
        q = q.where(MissedPunchRequest.status == status)
    return [_out(r) for r in await q]


async def decidable_staff(principal: Principal) -> list[int] | None:
    """Whose requests the caller may decide: everyone's for HR (None), else their departments' staff (never their own)."""
    if principal.has_any("hr"):
        return None
    if principal.staff_id is None:
        return []
    ids: list[int] = []
    for department_id in await org.departments_headed_by(principal.staff_id):
        ids.extend(p.staff_id for p in await org.postings_in_department(department_id) if p.staff_id != principal.staff_id)
    return sorted(set(ids))


async def decide_missed_punch(ctx: AppContext, request_id: int, data: MissedPunchDecisionIn, *, principal: Principal) -> MissedPunchOut:
    """Approve (the punch is recorded with source 补卡 and the month recomputed) or refuse with a note."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await MissedPunchRequest.select().where(MissedPunchRequest.id == request_id).first()
        if row is None:
            raise MissedPunchNotFound()
        if principal.staff_id is not None and principal.staff_id == row["staff"]:
            raise MissedPunchNotAllowed("nobody decides their own missed punch", code="own_decision_refused")
        allowed = await decidable_staff(principal)
        if allowed is not None and row["staff"] not in allowed:
            raise MissedPunchNotAllowed("only the staff member's department head or HR decides this request")
        if row["status"] != "requested":
            raise MissedPunchAlreadyDecided()
        if not data.approved and not data.note.strip():
            raise AttendanceInputInvalid("a refusal needs a note saying why", code="leave_note_required", field="note")
        posting = await service.posting_or_404(row["staff"])
        await _refuse_closed(posting, row["day"])
        punch_id = None
        if data.approved:
            stored = await record_punches(
                ctx,
                [
                    NewPunch(
                        staff_id=row["staff"],
                        captured_at=as_utc(row["at"]),
                        kind=row["kind"],
                        source=SOURCE,
                        verify_mode=SOURCE,
                        event_key=f"{SOURCE}:{request_id}",
                    )
                ],
                site_id=posting.site_id,
                received_at=now,
            )
            punch_id = stored.ids[0] if stored.ids else None
        status = "approved" if data.approved else "refused"
        await MissedPunchRequest.update(
            {
                MissedPunchRequest.status: status,
                MissedPunchRequest.decided_by: principal.actor,
                MissedPunchRequest.decided_at: now,
                MissedPunchRequest.note: data.note.strip(),
                MissedPunchRequest.punch: punch_id,
            }
        ).where(MissedPunchRequest.id == request_id)
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action=f"missed_punch.{status}",
            subject_type="missed_punch_request",
            subject_id=request_id,
            data={"staff": row["staff"], "note": data.note, "punch": punch_id},
        )
    if data.approved:
        await service.recompute_staff_month(ctx, staff_ids=[row["staff"]], month=row["day"].replace(day=1))
    return await get_missed_punch(request_id)


async def month_punches(ctx: AppContext, staff_id: int, *, month: str | date, only_staff_id: int | None = None) -> list[MonthPunchOut]:
    """The staff member's punches of a local month, oldest first (where and how each was made)."""
    first = periods.parse_month(month)
    posting = await service.posting_or_404(staff_id, only_staff_id=only_staff_id)
    tz = ZoneInfo(posting.timezone or DEFAULT_TIME_ZONE)
    lo = datetime.combine(first, datetime.min.time(), tz)
    hi = datetime.combine(periods.month_end(first), datetime.max.time(), tz)
    rows = (
        await Punch.select(Punch.id, Punch.captured_at, Punch.kind, Punch.source, Punch.verify_mode, Punch.terminal)
        .where((Punch.staff == staff_id) & (Punch.captured_at >= lo) & (Punch.captured_at <= hi))
        .order_by(Punch.captured_at)
    )
    return [
        MonthPunchOut(
            id=r["id"],
            at=as_utc(r["captured_at"]),
            kind=r["kind"],
            source=r["source"],
            verify_mode=r["verify_mode"],
            terminal_id=r["terminal"],
        )
        for r in rows
    ]


async def missed_punch_counts(staff_ids: Sequence[int], *, month: date) -> dict[int, list[MissedPunchOut]]:
    """Approved missed punches per staff member in a month (by day, then id): the appraisal counts them."""
    if not staff_ids:
        return {}
    rows = (
        await MissedPunchRequest.select()
        .where(
            MissedPunchRequest.staff.is_in(list(staff_ids))
            & (MissedPunchRequest.status == "approved")
            & (MissedPunchRequest.day >= month)
            & (MissedPunchRequest.day <= periods.month_end(month))
        )
        .order_by(MissedPunchRequest.day)
        .order_by(MissedPunchRequest.id)
    )
    out: dict[int, list[MissedPunchOut]] = {}
    for r in rows:
        out.setdefault(r["staff"], []).append(_out(r))
    return out


async def missed_punch_ids(punch_ids: Sequence[int]) -> frozenset[int]:
    """Which of these punches are approved missed punches (补卡), so sheets can mark the sessions resting on them."""
    found: set[int] = set()
    ids = sorted(set(punch_ids))
    for i in range(0, len(ids), 5000):
        rows = await Punch.select(Punch.id).where(Punch.id.is_in(ids[i : i + 5000]) & (Punch.source == SOURCE))
        found.update(r["id"] for r in rows)
    return frozenset(found)
