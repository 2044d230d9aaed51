"""Attendance as a fact source of the appraisal: one scoring ``Fact`` per session that scores, HR's corrections applied.

Gathering only reads: an open month is derived from its punches, calendar and leave without storing day records
(the month views store them), a closed month is read from the records frozen at close.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from window_staff.attendance import service
from window_staff.attendance.domain import Status
from window_staff.attendance.service import missed_punches
from window_staff.common.context import AppContext
from window_staff.common.db import chunks
from window_staff.org.service import Posting
from window_staff.scoring.vocabulary import SESSIONS, Fact

# Staff per round trip: bounds every IN-list (drivers cap bound parameters near 32k) and the open path's memory.
CHUNK = 5000
_SESSION_ORDER = {"am": 0, "pm": 1}
_MISSING = {Status.MISSING_SIGN_IN.value: "in", Status.MISSING_SIGN_OUT.value: "out"}
_ABSENT = Status.ABSENT.value
_KIND_ABSENT, _KIND_LATE, _KIND_EARLY, _KIND_MISSING = (
    "attendance.absent",
    "attendance.late",
    "attendance.early_leave",
    "attendance.missing_punch",
)


def session_facts(staff_id: int, *, day: date, session: str, status: str, late_minutes: int, early_minutes: int) -> list[Fact]:
    """The facts one effective session yields (pure; ids are stable across recomputes)."""
    if session not in SESSIONS:
        # the vocabulary knows half days only: an added duty session (延时服务) has no fact kind yet
        return []
    # built inline (no helper per fact): a closed month of 100,000 staff yields some 400,000 of them
    at = f":{day.isoformat()}:{session}"
    if status == _ABSENT:
        # an absent half day is scored as absence alone, whatever minutes it carries
        return [Fact(_KIND_ABSENT + at, _KIND_ABSENT, staff_id, day, {"session": session})]
    out: list[Fact] = []
    if late_minutes > 0:
        out.append(Fact(_KIND_LATE + at, _KIND_LATE, staff_id, day, {"minutes": int(late_minutes), "session": session}))
    if early_minutes > 0:
        out.append(Fact(_KIND_EARLY + at, _KIND_EARLY, staff_id, day, {"minutes": int(early_minutes), "session": session}))
    direction = _MISSING.get(status)
    if direction is not None:
        out.append(Fact(_KIND_MISSING + at, _KIND_MISSING, staff_id, day, {"session": session, "direction": direction}))
    return out


def _sort_key(fact: Fact) -> tuple[date, int, str]:
    return fact.occurred_on, _SESSION_ORDER[str(fact.fields["session"])], fact.kind


async def _open_facts(ctx: AppContext, postings: Sequence[Posting], *, month: date, out: dict[int, list[Fact]]) -> None:
    # derived as the month views derive them, but nothing is stored: the appraisal's compute is its own unit of work
    for i in range(0, len(postings), CHUNK):
        for r, _, _ in await service.derived_month(ctx, postings[i : i + CHUNK], month=month):
            out[r.staff_id].extend(
                session_facts(
                    r.staff_id,
                    day=r.day,
                    session=r.session,
                    status=r.status.value,
                    late_minutes=r.late_minutes,
                    early_minutes=r.early_minutes,
                )
            )


async def _closed_facts(ctx: AppContext, staff_ids: Sequence[int], *, month: date, out: dict[int, list[Fact]]) -> None:
    # A closed month never changes, so only the rows that can score are read; a correction replaces its
    # session's outcome entirely, so a corrected session's facts come from the correction alone.
    for part in chunks(staff_ids, CHUNK):
        corrections = await service.corrections_of(part, month=month)
        read: set[tuple[int, date, str]] = set()
        for r in await service.stored_sessions(ctx, staff_ids=part, month=month, scoring_only=True):
            sid, day, session = r["staff"], r["day"], r["session"]
            c = corrections.get((sid, day, session)) if corrections else None
            if c is None:
                facts = session_facts(
                    sid, day=day, session=session, status=r["status"], late_minutes=r["late_minutes"], early_minutes=r["early_minutes"]
                )
            else:
                read.add((sid, day, session))
                facts = session_facts(
                    sid, day=day, session=session, status=c.status, late_minutes=c.late_minutes, early_minutes=c.early_minutes
                )
            if facts:
                out[sid].extend(facts)
        unread = {
            key: c
            for key, c in corrections.items()
            if key not in read
            and session_facts(
                key[0], day=key[1], session=key[2], status=c.status, late_minutes=c.late_minutes, early_minutes=c.early_minutes
            )
        }
        if not unread:
            continue
        # a correction counts only for a stored session (as apply_corrections does); these are rare, so read their staff's month
        stored = {
            (r["staff"], r["day"], r["session"])
            for r in await service.stored_sessions(ctx, staff_ids=sorted({k[0] for k in unread}), month=month)
        }
        for (sid, day, session), c in unread.items():
            if (sid, day, session) in stored:
                out[sid].extend(
                    session_facts(
                        sid, day=day, session=session, status=c.status, late_minutes=c.late_minutes, early_minutes=c.early_minutes
                    )
                )


_KIND_MISSED = "attendance.missed_punch"


async def _missed_punch_facts(postings: Sequence[Posting], *, month: date, out: dict[int, list[Fact]]) -> None:
    # one fact per approved 补卡, numbered in the month (by day, then request) so rules can count beyond N
    for part in chunks([p.staff_id for p in postings], CHUNK):
        for sid, items in (await missed_punches.missed_punch_counts(part, month=month)).items():
            for nth, m in enumerate(items, start=1):
                fields = {"session": m.session, "direction": m.kind, "nth": nth}
                out[sid].append(Fact(f"{_KIND_MISSED}:{m.id}", _KIND_MISSED, sid, m.day, fields))


async def month_facts(ctx: AppContext, *, postings: Sequence[Posting], first: date) -> dict[int, list[Fact]]:
    """The month's attendance facts per staff member (one per session that scores), corrections applied; reads only."""
    # staff with nothing to score still get a key, so the appraisal sees "clean" rather than "missing"
    out: dict[int, list[Fact]] = {p.staff_id: [] for p in sorted(postings, key=lambda p: p.staff_id)}
    closed = await service.closed_sites(sorted({p.site_id for p in postings if p.site_id is not None}), month=first)
    await _closed_facts(ctx, sorted(p.staff_id for p in postings if p.site_id in closed), month=first, out=out)
    await _open_facts(ctx, [p for p in postings if p.site_id not in closed], month=first, out=out)
    await _missed_punch_facts(postings, month=first, out=out)
    for facts in out.values():
        facts.sort(key=_sort_key)
    return out
