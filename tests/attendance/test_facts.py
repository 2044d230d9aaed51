"""Attendance facts for the appraisal: one per scoring session, corrections applied, the same open or closed."""

from datetime import date, time

import pytest

from tests.attendance.support import MONTH, World, full_day, local, make_world, terminal_punch
from tests.factories import make_staff
from window_staff.attendance import service
from window_staff.attendance.facts import month_facts
from window_staff.attendance.schemas import CorrectionIn, RotaIn
from window_staff.attendance.service import admin as service_admin, punches as service_punches
from window_staff.common.context import AppContext
from window_staff.common.periods import parse_month
from window_staff.org import service as org
from window_staff.scoring.vocabulary import Fact, fact_problems


async def facts_of(ctx: AppContext, *staff_ids: int) -> dict[int, list[Fact]]:
    """The month's facts, each checked against the vocabulary."""
    facts = await month_facts(ctx, postings=await org.postings_of(staff_ids), first=parse_month(MONTH))
    assert [p for fs in facts.values() for f in fs for p in fact_problems(f)] == []
    return facts


def on(facts: list[Fact], day: int) -> list[tuple[str, str, dict]]:
    """(id, kind, fields) of one March 2025 day's facts, in the order given."""
    return [(f.id, f.kind, dict(f.fields)) for f in facts if f.occurred_on == date(2025, 3, day)]


async def punches(ctx: AppContext, world: World, staff_id: int, day: int, *times: tuple[int, int]) -> None:
    """Terminal punches at Shanghai wall-clock times of one March 2025 day."""
    for hh, mm in times:
        await terminal_punch(ctx, staff_id, local(day, hh, mm), site_id=world.site_id)


async def correct(ctx: AppContext, staff_id: int, day: int, session: str, status: str, **minutes: int) -> None:
    """HR corrects one session of March 2025."""
    data = CorrectionIn(staff_id=staff_id, day=date(2025, 3, day), session=session, status=status, reason="现场核实", **minutes)
    await service_punches.correct(ctx, data, actor="hr")


async def close(ctx: AppContext, world: World) -> None:
    """HR closes the site's March 2025."""
    await service_admin.close_month(ctx, site_id=world.site_id, month=MONTH, actor="hr")


async def mixed_month(ctx: AppContext, world: World, staff_id: int) -> None:
    """Late (3 am), early leave (4 pm), missing sign-out (5 am), missing sign-in (6 am); every other session absent."""
    await full_day(ctx, staff_id, 3, site_id=world.site_id, am_in=(8, 47))
    await punches(ctx, world, staff_id, 4, (8, 20), (12, 5), (14, 20), (17, 10))
    await punches(ctx, world, staff_id, 5, (8, 25))
    await punches(ctx, world, staff_id, 6, (12, 5))


async def test_late_and_early_leave_become_facts_with_minutes_and_stable_ids(ctx):
    world = await make_world(ctx)
    me = world.staff[0].id
    await mixed_month(ctx, world, me)
    facts = (await facts_of(ctx, me))[me]
    assert on(facts, 3) == [("attendance.late:2025-03-03:am", "attendance.late", {"minutes": 17, "session": "am"})]
    assert on(facts, 4) == [("attendance.early_leave:2025-03-04:pm", "attendance.early_leave", {"minutes": 20, "session": "pm"})]


async def test_absence_and_missing_punches_become_facts(ctx):
    world = await make_world(ctx)
    me = world.staff[0].id
    await mixed_month(ctx, world, me)
    facts = (await facts_of(ctx, me))[me]
    assert on(facts, 5) == [
        ("attendance.missing_punch:2025-03-05:am", "attendance.missing_punch", {"direction": "out", "session": "am"}),
        ("attendance.absent:2025-03-05:pm", "attendance.absent", {"session": "pm"}),
    ]
    assert on(facts, 6)[0] == ("attendance.missing_punch:2025-03-06:am", "attendance.missing_punch", {"direction": "in", "session": "am"})
    assert [kind for _, kind, _ in on(facts, 7)] == ["attendance.absent", "attendance.absent"]
    # 21 working days: 42 sessions, of which 3 am, 3 pm, 4 am and 4 pm yield no absence
    assert sum(f.kind == "attendance.absent" for f in facts) == 42 - 2 - 2 - 1 - 1


async def test_facts_are_ordered_unique_and_stable_across_recomputes(ctx):
    world = await make_world(ctx)
    me = world.staff[0].id
    await mixed_month(ctx, world, me)
    first = (await facts_of(ctx, me))[me]
    await service.recompute_staff_month(ctx, staff_ids=[me], month=MONTH)
    assert (await facts_of(ctx, me))[me] == first
    assert len({f.id for f in first}) == len(first)
    assert first == sorted(first, key=lambda f: (f.occurred_on, {"am": 0, "pm": 1}[f.fields["session"]], f.kind))
    assert all(f.staff_id == me and f.id.endswith(f"{f.occurred_on.isoformat()}:{f.fields['session']}") for f in first)


