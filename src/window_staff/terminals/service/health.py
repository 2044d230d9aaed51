"""Which terminals have gone quiet: the last time each approved terminal of a site was heard from (reads only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from window_staff.attendance.service import today as attendance_today
from window_staff.common.clock import as_utc
from window_staff.common.context import AppContext
from window_staff.common.db import execute
from window_staff.terminals.tables import Terminal

# What a terminal leaves behind when it talks to us: a signed request's nonce (kept ten minutes), a stored check-in
# answer, a refused check-in, a ZKTeco command fetched or answered; its punches come from attendance.
_HEARD = (
    "SELECT t.id, MAX(x.at) AS at FROM terminal t JOIN ("
    " SELECT terminal, seen_at AS at FROM terminal_nonce"
    " UNION ALL SELECT terminal, created_at FROM check_in_event"
    " UNION ALL SELECT terminal, received_at FROM check_in_rejection"
    " UNION ALL SELECT terminal, sent_at FROM terminal_command WHERE sent_at IS NOT NULL"
    " UNION ALL SELECT terminal, returned_at FROM terminal_command WHERE returned_at IS NOT NULL"
    ") x ON x.terminal = t.id WHERE t.site = {} AND t.status = 'approved' GROUP BY t.id"
)


@dataclass(frozen=True, slots=True)
class Quiet:
    """An approved terminal not heard from since ``since``: its name, window and when it last reported (None: never)."""

    terminal_id: int
    name: str
    serial: str
    window_id: int | None
    last_heard: datetime | None


async def quiet_terminals(ctx: AppContext, *, site_id: int, silent_for: timedelta = timedelta(hours=1)) -> list[Quiet]:
    """The site's approved terminals that have not reported for ``silent_for``, the longest silent first."""
    since = ctx.clock.now() - silent_for
    terminals = await Terminal.select(Terminal.id, Terminal.name, Terminal.serial, Terminal.window, Terminal.approved_at).where(
        (Terminal.site == site_id) & (Terminal.status == "approved")
    )
    if not terminals:
        return []
    heard = {r["id"]: attendance_today.instant(r["at"]) for r in await execute(ctx.engine, _HEARD, site_id) if r["at"] is not None}
    for tid, at in (await attendance_today.last_punch_by_terminal([t["id"] for t in terminals])).items():
        heard[tid] = max(heard.get(tid, at), at)
    out = []
    for t in terminals:
        last = heard.get(t["id"])
        # a terminal approved within the hour has not had time to report yet
        recent = t["approved_at"] is not None and as_utc(t["approved_at"]) > since
        if (last is None and not recent) or (last is not None and last < since):
            out.append(Quiet(t["id"], t["name"], t["serial"], t["window"], last))
    return sorted(out, key=lambda q: (q.last_heard is not None, q.last_heard or since, q.serial))
