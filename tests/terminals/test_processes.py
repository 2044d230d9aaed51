"""Several server processes on one database decide as one: what one process learns, the others know."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests.biometrics.conftest import VAULT_KEY
from tests.factories import make_user
from tests.terminals.live import LiveServer
from window_staff.biometrics import matching, mcc, service as biometrics, store
from window_staff.biometrics.built import BUILDS
from window_staff.biometrics.tables import BiometricTemplate
from window_staff.common.context import AppContext
from window_staff.org import service as org
from window_staff.terminals.client import CheckInEvent, send
from window_staff.terminals.simulator_setup import provision

ENV = {"WINDOW_STAFF_VAULT_KEY": VAULT_KEY}


def _event(creds, n: int) -> CheckInEvent:
    person = creds.staff[n % len(creds.staff)]
    return CheckInEvent(
        event_id=f"two-proc-{n}", captured_at=dt.datetime.now(dt.UTC), face_encoding=person.face_encoding, fingerprint=person.fingerprint
    )


async def _servers(database_url: str, tmp_path, *commands: tuple[str, ...]) -> list[LiveServer]:
    servers = []
    for i, command in enumerate(commands):
        folder = tmp_path / f"server{i}"
        folder.mkdir()
        server = LiveServer(database_url=database_url, data_dir=folder, env=ENV, command=command)
        await server.start()
        servers.append(server)
    return servers


@pytest.mark.slow(seconds=20)
async def test_a_nonce_burned_on_one_process_is_refused_on_the_other(ctx, database_url, tmp_path):
    creds = await provision(ctx, terminals_per_kind=1, staff=2, actor="test")
    terminal = creds.terminals[0]
    a, b = await _servers(database_url, tmp_path, ("serve",), ("serve",))
    try:
        async with httpx.AsyncClient(base_url=a.url, timeout=30) as on_a, httpx.AsyncClient(base_url=b.url, timeout=30) as on_b:
            first = await send(on_a, _event(creds, 1), serial=terminal.serial, secret=terminal.secret, nonce="shared-nonce-0001")
            again = await send(on_b, _event(creds, 2), serial=terminal.serial, secret=terminal.secret, nonce="shared-nonce-0001")
            fresh = await send(on_b, _event(creds, 3), serial=terminal.serial, secret=terminal.secret, nonce="fresh-nonce-0002")
    finally:
        a.stop()
        b.stop()
    assert first.status_code == 200 and first.json()["result"] == "accepted"
    assert again.status_code == 401 and again.json()["code"] == "signature_refused"
    assert fresh.status_code == 200 and fresh.json()["result"] == "accepted"


@pytest.mark.slow(seconds=20)
async def test_a_login_throttled_on_one_process_is_throttled_on_the_other(ctx, database_url, tmp_path):
    user = await make_user(ctx, "staff")
    a, b = await _servers(database_url, tmp_path, ("serve",), ("serve",))
    wrong = {"username": user.username, "password": "not-the-password"}
    try:
        async with httpx.AsyncClient(base_url=a.url, timeout=30) as on_a, httpx.AsyncClient(base_url=b.url, timeout=30) as on_b:
            failures = [await on_a.post("/api/v1/auth/login", json=wrong) for _ in range(ctx.settings.login_max_failures)]
            on_other = await on_b.post("/api/v1/auth/login", json={"username": user.username, "password": user.password})
    finally:
        a.stop()
        b.stop()
    assert [r.status_code for r in failures] == [401] * ctx.settings.login_max_failures
    # Inside the account's short wait after its failures, on any process; a wait, not a lockout.
    assert on_other.status_code == 429 and on_other.json()["code"] == "login_throttled"
    assert 0 < int(on_other.headers["retry-after"]) <= ctx.settings.login_backoff_base_seconds


@pytest.mark.slow(seconds=20)
async def test_serve_with_two_workers_answers_each_event_once(ctx, database_url, tmp_path):
    creds = await provision(ctx, terminals_per_kind=1, staff=2, actor="test")
    terminal = creds.terminals[0]
    [server] = await _servers(database_url, tmp_path, ("serve", "--workers", "2"))
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            events = [_event(creds, n) for n in range(6)]
            answers = [await send(client, event, serial=terminal.serial, secret=terminal.secret) for event in events]
            replay = await send(client, events[0], serial=terminal.serial, secret=terminal.secret)  # a new nonce, the same event
    finally:
        server.stop()
    assert [r.json()["result"] for r in answers] == ["accepted"] * 6
    assert replay.status_code == 200 and replay.content == answers[0].content  # the first answer, byte for byte


@pytest.mark.slow(seconds=20)
async def test_a_withdrawal_made_elsewhere_changes_a_running_process_decision_at_once(ctx, database_url, tmp_path):
    creds = await provision(ctx, terminals_per_kind=1, staff=2, actor="test")
    terminal, person = creds.terminals[0], creds.staff[0]
    staff_id = (await org.staff_ids_by_employee_no([person.employee_no]))[person.employee_no]
    [server] = await _servers(database_url, tmp_path, ("serve",))
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            before = await send(client, _event(creds, 0), serial=terminal.serial, secret=terminal.secret)
            # Another process (this test's own) withdraws the person's face consent, which deletes their face templates.
            await biometrics.withdraw_consent(ctx, staff_id, "face", actor="test")
            after = await send(client, _event(creds, 2), serial=terminal.serial, secret=terminal.secret)
    finally:
        server.stop()
    assert before.json()["result"] == "accepted" and before.json()["employee_no"] == person.employee_no
    assert after.json()["result"] == "rejected"


@pytest.mark.slow(seconds=25)
async def test_two_processes_building_the_same_old_enrolments_both_decide_and_leave_them_stored_once_built(ctx, database_url, tmp_path):
    creds = await provision(ctx, terminals_per_kind=1, staff=3, actor="test")
    terminal = creds.terminals[0]
    # As enrolled before built templates were stored: both processes build them at start-up and store them.
    await BiometricTemplate.update(
        {BiometricTemplate.built: None, BiometricTemplate.built_nonce: None, BiometricTemplate.built_version: None}, force=True
    )
    a, b = await _servers(database_url, tmp_path, ("serve",), ("serve",))
    try:
        async with httpx.AsyncClient(base_url=a.url, timeout=30) as on_a, httpx.AsyncClient(base_url=b.url, timeout=30) as on_b:
            answers = [
                await send(c, _event(creds, n), serial=terminal.serial, secret=terminal.secret) for n, c in enumerate([on_a, on_b] * 3)
            ]
    finally:
        a.stop()
        b.stop()
    assert [r.json()["result"] for r in answers] == ["accepted"] * 6
    fingerprints = await BiometricTemplate.select(BiometricTemplate.built_version).where(BiometricTemplate.modality == "fingerprint")
    assert fingerprints and {r["built_version"] for r in fingerprints} == {mcc.PARAMS_VERSION}
    before = BUILDS.copy()
    [site_id] = await store.sites_with_galleries()
    await matching.site_templates(AppContext(settings=ctx.settings, engine=ctx.engine, clock=ctx.clock), site_id)
    assert BUILDS["enrolled"] == before["enrolled"] and BUILDS["loaded"] - before["loaded"] == len(fingerprints)
