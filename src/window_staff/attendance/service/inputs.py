"""What the pure day-record function needs, read from rules/ and the database for a set of staff and dates."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from window_staff.attendance.calendar import (
    NationalCalendar,
    SessionHours,
    SiteOverride,
    WorkCalendar,
    load_national_calendar,
)
from window_staff.attendance.domain import GraceSettings, LeaveSpan, Punch
from window_staff.attendance.errors import GraceSettingsInvalid
from window_staff.attendance.leave_rules import LEAVE_FILE, LeaveRules, canonical_kind, load_leave_rules
from window_staff.attendance.schedule import Duty, RotaChange, Schedule, WindowClosure
from window_staff.attendance.tables import (
    CalendarOverride,
    LeaveRequest,
    Punch as PunchRow,
    PunchAttestation,
    RotaEntry,
    SiteHours,
    WindowClosureDay,
)
from window_staff.common.context import AppContext
from window_staff.org import service as org
from window_staff.org.service import Posting

# in a folder of its own: the scoring loader reads every *.toml directly under rules/ as a rule file
GRACE_FILE = Path("attendance") / "grace.toml"
_NATIONAL = "attendance.national_calendar"
_GRACE = "attendance.grace"
_LEAVE = "attendance.leave_rules"


def load_grace(path: Path) -> GraceSettings:
    """Read and validate the grace settings file; errors name the file and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GraceSettingsInvalid(f"{path}: attendance settings file is missing", key="file") from None
    except tomllib.TOMLDecodeError as exc:
        raise GraceSettingsInvalid(f"{path}: not valid TOML: {exc}", key="file") from exc
    return GraceSettings.from_mapping(data, source=str(path))


def grace_of(ctx: AppContext) -> GraceSettings:
    """The process's grace settings (read once from rules/)."""
    found = ctx.resources.get(_GRACE)
    if found is None:
        found = ctx.resources[_GRACE] = load_grace(ctx.settings.resolved_rules_dir / GRACE_FILE)
    return found


def leave_rules_of(ctx: AppContext) -> LeaveRules:
    """The process's leave rules (read once from rules/attendance/leave.toml)."""
    found = ctx.resources.get(_LEAVE)
    if found is None:
        found = ctx.resources[_LEAVE] = load_leave_rules(ctx.settings.resolved_rules_dir / LEAVE_FILE)
    return found


def national_of(ctx: AppContext) -> NationalCalendar:
    """The national calendar: chinese-calendar plus rules/calendar/YYYY.toml (read once)."""
    found = ctx.resources.get(_NATIONAL)
    if found is None:
        found = ctx.resources[_NATIONAL] = load_national_calendar(ctx.settings.resolved_rules_dir / "calendar")
    return found


async def work_calendar(ctx: AppContext, *, site_ids: Sequence[int], start: date, end: date) -> WorkCalendar:
    """Overrides and session hours of the sites around [start, end], on top of the national calendar."""
    sites = sorted(set(site_ids))
    overrides: list[SiteOverride] = []
    hours: dict[int, list[SessionHours]] = defaultdict(list)
    if sites:
        for r in await CalendarOverride.select().where(
            CalendarOverride.site.is_in(sites)
            & (CalendarOverride.day >= start - timedelta(days=1))
            & (CalendarOverride.day <= end + timedelta(days=1))
        ):
            overrides.append(SiteOverride(r["site"], r["day"], r["kind"], r["note"]))
        for r in await SiteHours.select().where(SiteHours.site.is_in(sites)):
            hours[r["site"]].append(
                SessionHours(r["name"], r["valid_from"], r["valid_to"], r["am_start"], r["am_end"], r["pm_start"], r["pm_end"])
            )
    zones = await org.site_time_zones(sites)
    return WorkCalendar(national_of(ctx), overrides, hours=hours, time_zones=zones)


