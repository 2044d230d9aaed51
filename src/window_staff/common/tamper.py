"""``audit verify``: the keyed chain, the sealed rows and the signed checkpoints, checked against each other.

Everything streams in id order in batches, so a province's database is walked in bounded memory: the chain
(common/audit.py), then each registered sealed table (common/integrity.py), whose rows must carry a seal
that matches their content, and whose counts must still add up to each checkpoint's (common/checkpoints.py).
Every problem names its table, row and what does not hold.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from window_staff.common import audit, checkpoints, integrity
from window_staff.common.context import AppContext
from window_staff.common.db import execute


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing that does not hold: where (a table, or a checkpoint file), which row, and what."""

    where: str
    row_id: int | None
    detail: str

    def __str__(self) -> str:
        row = f" row {self.row_id}" if self.row_id is not None else ""
        return f"{self.where}{row}: {self.detail}"


@dataclass
class Report:
    """What ``verify`` found: the chain's verdict, the problems, and what was checked."""

    chain: audit.VerifyResult
    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # sealed rows checked per table
    unsealed: dict[str, int] = field(default_factory=dict)  # rows from before the audit key, per table
    checkpoints: int = 0
    keyed: bool = False

    @property
    def ok(self) -> bool:
        """True when the chain holds and nothing else was found."""
        return self.chain.ok and not self.problems


async def verify(ctx: AppContext, *, batch: int = 5000) -> Report:
    """Verify the chain, every sealed table and the checkpoints; the report names each problem."""
    key = integrity.key_of(ctx.engine)
    seals = integrity.registered()
    found = checkpoints.load(ctx)
    problems = [Problem(f"checkpoint {c.name}", None, f"signature does not hold: {c.error}") for c in found if c.payload is None]
    marks = [(c.name, c.payload) for c in found if c.payload is not None]
    heads = {int(p["last_id"]): (name, p) for name, p in marks}
    seen_heads: set[int] = set()
    by_subject = {s.subject_type: s.name for s in seals if s.subject_type}
    named: dict[str, dict[int, int]] = defaultdict(dict)  # table -> row id -> the first event naming it
    counted = 0

    def on_event(row: dict[str, Any]) -> None:
        nonlocal counted
        counted += 1
        table = by_subject.get(row["subject_type"])
        if table is not None and str(row["subject_id"]).isdigit():
            named[table].setdefault(int(row["subject_id"]), row["id"])
        expected = heads.get(row["id"])
        if expected is not None:
            seen_heads.add(row["id"])
            name, payload = expected
            if row["hash"] != payload["last_hash"]:
                problems.append(Problem("audit_event", row["id"], f"differs from the event checkpoint {name} signed (re-hashed?)"))
            if counted != int(payload["events"]):
                problems.append(
                    Problem("audit_event", row["id"], f"{payload['events']} events up to here at checkpoint {name}, {counted} now")
                )

    chain = await audit.verify(ctx.engine, batch=batch, key=key, on_event=on_event)
    report = Report(chain=chain, problems=problems, checkpoints=len(marks), keyed=chain.keyed > 0)
    if chain.ok:
        for last_id, (name, payload) in sorted(heads.items()):
            if last_id not in seen_heads:
                problems.append(
                    Problem(
                        "audit_event",
                        last_id,
                        f"missing: checkpoint {name} signed a chain of {payload['events']} events ending here; "
                        f"the chain now ends at event {chain.head_id} after {chain.checked} events (events deleted)",
                    )
                )
    if key is None:
        return report
    unsealed_up_to = (chain.cut_over or {}).get("unsealed_up_to", {})
    for seal in seals:
        await _verify_table(
            ctx,
            seal,
            key=key,
            batch=batch,
            report=report,
            named=named.get(seal.name, {}),
            unsealed_up_to=int(unsealed_up_to.get(seal.name, 0)),
            marks=[(name, p["tables"][seal.name]) for name, p in marks if seal.name in p.get("tables", {})],
        )
    return report


async def _verify_table(
    ctx: AppContext,
    seal: integrity.Seal,
    *,
    key: bytes,
    batch: int,
    report: Report,
    named: dict[int, int],
    unsealed_up_to: int,
    marks: list[tuple[str, dict[str, Any]]],
) -> None:
    columns = ", ".join(f'"{name}"' for name in seal.column_names)
    # Count checks: rows up to each checkpoint's highest id may only grow (a late commit) on an append-only table.
    limits = sorted((int(m["max_id"]), int(m["rows"]), name) for name, m in marks) if seal.append_only else []
    bounds = [limit[0] for limit in limits]
    below = [0] * len(limits)
    missing = dict(named)
    last_id, checked, unsealed = 0, 0, 0
    while True:
        rows = await execute(
            ctx.engine, f'SELECT id, row_mac, {columns} FROM "{seal.name}" WHERE id > {{}} ORDER BY id LIMIT {{}}', last_id, batch
        )
        if not rows:
            break
        for row in rows:
            row_id = int(row["id"])
            missing.pop(row_id, None)
            first = bisect.bisect_left(bounds, row_id)
            for i in range(first, len(limits)):
                below[i] += 1
            stored = row["row_mac"]
            if stored is None:
                if row_id <= unsealed_up_to:
                    unsealed += 1
                else:
                    report.problems.append(
                        Problem(seal.name, row_id, "added without a seal (row_mac is empty): not written by the service")
                    )
            else:
                changed = integrity.changed_columns(key, seal, row, stored)
                if changed is not None:
                    what = f"changed columns: {', '.join(changed)}" if changed else "its seal was altered"
                    report.problems.append(Problem(seal.name, row_id, f"content does not match its seal ({what})"))
            checked += 1
        last_id = int(rows[-1]["id"])
    for (max_id, expected, name), now in zip(limits, below, strict=True):
        if now < expected:
            report.problems.append(
                Problem(
                    seal.name,
                    None,
                    f"{expected - now} row(s) deleted: checkpoint {name} counted {expected} with id up to {max_id}, {now} remain",
                )
            )
    for row_id, event_id in sorted(missing.items()):
        report.problems.append(Problem(seal.name, row_id, f"deleted: audit event {event_id} names it, the row no longer exists"))
    duplicates = await execute(
        ctx.engine,
        f'SELECT row_mac, MIN(id) AS first_id, MAX(id) AS last_id, COUNT(*) AS n FROM "{seal.name}" WHERE row_mac IS NOT NULL '
        "GROUP BY row_mac HAVING COUNT(*) > 1",
    )
    for dup in duplicates:
        report.problems.append(
            Problem(seal.name, int(dup["last_id"]), f"a copy of row {dup['first_id']} with its seal ({dup['n']} rows with one content)")
        )
    report.rows[seal.name] = checked
    report.unsealed[seal.name] = unsealed
