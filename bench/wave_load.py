"""The load of bench/wave.py: arrivals rising to the 08:30 peak, requests built and signed before the clock, sent open loop.

Arrivals are a Poisson process whose rate follows ``PROFILE`` (by thinning), so bursts come as they come.
Each arrival is one person checking in at a terminal of their site; the request is signed with ``created`` at
its planned send time and its capture one second earlier, so building thousands ahead is what a terminal does.
Requests go out at their time whatever the answers (open loop): a slow server meets the same arrivals, and
latency counts from the moment a request was due to leave, so time spent queued in this process counts too.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import msgspec

from bench.province import Person, Province
from window_staff.biometrics.synthetic import synthetic_touch
from window_staff.terminals.client import CheckInEvent, build_request

# (share of the wave, share of the peak rate): 08:15 -> the 08:30 peak -> 08:35, straight lines between.
PROFILE = ((0.0, 0.2), (0.75, 1.0), (1.0, 0.3))
# Each request keeps the timeout of the client that built it (httpx stores it on the request): set it there.
TIMEOUT = 120.0
BARE_TABLE = (
    "CREATE TABLE IF NOT EXISTS bare_check_in (id bigserial PRIMARY KEY, serial text NOT NULL, event_id text NOT NULL, "
    "captured_at timestamptz NOT NULL, received_at timestamptz NOT NULL DEFAULT now(), UNIQUE (serial, event_id))"
)


def rate_share(x: float) -> float:
    """The arrival rate at ``x`` (0..1 of the wave) as a share of the peak."""
    for (x0, y0), (x1, y1) in zip(PROFILE, PROFILE[1:], strict=False):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return PROFILE[-1][1]


def mean_share() -> float:
    """The mean rate over the wave as a share of the peak (0.6125 for ``PROFILE``)."""
    return sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in zip(PROFILE, PROFILE[1:], strict=False))


def arrivals(duration: float, peak: float, *, seed: int) -> list[float]:
    """Arrival times (seconds from the start) of a Poisson process following the profile, by thinning."""
    rng, out, t = random.Random(seed), [], 0.0
    while True:
        t += rng.expovariate(peak)
        if t >= duration:
            return out
        if rng.random() < rate_share(t / duration):
            out.append(t)


@dataclass(frozen=True, slots=True)
class Shot:
    """One request and when it is due, in seconds from the wave's start."""

    at: float
    request: httpx.Request


def build_shots(province: Province, *, path: str, times: list[float], base_url: str, run: str, start: dt.datetime, seed: int) -> list[Shot]:
    """Signed check-ins for the arrivals: people in a fixed random order, each at a terminal of their site."""
    rng = random.Random(seed)
    people = [p for p in province.people if p.images] if path == "image" else list(province.people)
    if not people:
        raise SystemExit("the image path needs staff with real faces (no usable face photo found)")
    order = random.Random(seed).sample(people, len(people))
    fingers: dict[str, bytes] = {}
    frames: dict[str, bytes] = {}
    client = httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT)
    shots = []
    for k, at in enumerate(times):
        person: Person = order[k % len(order)]
        device = rng.choice(province.terminals[person.site])
        when = start + dt.timedelta(seconds=at)
        finger = fingers.get(person.employee_no) or fingers.setdefault(person.employee_no, person.finger())
        photo = rng.choice(person.images) if path == "image" else None
        event = CheckInEvent(
            event_id=f"{run}-{k:06d}",
            captured_at=(when - dt.timedelta(seconds=1)).replace(microsecond=0),
            fingerprint=synthetic_touch(finger, rng.randrange(2**32)),
            face_encoding=None if photo else person.encoding(),
            face_image=(frames.get(photo) or frames.setdefault(photo, Path(photo).read_bytes())) if photo else None,
        )
        shots.append(Shot(at, build_request(client, event, serial=device.serial, secret=device.secret, created=when)))
    return shots


@dataclass(frozen=True, slots=True)
class Outcome:
    """One request: when it was due and sent (monotonic seconds), its latency, and what came back."""

    due: float
    sent: float
    latency: float
    status: int | None
    code: str  # the answer's result (200) or problem code; the exception's name without an answer


