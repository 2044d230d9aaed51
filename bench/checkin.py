"""Check-in throughput and latency through a real server process, beside bare face_recognition encoding.

    uv run python bench/checkin.py [--image-events 60] [--events 1000] [--database-url URL] [--only encoding]

Cases: (a) the image path (JPEG face + ISO record) with 1 and 2 face-encoder workers, (b) the encoding
path (face_encoding + ISO record), (c) ZKTeco ATTLOG lines (1 and 20 per upload). The baseline is
face_recognition itself encoding the same images in this run (HOG upsample 0, model 'small', one
jitter: what the service does), in 1 and in 2 processes. Goals: the image path adds under 15 % to
the bare encoding cost (1 worker), and 2 workers give at least 1.7x one.

The encoding path has its own baseline on PostgreSQL: a bare Litestar app that parses the same multipart
bodies and stores each with one asyncpg INSERT (bench/bare_checkin_app.py), served by uvicorn in one
process as `serve` is, sent the same requests at the same concurrency. Goal: one `serve` process reaches
at least half its rate. `--only encoding` runs just those two (and no face encoding at all).

The load generator shares this machine's cores with the server. For the image cases it builds and signs
every request before the clock starts (terminals are separate devices: their signing is not the
service's cost), then only sends them; `--simulated-image-load` drives them through the simulator instead.

Faces from $WINDOW_STAFF_SHARED_DATA/faces/lfw-subset (default <repo>/../shared/data); without them,
the images packaged with matplotlib and scikit-image.
"""

from __future__ import annotations

import os

# Before numpy loads, here and in every process spawned from here: OpenBLAS threads stalled matching under load.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import asyncio
import base64
import statistics
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from bench.shared import faces_folder, scratch_database_for_run
from tests.terminals.live import LiveServer
from window_staff.app import build_context
from window_staff.common.db import close_pool, start_pool
from window_staff.migrations import migrate
from window_staff.settings import load_settings
from window_staff.terminals.simulator import Plan, Summary, simulate
from window_staff.terminals.simulator_setup import Credentials, provision

KEY = base64.b64encode(os.urandom(32)).decode()


