"""The simulator drives a whole day end to end: staff check in, the queue machine's day is pushed through the signed
device route (a batch resent after a lost answer, another after a 503), and the same day imported as the vendor's
CSV at a second site alike gives the same facts and figures (events of two sources at one site would count twice)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import httpx
import msgspec

from tests.attendance.support import full_day, make_world
from tests.evaluations.support_ratings import settings  # noqa: F401  (a vault key: device secrets are sealed)
from tests.factories import make_staff, make_window
from tests.queues.support import site_code
from window_staff.org import service as org
from window_staff.org.schemas import StaffOut, WindowOut
from window_staff.queues import facts
from window_staff.queues.schemas import CategoryIn
from window_staff.queues.service import categories, events
from window_staff.queues.service.figures import figures_out, month_figures
from window_staff.queues.simulator import DayPlan, as_csv, generate
from window_staff.queues.simulator_drive import desks_of, provision, push
from window_staff.queues.tables import QueueEvent

MARCH, DAY = date(2025, 3, 1), date(2025, 3, 3)


class Flaky(httpx.AsyncBaseTransport):
    """The network between device and server: the ``lose``-th requests reach the server but their answer is lost,
    the ``busy``-th are answered 503 by a proxy without reaching it."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, lose: set[int], busy: set[int]) -> None:
        self.inner, self.lose, self.busy, self.count = inner, lose, busy, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        if self.count in self.busy:
            return httpx.Response(503, headers={"retry-after": "0"})
        response = await self.inner.handle_async_request(request)
        if self.count in self.lose:
            await response.aread()
            raise httpx.ReadError("connection reset", request=request)
        return response


async def _no_wait(_: float) -> None:
    return None


async def _hall(ctx) -> tuple[int, list[tuple[WindowOut, StaffOut]]]:
    """A site (hours 08:30-12:00 and 14:30-17:30) with two windows, "tax" and "social", and one staff member at each,
    checked in on 3 March: Anna 08:20-12:05 and 14:20-17:35, Bo the same but late in the morning (09:40)."""
    world = await make_world(ctx)
    second = await make_window(ctx, site_id=world.site_id)
    anna, bo = world.staff[0], await make_staff(ctx, window=second)
    for window, code in ((world.window, "tax"), (second, "social")):
        data = CategoryIn(site_id=world.site_id, code=code, name=code, department_id=window.department_id, window_ids=[window.id])
        await categories.create_category(ctx, data, actor="test")
    await full_day(ctx, anna.id, 3, site_id=world.site_id)
    await full_day(ctx, bo.id, 3, site_id=world.site_id, am_in=(9, 40))
    return world.site_id, [(world.window, anna), (second, bo)]


async def _results(ctx, hall: list[tuple[WindowOut, StaffOut]]) -> tuple[list[object], list[object]]:
    """The month's facts per staff member and figures per window, in the hall's order, without ids."""
    postings = await org.postings_of([s.id for _, s in hall])
    found = await facts.month_facts(ctx, postings=postings, first=MARCH)
    windows = (await month_figures(ctx, postings, first=MARCH)).windows
    by_staff = [sorted((f.kind, f.occurred_on, sorted(f.fields.items())) for f in found[s.id]) for _, s in hall]
    by_window = [msgspec.structs.replace(figures_out(w.id, windows[w.id]), id=0) for w, _ in hall]
    return by_staff, by_window


async def test_a_pushed_day_and_the_same_day_imported_give_the_same_facts(client, app_ctx) -> None:
    site_id, hall = await _hall(app_ctx)
    code = await site_code(app_ctx, site_id)
    device = await provision(app_ctx, site_code=code, serial="QSIM-1")
    desks = await desks_of(app_ctx, device, day=DAY)
    assert {d.window_number: [s.employee_no for s in d.shifts] for d in desks} == {w.number: [s.employee_no] * 2 for w, s in hall}
    plan = DayPlan(DAY, sessions=((time(8, 30), time(12)), (time(14, 30), time(17, 30))), tickets=90, seed=11)
    day = generate(plan, desks)

    network = Flaky(client._transport, lose={2}, busy={4})
    async with httpx.AsyncClient(transport=network, base_url=client.base_url) as http:
        pushed = await push(day, http=http, device=device, batch=20, clock=app_ctx.clock.now, sleep=_no_wait)
    # The second batch was stored but its answer lost: resent, its 20 events were skipped as already stored.
    assert (pushed.imported, pushed.skipped, pushed.retries, pushed.refused) == (len(day) - 20, 20, 2, 0)
    assert await QueueEvent.count() == len(day)

    # The same day at a second site alike (its own windows and staff, the same check-ins), imported as the CSV export.
    other_id, other = await _hall(app_ctx)
    windows = {w.number: o.number for (w, _), (o, _) in zip(hall, other, strict=True)}
    people = {s.employee_no: o.employee_no for (_, s), (_, o) in zip(hall, other, strict=True)}
    moved = [
        replace(
            e,
            window_number=windows.get(e.window_number, ""),
            to_window=windows.get(e.to_window, ""),
            employee_no=people.get(e.employee_no, ""),
        )
        for e in day
    ]
    data = as_csv(moved, site_code=await site_code(app_ctx, other_id), zone=device.timezone)
    imported = await events.import_csv(app_ctx, data, filename="0303.csv", actor="test")
    assert imported.imported == len(day) and await QueueEvent.count() == 2 * len(day)

    by_push, by_import = await _results(app_ctx, hall), await _results(app_ctx, other)
    assert all({"queue.served", "queue.wait_p90_minutes"} <= {kind for kind, _, _ in found} for found in by_push[0])
    assert by_push == by_import

    # The first site's machine also exports the day it pushed: nothing is stored twice, the facts stay as they were.
    again = await events.import_csv(app_ctx, as_csv(day, site_code=code, zone=device.timezone), filename="0303-a.csv", actor="test")
    assert (again.imported, again.received_elsewhere) == (0, len(day)) and await QueueEvent.count() == 2 * len(day)
    assert await _results(app_ctx, hall) == by_push
