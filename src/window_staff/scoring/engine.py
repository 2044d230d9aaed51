"""The scoring engine: facts + rule set -> per-staff category points, total, grade, veto and explanation lines.

Pure and deterministic: no clock, no database, no other domain; the same facts (in any order) and
the same rule version always give the same result.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from window_staff.scoring.errors import FactInvalid
from window_staff.scoring.rules import Escalation, GradeBand, PerUnit, Rule, RuleSet
from window_staff.scoring.vocabulary import CATEGORY_CODES, FACT_KINDS, OPERATORS, Fact, fact_problems

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)
_MAX_REPORTED = 20


@dataclass(frozen=True, slots=True)
class LineItem:
    """One occurrence behind a line: the fact, its units, the escalation factor and its points."""

    fact_id: str
    occurred_on: date
    units: Decimal
    factor: Decimal
    points: Decimal


@dataclass(frozen=True, slots=True)
class Line:
    """A rule that fired for one staff member in the month, with the facts behind it."""

    rule_id: str
    title_zh: str
    title_en: str
    category: str
    occurrences: int
    points: Decimal  # after the rule's monthly cap
    uncapped: Decimal
    veto: bool
    items: tuple[LineItem, ...]

    @property
    def capped(self) -> bool:
        """True when the monthly cap cut this line's points."""
        return self.points != self.uncapped

    @property
    def fact_ids(self) -> tuple[str, ...]:
        """The ids of the facts behind the line, in occurrence order."""
        return tuple(item.fact_id for item in self.items)


@dataclass(frozen=True, slots=True)
class StaffScore:
    """One staff member's month: points per category, total, grade, veto and every line that fired."""

    staff_id: int
    period: date
    rules_version: str
    categories: Mapping[str, Decimal]
    total: Decimal
    grade: GradeBand
    veto: bool
    lines: tuple[Line, ...]

    @property
    def veto_rules(self) -> tuple[str, ...]:
        """Ids of the rules whose veto applies."""
        return tuple(line.rule_id for line in self.lines if line.veto)


_ROUNDING = {"up": ROUND_CEILING, "down": ROUND_FLOOR, "half_up": ROUND_HALF_UP}


def _unit_fn(per_unit: PerUnit | None) -> Callable[[Mapping[str, object]], Decimal]:
    if per_unit is None:
        return lambda fields: ONE
    name, size, below, above = per_unit.field, per_unit.size, per_unit.below, per_unit.above
    mode = _ROUNDING.get(per_unit.rounding)

    def units(fields: Mapping[str, object]) -> Decimal:
        value: Any = fields[name]  # int or Decimal: per_unit needs a numeric field (checked when the rules load)
        if below is not None:
            amount = below - value
        elif above is not None:
            amount = value - above
        else:
            amount = Decimal(value)
        if (below is not None or above is not None) and amount <= 0:
            return ZERO
        ratio = amount / size
        return ratio if mode is None else ratio.to_integral_value(rounding=mode)

    return units


def _factors(steps: tuple[Escalation, ...]) -> Callable[[int], Decimal]:
    if not steps:
        return lambda n: ONE

    def factor(n: int) -> Decimal:
        result = ONE
        for step in steps:
            if n >= step.from_occurrence:
                result = step.factor
        return result

    return factor


@dataclass(slots=True)
class _Compiled:
    order: int
    rule: Rule
    tests: tuple[tuple[str, Callable[[object, object], bool], object], ...]
    units: Callable[[Mapping[str, object]], Decimal]
    factor: Callable[[int], Decimal]
    # Memo of quantised points by (units, factor): a month repeats the same few combinations.
    points: dict[tuple[Decimal, Decimal], Decimal]


@dataclass(frozen=True, slots=True)
class _KindPlan:
    """The rules on one fact kind, dispatched on the field most of them test with ``eq``."""

    field: str | None
    by_value: dict[object, tuple[_Compiled, ...]]
    rest: tuple[_Compiled, ...]

    def candidates(self, fields: Mapping[str, object]) -> tuple[_Compiled, ...]:
        """The rules that may match a fact with these fields."""
        if self.field is None:
            return self.rest
        hit = self.by_value.get(fields[self.field])
        if hit is None:
            return self.rest
        return hit + self.rest if self.rest else hit