def _bare_encode(path: str) -> float:
    """face_recognition alone: load, HOG detect (upsample 0), encode ('small', 1 jitter); seconds."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)
        import face_recognition

    started = time.perf_counter()
    image = face_recognition.load_image_file(path)
    boxes = face_recognition.face_locations(image, number_of_times_to_upsample=0, model="hog")
    face_recognition.face_encodings(image, known_face_locations=boxes[:1], num_jitters=1, model="small")
    return time.perf_counter() - started


def baseline(images: list[str], *, processes: int, rounds: int) -> tuple[float, list[float]]:
    """Images per second and per-image seconds of bare encoding, in ``processes`` worker processes."""
    work = images * rounds
    with ProcessPoolExecutor(max_workers=processes) as pool:
        list(pool.map(_bare_encode, images[:processes]))  # load the models in every worker first
        started = time.perf_counter()
        times = list(pool.map(_bare_encode, work))
    return len(work) / (time.perf_counter() - started), times


async def setup(url: str, faces: Path | None, data_dir: Path) -> Credentials:
    """Migrate and provision staff from the faces, signed and ZKTeco terminals."""
    ctx = build_context(load_settings({}, database_url=url, data_dir=data_dir, vault_key=KEY, face_pool_warm=False))
    await start_pool(ctx.engine)
    try:
        await migrate(ctx.engine)
        return await provision(ctx, terminals_per_kind=10, kinds=("signed", "zkteco"), staff=10, faces=faces, actor="bench")
    finally:
        await close_pool(ctx.engine)


async def served(url: str, data_dir: Path, creds: Credentials, plan: Plan, *, workers: int = 1) -> Summary:
    """One case against a fresh server process (warm encoder workers, logs at WARNING)."""
    env = {"WINDOW_STAFF_VAULT_KEY": KEY, "WINDOW_STAFF_FACE_WORKERS": str(workers), "WINDOW_STAFF_FACE_POOL_WARM": "true"}
    server = LiveServer(database_url=url, data_dir=data_dir, env=env)
    await server.start()
    try:
        # Warm-up outside the measurement: the workers' first encodings and the server's caches.
        await simulate(
            creds,
            plan=Plan(events=2, payload=plan.payload, terminals=max(2, workers * 2), concurrency=plan.concurrency),
            base_url=server.url,
        )
        return await simulate(creds, plan=plan, base_url=server.url)
    finally:
        server.stop()


async def presigned_images(url: str, data_dir: Path, creds: Credentials, *, events: int, concurrency: int, workers: int) -> Summary:
    """The image path with every request built and signed up front; counts only sending and answers."""
    import datetime as dt
    import itertools
    import uuid

    import httpx

    from window_staff.terminals.client import CheckInEvent, build_request

    env = {"WINDOW_STAFF_VAULT_KEY": KEY, "WINDOW_STAFF_FACE_WORKERS": str(workers), "WINDOW_STAFF_FACE_POOL_WARM": "true"}
    server = LiveServer(database_url=url, data_dir=data_dir, env=env)
    await server.start()
    people = [s for s in creds.staff if s.images]
    signed = [t for t in creds.terminals if t.kind == "signed"]
    frames = {p: Path(p).read_bytes() for s in people for p in s.images}
    summary = Summary(planned=events, payload="image", terminals=len(signed))
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            run = uuid.uuid4().hex[:8]
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            pairs = zip(itertools.cycle(people), itertools.cycle(signed), strict=False)
            requests = []
            for i, (who, terminal) in zip(range(events + 2 * concurrency), pairs, strict=False):
                event = CheckInEvent(
                    event_id=f"{run}-{i}", captured_at=now, fingerprint=who.fingerprint, face_image=frames[who.images[i % len(who.images)]]
                )
                requests.append(build_request(http, event, serial=terminal.serial, secret=terminal.secret))
            warm, timed = requests[: 2 * concurrency], requests[2 * concurrency :]
            await asyncio.gather(*(http.send(r) for r in warm))
            gate = asyncio.Semaphore(concurrency)

            async def one(request: httpx.Request) -> None:
                async with gate:
                    started = time.perf_counter()
                    response = await http.send(request)
                    summary.latencies.append(time.perf_counter() - started)
                    summary.statuses[response.status_code] = summary.statuses.get(response.status_code, 0) + 1
                    if response.status_code == 200:
                        summary.acknowledged += 1

            started = time.perf_counter()
            await asyncio.gather(*(one(r) for r in timed))
            summary.elapsed = time.perf_counter() - started
        return summary
    finally:
        server.stop()


def _signed_encodings(http, creds: Credentials, *, events: int, run: str) -> list:
    """Signed encoding-path requests (face_encoding + a fresh synthetic touch per event), built before any clock starts."""
    import datetime as dt
    import itertools

    from window_staff.biometrics.synthetic import synthetic_touch
    from window_staff.terminals.client import CheckInEvent, build_request

    signed = [t for t in creds.terminals if t.kind == "signed"]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    pairs = zip(itertools.cycle(creds.staff), itertools.cycle(signed), strict=False)
    out = []
    for i, (who, terminal) in zip(range(events), pairs, strict=False):
        event = CheckInEvent(
            event_id=f"{run}-{i}", captured_at=now, face_encoding=who.face_encoding, fingerprint=synthetic_touch(who.fingerprint, i)
        )
        out.append(build_request(http, event, serial=terminal.serial, secret=terminal.secret))
    return out


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _drive(http, requests: list, *, concurrency: int, warm: int, pid: int) -> Summary:
    """Send the first ``warm`` requests untimed, then the rest ``concurrency`` at a time; latency per request.

    Also the server process's CPU per event (``summary.cpu_ms``): unlike the rate, it hardly moves when other
    work shares the machine.
    """
    summary = Summary(planned=len(requests) - warm, payload="encoding", terminals=concurrency)
    gate = asyncio.Semaphore(concurrency)

    async def one(request, timed: bool) -> None:
        async with gate:
            started = time.perf_counter()
            response = await http.send(request)
            if timed:
                summary.latencies.append(time.perf_counter() - started)
                summary.statuses[response.status_code] = summary.statuses.get(response.status_code, 0) + 1
                summary.acknowledged += response.status_code == 200

    await asyncio.gather(*(one(r, False) for r in requests[:warm]))
    started, cpu = time.perf_counter(), _cpu_seconds(pid)
    await asyncio.gather(*(one(r, True) for r in requests[warm:]))
    summary.elapsed = time.perf_counter() - started
    summary.cpu_ms = (_cpu_seconds(pid) - cpu) * 1000 / max(1, summary.acknowledged)  # type: ignore[attr-defined]
    return summary


async def presigned_encodings(url: str, data_dir: Path, creds: Credentials, *, events: int, concurrency: int) -> Summary:
    """The encoding path through one `serve` process, every request signed up front."""
    import uuid

    import httpx

    server = LiveServer(database_url=url, data_dir=data_dir, env={"WINDOW_STAFF_VAULT_KEY": KEY})
    await server.start()
    try:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as http:
            requests = _signed_encodings(http, creds, events=events + 2 * concurrency, run=uuid.uuid4().hex[:8])
            assert server.proc is not None
            return await _drive(http, requests, concurrency=concurrency, warm=2 * concurrency, pid=server.proc.pid)
    finally:
        server.stop()


async def bare_litestar(url: str, data_dir: Path, creds: Credentials, *, events: int, concurrency: int) -> Summary:
    """The same requests to bench/bare_checkin_app.py (one uvicorn process, one asyncpg INSERT each)."""
    import subprocess
    import uuid

    import httpx

    from tests.terminals.live import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WINDOW_STAFF_")}
    log = (data_dir / "bare.log").open("ab")
    command = [sys.executable, "-m", "uvicorn", "bench.bare_checkin_app:app", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--log-level", "warning", "--no-access-log", "--no-date-header"],
        cwd=REPO,
        env={**env, "BARE_DATABASE_URL": url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    try:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60, limits=limits) as http:
            for _ in range(150):
                try:
                    if (await http.get("/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.2)
            requests = _signed_encodings(http, creds, events=events + 2 * concurrency, run=uuid.uuid4().hex[:8])
            return await _drive(http, requests, concurrency=concurrency, warm=2 * concurrency, pid=proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def encoding_table(enc: Summary, bare: Summary | None) -> None:
    """The encoding path beside the bare Litestar + asyncpg insert, and the ratio."""
    print(f"\n{'case':<40} {'conc':>5} {'events':>7} {'events/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'vs bare':>8} {'CPU ms/ev':>10}")
    rows = [("(b) encoding path (encoding + ISO)", enc)] + ([("bare Litestar + asyncpg INSERT", bare)] if bare else [])
    for name, s in rows:
        ratio = f"{s.rate / bare.rate:>7.2f}x" if bare else "      -"
        p50, p95 = s.percentile(0.5) * 1000, s.percentile(0.95) * 1000
        print(f"{name:<40} {s.terminals:>5} {s.acknowledged:>7} {s.rate:>9.1f} {p50:>8.1f} {p95:>8.1f} {ratio} {s.cpu_ms:>10.2f}")
        bad = {k: v for k, v in s.statuses.items() if k != 200}
        if bad or s.acknowledged != s.planned:
            print(f"    ! {s.acknowledged}/{s.planned} acknowledged, other statuses {bad}")
    if bare:
        print(f"\nencoding path: one serve process reaches {enc.rate / bare.rate:.2f} of the bare insert (goal: at least 0.5)")
        print(f"server CPU per check-in: {enc.cpu_ms / bare.cpu_ms:.1f}x the bare insert's")


def row(name: str, workers: str, conc: str, n: int, rate: float, p50: float, p95: float, base_rate: float) -> str:
    """A table line; the last column is this rate over the 1-process bare encoding rate."""
    return f"{name:<34} {workers:>7} {conc:>5} {n:>7} {rate:>9.1f} {p50 * 1000:>8.1f} {p95 * 1000:>8.1f} {rate / base_rate:>9.2f}x"


def main() -> int:
    """Run every case and print the table and the goals."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--image-events", type=int, default=60, help="check-ins per image case (default 60)")
    parser.add_argument("--events", type=int, default=1000, help="check-ins per encoding/ADMS case (default 1000)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the images for the baseline (default 2)")
    parser.add_argument("--database-url", help="a database to use (default: a fresh SQLite file)")
    parser.add_argument(
        "--simulated-image-load", action="store_true", help="image cases through the simulator (signing inside the timed window)"
    )
    parser.add_argument("--only", choices=["encoding"], help="run only the encoding path and its bare Litestar baseline")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-checkin-"))
    if args.database_url and args.database_url.startswith("postgres"):
        # A database of its own each run: a second run on one already provisioned found its audit chain keyed by the first.
        with scratch_database_for_run(args.database_url, f"ws_checkin_{os.getpid()}") as url:
            return run(args, url, scratch)
    return run(args, args.database_url or f"sqlite:///{scratch / 'bench.sqlite3'}", scratch)


