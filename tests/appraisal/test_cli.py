"""``window-staff appraisal ...`` and ``window-staff bonus export`` through ``main``, against the test's database.

Set-up goes through the services with the test's FixedClock (1 April 2025 after ``make_month``); the
command runs in a worker thread with its own engine and the real clock, as an operator would run it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.appraisal.support import MONTH, make_month, person
from tests.appraisal.test_api import approved, closed, decided
from tests.cli_harness import cli_run  # noqa: F401  (the `run` fixture)
from window_staff.appraisal import service
from window_staff.appraisal.service import close as service_close, reports as service_reports
from window_staff.common.signing import public_key_hex, verify_document


async def test_compute_prints_the_counts(ctx, run, capsys) -> None:
    month = await make_month(ctx)
    assert await run("appraisal", "compute", MONTH, "--as", month.hr.username) == 0
    assert capsys.readouterr().out.startswith(f"{MONTH}: computed, computation 1, 2 staff, 2 changed, ")
    assert (await service.get_period(ctx, MONTH)).computation == 1


async def test_a_user_without_the_role_is_refused(ctx, run, capsys) -> None:
    month = await make_month(ctx)
    assert await run("appraisal", "compute", MONTH, "--as", month.approver.username) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "'hr'" in err and "Traceback" not in err


async def test_an_unknown_user_is_refused(ctx, run, capsys) -> None:
    await make_month(ctx)
    assert await run("appraisal", "compute", MONTH, "--as", "nobody") == 1
    assert capsys.readouterr().err == "error: no active user 'nobody'\n"


async def test_approve_keeps_four_eyes_and_a_second_person_approves(ctx, run, capsys) -> None:
    month = await make_month(ctx)
    both = await person(ctx, "hr", "approver")
    month.hr = both  # the preparer of this month holds the approver role too
    await decided(ctx, month)
    assert await run("appraisal", "approve", MONTH, "--as", both.username) == 1
    assert "another approver must approve it" in capsys.readouterr().err
    assert await run("appraisal", "approve", MONTH, "--as", month.approver.username) == 0
    assert capsys.readouterr().out.startswith(f"{MONTH}: approved, computation 1, 2 staff, approved by {month.approver.actor}")


async def test_close_prints_the_chain_head_file(ctx, run, capsys) -> None:
    month = await make_month(ctx)
    await approved(ctx, month)
    await service.publish(ctx, MONTH, principal=month.hr)
    assert await run("appraisal", "close", MONTH, "--as", month.hr.username) == 0
    path = service_close.chain_head_path(ctx, MONTH, number=1)
    assert capsys.readouterr().out.rstrip().endswith(f"chain head {path}")
    assert verify_document(path.read_bytes())["month"] == MONTH


async def test_explain_prints_the_sheet_lines(ctx, run, capsys) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    sheet = await service_reports.sheet(ctx, MONTH, month.staff[0].id, principal=month.hr, lang="en")
    assert await run("appraisal", "explain", MONTH, month.staff[0].employee_no, "--lang", "en") == 0
    out = capsys.readouterr().out
    assert out == sheet.explanation + "\n"
    assert "[att.late]" in out and "[cond.badge_worn]" in out


async def test_verify_head_accepts_the_closed_months_file(ctx, run, capsys) -> None:
    month = await make_month(ctx)
    await closed(ctx, month)
    period = await service.get_period(ctx, MONTH)
    assert await run("appraisal", "verify-head", str(service_close.chain_head_path(ctx, MONTH, number=1))) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"OK: chain head of {MONTH} (close 1") and "the configured signing key" in out
    assert f"results_hash: {period.results_hash}" in out and "audit event " in out


async def test_verify_head_detects_a_tampered_file(ctx, run, capsys, tmp_path) -> None:
    month = await make_month(ctx)
    await closed(ctx, month)
    document = json.loads(service_close.chain_head_path(ctx, MONTH, number=1).read_text(encoding="utf-8"))
    document["payload"]["bonus_total"] = "99999.00"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document), encoding="utf-8")
    assert await run("appraisal", "verify-head", str(tampered)) == 1
    assert "INVALID: signature does not match the payload" in capsys.readouterr().err


async def test_verify_head_refuses_a_file_signed_by_another_key(ctx, run, capsys) -> None:
    month = await make_month(ctx)
    await closed(ctx, month)
    other = public_key_hex(Ed25519PrivateKey.generate())
    assert await run("appraisal", "verify-head", str(service_close.chain_head_path(ctx, MONTH, number=1)), "--public-key", other) == 1
    assert "not by the expected key" in capsys.readouterr().err


async def test_bonus_export_writes_a_csv_with_a_row_per_staff_member(ctx, run, capsys, tmp_path, monkeypatch) -> None:
    month = await make_month(ctx)
    await approved(ctx, month)
    monkeypatch.chdir(tmp_path)
    assert await run("bonus", "export", MONTH, "--format", "csv") == 0
    rows = (tmp_path / f"bonus-{MONTH}.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert rows[0] == "工号,姓名,部门,窗口,考核得分,等次,基数（元）,系数,奖金金额（元）"
    assert sorted(r.split(",")[0] for r in rows[1:]) == sorted(s.employee_no for s in month.staff)
    assert capsys.readouterr().out.startswith(f"{MONTH} (approved): 2 staff")


async def test_bonus_export_refuses_a_month_not_yet_approved(ctx, run, capsys, tmp_path) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    assert await run("bonus", "export", MONTH, "--output", str(tmp_path / "b.xlsx")) == 1
    assert "payroll takes approved figures only" in capsys.readouterr().err and not (tmp_path / "b.xlsx").exists()


async def test_rules_check_stops_on_a_bad_appraisal_policy(run, capsys, tmp_path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parents[2] / "rules", rules)
    (rules / "appraisal" / "policy.toml").write_text("appeal_days = 0\n", encoding="utf-8")
    assert await run("rules", "check", str(rules)) == 1
    assert "key 'appeal_days' must be an integer" in capsys.readouterr().err