@dataclass
class Wave:
    """What a wave's requests met, with the CPU the server's processes and its database backends spent on it."""

    started: float = 0.0  # monotonic
    outcomes: list[Outcome] = field(default_factory=list)
    elapsed: float = 0.0
    app_cpu: float = 0.0
    db_cpu: float = 0.0

    @property
    def ok(self) -> int:
        """Requests answered 200."""
        return sum(1 for o in self.outcomes if o.status == 200)

    @property
    def accepted(self) -> int:
        """Check-ins answered ``accepted``."""
        return sum(1 for o in self.outcomes if o.status == 200 and o.code == "accepted")

    def latencies(self, window: tuple[float, float] | None = None) -> list[float]:
        """Latencies of answered requests, sorted; ``window``: only those due within (start, end) seconds of the wave."""
        return sorted(
            o.latency for o in self.outcomes if o.status is not None and (window is None or window[0] <= o.due - self.started < window[1])
        )

    def percentile(self, q: float, window: tuple[float, float] | None = None) -> float:
        """Latency at quantile ``q`` in seconds (0 without answers)."""
        values = self.latencies(window)
        return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0

    def errors(self) -> collections.Counter[str]:
        """Everything but 200, by status and problem code (or exception)."""
        return collections.Counter(f"{o.status or 'no answer'} {o.code}".strip() for o in self.outcomes if o.status != 200)

    def answers(self) -> collections.Counter[str]:
        """200 answers by result (accepted, rejected, retry)."""
        return collections.Counter(o.code for o in self.outcomes if o.status == 200)

    def peak_rate(self, span: float = 5.0) -> float:
        """The most 200 answers in any ``span`` seconds, per second."""
        done = sorted(o.sent + o.latency for o in self.outcomes if o.status == 200)
        best, lo = 0, 0
        for hi, t in enumerate(done):
            while done[lo] < t - span:
                lo += 1
            best = max(best, hi - lo + 1)
        return best / span

    def lag(self) -> float:
        """The latest any request left after it was due (the load generator falling behind)."""
        return max((o.sent - o.due for o in self.outcomes), default=0.0)


def _code(response: httpx.Response) -> str:
    try:
        body = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        return ""
    if not isinstance(body, dict):
        return ""
    return str(body.get("result") or body.get("code") or "")


async def run_wave(shots: list[Shot], *, beside: Callable[[float], Awaitable[None]] | None = None) -> Wave:
    """Send every shot at its time (open loop); ``beside(start)`` runs alongside from the start."""
    wave = Wave()
    limits = httpx.Limits(max_connections=4096, max_keepalive_connections=512)
    async with httpx.AsyncClient(limits=limits, timeout=TIMEOUT) as http:

        async def one(shot: Shot, due: float) -> None:
            sent = time.monotonic()
            try:
                response = await http.send(shot.request)
            except httpx.HTTPError as exc:
                wave.outcomes.append(Outcome(due, sent, time.monotonic() - due, None, type(exc).__name__))
                return
            wave.outcomes.append(Outcome(due, sent, time.monotonic() - due, response.status_code, _code(response)))

        wave.started = start = time.monotonic()
        side = asyncio.create_task(beside(start)) if beside else None
        tasks = []
        for shot in shots:
            delay = start + shot.at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(shot, start + shot.at)))
        await asyncio.gather(*tasks)
        wave.elapsed = time.monotonic() - start
        if side is not None:
            await side
    return wave


