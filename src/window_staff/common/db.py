"""Database engines: a pooled SQLite engine, PostgreSQL with a pool, and write transactions."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
import string
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlparse

import aiosqlite
from piccolo.columns import Column
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString, Selectable
from piccolo.table import Table

try:  # asyncpg is optional at import time for SQLite-only installs
    from asyncpg.exceptions import IntegrityConstraintViolationError as _PgIntegrity
except ImportError:  # pragma: no cover
    _PgIntegrity = sqlite3.IntegrityError

log = logging.getLogger("window_staff.db")

INTEGRITY_ERRORS: tuple[type[BaseException], ...] = (sqlite3.IntegrityError, _PgIntegrity)

try:
    from asyncpg import exceptions as _pg
except ImportError:  # pragma: no cover
    _pg = None

T = TypeVar("T")

# SQLite: the write lock stayed taken past the busy timeout, or the file cannot be read or written.
_SQLITE_OUTAGE = ("database is locked", "database table is locked", "disk i/o error", "unable to open database file")
# PostgreSQL: the server is gone, restarting, refusing, or out of connection slots.
_PG_OUTAGE: tuple[type[BaseException], ...] = (
    (_pg.PostgresConnectionError, _pg.CannotConnectNowError, _pg.AdminShutdownError, _pg.CrashShutdownError, _pg.TooManyConnectionsError)
    if _pg is not None
    else ()
)
_DRIVER_MODULES = ("asyncpg", "aiosqlite", "piccolo", "sqlite3", "window_staff.common.db")


def outage_reason(exc: BaseException) -> str | None:
    """Why the database is unreachable, when ``exc`` (or what caused it) says so; None for any other error.

    Only engine-level unavailability counts: a constraint or syntax error stays a bug (500), and an
    ``OSError`` counts only when it was raised inside the database driver, not by the application.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 8:
        seen.add(id(current))
        if isinstance(current, sqlite3.OperationalError) and any(m in str(current).lower() for m in _SQLITE_OUTAGE):
            return f"sqlite: {current}"
        if _PG_OUTAGE and isinstance(current, _PG_OUTAGE):
            return f"postgresql: {type(current).__name__}"
        if (
            _pg is not None
            and isinstance(current, _pg.InterfaceError)
            and any(m in str(current) for m in ("connection is closed", "pool is closing", "pool is closed"))
        ):
            # Only a closed connection or pool: other interface errors (e.g. two operations at once) are bugs.
            return f"postgresql: {current}"
        if isinstance(current, (OSError, TimeoutError)) and _raised_in_driver(current):
            return f"connect: {type(current).__name__}"
        current = current.__cause__ or current.__context__
    return None


