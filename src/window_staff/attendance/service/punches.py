"""Punches from every source (one ``record_punches``), manual punches and supervisor attestation, HR corrections
(events with a reason), the exception queue."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from window_staff.attendance import service
from window_staff.attendance.calendar import DEFAULT_TIME_ZONE
from window_staff.attendance.errors import (
    AttendanceInputInvalid,
    ExceptionNotFound,
    MonthClosed,
    OwnDecisionRefused,
    PunchAlreadyAttested,
    PunchNotFound,
    SessionNotScheduled,
)
from window_staff.attendance.schemas import AttestationIn, CorrectionIn, CorrectionOut, ExceptionIn, ExceptionOut, ManualPunchIn, PunchOut
from window_staff.attendance.tables import PUNCH_SEAL, AttendanceException, DayRecordCorrection, Punch, PunchAttestation
from window_staff.common import audit, integrity, periods
from window_staff.common.clock import as_utc
from window_staff.common.context import AppContext
from window_staff.common.db import execute, insert_rows, insert_rows_returning, write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.org import service as org
from window_staff.org.service import Posting


def _local_month(posting: Posting, at: datetime):  # noqa: ANN202
    return at.astimezone(ZoneInfo(posting.timezone or DEFAULT_TIME_ZONE)).date().replace(day=1)


async def _month_closed_for(posting: Posting, at: datetime) -> bool:
    return posting.site_id is not None and bool(await service.closed_sites([posting.site_id], month=_local_month(posting, at)))


@dataclass(frozen=True, slots=True, kw_only=True)
class NewPunch:
    """A punch its source has already decided (who, when, how verified), for ``record_punches``."""

    staff_id: int
    captured_at: datetime
    source: str  # signed_terminal | zkteco | manual
    verify_mode: str
    event_key: str  # the source's identity of the event: the same event sent again is stored once
    kind: str = "any"
    terminal_id: int | None = None
    verified_on_device: bool = False
    needs_attestation: bool = False
    future_capture: bool = False
    threshold_version: str | None = None


_PUNCH_COLUMNS = (*PUNCH_SEAL.columns, Punch.row_mac)


@dataclass(frozen=True, slots=True)
class StoredPunches:
    """What ``record_punches`` stored: the new punch ids (input order) and how many went to HR's queue as late for a closed month."""

    ids: list[int]
    closed_month: int


async def record_punches(
    ctx: AppContext, punches: Sequence[NewPunch], *, site_id: int | None, received_at: datetime, time_zone: str | None = None
) -> StoredPunches:
    """Store decided punches from any source inside the caller's transaction.

    A punch whose event key is stored already is skipped (a resend adds nothing). A punch in a month already
    closed at the site (by the site's local calendar) is stored and also put in HR's exception queue: the one
    closed-month rule for every source. ``time_zone``: the site's zone when the caller has read it already.
    """
    if not punches:
        return StoredPunches([], 0)
    rows = [
        (
            p.staff_id,
            p.terminal_id,
            p.captured_at,
            received_at,
            p.kind,
            p.source,
            p.verify_mode,
            p.verified_on_device,
            p.needs_attestation,
            p.future_capture,
            p.threshold_version,
            p.event_key,
        )
        for p in punches
    ]
    # The keyed seal is computed here, with the row (microseconds each, no round trip).
    sealed = [(*row, integrity.row_mac(ctx.engine, PUNCH_SEAL, dict(zip(PUNCH_SEAL.column_names, row, strict=True)))) for row in rows]
    # The event key comes back with each new id: it says which input each id stored, so nothing is read back.
    stored = await insert_rows_returning(ctx.engine, Punch, _PUNCH_COLUMNS, sealed, returning=("id", "event_key"), skip_conflicts=True)
    id_of = {r["event_key"]: r["id"] for r in stored}
    new: list[tuple[int, NewPunch]] = []
    for p in punches:
        if p.event_key in id_of:
            new.append((id_of.pop(p.event_key), p))
    closed = await _queue_closed_month(ctx, new, site_id=site_id, at=received_at, time_zone=time_zone) if new and site_id is not None else 0
    return StoredPunches([i for i, _ in new], closed)


async def _queue_closed_month(
    ctx: AppContext, new: list[tuple[int, NewPunch]], *, site_id: int, at: datetime, time_zone: str | None
) -> int:
    zone = ZoneInfo(time_zone or (await org.site_time_zones([site_id])).get(site_id, DEFAULT_TIME_ZONE))
    month_of = {i: periods.month_key(as_utc(p.captured_at).astimezone(zone).date()) for i, p in new}
    closed = await service.closed_months(site_id, sorted(set(month_of.values())))
    return await queue_exceptions(
        ctx,
        [
            ExceptionIn(
                kind="punch_in_closed_month",
                staff_id=p.staff_id,
                terminal_id=p.terminal_id,
                detail={"punch": i, "captured_at": as_utc(p.captured_at).isoformat(), "source": p.source},
            )
            for i, p in new
            if month_of[i] in closed
        ],
        at=at,
    )


