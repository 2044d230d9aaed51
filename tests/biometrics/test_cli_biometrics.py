"""``window-staff enroll`` and the calibration tools (``biometrics score`` / ``calibrate``)."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest

from tests.factories import make_staff, make_window
from window_staff.biometrics.errors import ManifestInvalid
from window_staff.biometrics.manifest import load_manifest
from window_staff.biometrics.tables import BiometricTemplate
from window_staff.cli import build_parser, main
from window_staff.common.db import bind_tables
from window_staff.migrations import all_tables

from .samples import astronaut_png, finger, grace_crop_png, grace_jpeg, iso, moved, no_face_png


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_fingerprint_scores_are_higher_for_the_same_finger(tmp_path, capsys):
    (tmp_path / "a1.iso").write_bytes(iso(finger(1)))
    (tmp_path / "a2.iso").write_bytes(iso(moved(finger(1))))
    (tmp_path / "b1.iso").write_bytes(iso(finger(2)))
    (tmp_path / "pairs.csv").write_text("a,b\na1.iso,a2.iso\na1.iso,b1.iso\n")
    assert main(["biometrics", "score", "--modality", "fingerprint", "--pairs", str(tmp_path / "pairs.csv")]) == 0
    genuine, impostor = _rows(capsys.readouterr().out)
    assert (genuine["a"], genuine["b"]) == ("a1.iso", "a2.iso")
    assert float(genuine["score"]) > 0.35 > 0.12 > float(impostor["score"])


def test_face_scores_are_one_minus_distance_and_failures_are_empty(tmp_path, capsys):
    for name, data in {"g1.jpg": grace_jpeg(), "g2.png": grace_crop_png(), "x.png": astronaut_png(), "none.png": no_face_png()}.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "pairs.csv").write_text("a,b\ng1.jpg,g2.png\ng1.jpg,x.png\ng1.jpg,none.png\n")
    assert main(["biometrics", "score", "--modality", "face", "--pairs", str(tmp_path / "pairs.csv")]) == 0
    captured = capsys.readouterr()
    same, other, failed = _rows(captured.out)
    assert float(same["score"]) > 1 - 0.45 > float(other["score"])
    assert failed["score"] == "" and "no_face_found" in captured.err


def test_calibrate_prints_error_rates_and_a_threshold(tmp_path, capsys):
    (tmp_path / "g.csv").write_text("a,b,score\n" + "".join(f"x,y,{0.5 + i / 1000:.3f}\n" for i in range(200)) + "x,y,\n")
    (tmp_path / "i.csv").write_text("".join(f"{i / 10000:.4f}\n" for i in range(2000)))
    code = main(
        [
            "biometrics",
            "calibrate",
            "--modality",
            "fingerprint",
            "--genuine",
            str(tmp_path / "g.csv"),
            "--impostor",
            str(tmp_path / "i.csv"),
            "--target-fmr",
            "0.001",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "EER: 0.000%" in out and "FMR100: 0.000%" in out and "FMR1000: 0.000%" in out
    assert "skipped 1" in out and "threshold for FMR <= 0.001: 0.199700 (FMR 0.100%" in out


def test_manifest_errors_name_the_place(tmp_path):
    bad = tmp_path / "m.toml"
    bad.write_text('notice_version = "2026-01"\n[[person]]\nemployee_no = "E1"\nfaces = ["a.jpg"]\ncolour = "blue"\n')
    with pytest.raises(ManifestInvalid, match=r"person 1 \(E1\).*colour"):
        load_manifest(bad)
    bad.write_text('[[person]]\nemployee_no = "E1"\nfingerprints = [{ path = "f.png" }]\nnotice_version = "v1"\n')
    with pytest.raises(ManifestInvalid, match="needs dpi"):
        load_manifest(bad)
    csv_file = tmp_path / "m.csv"
    csv_file.write_text(
        "employee_no,notice_version,modality,path,position,dpi\nE1,v1,face,a.jpg,,\nE1,v1,fingerprint,f.png,2,500\nE2,v1,iris,x,,\n"
    )
    with pytest.raises(ManifestInvalid, match="line 4.*iris"):
        load_manifest(csv_file)
    csv_file.write_text("employee_no,notice_version,modality,path,position,dpi\nE1,v1,face,a.jpg,,\nE1,v1,fingerprint,f.png,2,500\n")
    [entry] = load_manifest(csv_file)
    assert entry.faces == (tmp_path / "a.jpg",) and entry.fingerprints[0].position == 2 and entry.fingerprints[0].dpi == 500


async def test_enroll_a_manifest_with_quality_report_and_duplicate_flag(ctx, settings, tmp_path, capsys):
    window = await make_window(ctx)
    grace, astro, impostor = [await make_staff(ctx, window=window) for _ in range(3)]
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "grace.jpg").write_bytes(grace_jpeg())
    (tmp_path / "photos" / "astro.png").write_bytes(astronaut_png())
    (tmp_path / "photos" / "coffee.png").write_bytes(no_face_png())
    (tmp_path / "g.iso").write_bytes(iso(finger(1), position=2))
    (tmp_path / "a.iso").write_bytes(iso(finger(2), position=7))
    (tmp_path / "poor.iso").write_bytes(iso(finger(3)[:4]))
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(f'''
notice_version = "2026-01"
[[person]]
employee_no = "{grace.employee_no}"
faces = ["photos/grace.jpg"]
fingerprints = [{{ path = "g.iso" }}]
[[person]]
employee_no = "{astro.employee_no}"
faces = ["photos/astro.png", "photos/coffee.png"]
fingerprints = ["a.iso", "poor.iso"]
[[person]]
employee_no = "{impostor.employee_no}"
faces = ["photos/grace.jpg"]
[[person]]
employee_no = "NOBODY"
faces = ["photos/grace.jpg"]
''')
    args = build_parser().parse_args(["enroll", str(manifest), "--quiet"])
    try:
        code = await asyncio.to_thread(args.func, args, settings)
    finally:
        bind_tables(ctx.engine, all_tables())  # the command bound the tables to its own engine
    out = capsys.readouterr().out
    assert code == 1
    lines = {line.split()[0]: line for line in out.splitlines() if line and not line.startswith(" ")}
    assert lines[grace.employee_no].split()[1:4] == ["1/1", "1/1", "(45)"] and lines[grace.employee_no].endswith("ok")
    assert "1/2" in lines[astro.employee_no] and "CHECK" in lines[astro.employee_no]
    assert "no_face_found" in out and "fingerprint_quality_too_low" in out
    assert lines[impostor.employee_no].endswith("DUPLICATE") and f"grace.jpg matches {grace.employee_no}" in out
    assert "unknown employee number" in out
    counts = {r["staff"]: r["n"] for r in await BiometricTemplate.raw("SELECT staff, COUNT(*) AS n FROM biometric_template GROUP BY staff")}
    assert counts == {grace.id: 2, astro.id: 2}


def test_score_rows_write_formula_like_file_names_as_text(tmp_path, capsys):
    (tmp_path / "=a.iso").write_bytes(iso(finger(1)))
    (tmp_path / "b.iso").write_bytes(iso(finger(2)))
    (tmp_path / "pairs.csv").write_text("a,b\n=a.iso,b.iso\n")
    assert main(["biometrics", "score", "--modality", "fingerprint", "--pairs", str(tmp_path / "pairs.csv")]) == 0
    (row,) = _rows(capsys.readouterr().out)
    assert row["a"] == "'=a.iso" and row["b"] == "b.iso" and float(row["score"]) < 0.35
