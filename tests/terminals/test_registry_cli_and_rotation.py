"""Registering a terminal from the command line and rotating its secret over the API."""

from __future__ import annotations

import base64

from tests.biometrics.conftest import VAULT_KEY
from tests.conftest import TEST_AUDIT_KEY
from tests.factories import logged_in, make_site
from tests.terminals.test_checkin_api import event, post
from tests.test_cli import run
from window_staff.terminals.client import send
from window_staff.terminals.tables import Terminal


async def test_cli_register_approves_and_prints_a_secret_that_signs(app_ctx, client, clock, database_url, tmp_path, desk):
    site = await make_site(app_ctx)
    env = {
        "WINDOW_STAFF_DATA_DIR": str(tmp_path),
        "WINDOW_STAFF_DATABASE_URL": database_url,
        "WINDOW_STAFF_VAULT_KEY": VAULT_KEY,
        "WINDOW_STAFF_AUDIT_KEY": TEST_AUDIT_KEY,
    }
    result = run(["terminals", "register", "CLI-T-1", "--site", site.code], env=env)
    secret = base64.b64decode(result.stdout.split("secret: ")[1].strip())
    row = await Terminal.select().where(Terminal.serial == "CLI-T-1").first()
    assert row["status"] == "approved" and row["site"] == site.id
    # The terminal is at another site than the enrolled staff member: signed and heard, but not matched.
    response = await send(client, event(desk, clock), serial="CLI-T-1", secret=secret, created=clock.now())
    assert response.status_code == 200 and response.json()["result"] == "rejected"


def test_cli_register_refuses_an_unknown_site(tmp_path, database_url):
    env = {
        "WINDOW_STAFF_DATA_DIR": str(tmp_path),
        "WINDOW_STAFF_DATABASE_URL": database_url,
        "WINDOW_STAFF_VAULT_KEY": VAULT_KEY,
        "WINDOW_STAFF_AUDIT_KEY": TEST_AUDIT_KEY,
    }
    result = run(["terminals", "register", "CLI-T-2", "--site", "NOPE"], env=env, check=False)
    assert result.returncode != 0 and "NOPE" in (result.stderr + result.stdout)


async def test_a_rotated_secret_keeps_the_previous_one_for_one_rotation(client, app_ctx, desk, clock):
    _, headers = await logged_in(client, app_ctx, "hr")
    terminal = await Terminal.select(Terminal.id).where(Terminal.serial == desk.serial).first()
    first = await client.post(f"/api/v1/terminals/{terminal['id']}/secrets", headers=headers)
    assert first.status_code == 201 and first.json()["active_secrets"] == 2
    newer = base64.b64decode(first.json()["secret"])
    assert (await post(client, desk, event(desk, clock, "r-1"), clock)).status_code == 200
    assert (await send(client, event(desk, clock, "r-2"), serial=desk.serial, secret=newer, created=clock.now())).status_code == 200
    await client.post(f"/api/v1/terminals/{terminal['id']}/secrets", headers=headers)
    assert (await post(client, desk, event(desk, clock, "r-3"), clock)).status_code == 401


async def test_only_hr_or_admin_may_issue_a_secret(client, app_ctx, desk):
    _, headers = await logged_in(client, app_ctx, "inspector")
    terminal = await Terminal.select(Terminal.id).where(Terminal.serial == desk.serial).first()
    assert (await client.post(f"/api/v1/terminals/{terminal['id']}/secrets", headers=headers)).status_code == 403


def _env(tmp_path, database_url) -> dict[str, str]:
    """The CLI's environment: this test's database and the tests' keys."""
    return {
        "WINDOW_STAFF_DATA_DIR": str(tmp_path),
        "WINDOW_STAFF_DATABASE_URL": database_url,
        "WINDOW_STAFF_VAULT_KEY": VAULT_KEY,
        "WINDOW_STAFF_AUDIT_KEY": TEST_AUDIT_KEY,
    }
