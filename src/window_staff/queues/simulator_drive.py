"""Driving a simulated queue machine: set it up at a site, read the staff's check-ins, push a day as a device does.

A real machine buffers its events and pushes them in signed batches; while the server is unreachable or answers 5xx,
408 or 429 it keeps the batch and retries with backoff (honouring Retry-After). A batch resent after a lost answer
is harmless: the server skips the events it already stored, so each event is stored once.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import os
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

import httpx
import msgspec

from window_staff.common.context import AppContext
from window_staff.org import service as org
from window_staff.queues.schemas import CategoryIn
from window_staff.queues.service import categories as queue_categories
from window_staff.queues.service.events import QUEUE_KIND, all_pages
from window_staff.queues.service.figures import site_duty
from window_staff.queues.simulator import Desk, Shift, SimEvent
from window_staff.terminals import service as terminals
from window_staff.terminals.client import build_json_request
from window_staff.terminals.schemas.registry import TerminalIn

EVENTS_PATH = "/api/v1/queues/events"
RETRYABLE = {408, 429}
DEFAULT_CATEGORIES = ("tax", "social", "permit")


@dataclass(frozen=True, slots=True)
class QueueDevice:
    """A registered queue device and what it knows of its site: the windows and the categories each calls."""

    serial: str
    secret: bytes
    site: str
    timezone: str
    windows: dict[str, list[str]]  # window number -> categories


def save_device(path: Path, device: QueueDevice) -> None:
    """Write the device's credentials (mode 0600: it holds the secret)."""
    data = asdict(device) | {"secret": base64.b64encode(device.secret).decode()}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)


def load_device(path: Path) -> QueueDevice:
    """Read credentials written by ``save_device``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return QueueDevice(**(data | {"secret": base64.b64decode(data["secret"])}))


async def provision(
    ctx: AppContext, *, site_code: str, serial: str, categories: Sequence[str] = DEFAULT_CATEGORIES, actor: str = "cli:simulate"
) -> QueueDevice:
    """Register (or re-key) a queue device at a site, and map categories to its windows when the site has none mapped."""
    site = next((s for s in await all_pages(lambda p: org.list_sites(ctx, p)) if s.code == site_code), None)
    if site is None:
        raise ValueError(f"no site with code {site_code!r}")
    windows = sorted(await all_pages(partial(org.list_windows, ctx, site_id=site.id)), key=lambda w: w.number)
    if not windows:
        raise ValueError(f"site {site_code!r} has no windows")
    known = await terminals.find_by_serial(ctx, serial)
    if known is None:
        _, secret = await terminals.register_approved(ctx, TerminalIn(serial=serial, site_id=site.id, kind="queue"), actor=actor)
    elif known.kind != QUEUE_KIND or known.site_id != site.id:
        raise ValueError(f"terminal {serial} is registered, but not as a queue device of site {site_code!r}")
    else:
        _, secret, _ = await terminals.issue_secret(ctx, known.id, actor=actor)
    mapped = await all_pages(partial(queue_categories.list_categories, ctx, site_id=site.id))
    if not mapped:
        # The windows dealt out to the categories in turn (every window calls one; with more categories than windows,
        # the first window also calls the rest).
        for i, code in enumerate(categories):
            chosen = [w.id for w in windows[i :: len(categories)]] or [windows[0].id]
            data = CategoryIn(
                site_id=site.id, code=code, name=code, department_id=windows[i % len(windows)].department_id, window_ids=chosen
            )
            mapped.append(await queue_categories.create_category(ctx, data, actor=actor))
    by_id = {w.id: w.number for w in windows}
    calls: dict[str, list[str]] = {}
    for c in mapped:
        for wid in c.window_ids:
            calls.setdefault(by_id[wid], []).append(c.code)
    return QueueDevice(
        serial=serial, secret=secret, site=site_code, timezone=site.timezone, windows={n: sorted(c) for n, c in sorted(calls.items())}
    )


async def desks_of(ctx: AppContext, device: QueueDevice, *, day: date) -> list[Desk]:
    """The device's windows with the shifts of the staff who were checked in there on ``day`` (accepted check-ins)."""
    shifts = await site_duty(ctx, site_code=device.site, day=day)
    return [
        Desk(number, tuple(sorted(cats)), tuple(Shift(s.employee_no, s.start, s.end) for s in shifts.get(number, [])))
        for number, cats in device.windows.items()
    ]


@dataclass
class PushSummary:
    """What the push did."""

    events: int = 0
    batches: int = 0
    requests: int = 0
    retries: int = 0
    imported: int = 0
    skipped: int = 0
    refused: int = 0  # events of batches the server refused (4xx): a retry cannot change that
    statuses: dict[int, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def as_text(self) -> str:
        """One ``key: value`` line per figure."""
        statuses = " ".join(f"{k}={v}" for k, v in sorted(self.statuses.items())) or "-"
        errors = " ".join(f"{k}={v}" for k, v in sorted(self.errors.items())) or "-"
        lines = [f"events: {self.events}", f"batches: {self.batches}", f"requests: {self.requests}", f"retries: {self.retries}"]
        lines += [f"imported: {self.imported}", f"skipped: {self.skipped}", f"refused: {self.refused}"]
        lines += [f"statuses: {statuses}", f"errors: {errors}", f"elapsed: {self.elapsed:.2f} s"]
        return "\n".join(lines)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def push(
    events: Sequence[SimEvent],
    *,
    http: httpx.AsyncClient,
    device: QueueDevice,
    batch: int = 200,
    retry_initial: float = 0.5,
    retry_max: float = 30.0,
    give_up_after: float = 600.0,
    clock: Callable[[], dt.datetime] = _utcnow,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    seed: int = 0,
) -> PushSummary:
    """Push the events in order, ``batch`` per signed request, each batch until the server answers it; stop at a refusal."""
    rng = random.Random(seed)
    summary, started = PushSummary(events=len(events)), time.monotonic()
    buffer = [list(events[i : i + batch]) for i in range(0, len(events), batch)]
    for part in buffer:
        body = msgspec.json.encode([e.row(zone=device.timezone) for e in part])
        summary.batches += 1
        delay, first_try = retry_initial, time.monotonic()
        while True:
            # Signed at send time: a retry is a new request (fresh created, new nonce) carrying the same batch.
            request = build_json_request(http, EVENTS_PATH, body, serial=device.serial, secret=device.secret, created=clock())
            summary.requests += 1
            wait = delay
            try:
                response = await http.send(request)
            except httpx.TransportError as exc:
                summary.errors[type(exc).__name__] = summary.errors.get(type(exc).__name__, 0) + 1
            else:
                status = response.status_code
                summary.statuses[status] = summary.statuses.get(status, 0) + 1
                if status == 200:
                    answer = response.json()
                    summary.imported += answer["imported"]
                    summary.skipped += answer["skipped"]
                    break
                if status < 500 and status not in RETRYABLE:
                    summary.refused += len(part)
                    summary.elapsed = time.monotonic() - started
                    return summary
                after = response.headers.get("retry-after", "")
                wait = float(after) if after.isdigit() else delay
            if time.monotonic() - first_try > give_up_after:
                summary.refused += len(part)
                summary.elapsed = time.monotonic() - started
                return summary
            summary.retries += 1
            await sleep(min(wait, retry_max) * (0.5 + rng.random()))
            delay = min(delay * 2, retry_max)
    summary.elapsed = time.monotonic() - started
    return summary
