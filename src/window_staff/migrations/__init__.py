"""Schema migrations: numbered modules applied once each, in order, as their own step.

Each module defines ``ID`` and ``async def forward(engine)``. Run with ``window-staff migrate``
before starting workers (never inside each worker's startup: concurrent migrators race).
A migration that must run on SQLite only creates tables, adds nullable columns or rebuilds a table:
SQLite cannot alter columns.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from datetime import UTC, datetime
from types import ModuleType

from piccolo.engine.base import Engine
from piccolo.table import Table

from window_staff.common.db import bind_tables, execute, is_sqlite, write_transaction

_LEDGER = "CREATE TABLE IF NOT EXISTS schema_migration (id VARCHAR(100) PRIMARY KEY, applied_at VARCHAR(40) NOT NULL)"


def _modules() -> list[ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name[:1] == "m" and m.name[1:5].isdigit())
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


async def applied(engine: Engine) -> set[str]:
    """The ids of migrations already applied."""
    await engine.run_ddl(_LEDGER)
    rows = await execute(engine, "SELECT id FROM schema_migration")
    return {row["id"] for row in rows}


async def pending(engine: Engine) -> list[str]:
    """The ids of migrations not yet applied, in order."""
    done = await applied(engine)
    return [m.ID for m in _modules() if m.ID not in done]


async def migrate(engine: Engine) -> list[str]:
    """Apply every pending migration, each in its own transaction; returns the ids applied."""
    bind_tables(engine, all_tables())
    await engine.run_ddl(_LEDGER)
    done: list[str] = []
    for module in _modules():
        async with write_transaction(engine):
            if not is_sqlite(engine):
                # Serialise concurrent migrators; the lock ends with the transaction.
                await execute(engine, "SELECT pg_advisory_xact_lock(7343001)")
            rows = await execute(engine, "SELECT id FROM schema_migration WHERE id = {}", module.ID)
            if rows:
                continue
            await module.forward(engine)
            await execute(
                engine,
                "INSERT INTO schema_migration (id, applied_at) VALUES ({}, {})",
                module.ID,
                datetime.now(UTC).isoformat(),
            )
        done.append(module.ID)
    return done


async def create_tables(
    engine: Engine, tables: Sequence[type[Table]], *, indexes: Sequence[str] = (), append_only: tuple[str, ...] = ()
) -> None:
    """Create tables (if missing), then their indexes, then append-only triggers on the named tables."""
    for table in tables:
        for ddl in table.create_table(if_not_exists=True).ddl:
            await engine.run_ddl(ddl)
    for ddl in indexes:
        await engine.run_ddl(ddl)
    sqlite = is_sqlite(engine)
    for name in append_only:
        for ddl in append_only_ddl(name, sqlite=sqlite):
            await engine.run_ddl(ddl)


async def table_columns(engine: Engine, table: str) -> set[str]:
    """The column names a table has now (to add a column only where an older database lacks it)."""
    if is_sqlite(engine):
        return {r["name"] for r in await execute(engine, f"PRAGMA table_info({table})")}
    rows = await execute(
        engine, "SELECT column_name FROM information_schema.columns WHERE table_name = {} AND table_schema = current_schema()", table
    )
    return {r["column_name"] for r in rows}


def append_only_ddl(table: str, *, sqlite: bool) -> list[str]:
    """Triggers that refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on ``table``."""
    if sqlite:
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION ws_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation'; END $$",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION ws_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION ws_append_only()",
    ]


def all_tables() -> list[type[Table]]:
    """Every table class the migrations create, in creation order."""
    seen: list[type[Table]] = []
    for module in _modules():
        for table in getattr(module, "TABLES", []):
            if table not in seen:
                seen.append(table)
    return seen
