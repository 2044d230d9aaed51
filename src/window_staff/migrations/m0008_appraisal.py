"""The monthly appraisal: periods, their trail, computations, sheets, appeals and reopen requests."""

from piccolo.engine.base import Engine

from window_staff.appraisal.tables import Appeal, AppealDecision, Computation, Period, PeriodEvent, ReopenRequest, Sheet
from window_staff.migrations import create_tables

ID = "0008_appraisal"

TABLES = [Period, PeriodEvent, Computation, Sheet, Appeal, AppealDecision, ReopenRequest]

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS appraisal_sheet_version ON appraisal_sheet (period, staff, computation)",
    "CREATE INDEX IF NOT EXISTS appraisal_sheet_current ON appraisal_sheet (period, current, staff)",
    "CREATE INDEX IF NOT EXISTS appraisal_sheet_staff ON appraisal_sheet (staff, period)",
    "CREATE UNIQUE INDEX IF NOT EXISTS appraisal_computation_number ON appraisal_computation (period, number)",
    # One appeal per line: a second filing of the same rule in the same month is refused by the database.
    "CREATE UNIQUE INDEX IF NOT EXISTS appraisal_appeal_line ON appraisal_appeal (period, staff, rule_id)",
    "CREATE INDEX IF NOT EXISTS appraisal_period_event_period ON appraisal_period_event (period, id)",
    "CREATE INDEX IF NOT EXISTS appraisal_reopen_period ON appraisal_reopen_request (period, id)",
]


async def forward(engine: Engine) -> None:
    """Create the tables; the trail, computations, appeals and decisions are append-only."""
    await create_tables(
        engine,
        TABLES,
        indexes=INDEXES,
        append_only=("appraisal_period_event", "appraisal_computation", "appraisal_appeal", "appraisal_appeal_decision"),
    )