async def record_manual_punch(ctx: AppContext, staff_id: int, data: ManualPunchIn, *, actor: str) -> PunchOut:
    """A manual punch waiting for a supervisor; in a closed month it also goes to the exception queue."""
    if data.captured_at.tzinfo is None:
        raise AttendanceInputInvalid("captured_at needs a time zone offset")
    now = ctx.clock.now()
    if data.captured_at > now:
        raise AttendanceInputInvalid("a manual punch cannot be in the future")
    posting = await service.posting_or_404(staff_id)
    async with write_transaction(ctx.engine):
        [punch_id] = (
            await record_punches(
                ctx,
                [
                    NewPunch(
                        staff_id=staff_id,
                        captured_at=data.captured_at,
                        kind=data.kind,
                        source="manual",
                        verify_mode="manual",
                        needs_attestation=True,
                        event_key=f"manual:{uuid.uuid4()}",
                    )
                ],
                site_id=posting.site_id,
                received_at=now,
            )
        ).ids
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="punch.manual_recorded",
            subject_type="punch",
            subject_id=punch_id,
            data={"staff": staff_id, "captured_at": data.captured_at.isoformat(), "reason": data.reason},
        )
    return await get_punch(ctx, punch_id)


def _punch_out(r: dict[str, Any], decision: bool | None, *, closed: bool = False) -> PunchOut:
    state = None if decision is None else "approved" if decision else "refused"
    return PunchOut(
        id=r["id"],
        staff_id=r["staff"],
        captured_at=as_utc(r["captured_at"]),
        kind=r["kind"],
        source=r["source"],
        verify_mode=r["verify_mode"],
        needs_attestation=bool(r["needs_attestation"]),
        attestation=state,
        in_closed_month=closed,
    )


async def _decisions(punch_ids: list[int]) -> dict[int, bool]:
    if not punch_ids:
        return {}
    rows = (
        await PunchAttestation.select(PunchAttestation.punch, PunchAttestation.approved)
        .where(PunchAttestation.punch.is_in(punch_ids))
        .order_by(PunchAttestation.id)
    )
    return {r["punch"]: r["approved"] for r in rows}


async def get_punch(ctx: AppContext, punch_id: int) -> PunchOut:
    """One punch with its attestation state."""
    row = await Punch.select().where(Punch.id == punch_id).first()
    if row is None:
        raise PunchNotFound()
    return _punch_out(row, (await _decisions([punch_id])).get(punch_id))


async def pending_attestations(ctx: AppContext, params: PageParams) -> Page[PunchOut]:
    """Punches (manual, card + PIN) still waiting for a supervisor, oldest first."""
    waiting = "FROM punch p WHERE p.needs_attestation AND NOT EXISTS (SELECT 1 FROM punch_attestation a WHERE a.punch = p.id)"
    rows = await execute(ctx.engine, f"SELECT p.* {waiting} ORDER BY p.id LIMIT {{}} OFFSET {{}}", params.limit, params.offset)
    total = (await execute(ctx.engine, f"SELECT COUNT(*) AS n {waiting}"))[0]["n"]
    return page_of([_punch_out(r, None) for r in rows], total=total, params=params)