def _memo_units(per_unit: PerUnit | None) -> Callable[[Mapping[str, object]], Decimal]:
    compute = _unit_fn(per_unit)
    if per_unit is None:
        return compute
    name = per_unit.field
    cache: dict[object, Decimal] = {}

    def units(fields: Mapping[str, object]) -> Decimal:
        value = fields[name]
        found = cache.get(value)
        if found is None:
            found = cache[value] = compute(fields)
        return found

    return units


def _kind_plan(group: list[_Compiled]) -> _KindPlan:
    counts: dict[str, int] = {}
    for compiled in group:
        for name in {name for name, test, _ in compiled.tests if test is OPERATORS["eq"].test}:
            counts[name] = counts.get(name, 0) + 1
    if not counts or max(counts.values()) < 2:
        return _KindPlan(None, {}, tuple(group))
    key = min(counts, key=lambda name: (-counts[name], name))
    by_value: dict[object, list[_Compiled]] = {}
    rest = []
    for compiled in group:
        pinned = [t for t in compiled.tests if t[0] == key and t[1] is OPERATORS["eq"].test]
        if not pinned:
            rest.append(compiled)
            continue
        # The dispatch does this test; the others stay (a second eq on the same field too).
        first = pinned[0]
        compiled.tests = tuple(t for t in compiled.tests if t is not first)
        by_value.setdefault(first[2], []).append(compiled)
    return _KindPlan(key, {v: tuple(c) for v, c in by_value.items()}, tuple(rest))


def compile_rules(rules: Iterable[Rule]) -> dict[str, _KindPlan]:
    """Index rules by fact kind (and by an ``eq`` field within a kind), conditions resolved to functions."""
    ordered = sorted(enumerate(rules), key=lambda pair: (CATEGORY_CODES.index(pair[1].category), pair[0]))
    by_kind: dict[str, list[_Compiled]] = {}
    for order, (_, rule) in enumerate(ordered):
        tests = tuple((c.field, OPERATORS[c.op].test, c.value) for c in rule.condition)
        compiled = _Compiled(order, rule, tests, _memo_units(rule.per_unit), _factors(rule.escalation), {})
        by_kind.setdefault(rule.fact, []).append(compiled)
    return {kind: _kind_plan(group) for kind, group in by_kind.items()}


