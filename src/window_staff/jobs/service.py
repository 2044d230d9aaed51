"""Jobs: record heavy work, run it once in some runner, and tell people how far it has come.

A domain declares its kinds (a handler and display names) and asks for work with ``submit``; the wiring point
registers every kind with ``register``. Handlers run with the requester's identity, outside any transaction of
the web request, and report progress between their steps.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.common.principal import Principal
from window_staff.common.progress import Progress
from window_staff.jobs import domain, store
from window_staff.jobs.errors import JobCrashed, JobNotFound, JobRunning
from window_staff.jobs.schemas import JobOut, JobProblemOut

log = logging.getLogger(__name__)
KINDS = "jobs.kinds"
WAKE = "jobs.wake"
STATE_NAMES = {
    "zh": {domain.QUEUED: "排队中", domain.RUNNING: "进行中", domain.DONE: "已完成", domain.FAILED: "未完成"},
    "en": {domain.QUEUED: "queued", domain.RUNNING: "running", domain.DONE: "done", domain.FAILED: "failed"},
}
# Progress is written at most this often (a phase change is always written): a row update per staff member
# would cost more than the work.
PROGRESS_EVERY_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class JobKind:
    """A kind of job a domain offers: its handler ``(ctx, params, *, principal, progress) -> result`` and names."""

    handler: Callable[..., Awaitable[Any]]
    name: Mapping[str, str]
    phases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # The params carry bulky input (an uploaded file) needed only until the job has run: emptied when it finishes.
    drop_params: bool = False


def register(ctx: AppContext, kinds: Mapping[str, JobKind]) -> None:
    """Called once by the wiring point: the kinds this process can run."""
    ctx.resources[KINDS] = dict(kinds)


def kinds_of(ctx: AppContext) -> dict[str, JobKind]:
    """The registered kinds."""
    return ctx.resources.get(KINDS, {})


def href(job_id: int) -> str:
    """A job's address."""
    return f"/api/v1/jobs/{job_id}"


def _principal_text(principal: Principal) -> str:
    return msgspec.json.encode(
        {"user_id": principal.user_id, "username": principal.username, "roles": sorted(principal.roles), "staff_id": principal.staff_id}
    ).decode()


def _principal_of(text: str) -> Principal:
    raw = msgspec.json.decode(text)
    return Principal(user_id=raw["user_id"], username=raw["username"], roles=frozenset(raw["roles"]), staff_id=raw["staff_id"])


async def submit(ctx: AppContext, kind: str, *, subject: str, lock: str, params: Mapping[str, Any], principal: Principal) -> JobOut:
    """Queue a job; the same request while one like it is queued or running gets that job back, another kind on
    the same lock is refused (409 ``job_running``)."""
    if kind not in kinds_of(ctx):
        raise LookupError(f"job kind {kind!r} is not registered")
    for _ in range(3):  # the holder may finish between our insert and our look
        job_id = await store.insert(
            kind=kind,
            subject=subject,
            lock_key=lock,
            params=msgspec.json.encode(dict(params)).decode(),
            principal=_principal_text(principal),
            now=ctx.clock.now(),
        )
        if job_id is not None:
            wake = ctx.resources.get(WAKE)
            if wake is not None:
                wake()
            return await get(ctx, job_id)
        holder = await store.active_holder(lock)
        if holder is None:
            continue
        if holder["kind"] == kind and holder["params"] == msgspec.json.encode(dict(params)).decode():
            return job_out(ctx, holder)
        name = kinds_of(ctx)[holder["kind"]].name["zh"] if holder["kind"] in kinds_of(ctx) else holder["kind"]
        raise JobRunning(f"“{name}”（{holder['subject']}）尚未完成，请完成后再操作", job=href(holder["id"]))
    raise JobRunning("该事项另有任务正在进行，请稍后再试")


async def get(ctx: AppContext, job_id: int, *, lang: str = "zh") -> JobOut:
    """One job (404 ``job_not_found``)."""
    row = await store.find(job_id)
    if row is None:
        raise JobNotFound(f"no job {job_id}")
    return job_out(ctx, row, lang=lang)


