"""The ``window-staff`` command as an operator uses it, in a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pyotp
import pytest

from tests.conftest import ENGINE
from tests.terminals.live import LiveServer, free_port, port_was_taken


def run(args: list[str], *, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the CLI with a clean WINDOW_STAFF_* environment plus ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("WINDOW_STAFF_")}
    result = subprocess.run(
        [sys.executable, "-m", "window_staff.cli", *args], env={**base, **env}, capture_output=True, text=True, timeout=120
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}: {result.stderr}")
    return result


@pytest.fixture
def cli_env(tmp_path, database_url):
    """A data dir and a fresh database (migrated already on PostgreSQL, via the template)."""
    return {"WINDOW_STAFF_DATA_DIR": str(tmp_path), "WINDOW_STAFF_DATABASE_URL": database_url}


def test_migrate_applies_once_then_reports_up_to_date(tmp_path):
    env = {"WINDOW_STAFF_DATA_DIR": str(tmp_path)}
    first = run(["migrate"], env=env)
    assert "applied: 0001_initial" in first.stdout
    assert "up to date" in run(["migrate"], env=env).stdout


def test_serve_refuses_an_unmigrated_database(tmp_path):
    result = run(["serve"], env={"WINDOW_STAFF_DATA_DIR": str(tmp_path)}, check=False)
    assert result.returncode == 2 and "window-staff migrate" in result.stderr


def test_users_create_makes_the_first_admin_with_a_totp_uri(cli_env):
    result = run(["users", "create", "boss", "--password", "a long password"], env=cli_env)
    assert "created user boss" in result.stdout and "otpauth://totp/" in result.stdout


def test_users_create_refuses_a_short_password(cli_env):
    result = run(["users", "create", "boss", "--password", "short"], env=cli_env, check=False)
    assert result.returncode != 0


def test_audit_verify_says_ok_on_an_intact_chain(cli_env):
    run(["users", "create", "boss", "--password", "a long password"], env=cli_env)
    result = run(["audit", "verify"], env=cli_env)
    assert result.stdout.startswith("OK: 1 events")


@pytest.mark.skipif(
    ENGINE != "sqlite", reason="tampers through the sqlite3 module; the PostgreSQL pass tampers in tests/common/test_audit.py"
)
def test_audit_verify_names_the_tampered_row(cli_env):
    import sqlite3

    run(["users", "create", "boss", "--password", "a long password"], env=cli_env)
    run(["users", "create", "boss2", "--password", "a long password"], env=cli_env)
    conn = sqlite3.connect(cli_env["WINDOW_STAFF_DATABASE_URL"].removeprefix("sqlite:///"))
    conn.execute("DROP TRIGGER audit_event_no_update")
    conn.execute("UPDATE audit_event SET actor = 'mallory' WHERE id = 2")
    conn.commit()
    conn.close()
    result = run(["audit", "verify"], env=cli_env, check=False)
    assert result.returncode == 1 and "BROKEN at event id 2" in result.stdout


@pytest.mark.slow(seconds=15)
def test_demo_seeds_once_and_prints_logins(tmp_path):
    env = {"WINDOW_STAFF_DATA_DIR": str(tmp_path)}
    first = run(["demo", "--no-serve"], env=env)
    assert "admin" in first.stdout and "demo-pass-2026" in first.stdout
    second = run(["demo", "--no-serve"], env=env)
    assert second.returncode == 0
    assert run(["audit", "verify"], env=env).stdout.startswith("OK")


def _serve_demo(tmp_path) -> tuple[subprocess.Popen[str], str]:
    """``window-staff demo`` on a free port, once /health answers; another port if that one was taken before the demo bound it."""
    for _ in range(3):
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("WINDOW_STAFF_")},
            "WINDOW_STAFF_DATA_DIR": str(tmp_path),
            "WINDOW_STAFF_PORT": str(port),
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "window_staff.cli", "demo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        base = f"http://127.0.0.1:{port}"
        # Seeding (a month of punches, its appraisal) comes before serving: allow for a loaded machine.
        deadline = time.monotonic() + 180
        while proc.poll() is None:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200 and proc.poll() is None:
                    return proc, base
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                proc.terminate()
                proc.wait(timeout=20)
                raise AssertionError("demo did not come up")
            time.sleep(0.2)
        output = proc.stdout.read() if proc.stdout else ""
        if not port_was_taken(output):
            raise AssertionError(f"demo exited {proc.returncode}: {output[-2000:]}")
    raise AssertionError("no free port stayed free for the demo")


@pytest.mark.slow(seconds=15)
def test_the_demo_serves_health_openapi_and_an_admin_login_with_totp(tmp_path):
    proc, base = _serve_demo(tmp_path)
    try:
        assert httpx.get(f"{base}/api/schema/openapi.json").json()["info"]["title"] == "window-staff"
        from window_staff.demo import DEMO_PASSWORD, DEMO_USERS

        secret = dict((u, s) for u, _, s in DEMO_USERS)["admin"]
        login = httpx.post(
            f"{base}/api/v1/auth/login", json={"username": "admin", "password": DEMO_PASSWORD, "totp": pyotp.TOTP(secret).now()}
        )
        assert login.status_code == 200
        sites = httpx.get(f"{base}/api/v1/sites", headers={"Authorization": f"Bearer {login.json()['token']}"}).json()
        assert sites["total"] == 3
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def broken_rules(tmp_path):
    """A copy of the project's rules with one file that is not TOML."""
    import shutil
    from pathlib import Path

    target = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parents[1] / "rules", target)
    (target / "conduct.toml").write_text("nonsense = [\n", encoding="utf-8")
    return target


