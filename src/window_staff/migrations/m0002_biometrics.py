"""Biometrics: consent records, sealed templates, per-site gallery versions."""

from piccolo.engine.base import Engine

from window_staff.biometrics.tables import BiometricConsent, BiometricTemplate, GalleryVersion
from window_staff.migrations import create_tables

ID = "0002_biometrics"

TABLES = [BiometricConsent, BiometricTemplate, GalleryVersion]

INDEXES = [
    # At most one active consent per staff member and modality (partial index: SQLite and PostgreSQL).
    "CREATE UNIQUE INDEX IF NOT EXISTS biometric_consent_active ON biometric_consent (staff, modality) WHERE withdrawn_at IS NULL",
    "CREATE INDEX IF NOT EXISTS biometric_template_staff ON biometric_template (staff, modality)",
]


async def forward(engine: Engine) -> None:
    """Create the biometric tables and their indexes."""
    await create_tables(engine, TABLES, indexes=INDEXES)
