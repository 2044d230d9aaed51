"""Pieces several benchmarks use: where the face samples are, CPU time of process trees, a scratch PostgreSQL database."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

REPO = Path(__file__).resolve().parents[1]
_TICK = os.sysconf("SC_CLK_TCK")


def faces_folder(scratch: Path) -> Path:
    """LFW subset from the shared data, else the two package faces written to a scratch folder."""
    lfw = Path(os.environ.get("WINDOW_STAFF_SHARED_DATA", REPO.parent / "shared" / "data")) / "faces" / "lfw-subset"
    if lfw.is_dir():
        return lfw
    print(f"note: {lfw} not found; using the packaged grace_hopper and astronaut images (2 people)")
    from matplotlib import cbook
    from PIL import Image
    from skimage import data

    folder = scratch / "faces"
    folder.mkdir(exist_ok=True)
    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        (folder / "grace_hopper.jpg").write_bytes(fh.read())
    Image.fromarray(data.astronaut()).save(folder / "astronaut.jpg", quality=92)
    return folder


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process: user + system, its own and its reaped children's."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # the command name may hold spaces and parentheses
    # fields[0] is field 3 (state) of proc(5): ppid is field 4, utime..cstime fields 14-17
    return int(fields[1]), sum(int(v) for v in fields[11:15]) / _TICK


def tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds of a process and every descendant alive now, by pid."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _stat(int(entry.name))) is not None:
            table[int(entry.name)] = found
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in table and pid not in out:
            out[pid] = table[pid][1]
            todo.extend(child for child, (parent, _) in table.items() if parent == pid)
    return out


def pids_cpu(pids: Iterable[int]) -> dict[int, float]:
    """CPU seconds of the given processes that are still alive."""
    return {pid: found[1] for pid in pids if (found := _stat(pid)) is not None}


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two snapshots (processes started in between count from zero)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


@contextlib.contextmanager
def scratch_database_for_run(url: str, name: str) -> Iterator[str]:
    """``scratch_database`` for a benchmark that runs several event loops one after another (asyncio.run per case)."""
    import asyncio

    # Not the async manager across loops: asyncio.run finalises its generator, which would drop the database at once.
    asyncio.run(_recreate(url, name, create=True))
    try:
        yield urlunparse(urlparse(url)._replace(path=f"/{name}"))
    finally:
        asyncio.run(_recreate(url, name, create=False))


async def _recreate(url: str, name: str, *, create: bool) -> None:
    import asyncpg

    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def scratch_database(url: str, name: str) -> AsyncIterator[str]:
    """A fresh PostgreSQL database on ``url``'s server, dropped afterwards; yields its URL."""
    await _recreate(url, name, create=True)
    try:
        yield urlunparse(urlparse(url)._replace(path=f"/{name}"))
    finally:
        await _recreate(url, name, create=False)
