"""Every query on the job table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.engine.base import Engine

from window_staff.common.db import INTEGRITY_ERRORS, execute, write_transaction
from window_staff.jobs.domain import ACTIVE, FAILED, QUEUED, RUNNING
from window_staff.jobs.tables import Job


async def insert(*, kind: str, subject: str, lock_key: str, params: str, principal: str, now: datetime) -> int | None:
    """A new queued job; None when another active job holds the lock."""
    try:
        rows = await Job.insert(
            Job(
                kind=kind,
                subject=subject,
                lock_key=lock_key,
                active_lock=lock_key,
                params=params,
                principal=principal,
                state=QUEUED,
                requested_at=now,
            )
        ).returning(Job.id)
    except INTEGRITY_ERRORS:
        return None
    return int(rows[0]["id"])


async def find(job_id: int) -> dict[str, Any] | None:
    """One job row."""
    return await Job.select().where(Job.id == job_id).first()


async def active_holder(lock_key: str) -> dict[str, Any] | None:
    """The queued or running job holding a lock."""
    return await Job.select().where(Job.active_lock == lock_key).first()


async def recent(*, limit: int, kinds: list[str] | None = None, subject: str | None = None) -> list[dict[str, Any]]:
    """The newest jobs first (optionally some kinds, one subject), without their params (a queued upload is megabytes)."""
    query = Job.select(*Job.all_columns(exclude=[Job.params])).order_by(Job.id, ascending=False).limit(limit)
    if kinds:
        query = query.where(Job.kind.is_in(kinds))
    if subject is not None:
        query = query.where(Job.subject == subject)
    return await query


async def queued_ids(*, kinds: list[str], limit: int = 10) -> list[int]:
    """The oldest queued jobs of the kinds a runner knows."""
    if not kinds:
        return []
    rows = await Job.select(Job.id).where(Job.state == QUEUED, Job.kind.is_in(kinds)).order_by(Job.id).limit(limit)
    return [int(r["id"]) for r in rows]


async def claim(engine: Engine, job_id: int, *, owner: str, now: datetime) -> bool:
    """Take a queued job for this runner; False when another runner took it first (the update is the arbiter)."""
    async with write_transaction(engine):
        rows = await execute(
            engine,
            "UPDATE job SET state = {}, owner = {}, started_at = {}, heartbeat_at = {}, attempts = attempts + 1 "
            "WHERE id = {} AND state = {} RETURNING id",
            RUNNING,
            owner,
            now,
            now,
            job_id,
            QUEUED,
        )
    return bool(rows)


async def running() -> list[dict[str, Any]]:
    """Every running job (to find those whose runner died)."""
    return await Job.select(Job.id, Job.owner, Job.heartbeat_at, Job.attempts).where(Job.state == RUNNING)


async def requeue(engine: Engine, job_id: int, *, owner: str) -> bool:
    """Put an abandoned job back in the queue, if it is still the one that runner left."""
    rows = await execute(
        engine,
        "UPDATE job SET state = {}, owner = '', phase = '', done = 0, total = 0 WHERE id = {} AND state = {} AND owner = {} RETURNING id",
        QUEUED,
        job_id,
        RUNNING,
        owner,
    )
    return bool(rows)


async def progress(job_id: int, *, owner: str, phase: str, done: int, total: int, now: datetime) -> None:
    """Record how far a running job has come (and that its runner lives)."""
    await Job.update({Job.phase: phase, Job.done: done, Job.total: total, Job.heartbeat_at: now}).where(
        Job.id == job_id, Job.owner == owner, Job.state == RUNNING
    )


async def heartbeat(job_ids: list[int], *, owner: str, now: datetime) -> None:
    """Tell other runners these jobs' runner still lives."""
    if job_ids:
        await Job.update({Job.heartbeat_at: now}).where(Job.id.is_in(job_ids), Job.owner == owner, Job.state == RUNNING)


async def finish(
    job_id: int, *, owner: str, state: str, result: str | None, problem: str | None, now: datetime, clear_params: bool = False
) -> None:
    """Record the outcome and free the lock (``clear_params``: empty params that were only the job's input)."""
    values: dict[Any, Any] = {
        Job.state: state,
        Job.result: result,
        Job.problem: problem,
        Job.finished_at: now,
        Job.heartbeat_at: now,
        Job.active_lock: None,
    }
    if clear_params:
        values[Job.params] = "{}"
    await Job.update(values).where(Job.id == job_id, Job.owner == owner, Job.state == RUNNING)


async def give_up(job_id: int, *, problem: str, now: datetime) -> None:
    """Fail a job that was abandoned too often."""
    await Job.update({Job.state: FAILED, Job.problem: problem, Job.finished_at: now, Job.active_lock: None}).where(
        Job.id == job_id, Job.state.is_in(list(ACTIVE))
    )
