"""The appraisal's pure core: the period's states and transitions, sheets from scores, hashes, rankings."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec

from window_staff.appraisal.errors import PeriodStateConflict
from window_staff.scoring import Fact, StaffScore

OPEN, COMPUTED, APPEALS, DECIDED, APPROVED, PUBLISHED, CLOSED = "open", "computed", "appeals", "decided", "approved", "published", "closed"
STATES = (OPEN, COMPUTED, APPEALS, DECIDED, APPROVED, PUBLISHED, CLOSED)
# Staff see their sheet from the appeal window on (a draft is HR's working copy).
STAFF_VISIBLE = frozenset({APPEALS, DECIDED, APPROVED, PUBLISHED, CLOSED})
# The engine may run again until someone has approved the figures.
COMPUTABLE = frozenset({OPEN, COMPUTED, APPEALS, DECIDED})
# Payroll takes approved figures only.
BONUS_READY = frozenset({APPROVED, PUBLISHED, CLOSED})
# A month's state in words, for files people read (the pages have the same words in web/controllers/hr.py).
STATE_NAMES = {
    "zh": {
        OPEN: "未计算",
        COMPUTED: "已计算",
        APPEALS: "申诉期",
        DECIDED: "申诉已结束",
        APPROVED: "已批准",
        PUBLISHED: "已公布",
        CLOSED: "已结账",
    },
    "en": {
        OPEN: "Open",
        COMPUTED: "Computed",
        APPEALS: "Appeals",
        DECIDED: "Appeals ended",
        APPROVED: "Approved",
        PUBLISHED: "Published",
        CLOSED: "Closed",
    },
}


@dataclass(frozen=True, slots=True)
class Transition:
    """An action on the period: the states it may start from and the state it leads to."""

    action: str
    sources: frozenset[str]
    target: str


TRANSITIONS: Mapping[str, Transition] = {
    t.action: t
    for t in (
        Transition("compute", frozenset({OPEN}), COMPUTED),
        Transition("open_appeals", frozenset({COMPUTED}), APPEALS),
        Transition("end_appeals", frozenset({APPEALS}), DECIDED),
        Transition("approve", frozenset({DECIDED}), APPROVED),
        Transition("return", frozenset({DECIDED, APPROVED}), COMPUTED),
        Transition("publish", frozenset({APPROVED}), PUBLISHED),
        Transition("close", frozenset({PUBLISHED}), CLOSED),
        Transition("reopen", frozenset({CLOSED}), COMPUTED),
    )
}


def next_state(state: str, *, action: str) -> str:
    """The state ``action`` leads to from ``state``; a recompute keeps a computed or later draft state."""
    if action == "compute" and state in COMPUTABLE and state != OPEN:
        return state
    transition = TRANSITIONS[action]
    if state not in transition.sources:
        allowed = ", ".join(sorted(transition.sources | (COMPUTABLE if action == "compute" else frozenset())))
        raise PeriodStateConflict(
            f"cannot {action.replace('_', ' ')} a period that is {state} (allowed from: {allowed})", state=state, action=action
        )
    return transition.target


_encoder = msgspec.json.Encoder(decimal_format="string")


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
        h.update(b"\x1f")
    return h.hexdigest()


def inputs_hash(facts: Sequence[Fact]) -> str:
    """A staff member's facts as one hash, independent of their order."""
    rows = sorted((f.id, f.kind, f.occurred_on.isoformat(), sorted(f.fields.items())) for f in facts)
    return _digest(_encoder.encode(rows))


@dataclass(frozen=True, slots=True)
class SheetRow:
    """A scored month ready to store: totals, the explanation as JSON, and its hashes."""

    staff_id: int
    total_cents: int
    grade: str
    veto: bool
    categories: str
    lines: str
    inputs_hash: str
    sheet_hash: str


def sheet_row(result: StaffScore, *, facts: Sequence[Fact]) -> SheetRow:
    """Turn a StaffScore into a stored sheet: every line keeps its facts' ids, days and fields (the explanation)."""
    fields = {f.id: f.fields for f in facts}
    lines = [
        {
            "rule_id": ln.rule_id,
            "category": ln.category,
            "title_zh": ln.title_zh,
            "title_en": ln.title_en,
            "occurrences": ln.occurrences,
            "points": ln.points,
            "uncapped": ln.uncapped,
            "veto": ln.veto,
            "items": [[i.fact_id, i.occurred_on.isoformat(), i.units, i.factor, i.points, fields.get(i.fact_id, {})] for i in ln.items],
        }
        for ln in result.lines
    ]
    categories = _encoder.encode(dict(result.categories)).decode()
    encoded = _encoder.encode(lines).decode()
    digest_in = inputs_hash(facts)
    total_cents = int(result.total * 100)
    sheet_hash = _digest(
        str(total_cents).encode(),
        result.grade.code.encode(),
        b"1" if result.veto else b"0",
        categories.encode(),
        encoded.encode(),
        result.rules_version.encode(),
        digest_in.encode(),
    )
    return SheetRow(result.staff_id, total_cents, result.grade.code, result.veto, categories, encoded, digest_in, sheet_hash)


