"""Runners on one database: each job runs once, a dead runner's job runs again, outcomes and progress are kept."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest

from window_staff.app import JOB_KINDS
from window_staff.common.errors import Conflict
from window_staff.common.principal import Principal
from window_staff.jobs import domain, service, store
from window_staff.jobs.errors import JobRunning
from window_staff.jobs.runner import Runner, run_here
from window_staff.jobs.tables import Job

STEP = {"zh": "一步", "en": "A step"}
HR = Principal(user_id=7, username="hr-wang", roles=frozenset({"hr"}), staff_id=None)


class Recorder:
    """Test kinds: ``test.echo`` returns its params, ``test.refuse`` raises a domain refusal, ``test.crash`` a bug."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def echo(self, ctx, params, *, principal, progress) -> dict[str, Any]:
        self.calls.append(dict(params))
        await progress("step", done=1, total=2)
        await self.release.wait()
        return {"echo": params["n"], "by": principal.username}

    async def refuse(self, ctx, params, *, principal, progress) -> None:
        raise Conflict("the month is not ready", code="period_state_conflict")

    async def crash(self, ctx, params, *, principal, progress) -> None:
        raise RuntimeError("a bug")


@pytest.fixture
def kinds(ctx) -> Recorder:
    recorder = Recorder()
    service.register(
        ctx,
        {
            **JOB_KINDS,
            "test.echo": service.JobKind(
                handler=recorder.echo, name={"zh": "回显", "en": "Echo"}, phases={"step": {"zh": "一步", "en": "A step"}}
            ),
            "test.refuse": service.JobKind(handler=recorder.refuse, name={"zh": "拒绝", "en": "Refuse"}),
            "test.crash": service.JobKind(handler=recorder.crash, name={"zh": "崩溃", "en": "Crash"}),
        },
    )
    return recorder


async def _submit(ctx, kind: str = "test.echo", *, lock: str = "test/2026-11", n: int = 1):
    return await service.submit(ctx, kind, subject="2026-11", lock=lock, params={"n": n}, principal=HR)


async def test_two_runners_racing_for_one_job_run_it_once(ctx, kinds) -> None:
    job = await _submit(ctx)
    first, second = Runner(ctx, poll_seconds=0.05), Runner(ctx, poll_seconds=0.05)
    second.owner = domain.Owner(host=first.owner.host, pid=first.owner.pid, started="another runner")
    ran = await asyncio.gather(first.run_next(), second.run_next())
    assert sorted(ran, key=str) == sorted([job.id, None], key=str)
    assert len(kinds.calls) == 1
    done = await service.get(ctx, job.id)
    assert (done.state, done.result, done.percent) == ("done", {"echo": 1, "by": "hr-wang"}, 100)


async def test_asking_again_while_a_job_is_queued_answers_the_same_job(ctx, kinds) -> None:
    first = await _submit(ctx)
    assert (await _submit(ctx)).id == first.id
    assert await Job.count() == 1


async def test_another_kind_on_the_same_lock_is_refused_while_the_first_is_active(ctx, kinds) -> None:
    running = await _submit(ctx)
    with pytest.raises(JobRunning) as refused:
        await _submit(ctx, "test.refuse")
    assert refused.value.extra["job"] == running.href


async def test_a_finished_job_frees_its_lock(ctx, kinds) -> None:
    first = await _submit(ctx)
    await Runner(ctx).run_next()
    second = await _submit(ctx, "test.refuse")
    assert second.id != first.id and second.state == "queued"


async def test_a_domain_refusal_fails_the_job_with_its_code_and_reason(ctx, kinds) -> None:
    job = await _submit(ctx, "test.refuse")
    await Runner(ctx).run_next()
    failed = await service.get(ctx, job.id)
    assert failed.state == "failed" and failed.problem is not None
    assert (failed.problem.code, failed.problem.detail) == ("period_state_conflict", "the month is not ready")


async def test_a_crashing_handler_fails_the_job_without_its_internals(ctx, kinds) -> None:
    job = await _submit(ctx, "test.crash")
    await Runner(ctx).run_next()
    failed = await service.get(ctx, job.id)
    assert failed.state == "failed" and failed.problem is not None
    assert failed.problem.code == "job_crashed" and "bug" not in failed.problem.detail


async def test_progress_is_recorded_while_the_job_runs(ctx, kinds) -> None:
    kinds.release.clear()
    job = await _submit(ctx)
    running = asyncio.create_task(Runner(ctx).run_next())
    while (seen := await service.get(ctx, job.id)).phase != "step":
        await asyncio.sleep(0.01)
    assert (seen.state, seen.done, seen.total, seen.percent, seen.phase_name) == ("running", 1, 2, 50, "一步")
    kinds.release.set()
    await running


def _gone_owner() -> str:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    owner = domain.Owner(host=domain.this_process().host, pid=child.pid, started=domain.process_started(child.pid))
    child.kill()
    child.wait()
    return owner.text()


async def _as_if_claimed_by(ctx, job_id: int, owner: str, *, attempts: int = 1) -> None:
    await Job.update({Job.state: "running", Job.owner: owner, Job.attempts: attempts, Job.heartbeat_at: ctx.clock.now()}).where(
        Job.id == job_id
    )


async def test_a_job_whose_runner_died_is_run_again_by_the_next_runner(ctx, kinds) -> None:
    job = await _submit(ctx)
    await _as_if_claimed_by(ctx, job.id, _gone_owner())  # the web process was killed mid-job
    runner = Runner(ctx)
    assert await runner.recover() == 1
    assert await runner.run_next() == job.id
    done = await service.get(ctx, job.id)
    assert done.state == "done" and len(kinds.calls) == 1


async def test_a_job_abandoned_too_often_fails_instead_of_taking_down_every_runner(ctx, kinds) -> None:
    job = await _submit(ctx)
    await _as_if_claimed_by(ctx, job.id, _gone_owner(), attempts=domain.MAX_ATTEMPTS)
    await Runner(ctx).recover()
    failed = await service.get(ctx, job.id)
    assert failed.state == "failed" and failed.problem is not None and failed.problem.code == "job_abandoned"
    assert (await _submit(ctx)).id != job.id  # the lock is free again


async def test_a_running_job_of_a_live_runner_is_left_alone(ctx, kinds) -> None:
    job = await _submit(ctx)
    await _as_if_claimed_by(ctx, job.id, domain.this_process().text())
    assert await Runner(ctx).recover() == 0
    assert (await service.get(ctx, job.id)).state == "running"


async def test_the_command_line_runs_a_queued_job_itself_and_sees_its_progress(ctx, kinds) -> None:
    job = await _submit(ctx)
    seen: list[tuple[str, int, int]] = []

    async def watch(phase: str, *, done: int, total: int) -> None:
        seen.append((phase, done, total))

    finished = await run_here(ctx, job.id, progress=watch)
    assert finished.state == "done" and seen == [("step", 1, 2)]
    assert await store.queued_ids(kinds=["test.echo"]) == []