async def recent(
    ctx: AppContext, *, limit: int = 20, kinds: list[str] | None = None, subject: str | None = None, lang: str = "zh"
) -> list[JobOut]:
    """The newest jobs first."""
    return [job_out(ctx, row, lang=lang) for row in await store.recent(limit=limit, kinds=kinds, subject=subject)]


def job_out(ctx: AppContext, row: Mapping[str, Any], *, lang: str = "zh") -> JobOut:
    """The API's view of a job row."""
    kind = kinds_of(ctx).get(row["kind"])
    phase = row["phase"] or ""
    phase_names = kind.phases.get(phase, {}) if kind else {}
    problem = msgspec.json.decode(row["problem"]) if row["problem"] else None
    return JobOut(
        id=row["id"],
        href=href(row["id"]),
        kind=row["kind"],
        kind_name=kind.name.get(lang, row["kind"]) if kind else row["kind"],
        subject=row["subject"],
        state=row["state"],
        state_name=STATE_NAMES[lang].get(row["state"], row["state"]),
        phase=phase,
        phase_name=phase_names.get(lang, ""),
        done=row["done"],
        total=row["total"],
        percent=domain.percent(done=row["done"], total=row["total"], state=row["state"]),
        requested_by=_principal_of(row["principal"]).username,
        requested_at=row["requested_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        result=msgspec.json.decode(row["result"]) if row["result"] else None,
        problem=JobProblemOut(code=problem["code"], detail=problem["detail"], extensions=problem.get("extensions")) if problem else None,
    )


def _progress(ctx: AppContext, job_id: int, *, owner: str) -> Progress:
    last: list[Any] = ["", 0.0]  # the phase and the moment last written

    async def report(phase: str, *, done: int, total: int) -> None:
        now = time.monotonic()
        if phase == last[0] and now - last[1] < PROGRESS_EVERY_SECONDS and done < total:
            return
        last[0], last[1] = phase, now
        await store.progress(job_id, owner=owner, phase=phase, done=done, total=total, now=ctx.clock.now())

    return report


async def run_claimed(ctx: AppContext, job_id: int, *, owner: str, progress: Progress | None = None) -> None:
    """Run a job this runner has claimed and record its outcome (a domain refusal fails the job with its reason)."""
    row = await store.find(job_id)
    if row is None:
        return
    recorded = _progress(ctx, job_id, owner=owner)
    report = recorded
    if progress is not None:
        watcher = progress

        async def both(phase: str, *, done: int, total: int) -> None:
            await recorded(phase, done=done, total=total)
            await watcher(phase, done=done, total=total)

        report = both
    kind = kinds_of(ctx)[row["kind"]]
    result: str | None = None
    problem: dict[str, Any] | None = None
    try:
        out = await kind.handler(ctx, msgspec.json.decode(row["params"]), principal=_principal_of(row["principal"]), progress=report)
        result = msgspec.json.encode(out).decode() if out is not None else None
    except DomainError as exc:
        problem = {"code": exc.code, "detail": exc.detail}
        # The members the HTTP answer would carry beside the sentence (an import's bad lines), if any.
        extensions = {k: v for k, v in exc.extra.items() if isinstance(v, (str, int, float, bool, list, dict, type(None)))}
        if extensions:
            problem["extensions"] = extensions
    except asyncio.CancelledError:
        raise  # the process is stopping: the job stays running and the next runner takes it up again
    except Exception:
        log.exception("job %s (%s) failed", job_id, row["kind"])
        problem = {"code": JobCrashed.code, "detail": JobCrashed.title}
    await store.finish(
        job_id,
        owner=owner,
        state=domain.FAILED if problem else domain.DONE,
        result=result,
        problem=msgspec.json.encode(problem).decode() if problem else None,
        now=ctx.clock.now(),
        clear_params=kind.drop_params,
    )
