"""``window-staff services import FILE.csv`` through ``main``, against the test's database (the command has its own engine)."""

from __future__ import annotations

from tests.cli_harness import cli_run  # noqa: F401  (the `run` fixture)
from tests.evaluations.support_metrics import csv_bytes, make_scene, stored_counts
from tests.factories import make_user
from window_staff.common.db import execute


async def test_the_command_imports_a_file_and_says_how_many(ctx, run, tmp_path, capsys) -> None:
    scene = await make_scene(ctx)
    path = tmp_path / "march.csv"
    path.write_bytes(csv_bytes([scene.row("T1"), scene.row("T2")], bom=True))
    assert await run("services", "import", str(path)) == 0
    said = capsys.readouterr()
    assert said.out.startswith("march.csv: 2 rows: 2 imported, 0 completed since, 0 skipped as already imported (batch ")
    assert "办件数据导入" in said.err  # the job's progress bar
    assert await run("services", "import", str(path), "--quiet") == 0
    assert "0 imported, 0 completed since, 2 skipped" in capsys.readouterr().out
    actors = [
        dict(r) for r in await execute(ctx.engine, "SELECT actor FROM audit_event WHERE action = {}", "service_transactions.imported")
    ]
    assert actors == [{"actor": "cli"}]


async def test_the_command_prints_every_bad_line_and_exits_1(ctx, run, tmp_path, capsys) -> None:
    scene = await make_scene(ctx)
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(
            [scene.row("T1"), scene.row("T2", onsite="maybe"), scene.row("T3", employee_no="E-NOBODY", promised_at="2025-03-01 08:00")]
        )
    )
    assert await run("services", "import", str(path), "--quiet") == 1
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[1].strip() for line in err[:-1]] == ["line 3, onsite", "line 4, employee_no", "line 4, promised_at"]
    assert err[-1] == "import refused: 3 problem(s) on 2 line(s); nothing was imported"
    assert await stored_counts() == (0, 0)


async def test_the_command_acts_as_an_hr_user_given_with_as(ctx, run, tmp_path, capsys) -> None:
    scene = await make_scene(ctx)
    path = tmp_path / "march.csv"
    path.write_bytes(csv_bytes([scene.row("T1")]))
    approver = await make_user(ctx, "approver")
    assert await run("services", "import", str(path), "--as", approver.username) == 1
    assert "does not hold the role 'hr'" in capsys.readouterr().err
    hr = await make_user(ctx, "hr")
    assert await run("services", "import", str(path), "--as", hr.username, "--quiet") == 0
    actors = [
        dict(r) for r in await execute(ctx.engine, "SELECT actor FROM audit_event WHERE action = {}", "service_transactions.imported")
    ]
    assert actors == [{"actor": f"user:{hr.id}:{hr.username}"}]


async def test_a_file_that_cannot_be_read_as_csv_is_refused_before_any_job(ctx, run, tmp_path, capsys) -> None:
    from window_staff.jobs.tables import Job

    path = tmp_path / "header.csv"
    path.write_bytes(csv_bytes([]))
    assert await run("services", "import", str(path), "--quiet") == 1
    assert capsys.readouterr().err.splitlines() == [
        "header.csv: line 2: the file has a header but no rows",
        "import refused: 1 problem(s) on 1 line(s); nothing was imported",
    ]
    assert await Job.count() == 0


async def test_the_command_says_when_the_file_cannot_be_read(run, tmp_path, capsys) -> None:
    assert await run("services", "import", str(tmp_path / "missing.csv")) == 1
    assert capsys.readouterr().err.startswith("error: cannot read ")