def run(args: argparse.Namespace, url: str, scratch: Path) -> int:
    """Every case on one database."""
    if args.only == "encoding":
        creds = asyncio.run(setup(url, None, scratch))
        print(f"database {url.split(':')[0]}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
        enc = asyncio.run(presigned_encodings(url, scratch, creds, events=args.events, concurrency=10))
        bare = asyncio.run(bare_litestar(url, scratch, creds, events=args.events, concurrency=10)) if url.startswith("postgres") else None
        if bare is None:
            print("note: the bare Litestar + asyncpg baseline needs --database-url postgresql://...")
        encoding_table(enc, bare)
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
        return 0
    creds = asyncio.run(setup(url, faces_folder(scratch), scratch))
    images = sorted({p for s in creds.staff for p in s.images})
    if not images:
        print("no usable face image: nothing to benchmark on the image path")
        return 0
    print(
        f"{len(images)} face images of {sum(1 for s in creds.staff if s.images)} people; database {url.split(':')[0]}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start"
    )
    base1, times1 = baseline(images, processes=1, rounds=args.rounds)
    base2, times2 = baseline(images, processes=2, rounds=args.rounds)
    per_terminal = max(1, args.image_events // 4)
    if args.simulated_image_load:
        image1 = asyncio.run(served(url, scratch, creds, Plan(events=per_terminal, payload="image", terminals=4, concurrency=4), workers=1))
        image2 = asyncio.run(served(url, scratch, creds, Plan(events=per_terminal, payload="image", terminals=4, concurrency=4), workers=2))
    else:
        image1 = asyncio.run(presigned_images(url, scratch, creds, events=args.image_events, concurrency=4, workers=1))
        image2 = asyncio.run(presigned_images(url, scratch, creds, events=args.image_events, concurrency=4, workers=2))
    enc = asyncio.run(presigned_encodings(url, scratch, creds, events=args.events, concurrency=10))
    bare = asyncio.run(bare_litestar(url, scratch, creds, events=args.events, concurrency=10)) if url.startswith("postgres") else None
    adms1 = asyncio.run(served(url, scratch, creds, Plan(events=args.events // 10, payload="adms", terminals=10, concurrency=10)))
    adms20 = asyncio.run(
        served(url, scratch, creds, Plan(events=args.events // 10, payload="adms", terminals=10, concurrency=10, batch=20))
    )

    def pct(values: list[float], q: float) -> float:
        return sorted(values)[min(len(values) - 1, int(q * len(values)))]

    print(f"\n{'case':<34} {'workers':>7} {'conc':>5} {'events':>7} {'events/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'vs bare 1':>10}")
    print(row("bare face_recognition encode", "1 proc", "1", len(times1), base1, statistics.median(times1), pct(times1, 0.95), base1))
    print(row("bare face_recognition encode", "2 proc", "2", len(times2), base2, statistics.median(times2), pct(times2, 0.95), base1))
    for name, workers, s in (
        ("(a) image path (JPEG + ISO)", "1", image1),
        ("(a) image path (JPEG + ISO)", "2", image2),
        ("(b) encoding path (encoding + ISO)", "-", enc),
        ("(c) ADMS ATTLOG, 1 line/upload", "-", adms1),
        ("(c) ADMS ATTLOG, 20 lines/upload", "-", adms20),
    ):
        print(
            row(
                name,
                workers,
                str(s.terminals if s.payload != "image" else 4),
                s.acknowledged,
                s.rate,
                s.percentile(0.5),
                s.percentile(0.95),
                base1,
            )
        )
        bad = {k: v for k, v in s.statuses.items() if k != 200}
        if bad or s.errors or s.acknowledged != s.planned:
            print(f"    ! {s.acknowledged}/{s.planned} acknowledged, other statuses {bad}, errors {dict(s.errors)}")
    overhead = base1 / image1.rate - 1.0
    scaling = image2.rate / image1.rate
    print(f"\nimage path, 1 worker: the service adds {overhead * 100:+.1f} % to the bare encoding cost per check-in (goal: under 15 %)")
    print(f"image path: 2 workers give {scaling:.2f}x one (goal: at least 1.7x; bare encoding in 2 processes gives {base2 / base1:.2f}x)")
    encoding_table(enc, bare)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
