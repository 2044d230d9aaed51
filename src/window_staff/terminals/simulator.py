"""Simulated desk terminals: N offline-capable terminals drive the check-in API with real signatures.

Each terminal is a task holding a buffer of captured events; it sends the oldest until the server
acknowledges it (any 200), retrying on connection errors, 5xx, 429 and 503 (honouring Retry-After),
as a terminal that lost its network or its server would. Event ids are unique per terminal and run.
Optional duplicates send an event 2..``max_copies`` times, sometimes at the same moment, to exercise
idempotency; every later answer to an event is compared byte for byte with its first answer.

Provisioning (staff, terminals, the credentials file) lives in ``simulator_setup``.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import httpx
import msgspec

from window_staff.biometrics.synthetic import synthetic_touch
from window_staff.terminals.client import CheckInEvent, build_request
from window_staff.terminals.simulator_setup import Credentials, SimStaff, SimTerminal

Payload = Literal["encoding", "image", "adms"]
ADMS_PATH = "/iclock/cdata"
RETRYABLE = {408, 429}


@dataclass(frozen=True, slots=True)
class Plan:
    """How to drive: events per terminal, payload, concurrency, duplicates and retry behaviour."""

    events: int = 20
    payload: Payload = "encoding"
    terminals: int | None = None  # the first N of the credentials' terminals of the payload's kind; None: all
    concurrency: int = 16
    duplicates: float = 0.0  # share of events sent more than once
    max_copies: int = 3
    together: float = 0.5  # of duplicated events, the share whose copies go at the same moment
    batch: int = 1  # ATTLOG lines per ADMS upload
    interval: float = 0.0  # pause between a terminal's events (seconds)
    retry_initial: float = 0.1
    retry_max: float = 2.0
    give_up_after: float = 300.0  # per event, then it is counted as given up
    timeout: float = 60.0
    seed: int = 0
    poor: float = 0.0  # share of check-ins whose first touch is too poor to decide: the server asks again


@dataclass(slots=True)
class Pending:
    """One buffered event: a signed check-in or an ATTLOG line."""

    event_id: str
    event: CheckInEvent | None = None
    line: str | None = None
    staff: SimStaff | None = None  # who stands at the terminal (to touch again when asked)


@dataclass
class Summary:
    """What happened, as counts and request latencies."""

    payload: str = "encoding"
    terminals: int = 0
    planned: int = 0
    sent: int = 0  # distinct events sent at least once
    acknowledged: int = 0
    accepted: int = 0
    rejected: int = 0
    asked_again: int = 0  # "retry" answers: the capture was too poor, the terminal took another
    refused: int = 0  # dropped after an answer a retry cannot change (4xx)
    given_up: int = 0
    requests: int = 0
    retries: int = 0
    copies: int = 0  # extra copies sent on purpose
    replay_mismatches: int = 0
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    acked: set[tuple[str, str]] = field(default_factory=set)  # (serial, event id)
    answers: dict[tuple[str, str], bytes] = field(default_factory=dict)

    def percentile(self, q: float) -> float:
        """Latency at quantile ``q`` (0..1) in seconds; 0 without requests."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def rate(self) -> float:
        """Acknowledged events per second of wall time."""
        return self.acknowledged / self.elapsed if self.elapsed else 0.0

    def as_text(self) -> str:
        """One ``key: value`` line per figure (stable for scripts and tests)."""
        statuses = " ".join(f"{k}={v}" for k, v in sorted(self.statuses.items())) or "-"
        errors = " ".join(f"{k}={v}" for k, v in sorted(self.errors.items())) or "-"
        lines = [
            f"payload: {self.payload}",
            f"terminals: {self.terminals}",
            f"planned: {self.planned}",
            f"sent: {self.sent}",
            f"acknowledged: {self.acknowledged}",
            f"accepted: {self.accepted}",
            f"rejected: {self.rejected}",
            f"asked again: {self.asked_again}",
            f"refused: {self.refused}",
            f"given up: {self.given_up}",
            f"requests: {self.requests}",
            f"retries: {self.retries}",
            f"duplicate copies: {self.copies}",
            f"replay mismatches: {self.replay_mismatches}",
            f"statuses: {statuses}",
            f"errors: {errors}",
            f"latency p50: {self.percentile(0.5) * 1000:.1f} ms",
            f"latency p95: {self.percentile(0.95) * 1000:.1f} ms",
            f"elapsed: {self.elapsed:.2f} s",
            f"rate: {self.rate:.1f} events/s",
        ]
        return "\n".join(lines)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Images:
    """Face images read once per path (a terminal's camera frames, reused)."""

    def __init__(self) -> None:
        self._cache: dict[str, bytes] = {}

    def get(self, path: str) -> bytes:
        if path not in self._cache:
            self._cache[path] = Path(path).read_bytes()
        return self._cache[path]


