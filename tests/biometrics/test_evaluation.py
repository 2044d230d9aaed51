"""The evaluation and calibration tools: labelled folders, ``biometrics fit`` and ``biometrics evaluate``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from window_staff.biometrics import datasets, fusion
from window_staff.cli import main

SHARED = Path(os.environ.get("WINDOW_STAFF_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
LFW = SHARED / "faces" / "lfw-subset"
FVC = SHARED / "fingerprints" / "fvc2002" / "DB1_B"
needs_data = pytest.mark.skipif(not (LFW.is_dir() and FVC.is_dir()), reason="LFW and FVC2002 samples not found under ../shared/data")


def files(root: Path, *names: str) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"")


def test_numbered_files_name_their_identity_and_folders_keep_them_apart(tmp_path):
    files(tmp_path, "DB1/101_1.tif", "DB1/101_2.tif", "DB1/101_10.tif", "DB1/102_1.tif", "DB2/101_1.tif")
    found = {i.name: [p.name for p in i.samples] for i in datasets.read_identities(tmp_path, suffixes=datasets.FINGER_SUFFIXES)}
    assert found == {"DB1/101": ["101_1.tif", "101_2.tif", "101_10.tif"], "DB1/102": ["102_1.tif"], "DB2/101": ["101_1.tif"]}


def test_a_folder_per_person_names_the_identity_when_file_names_do_not(tmp_path):
    files(tmp_path, "biden/biden.jpg", "biden/biden2.jpg", "George_W_Bush/George_W_Bush_0001.jpg", "George_W_Bush/George_W_Bush_0002.jpg")
    found = {i.name: len(i.samples) for i in datasets.read_identities(tmp_path, suffixes=datasets.FACE_SUFFIXES)}
    assert found == {"biden": 2, "George_W_Bush/George_W_Bush": 2}


def test_images_are_preferred_to_iso_records_beside_them(tmp_path):
    files(tmp_path, "101_1.tif", "101_1.iso", "102_1.iso")
    assert [p.suffix for i in datasets.read_fingers(tmp_path) for p in i.samples] == [".tif"]
    assert sorted(i.name for i in datasets.read_fingers(tmp_path, iso=True)) == ["101", "102"]


def test_only_identities_with_a_probe_left_after_enrolment_are_used(tmp_path):
    files(tmp_path, "a_1.jpg", "a_2.jpg", "a_3.jpg", "b_1.jpg", "b_2.jpg")
    assert [i.name for i in datasets.usable(datasets.read_identities(tmp_path, suffixes=datasets.FACE_SUFFIXES), enrol=2)] == ["a"]


def test_evaluate_needs_two_people(tmp_path, capsys):
    files(tmp_path, "faces/a_1.jpg", "faces/a_2.jpg", "fingers/1_1.tif")
    assert main(["biometrics", "evaluate", "--faces", str(tmp_path / "faces"), "--fingers", str(tmp_path / "fingers")]) == 2
    assert "at least two people" in capsys.readouterr().err


@pytest.mark.slow(seconds=13)
@needs_data
def test_fit_on_iso_records_writes_a_calibration_the_service_can_read(tmp_path, capsys):
    out = tmp_path / "centre.json"
    faces = tmp_path / "faces"
    faces.mkdir()
    for person in sorted(p for p in LFW.iterdir() if p.is_dir())[:3]:
        (faces / person.name).symlink_to(person, target_is_directory=True)
    code = main(
        ["biometrics", "fit", "--faces", str(faces), "--fingers", str(FVC), "--iso", "--version", "centre-test", "--output", str(out)]
    )
    assert code == 0, capsys.readouterr().err
    cal = fusion.load_calibration(out)
    assert cal.version == "centre-test" and cal.fingerprint.cap > cal.face.cap
    assert 0.55 < cal.max_face_distance < 0.8


@pytest.mark.slow(seconds=10)
@needs_data
def test_evaluate_enrols_people_and_checks_them_in_as_themselves_and_as_impostors(tmp_path, capsys):
    plot = tmp_path / "det.png"
    code = main(
        ["biometrics", "evaluate", "--faces", str(LFW), "--fingers", str(FVC), "--max-people", "3", "--iso", "--json", "--plot", str(plot)]
    )
    assert code == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["people"] == 3 and figures["threshold_version"] == "dev-2026-12/far1e-04/n3"
    assert figures["genuine_checkins"] > 60 and figures["impostor_checkins"] == figures["genuine_checkins"] - figures["retries"]
    assert figures["genuine_refusal_rate"] <= 0.05 and figures["false_accepts"] == 0
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow(seconds=35)
@needs_data
def test_evaluate_prints_a_table_a_person_can_read(tmp_path, capsys):
    assert main(["biometrics", "evaluate", "--faces", str(LFW), "--fingers", str(FVC), "--max-people", "2", "--dpi", "500"]) == 0
    out = capsys.readouterr().out
    assert "genuine check-ins" in out and "false accepts" in out and "threshold:" in out and "target false-accept rate 0.0001" in out