def broken_bonus_rules(tmp_path):
    """A copy of the project's rules whose bonus file has float money."""
    import shutil
    from pathlib import Path

    target = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parents[1] / "rules", target)
    bonus = target / "bonuses" / "bonus.toml"
    bonus.write_text(bonus.read_text(encoding="utf-8").replace('default_base = "1000.00"', "default_base = 1000.0"), encoding="utf-8")
    return target


def test_rules_check_passes_the_project_rules(tmp_path):
    result = run(["rules", "check"], env={"WINDOW_STAFF_DATA_DIR": str(tmp_path)})
    assert result.stdout.startswith("OK: ") and "calendar files, inspection policy and bonus rules: OK" in result.stdout


def test_rules_check_names_the_broken_file_and_exits_1(tmp_path):
    result = run(["rules", "check", str(broken_rules(tmp_path))], env={"WINDOW_STAFF_DATA_DIR": str(tmp_path)}, check=False)
    assert result.returncode == 1 and "conduct.toml: not valid" in result.stderr


def test_rules_check_names_the_broken_bonus_key_and_exits_1(tmp_path):
    result = run(["rules", "check", str(broken_bonus_rules(tmp_path))], env={"WINDOW_STAFF_DATA_DIR": str(tmp_path)}, check=False)
    assert result.returncode == 1 and "bonuses/bonus.toml: key 'per_person.default_base': TOML float" in result.stderr


def test_serve_refuses_to_start_on_broken_rules(cli_env, tmp_path):
    env = {**cli_env, "WINDOW_STAFF_RULES_DIR": str(broken_rules(tmp_path))}
    run(["migrate"], env=env)
    result = run(["serve"], env=env, check=False)
    assert result.returncode == 2 and "conduct.toml" in result.stderr


@pytest.mark.slow(seconds=10)
async def test_serve_counts_login_failures_against_the_peer_not_a_spoofed_x_forwarded_for(ctx, database_url, tmp_path):
    # uvicorn on its own believes X-Forwarded-For from 127.0.0.1, where this client connects from; serve must not.
    server = LiveServer(database_url=database_url, data_dir=tmp_path, env={"WINDOW_STAFF_LOGIN_MAX_FAILURES": "1"})
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            for i in range(4):  # an address may fail 4x the per-user limit
                wrong = {"username": f"nobody-{i}", "password": "wrong-wrong-wrong"}
                assert (await http.post("/api/v1/auth/login", json=wrong, headers={"X-Forwarded-For": f"192.0.2.{i}"})).status_code == 401
            # A failing attempt from the peer: 429 once the peer's failures reach the address limit.
            probe = {"username": "nobody-probe", "password": "wrong-wrong-wrong"}
            response = await http.post("/api/v1/auth/login", json=probe, headers={"X-Forwarded-For": "192.0.2.200"})
    finally:
        server.stop()
    assert response.status_code == 429


def test_rules_check_names_a_broken_leave_rule_and_exits_1(tmp_path):
    import shutil
    from pathlib import Path

    target = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parents[1] / "rules", target)
    leave = target / "attendance" / "leave.toml"
    broken = leave.read_text(encoding="utf-8").replace('kind = "sick"\npaid = true', 'kind = "sick"\npaid = "yes"')
    leave.write_text(broken, encoding="utf-8")
    result = run(["rules", "check", str(target)], env={"WINDOW_STAFF_DATA_DIR": str(tmp_path)}, check=False)
    assert result.returncode == 1 and "leave.toml: kind 'sick': 'paid' must be true or false" in result.stderr