def make_events(
    creds: Credentials, terminal: SimTerminal, *, plan: Plan, run_id: str, start: dt.datetime, rng: random.Random, images: _Images
) -> list[Pending]:
    """A terminal's buffer: captures one second apart before ``start``, each by a random simulated staff member."""
    people: list[SimStaff] = [s for s in creds.staff if s.images] if plan.payload == "image" else list(creds.staff)
    if not people:
        raise ValueError("the image payload needs staff provisioned with --faces (none has a usable image)")
    zone = ZoneInfo(creds.timezone)
    out = []
    for i in range(plan.events):
        who = rng.choice(people)
        captured = (start - dt.timedelta(seconds=plan.events - i)).replace(microsecond=0)
        event_id = f"{run_id}-{i:06d}"
        if plan.payload == "adms":
            local = captured.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
            # PIN, time, status (0 = in), verify (1 = fingerprint), work code, reserved
            out.append(Pending(event_id, line=f"{who.employee_no}\t{local}\t0\t1\t0\t0"))
            continue
        face = images.get(rng.choice(who.images)) if plan.payload == "image" else None
        touch = synthetic_touch(who.fingerprint, rng.randrange(2**32), poor=rng.random() < plan.poor)
        event = CheckInEvent(
            event_id=event_id, captured_at=captured, fingerprint=touch, face_encoding=None if face else who.face_encoding, face_image=face
        )
        out.append(Pending(event_id, event=event, staff=who))
    return out


def touch_again(pending: Pending, *, rng: random.Random, captured: dt.datetime) -> Pending:
    """What a terminal does when asked for another capture: a new event of the same person, with a good touch."""
    assert pending.event is not None and pending.staff is not None
    event = CheckInEvent(
        event_id=f"{pending.event_id}-again",
        captured_at=captured,
        fingerprint=synthetic_touch(pending.staff.fingerprint, rng.randrange(2**32)),
        face_encoding=pending.event.face_encoding,
        face_image=pending.event.face_image,
    )
    return Pending(event.event_id, event=event, staff=pending.staff)