async def schedule_of(postings: Sequence[Posting], *, start: date, end: date) -> Schedule:
    """Default postings (one window each, hired..left), rota changes and window closures in [start, end]."""
    duties = [
        Duty(p.staff_id, p.window_id, p.site_id, p.hired_on, p.left_on)
        for p in postings
        if p.window_id is not None and p.site_id is not None
    ]
    staff = [p.staff_id for p in postings]
    windows = sorted({d.window_id for d in duties})
    rota: list[RotaChange] = []
    closures: list[WindowClosure] = []
    if staff:
        for r in await RotaEntry.select().where(RotaEntry.staff.is_in(staff) & (RotaEntry.day >= start) & (RotaEntry.day <= end)):
            rota.append(
                RotaChange(r["staff"], r["day"], r["session"], r["action"], time_of(r["start_time"]), time_of(r["end_time"]), r["note"])
            )
    if windows:
        for r in await WindowClosureDay.select().where(
            WindowClosureDay.window.is_in(windows) & (WindowClosureDay.day >= start) & (WindowClosureDay.day <= end)
        ):
            closures.append(WindowClosure(r["window"], r["day"], r["note"]))
    return Schedule(duties, rota, closures)


def time_of(value: time | str | None) -> time | None:
    """A TIME column value as a time."""
    # SQLite hands TIME columns back as text
    if value is None or isinstance(value, time):
        return value
    return time.fromisoformat(value)


def _span(start: date, end: date) -> tuple[datetime, datetime]:
    # a day's sessions plus the sign-in/out windows never reach beyond a day either side in UTC
    return (datetime.combine(start - timedelta(days=1), time(), tzinfo=UTC), datetime.combine(end + timedelta(days=2), time(), tzinfo=UTC))


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything ``day_records`` reads for a set of staff and dates."""

    calendar: WorkCalendar
    schedule: Schedule
    punches: list[Punch]
    leave: list[LeaveSpan]
    grace: GraceSettings


async def counted_punches(staff_ids: Sequence[int], *, start: date, end: date) -> list[Punch]:
    """Punches of the staff around [start, end]; those needing attestation count only once approved."""
    lo, hi = _span(start, end)
    rows = await PunchRow.select(
        PunchRow.id, PunchRow.staff, PunchRow.captured_at, PunchRow.kind, PunchRow.source, PunchRow.needs_attestation
    ).where(PunchRow.staff.is_in(list(staff_ids)) & (PunchRow.captured_at >= lo) & (PunchRow.captured_at < hi))
    pending = [r["id"] for r in rows if r["needs_attestation"]]
    approved: set[int] = set()
    if pending:
        for a in (
            await PunchAttestation.select(PunchAttestation.punch, PunchAttestation.approved)
            .where(PunchAttestation.punch.is_in(pending))
            .order_by(PunchAttestation.id)
        ):
            # the last decision counts (there is one unless two supervisors raced)
            (approved.add if a["approved"] else approved.discard)(a["punch"])
    return [
        Punch(r["id"], r["staff"], _aware(r["captured_at"]), r["kind"], r["source"])
        for r in rows
        if not r["needs_attestation"] or r["id"] in approved
    ]


async def approved_leave(staff_ids: Sequence[int], *, start: date, end: date) -> list[LeaveSpan]:
    """Approved leave of the staff overlapping [start, end]."""
    lo, hi = _span(start, end)
    rows = await LeaveRequest.select().where(
        LeaveRequest.staff.is_in(list(staff_ids))
        & (LeaveRequest.status == "approved")
        & (LeaveRequest.start_at < hi)
        & (LeaveRequest.end_at > lo)
    )
    return [LeaveSpan(r["staff"], canonical_kind(r["kind"]), _aware(r["start_at"]), _aware(r["end_at"]), approved=True) for r in rows]


def _aware(at: datetime) -> datetime:
    # SQLite may return naive UTC instants
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


async def inputs_for(ctx: AppContext, postings: Sequence[Posting], *, start: date, end: date) -> Inputs:
    """Read calendar, schedule, punches and leave for the postings over [start, end]."""
    staff = [p.staff_id for p in postings]
    sites = [p.site_id for p in postings if p.site_id is not None]
    calendar = await work_calendar(ctx, site_ids=sites, start=start, end=end)
    schedule = await schedule_of(postings, start=start, end=end)
    punches = await counted_punches(staff, start=start, end=end) if staff else []
    leave = await approved_leave(staff, start=start, end=end) if staff else []
    return Inputs(calendar, schedule, punches, leave, grace_of(ctx))