def check_facts(staff_id: int, facts: Sequence[Fact], *, checklist: Mapping[str, bool]) -> list[str]:
    """Problems with one staff member's facts: vocabulary, staff id, duplicate ids, checklist items."""
    problems: list[str] = []
    seen: set[str] = set()
    for fact in facts:
        if fact.kind == "inspection.finding" and "item" in fact.fields:
            item = fact.fields["item"]
            # A finding on an item the rule set does not know would silently score nothing.
            if item not in checklist:
                problems.append(f"fact {fact.id}: checklist item {item!r} is not in this rule set's checklist")
            elif fact.fields.get("positive") is not checklist[item]:  # type: ignore[index]
                problems.append(f"fact {fact.id}: positive must be {checklist[item]} for checklist item {item!r}")  # type: ignore[index]
        if fact.staff_id != staff_id:
            problems.append(f"fact {fact.id}: staff_id {fact.staff_id} filed under staff {staff_id}")
        if fact.id in seen:
            problems.append(f"fact {fact.id}: duplicate id for staff {staff_id}")
        seen.add(fact.id)
        found = fact_problems(fact)
        if found:
            problems.extend(f"fact {fact.id} ({fact.kind}): {p}" for p in found)
    return problems


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a block that builds millions of small acyclic objects."""
    # A month is millions of small acyclic objects; the cyclic collector rescanning the caller's
    # facts took ~45 % of the time at 20,000 staff (bench/scoring.py). Reference counting still frees.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def score(
    facts_by_staff: Mapping[int, Sequence[Fact]],
    *,
    rules: RuleSet,
    period: date,
    validate: bool = True,
) -> dict[int, StaffScore]:
    """Score one month for each staff member in ``facts_by_staff`` (the caller picks the month's facts; none = full marks)."""
    with cyclic_gc_paused():
        return _score_all(facts_by_staff, rules=rules, period=period.replace(day=1), validate=validate)


def _score_all(facts_by_staff: Mapping[int, Sequence[Fact]], *, rules: RuleSet, period: date, validate: bool) -> dict[int, StaffScore]:
    plan = compile_rules(rules.rules_for(period))
    if validate:
        checklist = {item.id: item.positive for item in rules.checklist}
        problems = [p for staff_id in sorted(facts_by_staff) for p in check_facts(staff_id, facts_by_staff[staff_id], checklist=checklist)]
        if problems:
            more = f" (and {len(problems) - _MAX_REPORTED} more)" if len(problems) > _MAX_REPORTED else ""
            raise FactInvalid(
                f"{len(problems)} invalid fact(s){more}: " + "; ".join(problems[:_MAX_REPORTED]), problems=problems[:_MAX_REPORTED]
            )
    return {
        staff_id: _score_one(staff_id, facts_by_staff[staff_id], plan=plan, rules=rules, period=period)
        for staff_id in sorted(facts_by_staff)
    }


def _score_one(staff_id: int, facts: Sequence[Fact], *, plan: Mapping[str, _KindPlan], rules: RuleSet, period: date) -> StaffScore:
    hits: dict[int, tuple[_Compiled, list[tuple[date, str, Decimal]]]] = {}
    for fact in facts:
        kind_plan = plan.get(fact.kind)
        if kind_plan is None:
            if fact.kind not in FACT_KINDS:
                raise FactInvalid(f"fact {fact.id}: unknown fact kind {fact.kind!r}")
            continue
        fields = fact.fields
        for compiled in kind_plan.candidates(fields):
            for name, test, value in compiled.tests:
                if not test(fields[name], value):
                    break
            else:
                units = compiled.units(fields)
                if units:
                    hits.setdefault(compiled.order, (compiled, []))[1].append((fact.occurred_on, fact.id, units))
    lines = tuple(_line(compiled, entries) for _, (compiled, entries) in sorted(hits.items()))
    return assemble(staff_id, lines, rules=rules, period=period)


def _line(compiled: _Compiled, entries: list[tuple[date, str, Decimal]]) -> Line:
    rule = compiled.rule
    if len(entries) > 1:
        entries.sort()  # occurrence order: by day, then fact id (ids are unique per staff)
    items = []
    total = ZERO
    memo, factor_of, base = compiled.points, compiled.factor, rule.points
    for n, (day, fact_id, units) in enumerate(entries, start=1):
        factor = factor_of(n)
        points = memo.get((units, factor))
        if points is None:
            points = memo[(units, factor)] = (base * units * factor).quantize(CENT, rounding=ROUND_HALF_UP)
        items.append(LineItem(fact_id, day, units, factor, points))
        total += points
    capped = total
    if rule.cap is not None and abs(total) > rule.cap:
        capped = rule.cap.copy_sign(total)
    veto = rule.veto and len(entries) >= rule.veto_from_occurrence
    return Line(rule.id, rule.title_zh, rule.title_en, rule.category, len(entries), capped, total, veto, tuple(items))


def assemble(staff_id: int, lines: tuple[Line, ...], *, rules: RuleSet, period: date) -> StaffScore:
    """Category points (never below 0 nor above max + bonus_max), total within [floor, ceiling], grade."""
    net = dict.fromkeys(CATEGORY_CODES, ZERO)
    for line in lines:
        net[line.category] += line.points
    categories: dict[str, Decimal] = {}
    for spec in rules.categories:
        raw = spec.max_points + net[spec.code]
        categories[spec.code] = min(max(raw, ZERO), spec.max_points + spec.bonus_max).quantize(CENT, rounding=ROUND_HALF_UP)
    scale = rules.scale
    total = min(max(sum(categories.values(), start=ZERO), scale.floor), scale.ceiling).quantize(CENT, rounding=ROUND_HALF_UP)
    veto = any(line.veto for line in lines)
    return StaffScore(
        staff_id=staff_id,
        period=period,
        rules_version=rules.version,
        categories=categories,
        total=total,
        grade=rules.grade_for(total, veto=veto),
        veto=veto,
        lines=lines,
    )
