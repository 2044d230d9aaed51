"""Biometrics service tests: the same fresh database per test, plus a vault key."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.conftest import TEST_AUDIT_KEY
from window_staff.settings import Settings, load_settings

VAULT_KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Test settings with a vault key (the encoder pool starts its workers on first use)."""
    return load_settings(
        {},
        database_url=database_url,
        data_dir=tmp_path,
        login_max_failures=5,
        face_pool_warm=False,
        audit_key=TEST_AUDIT_KEY,
        vault_key=VAULT_KEY,
    )
