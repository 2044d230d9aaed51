"""Schedules (pure): default postings, rota changes (weekend duty, 延时服务, removals), window closures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from window_staff.attendance.calendar import SessionWindow, WorkCalendar
from window_staff.attendance.errors import ScheduleInvalid


@dataclass(frozen=True, slots=True)
class Duty:
    """A staff member posted at a window of a site, on duty every working session from/to (inclusive)."""

    staff_id: int
    window_id: int
    site_id: int
    valid_from: date | None = None
    valid_to: date | None = None

    def covers(self, day: date) -> bool:
        """Whether the posting includes ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class RotaChange:
    """Adds a session (weekend duty, 延时服务 extended hours) or removes one, for one staff member's day.

    ``am``/``pm`` additions take the site's hours unless ``start``/``end`` are given; other sessions
    (e.g. ``extended``) need them.
    """

    staff_id: int
    day: date
    session: str
    action: str
    start: time | None = None
    end: time | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.action not in ("add", "remove"):
            raise ScheduleInvalid(f"rota change for staff {self.staff_id}: action {self.action!r} is not add or remove")
        if (self.start is None) != (self.end is None):
            raise ScheduleInvalid(f"rota change for staff {self.staff_id} on {self.day}: give both start and end")
        if self.action == "add" and self.start is None and self.session not in ("am", "pm"):
            raise ScheduleInvalid(f"rota session {self.session!r} on {self.day} needs a start and an end")


@dataclass(frozen=True, slots=True)
class WindowClosure:
    """A window closed for a whole day: its staff have no default sessions then."""

    window_id: int
    day: date
    note: str = ""


class Schedule:
    """Who is on duty in which session: default postings, rota changes and window closures."""

    def __init__(
        self,
        duties: Iterable[Duty],
        rota: Iterable[RotaChange] = (),
        closures: Iterable[WindowClosure] = (),
    ) -> None:
        self._duties: dict[int, list[Duty]] = defaultdict(list)
        for d in duties:
            self._duties[d.staff_id].append(d)
        lo, hi = date.min, date.max
        for staff_id, posts in self._duties.items():
            posts.sort(key=lambda d: d.valid_from or lo)
            for a, b in zip(posts, posts[1:], strict=False):
                if (b.valid_from or lo) <= (a.valid_to or hi):
                    raise ScheduleInvalid(f"staff {staff_id} has overlapping postings", staff_id=staff_id)
        self._rota: dict[tuple[int, date], dict[str, RotaChange]] = defaultdict(dict)
        for r in rota:
            slot = self._rota[(r.staff_id, r.day)]
            if r.session in slot:
                raise ScheduleInvalid(f"staff {r.staff_id} has two rota changes for {r.day} {r.session}")
            slot[r.session] = r
        self._closed = {(c.window_id, c.day) for c in closures}

    def duty_on(self, staff_id: int, *, day: date) -> Duty | None:
        """The staff member's posting that day, if any."""
        for d in self._duties.get(staff_id, ()):
            if d.covers(day):
                return d
        return None

    def sessions_for(self, staff_id: int, *, calendar: WorkCalendar, day: date) -> list[SessionWindow]:
        """The staff member's sessions of the day, ordered by start."""
        duty = self.duty_on(staff_id, day=day)
        changes = self._rota.get((staff_id, day))
        if duty is None:
            if changes and any(c.action == "add" for c in changes.values()):
                raise ScheduleInvalid(f"staff {staff_id} has rota duty on {day} but no posting (unknown site)")
            return []
        site = duty.site_id
        if (duty.window_id, day) in self._closed:
            base: list[SessionWindow] = []
        else:
            base = calendar.sessions_on(day, site_id=site)
        if not changes:
            return base
        by_name = {w.session: w for w in base}
        # an individual rota addition is more specific than a window closure, so it wins
        for name in sorted(changes):
            c = changes[name]
            if c.action == "remove":
                by_name.pop(name, None)
            elif c.start is not None and c.end is not None:
                by_name[name] = calendar.window(day, session=name, start=c.start, end=c.end, site_id=site)
            else:
                by_name[name] = next(w for w in calendar.standard_sessions(day, site_id=site) if w.session == name)
        out = sorted(by_name.values(), key=lambda w: (w.start, w.session))
        for a, b in zip(out, out[1:], strict=False):
            if b.start < a.end:
                raise ScheduleInvalid(f"staff {staff_id} on {day}: sessions {a.session} and {b.session} overlap")
        return out
