"""The audit log as the auditor reads it: filters, newest first, the newest signed checkpoint, and words for every action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.factories import make_staff
from window_staff.common import audit, audit_log, checkpoints
from window_staff.common.db import write_transaction
from window_staff.web import audit_words


async def _event(ctx, *, action: str, actor: str = "user:7:hr", subject_type: str = "staff", at: datetime | None = None) -> None:
    async with write_transaction(ctx.engine):
        await audit.record(
            ctx.engine, at=at or ctx.clock.now(), actor=actor, action=action, subject_type=subject_type, subject_id="1", data={"count": 1}
        )


async def test_events_come_newest_first_filtered_by_action(ctx) -> None:
    await _event(ctx, action="rota.added")
    await _event(ctx, action="staff.updated")
    await _event(ctx, action="rota.added")
    found, total = await audit_log.events(ctx.engine, audit_log.EventFilter(action="rota.added"), limit=10)
    assert total == 2 and [e.action for e in found] == ["rota.added", "rota.added"] and found[0].id > found[1].id


async def test_a_kind_of_actor_finds_every_terminal_and_a_person_only_their_own(ctx) -> None:
    await _event(ctx, action="punch.recorded", actor="terminal:WS-1")
    await _event(ctx, action="punch.recorded", actor="terminal:WS-2")
    await _event(ctx, action="staff.updated", actor="user:9:clerk")
    terminals, _ = await audit_log.events(ctx.engine, audit_log.EventFilter(actor="terminal:"), limit=10)
    clerk, _ = await audit_log.events(ctx.engine, audit_log.EventFilter(actor="user:9:clerk"), limit=10)
    assert {e.actor for e in terminals} == {"terminal:WS-1", "terminal:WS-2"} and [e.action for e in clerk] == ["staff.updated"]


async def test_days_bound_the_events(ctx) -> None:
    now = ctx.clock.now()
    await _event(ctx, action="rota.added", at=now - timedelta(days=10))
    await _event(ctx, action="rota.deleted", at=now)
    found, _ = await audit_log.events(ctx.engine, audit_log.EventFilter(since=now - timedelta(days=1)), limit=10)
    assert "rota.added" not in [e.action for e in found] and "rota.deleted" in [e.action for e in found]


async def test_the_filter_choices_are_what_the_chain_holds(ctx) -> None:
    await make_staff(ctx)
    actors, actions, subjects = await audit_log.kinds(ctx.engine)
    assert "staff.created" in actions and "staff" in subjects and "test" in actors


async def test_without_a_checkpoint_there_is_none_to_show(ctx) -> None:
    await _event(ctx, action="rota.added")
    assert await audit_log.last_checkpoint(ctx) is None


async def test_a_signed_checkpoint_holds_while_its_records_are_there(ctx) -> None:
    await _event(ctx, action="rota.added")
    await checkpoints.make(ctx)
    await _event(ctx, action="rota.deleted")  # later events do not disturb it
    state = await audit_log.last_checkpoint(ctx)
    assert state is not None and state.holds and state.events >= 1


def test_an_action_not_in_the_table_is_named_by_its_area_never_by_its_code() -> None:
    words = audit_words.action_words("appraisal.something_new", "zh")
    assert words == "月度考核：其他操作" and "something" not in words
    assert audit_words.action_words("unheard.of", "en") == "Other action"


def test_changes_are_written_in_words() -> None:
    changes = audit_words.changes(
        {"roles": ["hr", "auditor"], "active": False, "secret_thing": "x"}, "zh", role_words={"hr": "人事", "auditor": "审计"}.get
    )
    assert changes == [("角色", "人事、审计"), ("启用", "否")]


def test_an_event_time_read_back_as_text_is_written_as_people_write_it() -> None:
    assert audit_words.when(datetime(2026, 11, 6, 0, 31, tzinfo=UTC).isoformat(), "zh") == "2026年11月6日 08:31"