async def test_every_fact_validates_against_the_vocabulary(ctx):
    world = await make_world(ctx)
    me = world.staff[0].id
    await mixed_month(ctx, world, me)
    await correct(ctx, me, 7, "am", "late_and_early_leave", late_minutes=40, early_minutes=35)
    facts = (await facts_of(ctx, me))[me]
    assert {f.kind for f in facts} == {"attendance.late", "attendance.early_leave", "attendance.absent", "attendance.missing_punch"}
    assert all(fact_problems(f) == [] for f in facts)


async def test_a_closed_month_gives_the_facts_the_open_month_gave(ctx):
    world = await make_world(ctx, n_staff=2)
    a, b = world.staff[0].id, world.staff[1].id
    await mixed_month(ctx, world, a)
    await full_day(ctx, b, 10, site_id=world.site_id, am_in=(8, 40))
    await correct(ctx, a, 3, "am", "present")
    await correct(ctx, b, 11, "pm", "early_leave", early_minutes=15)
    before = await facts_of(ctx, a, b)
    await close(ctx, world)
    assert await facts_of(ctx, a, b) == before


async def test_a_closed_month_is_read_without_deriving_or_building_day_records(ctx, monkeypatch):
    world = await make_world(ctx)
    me = world.staff[0].id
    await mixed_month(ctx, world, me)
    before = await facts_of(ctx, me)
    await close(ctx, world)

    def refuse(*_, **__):
        raise AssertionError("a closed month must not be derived or loaded as day records")

    for name in ("effective_month", "derived_month", "recompute", "derive", "load_stored"):
        monkeypatch.setattr(service, name, refuse)
    assert await facts_of(ctx, me) == before


async def test_a_correction_that_clears_a_late_session_removes_its_fact(ctx):
    world = await make_world(ctx)
    me = world.staff[0].id
    await full_day(ctx, me, 3, site_id=world.site_id, am_in=(8, 47))
    assert on((await facts_of(ctx, me))[me], 3) != []
    await correct(ctx, me, 3, "am", "present")
    assert on((await facts_of(ctx, me))[me], 3) == []
    await close(ctx, world)
    assert on((await facts_of(ctx, me))[me], 3) == []


async def test_a_correction_marking_a_clean_session_absent_adds_the_fact_in_a_closed_month(ctx):
    world = await make_world(ctx)
    me = world.staff[0].id
    await full_day(ctx, me, 3, site_id=world.site_id)
    await correct(ctx, me, 3, "am", "absent")
    await close(ctx, world)
    assert on((await facts_of(ctx, me))[me], 3) == [("attendance.absent:2025-03-03:am", "attendance.absent", {"session": "am"})]


@pytest.mark.parametrize("closed", [False, True])
async def test_staff_with_nothing_to_score_get_an_empty_list_and_unknown_ids_no_key(ctx, closed):
    world = await make_world(ctx)
    newcomer = (await make_staff(ctx, window=world.window, hired_on=date(2025, 4, 1))).id
    if closed:
        await close(ctx, world)
    assert await facts_of(ctx, newcomer, 987654) == {newcomer: []}


async def test_an_added_duty_session_outside_am_and_pm_yields_no_fact(ctx):
    # the vocabulary's attendance kinds know half days (am, pm) only
    world = await make_world(ctx)
    me = world.staff[0].id
    await full_day(ctx, me, 3, site_id=world.site_id)
    await service_admin.add_rota(
        ctx, RotaIn(staff_id=me, day=date(2025, 3, 3), session="extended", action="add", start=time(18), end=time(20)), actor="hr"
    )
    records = await service.recompute_staff_month(ctx, staff_ids=[me], month=MONTH)
    # the 17:35 am sign-out also opens the duty session, which then lacks its sign-out
    assert [r.status.value for r in records if r.session == "extended"] == ["missing_sign_out"]
    assert on((await facts_of(ctx, me))[me], 3) == []


@pytest.mark.parametrize("closed", [False, True])
async def test_a_correction_of_a_session_no_longer_scheduled_yields_nothing(ctx, closed):
    world = await make_world(ctx)
    me = world.staff[0].id
    await full_day(ctx, me, 3, site_id=world.site_id)
    await correct(ctx, me, 3, "am", "absent")
    await service_admin.add_rota(ctx, RotaIn(staff_id=me, day=date(2025, 3, 3), session="am", action="remove"), actor="hr")
    if closed:
        await close(ctx, world)
    assert on((await facts_of(ctx, me))[me], 3) == []
