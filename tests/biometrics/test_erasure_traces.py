"""Erased templates leave no bytes behind: not in the SQLite file's free pages, not in its WAL, not in the data folder."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.factories import make_staff
from window_staff.biometrics import service
from window_staff.biometrics.tables import BiometricTemplate
from window_staff.common.db import erase_traces
from window_staff.org import service as org
from window_staff.org.schemas import StaffLeaveIn

from .samples import clear_forms, enrol


@pytest.fixture(autouse=True)
def _sqlite_only(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the WAL and free pages are SQLite's")


def _files(database_url: str, data_dir: Path) -> list[Path]:
    db = Path(urlparse(database_url).path)
    around = [Path(f"{db}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]
    return [p for p in [*around, *data_dir.rglob("*")] if p.is_file()]


async def _ciphertexts(staff_id: int, modality: str) -> list[bytes]:
    """The sealed records, and for fingerprints their sealed built templates."""
    rows = await BiometricTemplate.select(BiometricTemplate.ciphertext, BiometricTemplate.built).where(
        (BiometricTemplate.staff == staff_id) & (BiometricTemplate.modality == modality)
    )
    assert rows
    built = [bytes(r["built"]) for r in rows if modality == "fingerprint"]  # every impression has one
    return [bytes(r["ciphertext"]) for r in rows] + built


def _found(secrets: list[bytes], files: list[Path]) -> list[str]:
    return [p.name for p in files for s in secrets if s[:48] in p.read_bytes()]


async def test_a_withdrawn_face_template_is_in_no_file_of_the_database_or_the_data_folder(ctx, database_url):
    staff = await make_staff(ctx)
    await enrol(ctx, staff.id, face="grace", finger_seed=1)
    face = await _ciphertexts(staff.id, "face")
    assert _found(face, _files(database_url, ctx.settings.data_dir))  # the test would see them
    await service.withdraw_consent(ctx, staff.id, "face", actor="hr:1")
    assert _found(face, _files(database_url, ctx.settings.data_dir)) == []


async def test_a_leavers_templates_are_in_no_file_of_the_database(ctx, database_url):
    staff = await make_staff(ctx)
    await enrol(ctx, staff.id, face="grace", finger_seed=2)
    templates = await _ciphertexts(staff.id, "face") + await _ciphertexts(staff.id, "fingerprint")
    await org.leave_staff(ctx, staff.id, StaffLeaveIn(left_on=staff.hired_on, reason="retired"), actor="hr:1")
    assert _found(templates, _files(database_url, ctx.settings.data_dir)) == []


async def test_an_enrolled_built_template_is_in_no_file_in_clear(ctx, database_url):
    staff = await make_staff(ctx)
    await enrol(ctx, staff.id, finger_seed=3)
    await erase_traces(ctx.engine)  # the WAL copied into the database file: both are searched either way
    assert _found(clear_forms(3), _files(database_url, ctx.settings.data_dir)) == []


async def test_a_withdrawn_fingerprints_built_templates_are_in_no_file(ctx, database_url):
    staff = await make_staff(ctx)
    await enrol(ctx, staff.id, finger_seed=4)
    sealed = await _ciphertexts(staff.id, "fingerprint")
    assert len(_found(sealed, _files(database_url, ctx.settings.data_dir))) >= 2  # record and built template seen
    await service.withdraw_consent(ctx, staff.id, "fingerprint", actor="hr:1")
    assert _found(sealed, _files(database_url, ctx.settings.data_dir)) == []
