"""Terminal tests: a vault key, an enrolled staff member at a site, and an approved terminal with a secret."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.biometrics.conftest import VAULT_KEY
from tests.biometrics.samples import finger
from tests.conftest import TEST_AUDIT_KEY
from tests.factories import make_staff, make_window
from window_staff.biometrics import service as biometrics
from window_staff.biometrics.iso19794 import record_from_minutiae, write_record
from window_staff.biometrics.schemas import ConsentIn
from window_staff.settings import Settings, load_settings
from window_staff.terminals import service as terminals
from window_staff.terminals.schemas.registry import TerminalIn


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings with a vault key (terminal secrets and templates are sealed with it)."""
    return load_settings(
        {}, database_url=database_url, data_dir=tmp_path, face_pool_warm=False, audit_key=TEST_AUDIT_KEY, vault_key=VAULT_KEY
    )


@dataclass
class Desk:
    """A site with one enrolled staff member and one approved terminal."""

    site_id: int
    staff_id: int
    employee_no: str
    serial: str
    secret: bytes
    face: bytes
    finger: bytes


def face_vector(seed: int) -> bytes:
    """A plausible 128-float encoding (norm 1.4), little-endian float32."""
    import numpy as np

    rng = np.random.default_rng(seed)
    vec = rng.normal(size=128)
    return (vec / np.linalg.norm(vec) * 1.4).astype("<f4").tobytes()


async def make_desk(ctx, *, seed: int = 1) -> Desk:
    """Enrol a staff member (face encoding + one finger) and approve a terminal at their site."""
    window = await make_window(ctx)
    staff = await make_staff(ctx, window=window)
    for modality in ("face", "fingerprint"):
        await biometrics.grant_consent(ctx, staff.id, ConsentIn(modality=modality, notice_version="2026-01"), actor="test")
    import numpy as np

    face = face_vector(seed)
    await biometrics.enrol_face_encoding(ctx, staff.id, encoding=np.frombuffer(face, dtype="<f4"), actor="test")
    record = record_from_minutiae(finger(seed), width=300, height=360)
    await biometrics.enrol_fingerprint_record(ctx, staff.id, record=record, position=2, actor="test")
    terminal, secret = await terminals.register_approved(
        ctx, TerminalIn(serial=f"T-{seed}-{staff.id}", site_id=window.site_id), actor="test"
    )
    return Desk(
        site_id=window.site_id,
        staff_id=staff.id,
        employee_no=staff.employee_no,
        serial=terminal.serial,
        secret=secret,
        face=face,
        finger=write_record(record),
    )


@pytest.fixture
async def desk(app_ctx) -> Desk:
    """One enrolled staff member and an approved terminal at their site."""
    return await make_desk(app_ctx)