class BareServer:
    """bench/bare_checkin.py under uvicorn with ``workers`` processes, on a free port."""

    def __init__(self, *, database_url: str, workers: int, log: Path) -> None:
        from tests.terminals.live import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers, self.log, self.database_url = workers, log, database_url
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        """Create its table, start, and wait until /health answers."""
        import asyncpg

        conn = await asyncpg.connect(self.database_url)
        try:
            await conn.execute(BARE_TABLE)
        finally:
            await conn.close()
        argv = [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(__file__).parent), "bare_checkin:app"]
        argv += ["--port", str(self.port), "--workers", str(self.workers), "--no-access-log", "--log-level", "warning"]
        env = {**os.environ, "BARE_DATABASE_URL": self.database_url, "OPENBLAS_NUM_THREADS": "1"}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        async with httpx.AsyncClient(base_url=self.url, timeout=1.0) as client:
            for _ in range(300):
                if self.proc.poll() is not None:
                    raise SystemExit(f"the bare server exited: {self.log.read_text(errors='replace')[-2000:]}")
                try:
                    if (await client.get("/health")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        raise SystemExit("the bare server did not come up")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass
class Compute:
    """A month compute run beside a wave: when it ran (seconds from the wave's start) and how it answered."""

    began: float = 0.0
    ended: float = 0.0
    answer: str = ""


async def compute_beside(
    base_url: str, province: Province, month: str, *, at: float, result: Compute
) -> Callable[[float], Awaitable[None]]:
    """A ``beside`` for run_wave: log in as HR now, then at ``at`` seconds into the wave compute the month and wait for it.

    Answers 200 once computed on the web process, or 202 with a job to poll (its address in Location or in the
    body) until its state is done or failed; both are handled.
    """
    from bench.province import HR_PASSWORD

    http = httpx.AsyncClient(base_url=base_url, timeout=3600)
    login = {"username": province.hr_username, "password": HR_PASSWORD, "totp": province.totp()}
    response = await http.post("/api/v1/auth/login", json=login)
    if response.status_code != 200:
        raise SystemExit(f"hr login failed: {response.status_code} {response.text[:300]}")
    http.headers["Authorization"] = f"Bearer {response.json()['token']}"

    async def run(start: float) -> None:
        try:
            await asyncio.sleep(max(0.0, start + at - time.monotonic()))
            result.began = time.monotonic() - start
            response = await http.post(f"/api/v1/appraisal/periods/{month}/compute")
            body = response.json() if response.content else {}
            result.answer = str(response.status_code)
            if response.status_code == 202:
                job = response.headers.get("location") or next(
                    (body[k] for k in ("location", "href", "url", "job_url") if body.get(k)), None
                )
                if not job:
                    raise SystemExit(f"202 without a job address: {response.text[:300]}")
                state = ""
                while state not in ("done", "failed"):
                    await asyncio.sleep(0.25)
                    polled = (await http.get(job)).json()
                    state = str(polled.get("state") or polled.get("status") or "")
                result.answer = f"202, job {state}"
            elif response.status_code != 200:
                result.answer = f"{response.status_code} {body.get('code', '')}"
            result.ended = time.monotonic() - start
        finally:
            await http.aclose()

    return run


def warm_shots(province: Province, *, per_site: int, images: int, base_url: str, run: str) -> list[Shot]:
    """Check-ins at every site, so each server process has loaded the galleries, then ``images`` photos for the encoders."""
    now = dt.datetime.now(dt.UTC)
    client = httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT)
    firsts: dict[int, Person] = {}
    for person in province.people:
        firsts.setdefault(person.site, person)
    pictured = [p for p in province.people if p.images][:images]
    plan = [(p, None) for _, p in sorted(firsts.items()) * per_site] + [(p, p.images[0]) for p in pictured]
    shots = []
    for i, (person, photo) in enumerate(plan):
        device = province.terminals[person.site][i % len(province.terminals[person.site])]
        event = CheckInEvent(
            event_id=f"{run}-{i:06d}",
            captured_at=now.replace(microsecond=0),
            fingerprint=synthetic_touch(person.finger(), i),
            face_encoding=None if photo else person.encoding(),
            face_image=Path(photo).read_bytes() if photo else None,
        )
        # Photos half a second apart: the encoder processes start up on the first ones and must not be flooded.
        at = i * 0.005 if photo is None else len(firsts) * per_site * 0.005 + (i - len(firsts) * per_site) * 0.5
        shots.append(Shot(at, build_request(client, event, serial=device.serial, secret=device.secret, created=now)))
    return shots


async def settle(pid: int, *, quiet: float = 0.1, limit: float = 120.0) -> None:
    """Wait until a process tree uses less than ``quiet`` of a core over a second (encoders loaded, caches written)."""
    from bench.shared import spent, tree_cpu

    deadline = time.monotonic() + limit
    before = tree_cpu(pid)
    while time.monotonic() < deadline:
        await asyncio.sleep(1.0)
        after = tree_cpu(pid)
        if spent(before, after) < quiet:
            return
        before = after
