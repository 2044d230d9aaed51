"""Inspections: visits, findings, revisions, evidence, appeals, the exposure board, notifications."""

from piccolo.engine.base import Engine

from window_staff.inspections.tables import INSPECTION_TABLES
from window_staff.migrations import create_tables

ID = "0006_inspections"

TABLES = INSPECTION_TABLES

INDEXES = [
    "CREATE INDEX IF NOT EXISTS inspection_visit_site ON inspection_visit (site, planned_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS inspection_visit_inspector_unique ON inspection_visit_inspector (visit, inspector)",
    'CREATE UNIQUE INDEX IF NOT EXISTS inspection_visit_window_unique ON inspection_visit_window (visit, "window")',
    "CREATE INDEX IF NOT EXISTS inspection_finding_staff ON inspection_finding (staff, observed_at)",
    "CREATE INDEX IF NOT EXISTS inspection_finding_visit ON inspection_finding (visit)",
    "CREATE UNIQUE INDEX IF NOT EXISTS inspection_finding_revision_unique ON inspection_finding_revision (finding, revision)",
    "CREATE INDEX IF NOT EXISTS inspection_evidence_finding ON inspection_evidence (finding)",
    "CREATE INDEX IF NOT EXISTS inspection_appeal_finding ON inspection_appeal (finding)",
    "CREATE INDEX IF NOT EXISTS notification_recipient ON notification (recipient, read_at)",
]


async def forward(engine: Engine) -> None:
    """Create the tables; finding revisions are append-only."""
    await create_tables(engine, TABLES, indexes=INDEXES, append_only=("inspection_finding_revision",))