def month_hash(pairs: Iterable[tuple[int, str]]) -> str:
    """One hash over (staff id, per-staff hash) pairs: the month's inputs or its results."""
    return _digest(*(f"{staff_id}:{digest}".encode() for staff_id, digest in sorted(pairs)))


def cents(value: int) -> Decimal:
    """Hundredths as a Decimal score."""
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class GroupStats:
    """A window's or department's month: headcount, average, best and worst total, grade counts and rank.

    A group smaller than the ranking's minimum has its headcount only (figures and rank None): its average
    would be one or two people's totals.
    """

    key: int
    label: str
    headcount: int
    average: Decimal | None
    best: Decimal | None
    worst: Decimal | None
    grades: Mapping[str, int] | None
    rank: int | None


def rank_groups(
    rows: Iterable[tuple[int, int, str]], *, labels: Mapping[int, str], grade_codes: Sequence[str], min_size: int = 1
) -> list[GroupStats]:
    """Rank groups from (group key, total cents, grade) rows: by average, highest first; ties share a rank (1, 1, 3).

    Groups under ``min_size`` people follow, unranked and without figures, by label.
    """
    totals: dict[int, list[int]] = {}
    grades: dict[int, dict[str, int]] = {}
    for key, total, grade in rows:
        totals.setdefault(key, []).append(total)
        counts = grades.setdefault(key, dict.fromkeys(grade_codes, 0))
        counts[grade] = counts.get(grade, 0) + 1
    stats = []
    small: list[GroupStats] = []
    for key, values in totals.items():
        if len(values) < min_size:
            small.append(GroupStats(key, labels.get(key, str(key)), len(values), None, None, None, None, None))
            continue
        average = (Decimal(sum(values)) / len(values) / 100).quantize(Decimal("0.01"))
        stats.append((average, key, values))
    stats.sort(key=lambda s: (-s[0], labels.get(s[1], ""), s[1]))
    out: list[GroupStats] = []
    for position, (average, key, values) in enumerate(stats, start=1):
        rank = out[-1].rank if out and out[-1].average == average else position
        out.append(
            GroupStats(key, labels.get(key, str(key)), len(values), average, cents(max(values)), cents(min(values)), grades[key], rank)
        )
    return out + sorted(small, key=lambda g: (g.label, g.key))


@dataclass(frozen=True, slots=True)
class SheetChange:
    """A staff member whose sheet differs between two computations."""

    staff_id: int
    before_cents: int | None
    after_cents: int
    before_grade: str | None
    after_grade: str
    rules_added: tuple[str, ...]
    rules_removed: tuple[str, ...]


def line_points(lines_json: str) -> dict[str, Decimal]:
    """Points per rule id of a stored sheet's lines."""
    return {ln["rule_id"]: Decimal(ln["points"]) for ln in msgspec.json.decode(lines_json)}


def sheet_change(staff_id: int, *, before: tuple[int, str, str] | None, after: tuple[int, str, str]) -> SheetChange:
    """What changed for one person between two sheets given as (total cents, grade, lines JSON)."""
    old = line_points(before[2]) if before else {}
    new = line_points(after[2])
    return SheetChange(
        staff_id,
        before[0] if before else None,
        after[0],
        before[1] if before else None,
        after[1],
        tuple(sorted(r for r in new if new[r] != old.get(r))),
        tuple(sorted(r for r in old if r not in new)),
    )


def disputed_key(fact_ids: Iterable[str]) -> str:
    """The key of an appeal's disputed facts in the unique index: "" for the whole line, else a hash of the ids."""
    ids = sorted(set(fact_ids))
    return _digest(*(i.encode() for i in ids)) if ids else ""


def restored_points(line: Mapping[str, Any], *, disputed: Iterable[str], already: Iterable[str] = ()) -> Decimal:
    """What upholding an appeal on some facts of a stored line gives back (signed: positive restores a deduction).

    Those facts' own points as scored, taken off the line, then the line's monthly cap applied again: on a
    capped line a fact's points come back only as far as the cap no longer holds. ``already`` are the line's
    facts restored by earlier upheld appeals. Other facts keep their points and escalation as scored.
    """
    points, uncapped = Decimal(line["points"]), Decimal(line["uncapped"])
    cap = abs(points) if points != uncapped else None
    by_id = {item[0]: Decimal(item[4]) for item in line["items"]}
    before_ids = set(already) & by_id.keys()
    after_ids = before_ids | (set(disputed) & by_id.keys())

    def capped(value: Decimal) -> Decimal:
        return value if cap is None or abs(value) <= cap else cap.copy_sign(value)

    before = capped(uncapped - sum((by_id[i] for i in before_ids), start=Decimal(0)))
    after = capped(uncapped - sum((by_id[i] for i in after_ids), start=Decimal(0)))
    return after - before