def _raised_in_driver(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module.startswith(_DRIVER_MODULES):
            return True
        tb = tb.tb_next
    return False


class _PooledConnection:
    """An aiosqlite connection whose ``close()`` hands it back to the pool."""

    __slots__ = ("_conn", "_engine")

    def __init__(self, conn: aiosqlite.Connection, engine: PooledSQLiteEngine) -> None:
        self._conn = conn
        self._engine = engine

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self._conn.execute(*args, **kwargs)

    async def close(self) -> None:
        await self._engine._release(self._conn)


class _ReleasingExit:
    """Give the connection back on every path: also when BEGIN fails, and after a failed ROLLBACK."""

    async def __aenter__(self) -> Any:
        if self._parent is not None:  # type: ignore[attr-defined]
            return self._parent  # type: ignore[attr-defined]
        self.connection = await self.get_connection()  # type: ignore[attr-defined]
        try:
            await self.begin()  # type: ignore[attr-defined]
        except BaseException:
            await self._release()
            raise
        self.context = self.engine.current_transaction.set(self)  # type: ignore[attr-defined]
        return self

    async def __aexit__(self, exception_type: Any, exception: BaseException | None, traceback: Any) -> bool:
        if self._parent:  # type: ignore[attr-defined]
            return exception is None
        try:
            if exception is not None:
                if not self._rolled_back:  # type: ignore[attr-defined]
                    # The original error is the one to report; a failed ROLLBACK only means the connection is gone.
                    with contextlib.suppress(Exception):
                        await self.rollback()  # type: ignore[attr-defined]
            elif not self._committed and not self._rolled_back:  # type: ignore[attr-defined]
                await self.commit()  # type: ignore[attr-defined]
        finally:
            await self._release()
            self.engine.current_transaction.reset(self.context)  # type: ignore[attr-defined]
        return exception is None

    async def _release(self) -> None:
        raise NotImplementedError


class _PooledSQLiteTransaction(_ReleasingExit, SQLiteTransaction):
    """Piccolo's SQLite transaction, but its connection goes back to the pool on every path.

    Piccolo keeps the connection when ``BEGIN`` fails (e.g. "database is locked" after the busy
    timeout) or when ``ROLLBACK`` fails: each such failure would leak one pooled connection until the
    pool is empty and every later request waits for ever.
    """

    async def _release(self) -> None:
        await self.connection.close()  # back to the pool (rolled back there if still open)


class _PooledPostgresTransaction(_ReleasingExit, PostgresTransaction):
    """Piccolo's PostgreSQL transaction, but its connection goes back to the asyncpg pool on every path.

    Piccolo does not release the connection when starting the transaction or rolling it back fails,
    which is exactly what happens when the server goes away: the pool would lose a slot per failure
    and hang once all are lost. Released broken connections are replaced by asyncpg on next acquire.
    """

    async def begin(self) -> None:
        self.transaction = self.connection.transaction()  # asyncpg's transaction object, made per connection
        await super().begin()

    async def _release(self) -> None:
        if self.engine.pool:
            # asyncpg resets a healthy connection and drops a broken one; never let that mask the real error.
            with contextlib.suppress(Exception):
                await self.engine.pool.release(self.connection)
        else:
            with contextlib.suppress(Exception):
                await self.connection.close()


class PooledSQLiteEngine(SQLiteEngine):
    """SQLite with a few persistent connections per process.

    Piccolo opens a connection (and a thread) per query, which caps writes at tens per second;
    here connections are opened once with WAL, ``synchronous=FULL`` and a busy timeout.
    """

    def __init__(self, path: str, *, pool_size: int = 4, busy_timeout_ms: int = 10_000) -> None:
        super().__init__(path=path, timeout=busy_timeout_ms / 1000)
        self.pool_size = pool_size
        self.busy_timeout_ms = busy_timeout_ms
        self._idle: asyncio.Queue[aiosqlite.Connection] | None = None
        self._all: list[aiosqlite.Connection] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._opening = 0
        self.traces: list[list[str]] = []
        self._traced: set[int] = set()

    async def start_connection_pool(self, **_: Any) -> None:
        """Open the pool lazily; kept for symmetry with PostgreSQL."""
        self._ensure_pool()

    async def close_connection_pool(self) -> None:
        """Close every pooled connection (so the process can exit)."""
        conns, self._all, self._idle, self._loop, self._opening = self._all, [], None, None, 0
        self._traced.clear()
        for conn in conns:
            with contextlib.suppress(Exception):
                await conn.close()

    def _ensure_pool(self) -> asyncio.Queue[aiosqlite.Connection]:
        loop = asyncio.get_running_loop()
        if self._idle is None or self._loop is not loop:
            # A pool belongs to one event loop; a new loop (tests, CLI) gets fresh connections.
            self._idle, self._all, self._loop, self._opening = asyncio.Queue(), [], loop, 0
        return self._idle

    async def _open(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(**self.connection_kwargs)
        conn.row_factory = dict_factory  # type: ignore[assignment]
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}",
            "PRAGMA foreign_keys=ON",
            # Deleted rows (a withdrawn person's templates) are overwritten with zeros, not left in free pages;
            # Debian's SQLite has this on by default, other builds do not.
            "PRAGMA secure_delete=ON",
        ):
            await conn.execute(pragma)
        return conn

    async def _acquire(self) -> aiosqlite.Connection:
        idle = self._ensure_pool()
        if idle.empty() and len(self._all) + self._opening < self.pool_size:
            self._opening += 1
            try:
                conn = await self._open()
            finally:
                self._opening -= 1
            self._all.append(conn)
        else:
            conn = await idle.get()
        if self.traces and id(conn) not in self._traced:
            # Only while someone traces: SQLite then calls back for every statement, BEGIN and COMMIT included.
            await conn.set_trace_callback(self._note)
            self._traced.add(id(conn))
        return conn

    def _note(self, statement: str) -> None:
        for trace in self.traces:
            trace.append(statement)

    async def _release(self, conn: aiosqlite.Connection) -> None:
        if conn.in_transaction:
            # A cancelled task can leave a transaction open; never hand that to the next caller.
            with contextlib.suppress(Exception):
                await conn.rollback()
        if self._idle is not None and conn in self._all:
            self._idle.put_nowait(conn)
        else:
            with contextlib.suppress(Exception):
                await conn.close()

    async def get_connection(self) -> Any:  # used by transactions
        return _PooledConnection(await self._acquire(), self)

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True) -> SQLiteTransaction:
        """A transaction whose connection always returns to the pool."""
        return _PooledSQLiteTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        conn = await self._acquire()
        try:
            async with conn.execute(query, args or []) as cursor:
                return await cursor.fetchall()
        finally:
            await self._release(conn)

    async def _run_in_existing_connection(
        self, connection: Any, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        # Piccolo re-issues "PRAGMA foreign_keys" before every statement; ours are set at connect.
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()

    async def executemany(self, query: str, rows: Iterable[Iterable[Any]]) -> None:
        """Run one statement for many parameter rows inside the current transaction."""
        tx = self.current_transaction.get()
        if tx is None:
            raise RuntimeError("executemany needs a transaction")
        await tx.connection.executemany(query, rows)


async def _keep_session(connection: Any) -> None:
    """What a connection needs on its way back to the pool: nothing beyond asyncpg's own rollback of an open transaction.

    asyncpg's default reset sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` on every
    release: one more round trip for each query run outside a transaction (a check-in made seven). Nothing here
    leaves session state behind: no LISTEN, no cursors, no SET, only transaction-level advisory locks.
    """


class PooledPostgresEngine(PostgresEngine):
    """PostgreSQL whose pool sizes come from settings."""

    __slots__ = ("__weakref__", "pool_kwargs", "traces")  # weakref: common.integrity keeps each engine's audit key

    def __init__(self, dsn: str, *, min_size: int, max_size: int) -> None:
        super().__init__(config={"dsn": dsn})
        self.pool_kwargs = {"min_size": min_size, "max_size": max_size}
        self.traces: list[list[str]] = []

    async def start_connection_pool(self, **kwargs: Any) -> None:
        """Open the asyncpg pool with the configured sizes."""
        await super().start_connection_pool(**{**self.pool_kwargs, "setup": self._on_acquire, "reset": _keep_session, **kwargs})

    async def _on_acquire(self, connection: Any) -> None:
        if self.traces:
            # Only while someone traces; asyncpg logs every statement the connection sends (the pool's reset too).
            connection.add_query_logger(self._note)

    def _note(self, record: Any) -> None:
        for trace in self.traces:
            trace.append(record.query)

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        """A transaction whose connection always returns to the pool."""
        return _PooledPostgresTransaction(engine=self, allow_nested=allow_nested)


def create_engine(
    url: str, *, sqlite_pool_size: int = 4, busy_timeout_ms: int = 10_000, pg_pool_min: int = 2, pg_pool_max: int = 10
) -> Engine:
    """Build the engine for a ``sqlite:///path`` or ``postgresql://`` URL."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else unquote(parsed.path)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return PooledSQLiteEngine(path, pool_size=sqlite_pool_size, busy_timeout_ms=busy_timeout_ms)
    if parsed.scheme in {"postgres", "postgresql"}:
        return PooledPostgresEngine(url, min_size=pg_pool_min, max_size=pg_pool_max)
    raise SystemExit(f"unsupported database URL scheme {parsed.scheme!r}: use sqlite:///PATH or postgresql://...")


def is_sqlite(engine: Engine) -> bool:
    """True for the SQLite engine."""
    return engine.engine_type == "sqlite"


async def start_pool(engine: Engine) -> None:
    """Open the engine's connection pool (lifespan start)."""
    await engine.start_connection_pool()


async def close_pool(engine: Engine) -> None:
    """Close the engine's connection pool (lifespan end)."""
    await engine.close_connection_pool()


@contextlib.asynccontextmanager
async def traced(engine: Engine) -> AsyncIterator[list[str]]:
    """The statements ``engine`` sends while the block runs, in order (tests hold a hot path to a count of round trips)."""
    statements: list[str] = []
    traces: list[list[str]] = engine.traces  # type: ignore[attr-defined]
    traces.append(statements)
    try:
        yield statements
    finally:
        for _ in range(3):
            await asyncio.sleep(0)  # asyncpg hands its query records to loggers on a later pass of the loop
        traces.remove(statements)


def write_transaction(engine: Engine) -> Any:
    """A transaction for writes: ``BEGIN IMMEDIATE`` on SQLite so writers queue instead of deadlocking."""
    if is_sqlite(engine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def one_at_a_time(engine: Engine, namespace: int, key: int) -> None:
    """Inside a write transaction: writers of the same (namespace, key) take turns until it ends.

    For a check-then-insert (is there balance left? does it overlap?) that two requests could otherwise both pass on
    PostgreSQL; SQLite's IMMEDIATE transaction already lets one writer in at a time."""
    if not is_sqlite(engine):
        await execute(engine, "SELECT pg_advisory_xact_lock({}, {})", namespace, key)


async def erase_traces(engine: Engine) -> None:
    """After erasing personal data, outside any transaction: copy the SQLite WAL into the database and empty it.

    Until a checkpoint the ``-wal`` file keeps the pages as they were before the delete (a withdrawn
    person's template included); TRUNCATE also shrinks the file to nothing. PostgreSQL needs nothing here.
    """
    if not is_sqlite(engine):
        return
    rows = await execute(engine, "PRAGMA wal_checkpoint(TRUNCATE)")
    if rows and rows[0].get("busy"):
        # A reader held an old snapshot: the frames stay until the next checkpoint (SQLite's automatic ones too).
        log.warning("WAL checkpoint after an erasure was blocked by a reader; the next checkpoint completes it")


def bind_tables(engine: Engine, tables: Iterable[type[Table]]) -> None:
    """Point every table class at ``engine`` (one wiring point instead of a global conf lookup)."""
    for table in tables:
        table._meta._db = engine


@functools.lru_cache(maxsize=2048)
def _placeholders(sql: str, engine_type: str) -> tuple[str, int] | None:
    """``sql`` with its ``{}`` as the driver's placeholders, and how many; None for what only Piccolo can compile."""
    parts = list(string.Formatter().parse(sql))
    if any(name or spec or conversion for _, name, spec, conversion in parts):
        return None  # "{0}", "{x:>3}" and the like: not the plain positional form this path knows
    out, fields = [], 0
    for literal, name, _, _ in parts:
        out.append(literal)
        if name is not None:
            fields += 1
            out.append("?" if engine_type == "sqlite" else f"${fields}")
    return "".join(out), fields


async def execute(engine: Engine, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run raw SQL with ``{}`` placeholders, inside any current transaction (rows as mappings)."""
    compiled = _placeholders(sql, engine.engine_type)
    if compiled is None or compiled[1] != len(args) or any(isinstance(a, Selectable) for a in args):
        return await engine.run_querystring(QueryString(sql, *args))
    # The same statement Piccolo would send, without building a QueryString per call: a check-in runs a dozen.
    query = compiled[0]
    tx = engine.current_transaction.get()
    if isinstance(engine, SQLiteEngine):
        if tx is not None:
            return await engine._run_in_existing_connection(tx.connection, query, list(args))
        return await engine._run_in_new_connection(query, list(args))
    if tx is not None:
        return await tx.connection.fetch(query, *args)
    pool = getattr(engine, "pool", None)
    if pool is None:  # no pool started (a one-off script): Piccolo opens a connection for the statement
        return await engine._run_in_new_connection(query, list(args))  # type: ignore[attr-defined]
    async with pool.acquire() as connection:
        return await connection.fetch(query, *args)


async def insert_rows(
    engine: Engine,
    table: type[Table],
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    *,
    chunk: int = 2500,
    skip_conflicts: bool = False,
) -> list[int]:
    """Insert many rows in the current transaction and return their ids, in input order.

    With ``skip_conflicts`` rows that hit a unique constraint are skipped and only new ids return.

    Piccolo builds a Table instance and a query string per row, which is ~25x slower than the
    driver for bulk writes; this sends one statement per chunk with the driver's own parameters.
    """
    pk = table._meta.primary_key._meta.db_column_name
    stored = await insert_rows_returning(engine, table, columns, rows, returning=(pk,), chunk=chunk, skip_conflicts=skip_conflicts)
    return [r[pk] for r in stored]


async def insert_rows_returning(
    engine: Engine,
    table: type[Table],
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    *,
    returning: Sequence[str],
    chunk: int = 2500,
    skip_conflicts: bool = False,
) -> list[dict[str, Any]]:
    """``insert_rows`` giving the ``returning`` columns of each stored row (a natural key tells skipped rows apart, no re-read)."""
    tx = engine.current_transaction.get()
    if tx is None:
        raise RuntimeError("insert_rows needs a transaction")
    names = ", ".join(f'"{c._meta.db_column_name}"' for c in columns)
    back = ", ".join(f'"{name}"' for name in returning)
    out: list[dict[str, Any]] = []
    conflict = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    if is_sqlite(engine):
        row_sql = "(" + ", ".join("?" * len(columns)) + ")"
        # SQLite's bound-parameter limit (32766) caps a chunk.
        step = max(1, min(chunk, 30000 // max(1, len(columns))))
        for start in range(0, len(rows), step):
            part = rows[start : start + step]
            sql = f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES {", ".join([row_sql] * len(part))}{conflict} RETURNING {back}'
            flat = [v for row in part for v in row]
            async with tx.connection.execute(sql, flat) as cursor:
                out.extend(await cursor.fetchall())
        return out
    casts = ", ".join(f"${i + 1}::{_pg_type(c)}[]" for i, c in enumerate(columns))
    sql = f'INSERT INTO "{table._meta.tablename}" ({names}) SELECT * FROM unnest({casts}){conflict} RETURNING {back}'
    for start in range(0, len(rows), chunk * 10):
        part = rows[start : start + chunk * 10]
        arrays = [list(col) for col in zip(*part, strict=True)]
        out.extend(dict(r) for r in await tx.connection.fetch(sql, *arrays))
    return out


def _pg_type(column: Column) -> str:
    from piccolo.columns import ForeignKey

    if isinstance(column, ForeignKey):
        return "integer"
    return column.column_type.lower()


async def update_rows(engine: Engine, table: type[Table], columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> None:
    """Set ``columns`` per row by primary key, in the current transaction: each row is (id, *values)."""
    tx = engine.current_transaction.get()
    if tx is None:
        raise RuntimeError("update_rows needs a transaction")
    if not rows:
        return
    name = table._meta.tablename
    pk = table._meta.primary_key._meta.db_column_name
    if is_sqlite(engine):
        sets = ", ".join(f'"{c._meta.db_column_name}" = ?' for c in columns)
        await tx.connection.executemany(f'UPDATE "{name}" SET {sets} WHERE "{pk}" = ?', [(*row[1:], row[0]) for row in rows])
        return
    # One statement per chunk: a join against unnest()ed arrays instead of a round trip per row.
    sets = ", ".join(f'"{c._meta.db_column_name}" = v.c{i}' for i, c in enumerate(columns))
    casts = ", ".join(f"${i + 2}::{_pg_type(c)}[]" for i, c in enumerate(columns))
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    sql = f'UPDATE "{name}" AS t SET {sets} FROM unnest($1::integer[], {casts}) AS v(id, {aliases}) WHERE t."{pk}" = v.id'
    for start in range(0, len(rows), 25000):
        part = rows[start : start + 25000]
        await tx.connection.execute(sql, *[list(col) for col in zip(*part, strict=True)])


def chunks(values: Sequence[T], size: int = 5000) -> list[list[T]]:
    """Bounded IN-lists: SQLite refuses a statement with more than 32,766 parameters, and a batch may hold more.

    Lists, since Piccolo's ``is_in`` takes a list."""
    return [list(values[i : i + size]) for i in range(0, len(values), size)]
