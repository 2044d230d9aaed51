"""``window-staff queues import FILE.csv`` through ``main``, against the test's database (the command has its own engine)."""

from __future__ import annotations

from tests.cli_harness import cli_run  # noqa: F401  (the `run` fixture)
from tests.factories import make_user
from tests.queues.support import csv_bytes, make_hall, stored_counts


async def test_the_command_imports_a_file_and_a_second_run_skips_it(ctx, run, tmp_path, capsys) -> None:
    hall = await make_hall(ctx)
    path = tmp_path / "0303.csv"
    path.write_bytes(csv_bytes([hall.row("E1"), hall.row("E2", "called", at="2025-03-03 09:10")]))
    assert await run("queues", "import", str(path)) == 0
    assert capsys.readouterr().out.startswith("0303.csv: 2 rows: 2 imported, 0 skipped as already imported, 0 for HR's exception list")
    assert await run("queues", "import", str(path)) == 0
    assert "0 imported, 2 skipped" in capsys.readouterr().out


async def test_the_command_prints_every_bad_line_and_exits_1(ctx, run, tmp_path, capsys) -> None:
    hall = await make_hall(ctx)
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([hall.row("E1"), hall.row("E2", "transferred"), hall.row("E3", employee_no="E-NOBODY")]))
    assert await run("queues", "import", str(path)) == 1
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
