"""Leave balances: annual leave by years of service, 调休 earned by extended hours; a request beyond what is left is refused."""

from datetime import date, time

import pytest

from tests.attendance.support import local, make_world
from tests.factories import make_staff
from window_staff.attendance.errors import LeaveBeyondBalance
from window_staff.attendance.schemas import LeaveIn, RotaIn
from window_staff.attendance.service import admin as service_admin, balances, leave as service_leave
from window_staff.org import service as org
from window_staff.org.schemas import StaffUpdateIn


def _by_kind(items):
    return {b.kind: b for b in items}


async def _annual(ctx, staff_id, *, days: int):
    # Monday 3 March 2025 08:30 to the evening of the days-th working day of that week
    return await service_leave.request_leave(
        ctx, staff_id, LeaveIn(kind="annual", start=local(3, 8, 30), end=local(2 + days, 17, 30), reason="探亲"), actor="test"
    )


async def test_annual_leave_is_granted_by_years_of_service(app_ctx):
    world = await make_world(app_ctx)
    senior = await make_staff(app_ctx, window=world.window, hired_on=date(2020, 1, 1))
    await org.update_staff(app_ctx, senior.id, StaffUpdateIn(service_start=date(2004, 7, 1)), actor="test")
    annual = _by_kind(await balances.leave_balances(app_ctx, senior.id, year=2025))["annual"]
    assert (annual.granted, annual.left, annual.service_start) == ("15", "15", date(2004, 7, 1))


async def test_without_a_service_start_the_hiring_date_counts(app_ctx):
    world = await make_world(app_ctx)  # hired 2020-01-01: five years on 1 January 2025
    annual = _by_kind(await balances.leave_balances(app_ctx, world.staff[0].id, year=2025))["annual"]
    assert (annual.granted, annual.service_start) == ("5", date(2020, 1, 1))


async def test_requested_annual_leave_uses_the_balance(app_ctx):
    world = await make_world(app_ctx)
    await _annual(app_ctx, world.staff[0].id, days=3)
    annual = _by_kind(await balances.leave_balances(app_ctx, world.staff[0].id, year=2025))["annual"]
    assert (annual.taken, annual.left) == ("3", "2")


async def test_annual_leave_beyond_the_balance_is_refused(app_ctx):
    world = await make_world(app_ctx)
    await _annual(app_ctx, world.staff[0].id, days=3)
    with pytest.raises(LeaveBeyondBalance) as refused:
        await service_leave.request_leave(
            app_ctx, world.staff[0].id, LeaveIn(kind="annual", start=local(10, 8, 30), end=local(12, 17, 30)), actor="test"
        )
    assert refused.value.extra == {"kind": "annual", "year": 2025, "asked": "3", "left": "2"}


async def test_time_off_is_earned_by_extended_hours(app_ctx):
    world = await make_world(app_ctx)
    me = world.staff[0].id
    for day in (3, 4):  # two evenings of 延时服务, 17:30-21:30: 8 hours, one day of 调休
        await service_admin.add_rota(
            app_ctx,
            RotaIn(staff_id=me, day=date(2025, 3, day), session="extended", action="add", start=time(17, 30), end=time(21, 30)),
            actor="test",
        )
    time_off = _by_kind(await balances.leave_balances(app_ctx, me, year=2025))["time_off"]
    assert (time_off.granted, time_off.left) == ("1", "1")
    with pytest.raises(LeaveBeyondBalance):
        await service_leave.request_leave(app_ctx, me, LeaveIn(kind="time_off", start=local(10, 8, 30), end=local(11, 12, 0)), actor="test")
    taken = await service_leave.request_leave(
        app_ctx, me, LeaveIn(kind="time_off", start=local(10, 8, 30), end=local(10, 17, 30)), actor="test"
    )
    assert taken.kind == "time_off"


async def test_kinds_without_a_balance_are_not_counted(app_ctx):
    world = await make_world(app_ctx)
    sick = await service_leave.request_leave(
        app_ctx, world.staff[0].id, LeaveIn(kind="sick", start=local(3, 8, 30), end=local(21, 17, 30)), actor="test"
    )
    assert sick.status == "requested"


async def test_the_old_kind_leave_is_stored_as_personal_leave(app_ctx):
    world = await make_world(app_ctx)
    old = await service_leave.request_leave(
        app_ctx, world.staff[0].id, LeaveIn(kind="leave", start=local(3, 8, 30), end=local(3, 12, 0)), actor="test"
    )
    assert old.kind == "personal"


async def test_two_requests_sent_together_cannot_both_spend_the_last_days(app_ctx):
    import asyncio

    world = await make_world(app_ctx)  # five days of annual leave
    await _annual(app_ctx, world.staff[0].id, days=2)  # three left
    asks = [
        LeaveIn(kind="annual", start=local(10, 8, 30), end=local(12, 17, 30), reason="探亲"),
        LeaveIn(kind="annual", start=local(17, 8, 30), end=local(19, 17, 30), reason="探亲"),
    ]
    outcomes = await asyncio.gather(
        *(service_leave.request_leave(app_ctx, world.staff[0].id, ask, actor="test") for ask in asks), return_exceptions=True
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["LeaveBeyondBalance", "LeaveOut"]
    annual = _by_kind(await balances.leave_balances(app_ctx, world.staff[0].id, year=2025))["annual"]
    assert (annual.taken, annual.left) == ("5", "0")
