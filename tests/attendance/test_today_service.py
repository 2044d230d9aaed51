"""Today's reads through the database: the board at the injected clock, the month so far, and the counts beside them."""

from __future__ import annotations

from tests.attendance.support import full_day, local, make_world, terminal_punch
from tests.factories import make_window
from window_staff.appraisal.service import queues
from window_staff.attendance.live import Presence
from window_staff.attendance.service import today
from window_staff.attendance.service.punches import NewPunch, record_punches
from window_staff.common.db import write_transaction
from window_staff.evaluations.service import cases
from window_staff.terminals.schemas.registry import TerminalIn
from window_staff.terminals.service import health, registry


async def test_the_board_reads_the_sites_punches_at_the_injected_clock(ctx, clock) -> None:
    world = await make_world(ctx, n_staff=2)
    here, missing = world.staff
    await terminal_punch(ctx, here.id, local(4, 8, 20), site_id=world.site_id)
    clock.at = local(4, 9, 0)
    board = await today.today_at(ctx, site_id=world.site_id, windows=[world.window.id])
    assert board.day == local(4, 9, 0).date()
    assert board.board.at_window[world.window.id] == [here.id]
    assert board.board.now[missing.id].presence == Presence.NOT_IN


async def test_a_department_head_scope_leaves_other_departments_out(ctx, clock) -> None:
    world = await make_world(ctx)
    other = await make_window(ctx, site_id=world.site_id)
    clock.at = local(4, 9, 0)
    board = await today.today_at(ctx, site_id=world.site_id, department_ids=[other.department_id])
    assert board.postings == {}


async def test_the_month_so_far_holds_the_decided_sessions_with_their_lateness(ctx, clock) -> None:
    world = await make_world(ctx)
    [member] = world.staff
    await full_day(ctx, member.id, 3, site_id=world.site_id, am_in=(8, 50))
    clock.at = local(4, 9, 0)
    month = await today.month_so_far(ctx, site_id=world.site_id)
    assert sorted((r.day.day, r.session, r.late_minutes) for r in month.records) == [(3, "am", 20), (3, "pm", 0)]


async def test_a_terminal_silent_for_an_hour_is_listed_and_one_that_punched_is_not(ctx, clock) -> None:
    world = await make_world(ctx)
    [member] = world.staff
    clock.at = local(4, 7, 0)
    ids = []
    for serial in ("Q-1", "Q-2"):
        terminal = await registry.register(ctx, TerminalIn(serial=serial, site_id=world.site_id, window_id=None, name=serial), actor="t")
        await registry.approve(ctx, terminal.id, actor="t")
        ids.append(terminal.id)
    clock.at = local(4, 9, 0)
    async with write_transaction(ctx.engine):
        punch = NewPunch(
            staff_id=member.id, captured_at=local(4, 8, 40), source="zkteco", verify_mode="fp", event_key="q2", terminal_id=ids[1]
        )
        await record_punches(ctx, [punch], site_id=world.site_id, received_at=local(4, 8, 41))
    assert [q.serial for q in await health.quiet_terminals(ctx, site_id=world.site_id)] == ["Q-1"]
    assert await today.last_punch_by_terminal(ids) == {ids[1]: local(4, 8, 41)}


async def test_the_counts_beside_the_board_read_without_error(ctx, clock) -> None:
    world = await make_world(ctx)
    clock.at = local(4, 9, 0)
    assert await today.pending_leave([s.id for s in world.staff]) == 0
    assert await queues.undecided_appeals(staff_ids=[s.id for s in world.staff]) == []
    assert await cases.cases_near_deadline(ctx, window_ids=[world.window.id]) == []
