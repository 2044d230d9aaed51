"""``window-staff queues import FILE.csv`` and ``queues simulate`` through ``main``, against the test's database (own engine)."""

from __future__ import annotations

from tests.attendance.support import full_day, make_world
from tests.cli_harness import cli_run  # noqa: F401  (the `run` fixture)
from tests.evaluations.support_ratings import settings  # noqa: F401  (a vault key: device secrets are sealed)
from tests.factories import make_user
from tests.queues.support import csv_bytes, make_hall, site_code, stored_counts


async def test_the_command_imports_a_file_and_a_second_run_skips_it(ctx, run, tmp_path, capsys) -> None:
    hall = await make_hall(ctx)
    path = tmp_path / "0303.csv"
    path.write_bytes(csv_bytes([hall.row("E1"), hall.row("E2", "called", at="2025-03-03 09:10")]))
    assert await run("queues", "import", str(path), "--quiet") == 0
    assert capsys.readouterr().out.startswith(
        "0303.csv: 2 rows: 2 imported, 0 skipped as already imported, 0 already received from the queue device, 0 for HR's exception list"
    )
    assert await run("queues", "import", str(path), "--quiet") == 0
    assert "0 imported, 2 skipped" in capsys.readouterr().out


async def test_the_command_prints_every_bad_line_and_exits_1(ctx, run, tmp_path, capsys) -> None:
    hall = await make_hall(ctx)
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([hall.row("E1"), hall.row("E2", "transferred"), hall.row("E3", employee_no="E-NOBODY")]))
    assert await run("queues", "import", str(path), "--quiet") == 1
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[1].strip() for line in err[:-1]] == ["line 3, to_window", "line 4, employee_no"]
    assert err[-1] == "import refused: 2 problem(s) on 2 line(s); nothing was imported" and await stored_counts() == (0, 0, 0)


async def test_the_command_refuses_a_user_without_the_hr_role(ctx, run, tmp_path, capsys) -> None:
    hall = await make_hall(ctx)
    path = tmp_path / "0303.csv"
    path.write_bytes(csv_bytes([hall.row("E1")]))
    approver = await make_user(ctx, "approver")
    assert await run("queues", "import", str(path), "--as", approver.username) == 1
    assert "does not hold the role 'hr'" in capsys.readouterr().err


async def test_the_simulator_is_set_up_at_a_site_and_writes_a_day_that_imports(ctx, run, tmp_path, capsys) -> None:
    world = await make_world(ctx)
    await full_day(ctx, world.staff[0].id, 3, site_id=world.site_id)
    code, creds, export = await site_code(ctx, world.site_id), tmp_path / "queue.json", tmp_path / "0303.csv"
    assert await run("queues", "simulate", "--setup", "--site", code, "--credentials", str(creds)) == 0
    assert f"window {world.window.number}: permit, social, tax" in capsys.readouterr().out  # one window: it calls them all
    argv = ("queues", "simulate", "--credentials", str(creds), "--day", "2025-03-03", "--tickets", "40", "--csv", str(export))
    assert await run(*argv) == 0
    events = int(capsys.readouterr().out.split("events: ")[1].split()[0])
    assert await run("queues", "import", str(export)) == 0 and (await stored_counts())[0] == events > 0


async def test_the_simulator_refuses_a_day_nobody_checked_in(ctx, run, tmp_path, capsys) -> None:
    world = await make_world(ctx)
    creds = tmp_path / "queue.json"
    assert await run("queues", "simulate", "--setup", "--site", await site_code(ctx, world.site_id), "--credentials", str(creds)) == 0
    assert await run("queues", "simulate", "--credentials", str(creds), "--day", "2025-03-04", "--csv", str(tmp_path / "x.csv")) == 1
    assert "nobody was checked in" in capsys.readouterr().err and not (tmp_path / "x.csv").exists()
