"""Appeals about facts (issue 18): an appeal names the facts of a line it disputes, a day or a finding.

Two columns on ``appraisal_appeal``, added with defaults (existing appeals are about their whole line, as
filed): ``disputed`` (the disputed items, JSON; "" for the whole line) and ``disputed_key`` (a hash of their
ids). The one-appeal-per-line index becomes one per (line, disputed facts): a staff member may appeal
3 November and, separately, 6 November of the same line; the service refuses overlaps under the period lock.
"""

from piccolo.engine.base import Engine

from window_staff.migrations import table_columns

ID = "0015_appeal_facts"


async def forward(engine: Engine) -> None:
    """Add the disputed facts to appeals (fresh databases already have the columns) and widen the unique index."""
    columns = await table_columns(engine, "appraisal_appeal")
    if "disputed" not in columns:
        await engine.run_ddl("ALTER TABLE appraisal_appeal ADD COLUMN disputed TEXT NOT NULL DEFAULT ''")
    if "disputed_key" not in columns:
        await engine.run_ddl("ALTER TABLE appraisal_appeal ADD COLUMN disputed_key VARCHAR(64) NOT NULL DEFAULT ''")
    await engine.run_ddl("DROP INDEX IF EXISTS appraisal_appeal_line")
    await engine.run_ddl(
        "CREATE UNIQUE INDEX IF NOT EXISTS appraisal_appeal_facts ON appraisal_appeal (period, staff, rule_id, disputed_key)"
    )