async def attest_punch(ctx: AppContext, punch_id: int, data: AttestationIn, *, actor: str, attester_staff_id: int | None) -> PunchOut:
    """A supervisor approves or refuses a punch; not their own; once."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await Punch.select().where(Punch.id == punch_id).first()
        if row is None or not row["needs_attestation"]:
            raise PunchNotFound()
        if attester_staff_id is not None and attester_staff_id == row["staff"]:
            raise OwnDecisionRefused("nobody attests their own punch")
        if await PunchAttestation.exists().where(PunchAttestation.punch == punch_id):
            raise PunchAlreadyAttested()
        await PunchAttestation.insert(PunchAttestation(punch=punch_id, attested_by=actor, approved=data.approved, note=data.note, at=now))
        posting = await service.posting_or_404(row["staff"])
        captured = as_utc(row["captured_at"])
        closed = await _month_closed_for(posting, captured)
        if closed and data.approved:
            await AttendanceException.insert(
                AttendanceException(
                    kind="punch_attested_in_closed_month",
                    staff=row["staff"],
                    terminal=row["terminal"],
                    created_at=now,
                    detail=json.dumps({"punch": punch_id, "captured_at": captured.isoformat()}),
                )
            )
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="punch.attested" if data.approved else "punch.attestation_refused",
            subject_type="punch",
            subject_id=punch_id,
            data={"staff": row["staff"], "note": data.note},
        )
    if data.approved and not closed:
        await service.recompute(ctx, [posting], month=_local_month(posting, captured))
    return _punch_out(row, data.approved, closed=closed)


# --- corrections -----------------------------------------------------------------------------


async def correct(ctx: AppContext, data: CorrectionIn, *, actor: str) -> CorrectionOut:
    """HR corrects one session of an open month: a new row with a reason; nothing is edited."""
    if data.status == "on_leave" and data.leave_kind is None:
        raise AttendanceInputInvalid("on_leave needs a leave_kind", code="leave_kind_required")
    posting = await service.posting_or_404(data.staff_id)
    first = data.day.replace(day=1)
    if posting.site_id is not None and await service.closed_sites([posting.site_id], month=first):
        raise MonthClosed(f"{periods.month_key(first)} is closed: corrections go through the appraisal's appeal")
    records = await service.recompute(ctx, [posting], month=first)
    if not any(r.day == data.day and r.session == data.session for r in records):
        raise SessionNotScheduled(f"staff {data.staff_id} has no {data.session} session on {data.day}")
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        if posting.site_id is not None and await service.closed_sites([posting.site_id], month=first):
            raise MonthClosed()
        rows = await DayRecordCorrection.insert(
            DayRecordCorrection(
                staff=data.staff_id,
                day=data.day,
                session=data.session,
                status=data.status,
                late_minutes=data.late_minutes,
                early_minutes=data.early_minutes,
                leave_kind=data.leave_kind,
                reason=data.reason,
                corrected_by=actor,
                at=now,
            )
        ).returning(DayRecordCorrection.id)
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="attendance.corrected",
            subject_type="day_record_correction",
            subject_id=rows[0]["id"],
            data={
                "staff": data.staff_id,
                "day": data.day.isoformat(),
                "session": data.session,
                "status": data.status,
                "reason": data.reason,
            },
        )
    return CorrectionOut(
        id=rows[0]["id"],
        status=data.status,
        late_minutes=data.late_minutes,
        early_minutes=data.early_minutes,
        leave_kind=data.leave_kind,
        reason=data.reason,
        corrected_by=actor,
        at=now,
    )


# --- exception queue -------------------------------------------------------------------------


def _exception_out(r: dict[str, Any]) -> ExceptionOut:
    return ExceptionOut(
        id=r["id"],
        kind=r["kind"],
        staff_id=r["staff"],
        terminal_id=r["terminal"],
        detail=r["detail"],
        created_at=as_utc(r["created_at"]),
        resolved_at=as_utc(r["resolved_at"]) if r["resolved_at"] else None,
        resolved_by=r["resolved_by"],
    )


_QUEUE_COLUMNS = [
    AttendanceException.kind,
    AttendanceException.staff,
    AttendanceException.terminal,
    AttendanceException.detail,
    AttendanceException.created_at,
    AttendanceException.source_key,
]


async def queue_exceptions(ctx: AppContext, items: Sequence[ExceptionIn], *, at: datetime) -> int:
    """Put items in HR's queue inside the caller's transaction; an item whose key is queued already is skipped. Returns how many are new."""
    if not items:
        return 0
    rows = [(i.kind, i.staff_id, i.terminal_id, json.dumps(i.detail, ensure_ascii=False), at, i.key) for i in items]
    return len(await insert_rows(ctx.engine, AttendanceException, _QUEUE_COLUMNS, rows, skip_conflicts=True))


async def list_exceptions(ctx: AppContext, params: PageParams, *, open_only: bool = True) -> Page[ExceptionOut]:
    """The queue, oldest first; open items only unless asked."""
    q = AttendanceException.select().order_by(AttendanceException.id).limit(params.limit).offset(params.offset)
    c = AttendanceException.count()
    if open_only:
        q, c = q.where(AttendanceException.resolved_at.is_null()), c.where(AttendanceException.resolved_at.is_null())
    return page_of([_exception_out(r) for r in await q], total=await c, params=params)


async def resolve_exception(ctx: AppContext, exception_id: int, *, note: str, actor: str) -> ExceptionOut:
    """Mark an open item resolved; the note goes to the audit chain."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = (
            await AttendanceException.select()
            .where((AttendanceException.id == exception_id) & AttendanceException.resolved_at.is_null())
            .first()
        )
        if row is None:
            raise ExceptionNotFound()
        await AttendanceException.update({AttendanceException.resolved_at: now, AttendanceException.resolved_by: actor}).where(
            AttendanceException.id == exception_id
        )
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="attendance.exception_resolved",
            subject_type="attendance_exception",
            subject_id=exception_id,
            data={"kind": row["kind"], "note": note},
        )
    return _exception_out({**row, "resolved_at": now, "resolved_by": actor})
