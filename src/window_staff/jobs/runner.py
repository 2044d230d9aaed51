"""The runner: claims queued jobs and runs them one at a time, and puts abandoned jobs back in the queue.

It runs inside the web process on the embedded SQLite default (``job_runner = "in_process"``) and in
``window-staff worker`` processes otherwise. Claims are one conditional update, so any number of runners on
one database run each job once; a runner that dies leaves its job ``running`` until another runner sees the
process is gone (same host) or its heartbeat stopped (``job_stale_seconds``), and runs it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

import msgspec

from window_staff.common import checkpoints
from window_staff.common.context import AppContext
from window_staff.common.db import outage_reason
from window_staff.common.progress import Progress
from window_staff.jobs import domain, service, store
from window_staff.jobs.errors import JobAbandoned
from window_staff.jobs.schemas import JobOut

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10.0


class Runner:
    """One runner per process: ``run_forever`` until cancelled; ``wake`` when this process queued a job."""

    def __init__(self, ctx: AppContext, *, poll_seconds: float | None = None) -> None:
        self.ctx = ctx
        self.owner = domain.this_process()
        self.poll_seconds = poll_seconds if poll_seconds is not None else ctx.settings.job_poll_seconds
        self.stale_after = timedelta(seconds=ctx.settings.job_stale_seconds)
        self._wake = asyncio.Event()
        self._current: int | None = None
        self._checkpointed = ""

    def wake(self) -> None:
        """Look at the queue now instead of at the next poll."""
        self._wake.set()

    async def recover(self) -> int:
        """Requeue jobs whose runner is gone (or fail them after too many attempts); returns how many."""
        now = self.ctx.clock.now()
        moved = 0
        for row in await store.running():
            if row["id"] == self._current:
                continue
            if not domain.abandoned(row["owner"], heartbeat_at=row["heartbeat_at"], now=now, here=self.owner, stale_after=self.stale_after):
                continue
            if row["attempts"] >= domain.MAX_ATTEMPTS:
                problem = {"code": JobAbandoned.code, "detail": JobAbandoned.title}
                await store.give_up(row["id"], problem=msgspec.json.encode(problem).decode(), now=now)
            elif await store.requeue(self.ctx.engine, row["id"], owner=row["owner"]):
                log.warning("job %s: its runner (%s) is gone; queued again", row["id"], row["owner"])
            moved += 1
        return moved

    async def run_next(self, *, progress: Progress | None = None) -> int | None:
        """Claim and run the oldest queued job this process can run; its id, or None when the queue is empty."""
        for job_id in await store.queued_ids(kinds=list(service.kinds_of(self.ctx))):
            if await store.claim(self.ctx.engine, job_id, owner=self.owner.text(), now=self.ctx.clock.now()):
                await self._run(job_id, progress=progress)
                return job_id
        return None

    async def run_job(self, job_id: int, *, progress: Progress | None = None) -> bool:
        """Claim one particular queued job and run it here (the CLI); False when another runner has it."""
        if not await store.claim(self.ctx.engine, job_id, owner=self.owner.text(), now=self.ctx.clock.now()):
            return False
        await self._run(job_id, progress=progress)
        return True

    async def _run(self, job_id: int, *, progress: Progress | None) -> None:
        self._current = job_id
        beat = asyncio.create_task(self._heartbeat(job_id))
        try:
            await service.run_claimed(self.ctx, job_id, owner=self.owner.text(), progress=progress)
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat
            self._current = None

    async def _heartbeat(self, job_id: int) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            with contextlib.suppress(Exception):  # a missed beat only makes another runner look sooner
                await store.heartbeat([job_id], owner=self.owner.text(), now=self.ctx.clock.now())

    async def checkpoint_daily(self) -> None:
        """Once a day, sign the audit chain's head into ``<data_dir>/audit`` (common/checkpoints.py): deleted events then show."""
        today = f"{self.ctx.clock.now():%Y-%m-%d}"
        if self._checkpointed == today:
            return
        try:
            if (
                await checkpoints.make(self.ctx, daily=True) is not None
                or (checkpoints.folder(self.ctx) / f"checkpoint-{today}.json").exists()
            ):
                self._checkpointed = today
        except Exception:
            # Tried again at the next day: a broken signing key must not stop the jobs.
            log.exception("audit checkpoint failed")
            self._checkpointed = today

    async def run_forever(self) -> None:
        """Recover, then run queued jobs as they come, until cancelled; a database outage pauses it, never ends it."""
        self.ctx.resources[service.WAKE] = self.wake
        while True:
            await self.checkpoint_daily()
            try:
                await self.recover()
                while await self.run_next() is not None:
                    pass
            except Exception as exc:
                if outage_reason(exc) is None:
                    log.exception("job runner: unexpected error; retrying")
                else:
                    log.warning("job runner: database unavailable (%s); retrying", outage_reason(exc))
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)


async def run_here(ctx: AppContext, job_id: int, *, progress: Progress | None = None, poll_seconds: float = 0.5) -> JobOut:
    """Run a queued job in this process (the CLI), or follow it where another runner has it; the finished job."""
    if not await Runner(ctx).run_job(job_id, progress=progress):
        while (job := await service.get(ctx, job_id)).state not in domain.FINISHED:
            if progress is not None and job.total:
                await progress(job.phase, done=job.done, total=job.total)
            await asyncio.sleep(poll_seconds)
    return await service.get(ctx, job_id)


async def run_with_bar(ctx: AppContext, job: JobOut, *, quiet: bool = False) -> JobOut:
    """The CLI's way to run a queued job: here, with a progress bar on the terminal unless ``quiet``; the finished job."""
    from window_staff.common.bar import ProgressBar

    kind = service.kinds_of(ctx)[job.kind]
    bar = None if quiet else ProgressBar(kind.name["zh"], names=lambda phase: kind.phases.get(phase, {}).get("zh", phase))
    finished = await run_here(ctx, job.id, progress=bar)
    if bar is not None:
        bar.close(finished=finished.state == "done")
    return finished
