"""The facts rules may read and the operators their conditions may use.

Facts and operators are code; rules (``rules/*.toml``) are data that refer to them by name
(DESIGN.md §8). Other domains hand scoring plain ``Fact`` objects; scoring never reaches back.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

CATEGORY_CODES: tuple[str, ...] = ("basic", "quality", "management", "post", "evaluation")
SESSIONS = frozenset({"am", "pm"})


@dataclass(frozen=True, slots=True)
class Fact:
    """One thing that happened to one staff member in the month, as another domain reports it."""

    id: str
    kind: str
    staff_id: int
    occurred_on: date
    fields: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A typed field of a fact kind; ``choices`` and bounds are checked on facts and on rule values."""

    name: str
    type: type
    doc: str
    choices: frozenset[str] | None = None
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None

    @property
    def numeric(self) -> bool:
        """True for fields that ordering operators and ``per_unit`` may use."""
        return self.type in (int, Decimal)


@dataclass(frozen=True, slots=True)
class FactKind:
    """A kind of fact: its name, its fields and what produces it."""

    kind: str
    doc: str
    fields: Mapping[str, FieldSpec]


def _kind(kind: str, doc: str, *specs: FieldSpec) -> FactKind:
    return FactKind(kind=kind, doc=doc, fields=MappingProxyType({s.name: s for s in specs}))


def _session() -> FieldSpec:
    return FieldSpec("session", str, "am or pm", choices=SESSIONS)


def _minutes(doc: str) -> FieldSpec:
    return FieldSpec("minutes", int, doc, minimum=0)


def _rate(doc: str) -> tuple[FieldSpec, FieldSpec]:
    return (
        FieldSpec("rate", Decimal, doc + ", in percent (0..100)", minimum=Decimal(0), maximum=Decimal(100)),
        FieldSpec("transactions", int, "transactions the rate is computed over", minimum=0),
    )


_KINDS = (
    _kind("attendance.late", "signed in after the session start (one per session)", _minutes("minutes late"), _session()),
    _kind("attendance.early_leave", "signed out before the session end", _minutes("minutes early"), _session()),
    _kind("attendance.absent", "one half day (session) absent without approved leave", _session()),
    _kind(
        "attendance.missing_punch",
        "a required sign-in or sign-out is missing and was not corrected",
        _session(),
        FieldSpec("direction", str, "in or out", choices=frozenset({"in", "out"})),
    ),
    _kind(
        "attendance.missed_punch",
        "an approved missed-punch request (补卡), numbered within the month so rules can count them",
        _session(),
        FieldSpec("direction", str, "in or out", choices=frozenset({"in", "out"})),
        FieldSpec("nth", int, "its number in the month (1 = the first approved 补卡 of the month)", minimum=1),
    ),
    _kind("attendance.away_from_post", "left the post during a session without registering", _minutes("minutes away"), _session()),
    _kind(
        "inspection.finding",
        "a published inspection finding (明查/暗访); item is a checklist id from rules/checklist.toml",
        FieldSpec("item", str, "checklist item id"),
        FieldSpec("severity", str, "minor, major or serious", choices=frozenset({"minor", "major", "serious"})),
        FieldSpec("visit_kind", str, "open or undercover", choices=frozenset({"open", "undercover"})),
        FieldSpec("positive", bool, "true for a commendation item, false for a violation"),
    ),
    _kind(
        "evaluation.delegate",
        "the month's delegate evaluations (作风监督评议) of this staff member, aggregated",
        FieldSpec("score", Decimal, "average over dimensions and evaluators, 0..100", minimum=Decimal(0), maximum=Decimal(100)),
        FieldSpec("count", int, "number of evaluations behind the average", minimum=1),
    ),
    _kind(
        "rating.citizen",
        "one valid citizen rating (好差评): 1 非常不满意, 2 不满意, 3 基本满意, 4 满意, 5 非常满意",
        FieldSpec("level", int, "1..5 (GB/T 39735-2020)", minimum=1, maximum=5),
    ),
    _kind(
        "rating.bad_review_case",
        "a bad review (差评) case whose rectification deadline fell in the month",
        FieldSpec("rectified_on_time", bool, "rectified and answered by the deadline"),
        FieldSpec("voided", bool, "found invalid on review (误评/恶意差评), so it does not count"),
    ),
    _kind("service.onsite_rate", "现场办结率 for the month", *_rate("on-site completion rate")),
    _kind("service.ontime_rate", "按时办结率 for the month", *_rate("on-time completion rate")),
    _kind("service.satisfaction_rate", "满意度 for the month", *_rate("satisfaction rate")),
    _kind(
        "queue.served",
        "tickets the staff member served in the month (排号机: finished at their window)",
        FieldSpec("tickets", int, "tickets served", minimum=1),
    ),
    _kind(
        "queue.wait_p90_minutes",
        "90th-percentile waiting time (issue to first call) of the tickets the staff member served in the month",
        FieldSpec("minutes", Decimal, "minutes, to 0.1", minimum=Decimal(0)),
        FieldSpec("tickets", int, "tickets with a known wait behind the figure", minimum=1),
    ),
    _kind("queue.missed", "calls of the month the citizen did not answer (过号)", FieldSpec("count", int, "missed calls", minimum=1)),
    _kind("queue.paused_minutes", "minutes the staff member's window was paused (暂停服务) in opening hours", _minutes("paused minutes")),
    _kind(
        "queue.vacant",
        "one 空岗 event: a call or a waiting queue while nobody rostered at the window was checked in, or a pause over the limit",
        FieldSpec(
            "reason",
            str,
            "call_unstaffed, queue_unstaffed or long_pause",
            choices=frozenset({"call_unstaffed", "queue_unstaffed", "long_pause"}),
        ),
        _minutes("minutes the queue waited or the pause lasted (0 for a call)"),
    ),
    _kind(
        "appeal.adjustment",
        "an appeal decision (申诉) that changes the month's points",
        FieldSpec("points", Decimal, "signed points to add (positive restores a deduction)"),
        FieldSpec("rule_id", str, "the rule the appeal was about"),
        FieldSpec("category", str, "the category the points go to", choices=frozenset(CATEGORY_CODES)),
    ),
)