class _Terminal:
    """One simulated terminal: sends its buffer in order, each unit until acknowledged."""

    def __init__(
        self,
        spec: SimTerminal,
        buffer: list[Pending],
        *,
        http: httpx.AsyncClient,
        plan: Plan,
        summary: Summary,
        gate: asyncio.Semaphore,
        rng: random.Random,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.spec, self.buffer, self.http, self.plan = spec, collections.deque(buffer), http, plan
        self.summary, self.gate, self.rng, self.clock = summary, gate, rng, clock
        self.stamp = 0

    async def run(self) -> None:
        """Drain the buffer."""
        while self.buffer:
            size = self.plan.batch if self.plan.payload == "adms" else 1
            unit = [self.buffer.popleft() for _ in range(min(size, len(self.buffer)))]
            self.summary.sent += len(unit)
            await self._deliver(unit)
            if self.plan.interval:
                await asyncio.sleep(self.plan.interval)

    async def _deliver(self, unit: list[Pending]) -> None:
        copies, together = 1, False
        if self.plan.duplicates and self.rng.random() < self.plan.duplicates:
            copies, together = self.rng.randint(2, max(2, self.plan.max_copies)), self.rng.random() < self.plan.together
            self.summary.copies += copies - 1
        started, delay = time.monotonic(), self.plan.retry_initial
        while True:
            if together:
                outcomes = await asyncio.gather(*(self._send(unit) for _ in range(copies)))
            else:
                outcomes = [await self._send(unit) for _ in range(copies)]
            verdicts = [self._judge(unit, outcome) for outcome in outcomes]
            if "ack" in verdicts or "refused" in verdicts:
                if "ack" not in verdicts:
                    self.summary.refused += len(unit)
                return
            if time.monotonic() - started > self.plan.give_up_after:
                self.summary.given_up += len(unit)
                return
            wait = max((o.retry_after for o in outcomes if o.retry_after), default=delay)
            await asyncio.sleep(min(wait, self.plan.retry_max) * (0.5 + self.rng.random()))
            delay = min(delay * 2, self.plan.retry_max)
            self.summary.retries += 1
            copies, together = 1, False

    async def _send(self, unit: list[Pending]) -> _Outcome:
        if self.plan.payload == "adms":
            self.stamp += 1
            request = self.http.build_request(
                "POST",
                ADMS_PATH,
                params={"SN": self.spec.serial, "table": "ATTLOG", "Stamp": str(self.stamp)},
                content="\n".join(p.line or "" for p in unit).encode() + b"\n",
            )
        else:
            assert unit[0].event is not None
            # Signed at send time: a retry is a new request (new nonce, fresh created) carrying the same event.
            request = build_request(self.http, unit[0].event, serial=self.spec.serial, secret=self.spec.secret, created=self.clock())
        async with self.gate:
            t0 = time.perf_counter()
            try:
                response = await self.http.send(request)
            except httpx.TransportError as exc:
                self.summary.requests += 1
                self.summary.errors[type(exc).__name__] += 1
                return _Outcome(None, b"", None)
            self.summary.requests += 1
            self.summary.latencies.append(time.perf_counter() - t0)
        self.summary.statuses[response.status_code] += 1
        retry_after = response.headers.get("retry-after", "")
        return _Outcome(response.status_code, response.content, float(retry_after) if retry_after.isdigit() else None)

    def _judge(self, unit: list[Pending], outcome: _Outcome) -> str:
        """ack, retry or refused; counts an event's result once, and checks replays against its first answer."""
        status = outcome.status
        if status is None or status >= 500 or status in RETRYABLE:
            return "retry"
        if status != 200:
            return "refused"
        key = (self.spec.serial, unit[0].event_id)
        if key in self.summary.acked:
            if self.plan.payload != "adms" and self.summary.answers.get(key) != outcome.body:
                self.summary.replay_mismatches += 1
            return "ack"
        for pending in unit:
            self.summary.acked.add((self.spec.serial, pending.event_id))
        self.summary.acknowledged += len(unit)
        if self.plan.payload == "adms":
            text = outcome.body.decode(errors="replace")
            taken = int(text.split(":", 1)[1]) if text.startswith("OK:") and text.split(":", 1)[1].strip().isdigit() else len(unit)
            self.summary.accepted += taken
            self.summary.rejected += len(unit) - taken
            return "ack"
        self.summary.answers[key] = outcome.body
        result = msgspec.json.decode(outcome.body).get("result")
        if result == "accepted":
            self.summary.accepted += 1
        elif result == "retry" and unit[0].staff is not None:
            self.summary.asked_again += 1
            self.summary.planned += 1  # the new capture is an event of its own, to be acknowledged too
            self.buffer.appendleft(touch_again(unit[0], rng=self.rng, captured=self.clock().replace(microsecond=0)))
        else:
            self.summary.rejected += 1
        return "ack"


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: int | None
    body: bytes
    retry_after: float | None


def terminals_for(creds: Credentials, plan: Plan) -> list[SimTerminal]:
    """The credentials' terminals that speak the payload's protocol (the first ``plan.terminals``)."""
    kind = "zkteco" if plan.payload == "adms" else "signed"
    chosen = [t for t in creds.terminals if t.kind == kind]
    if not chosen:
        raise ValueError(f"no {kind} terminal in the credentials: provision with --kind {kind} or both")
    return chosen[: plan.terminals] if plan.terminals else chosen


async def simulate(
    creds: Credentials,
    *,
    plan: Plan,
    base_url: str = "http://127.0.0.1:8000",
    client: httpx.AsyncClient | None = None,
    clock: Callable[[], dt.datetime] = _utcnow,
    summary: Summary | None = None,
) -> Summary:
    """Run every terminal until its buffer is acknowledged (or given up); pass ``summary`` to watch progress."""
    rng = random.Random(plan.seed)
    run_id = secrets.token_hex(4)
    devices = terminals_for(creds, plan)
    summary = summary or Summary()
    summary.payload, summary.terminals = plan.payload, len(devices)
    images, start = _Images(), clock()
    buffers = [make_events(creds, t, plan=plan, run_id=run_id, start=start, rng=rng, images=images) for t in devices]
    summary.planned = sum(len(b) for b in buffers)
    gate = asyncio.Semaphore(plan.concurrency)
    # Idle connections are dropped after 2 s, well before the server's 5 s keep-alive: reusing one the server is
    # closing at that moment fails with a ReadError (a retry then succeeds, but a terminal should not race it).
    limits = httpx.Limits(max_connections=plan.concurrency, max_keepalive_connections=plan.concurrency, keepalive_expiry=2.0)
    http = client or httpx.AsyncClient(base_url=base_url, limits=limits, timeout=plan.timeout)
    began = time.perf_counter()
    try:
        workers = [
            _Terminal(t, b, http=http, plan=plan, summary=summary, gate=gate, rng=random.Random(rng.random()), clock=clock)
            for t, b in zip(devices, buffers, strict=True)
        ]
        await asyncio.gather(*(w.run() for w in workers))
    finally:
        summary.elapsed = time.perf_counter() - began
        if client is None:
            await http.aclose()
    return summary
