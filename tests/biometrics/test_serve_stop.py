"""``window-staff serve`` stops at SIGTERM while it is still building a site's fingerprint templates at start-up."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from pathlib import Path

import pytest

from tests.biometrics.conftest import VAULT_KEY
from tests.factories import make_staff, make_window
from tests.terminals.live import LiveServer
from window_staff.biometrics import domain, store
from window_staff.biometrics.synthetic import synthetic_record
from window_staff.biometrics.tables import BiometricTemplate
from window_staff.common.db import write_transaction

# ~7 ms each: about two minutes of building for one process, far longer than the stop may take.
UNBUILT = 16_000
STOPS_WITHIN = 30  # seconds; a stop that waited for the build would take minutes


async def _unbuilt_site(ctx) -> int:
    """A site whose impressions were all enrolled before built templates were stored (its first load builds them)."""
    window = await make_window(ctx)
    people = [await make_staff(ctx, window=window) for _ in range(4)]
    record = synthetic_record(11)
    vault = store.vault(ctx)
    async with write_transaction(ctx.engine):
        for start in range(0, UNBUILT, 500):
            rows = []
            for i in range(start, min(start + 500, UNBUILT)):
                staff_id = people[i % len(people)].id
                ciphertext, nonce = vault.seal(record, staff_id=staff_id, modality="fingerprint", version=domain.FINGERPRINT_VERSION)
                rows.append(
                    BiometricTemplate(
                        staff=staff_id,
                        modality="fingerprint",
                        version=domain.FINGERPRINT_VERSION,
                        ciphertext=ciphertext,
                        nonce=nonce,
                        finger_position=2,
                        impression=i + 1,
                    )
                )
            await BiometricTemplate.insert(*rows)
        await store.bump_galleries([window.site_id])
    return window.site_id


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (uvicorn's workers), but multiprocessing's resource tracker (it ends by itself)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            tracker = b"resource_tracker" in (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and not tracker:
            out.append(int(stat.parent.name))
    return out


async def _building(server: LiveServer, *, processes: int) -> None:
    """Wait until ``processes`` server processes have logged that they are building the site's impressions."""
    for _ in range(600):
        if server.log_path.read_text(errors="replace").count("finger impressions that have no stored template") >= processes:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"no build started: {server.log_path.read_text(errors='replace')[-2000:]}")


@pytest.mark.slow(seconds=40)
@pytest.mark.parametrize(
    ("workers", "sig"), [(1, signal.SIGTERM), (2, signal.SIGTERM), (1, signal.SIGINT)], ids=["1-term", "2-term", "1-int"]
)
async def test_a_stop_signal_ends_every_server_process_while_they_build_a_sites_templates(ctx, database_url, tmp_path, workers, sig):
    await _unbuilt_site(ctx)
    command = ("serve", "--workers", str(workers)) if workers > 1 else ("serve",)
    env = {"WINDOW_STAFF_VAULT_KEY": VAULT_KEY, "WINDOW_STAFF_LOG_LEVEL": "INFO", "WINDOW_STAFF_GALLERY_WARM": "true"}
    server = LiveServer(database_url=database_url, data_dir=tmp_path, env=env, command=command)
    await server.start()
    assert server.proc is not None
    try:
        await _building(server, processes=workers)
        children = _children(server.proc.pid)
        server.proc.send_signal(sig)
        code = server.proc.wait(timeout=STOPS_WITHIN)
    except subprocess.TimeoutExpired:
        pytest.fail(f"serve still running {STOPS_WITHIN} s after {sig.name}")
    finally:
        server.stop()  # SIGKILL if it is still there
    assert code in (0, -sig, 1)  # uvicorn raises the signal again once its shutdown is complete
    assert [pid for pid in children if Path(f"/proc/{pid}").exists()] == []
    assert await BiometricTemplate.count().where(BiometricTemplate.built.is_not_null()) == 0  # stopped mid-build