FACT_KINDS: Mapping[str, FactKind] = MappingProxyType({k.kind: k for k in _KINDS})


@dataclass(frozen=True, slots=True)
class Operator:
    """A condition operator: ``shape`` says what its value is (scalar, list of values, or [low, high])."""

    name: str
    shape: str  # "scalar" | "list" | "pair"
    ordered: bool  # needs a numeric field
    test: Callable[[Any, Any], bool]  # operands of the field's type (checked when rules load)


def _in(a: object, b: Container[object]) -> bool:
    return a in b


def _not_in(a: object, b: Container[object]) -> bool:
    return a not in b


def _between(a: Any, b: Sequence[Any]) -> bool:
    low, high = b
    return low <= a <= high


OPERATORS: Mapping[str, Operator] = MappingProxyType(
    {
        op.name: op
        for op in (
            Operator("eq", "scalar", False, operator.eq),
            Operator("ne", "scalar", False, operator.ne),
            Operator("lt", "scalar", True, operator.lt),
            Operator("le", "scalar", True, operator.le),
            Operator("gt", "scalar", True, operator.gt),
            Operator("ge", "scalar", True, operator.ge),
            Operator("in", "list", False, _in),
            Operator("not_in", "list", False, _not_in),
            Operator("between", "pair", True, _between),  # inclusive at both ends
        )
    }
)


def value_problem(spec: FieldSpec, value: object) -> str | None:
    """Why ``value`` does not fit ``spec`` (type, choices, bounds), or None when it fits."""
    # bool is an int subclass and float sneaks into Decimal arithmetic: check types exactly.
    if spec.type is Decimal:
        ok = type(value) is Decimal or type(value) is int
    else:
        ok = type(value) is spec.type
    if not ok:
        return f"field {spec.name!r} must be {spec.type.__name__}, got {type(value).__name__}"
    if spec.choices is not None and value not in spec.choices:
        return f"field {spec.name!r} must be one of {sorted(spec.choices)}, got {value!r}"
    if spec.minimum is not None and value < spec.minimum:  # type: ignore[operator]
        return f"field {spec.name!r} must be >= {spec.minimum}, got {value}"
    if spec.maximum is not None and value > spec.maximum:  # type: ignore[operator]
        return f"field {spec.name!r} must be <= {spec.maximum}, got {value}"
    return None


def fact_problems(fact: Fact) -> list[str]:
    """Everything wrong with one fact against the vocabulary (empty when it is valid)."""
    kind = FACT_KINDS.get(fact.kind)
    if kind is None:
        return [f"unknown fact kind {fact.kind!r}"]
    fields = fact.fields
    problems: list[str] = []
    for name, spec in kind.fields.items():
        if name not in fields:
            problems.append(f"missing field {name!r}")
            continue
        problem = value_problem(spec, fields[name])
        if problem:
            problems.append(problem)
    if len(fields) + len(problems) != len(kind.fields) or problems:
        problems.extend(f"unknown field {name!r}" for name in fields if name not in kind.fields)
    return problems
