"""Reading the audit chain as an auditor does: events filtered by who, what, which kind of record and when,
and whether the newest signed checkpoint still matches the chain (the full check is ``audit verify``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.engine.base import Engine

from window_staff.common import checkpoints
from window_staff.common.context import AppContext
from window_staff.common.db import execute

EXPORT_LIMIT = 50_000
MAX_ACTORS = 500


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What the auditor asked for; empty fields do not filter."""

    actor: str = ""  # one actor exactly, or a kind of actor ending in ":" ("terminal:")
    action: str = ""
    subject_type: str = ""
    since: datetime | None = None
    until: datetime | None = None  # exclusive


@dataclass(frozen=True, slots=True)
class Event:
    """One audit event as read (``data`` decoded; ``{}`` when it held none)."""

    id: int
    at: datetime | str
    actor: str
    action: str
    subject_type: str
    subject_id: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CheckpointState:
    """The newest signed checkpoint and whether the chain still holds the event it signed."""

    made_at: str
    events: int
    holds: bool


def _where(f: EventFilter) -> tuple[str, list[Any]]:
    parts: list[str] = []
    args: list[Any] = []
    if f.actor.endswith(":"):
        # A kind of actor ("terminal:"): every terminal, every citizen.
        parts.append("actor LIKE {}")
        args.append(f.actor.replace("%", "").replace("_", "") + "%")
    elif f.actor:
        parts.append("actor = {}")
        args.append(f.actor)
    for column, value in (("action", f.action), ("subject_type", f.subject_type)):
        if value:
            parts.append(f"{column} = {{}}")
            args.append(value)
    if f.since is not None:
        parts.append("at >= {}")
        args.append(f.since)
    if f.until is not None:
        parts.append("at < {}")
        args.append(f.until)
    return (" WHERE " + " AND ".join(parts)) if parts else "", args


def _event(row: dict[str, Any]) -> Event:
    try:
        data = json.loads(row["data"]) if row["data"] else {}
    except ValueError:
        data = {}
    return Event(
        id=int(row["id"]),
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        subject_type=row["subject_type"],
        subject_id=str(row["subject_id"]),
        data=data if isinstance(data, dict) else {"value": data},
    )


async def events(engine: Engine, where: EventFilter, *, limit: int, offset: int = 0) -> tuple[list[Event], int]:
    """The newest events first that match, a page of them, and how many match in all."""
    clause, args = _where(where)
    total = (await execute(engine, f"SELECT COUNT(*) AS n FROM audit_event{clause}", *args))[0]["n"]
    rows = await execute(
        engine,
        f"SELECT id, at, actor, action, subject_type, subject_id, data FROM audit_event{clause} ORDER BY id DESC LIMIT {{}} OFFSET {{}}",
        *args,
        max(1, min(limit, EXPORT_LIMIT)),
        max(0, offset),
    )
    return [_event(r) for r in rows], int(total)


async def kinds(engine: Engine) -> tuple[list[str], list[str], list[str]]:
    """The actors, actions and kinds of record the chain holds (the filter's choices; citizens' and delegates' own
    entries are left out of the actors: they are many, and an auditor finds them by action)."""
    actors = await execute(
        engine,
        "SELECT DISTINCT actor FROM audit_event WHERE actor NOT LIKE 'citizen:%' AND actor NOT LIKE 'delegate:%' ORDER BY actor LIMIT {}",
        MAX_ACTORS,
    )
    actions = await execute(engine, "SELECT DISTINCT action FROM audit_event ORDER BY action")
    subjects = await execute(engine, "SELECT DISTINCT subject_type FROM audit_event ORDER BY subject_type")
    return [r["actor"] for r in actors], [r["action"] for r in actions], [r["subject_type"] for r in subjects]


async def last_checkpoint(ctx: AppContext) -> CheckpointState | None:
    """The newest checkpoint whose signature holds, and whether its last event is still in the chain unchanged."""
    signed = [c.payload for c in checkpoints.load(ctx) if c.payload is not None]
    if not signed:
        return None
    newest = max(signed, key=lambda p: (p.get("made_at", ""), p.get("last_id", 0)))
    row = await execute(ctx.engine, "SELECT hash FROM audit_event WHERE id = {}", int(newest.get("last_id", 0)))
    count = (await execute(ctx.engine, "SELECT COUNT(*) AS n FROM audit_event WHERE id <= {}", int(newest.get("last_id", 0))))[0]["n"]
    holds = bool(row) and row[0]["hash"] == newest.get("last_hash") and int(count) == int(newest.get("events", -1))
    return CheckpointState(made_at=str(newest.get("made_at", "")), events=int(newest.get("events", 0)), holds=holds)
