"""``[[rule]]`` tables -> Rule objects: conditions, per_unit, escalation, veto and effective dates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from window_staff.scoring.reader import ID, MISSING, Errors, Reader, array_of, parse_decimal
from window_staff.scoring.rules import ROUNDINGS, Condition, Escalation, PerUnit, Rule
from window_staff.scoring.vocabulary import CATEGORY_CODES, FACT_KINDS, OPERATORS, FieldSpec, value_problem

RULE_KEYS = (
    "id", "title_zh", "title_en", "description_zh", "description_en", "category", "fact", "condition", "points", "per_unit", "cap",
    "escalation", "veto", "veto_from_occurrence", "effective_from", "effective_to",
)  # fmt: skip


def parse_rules(data: object, *, file: str, errors: Errors) -> list[Rule]:
    """Rules from one file's ``rule`` array; broken rules are reported and left out."""
    out = []
    for i, table in enumerate(array_of(file, "rule", data, errors=errors)):
        rule_id = table.get("id") if isinstance(table, dict) else None
        entry = rule_id if isinstance(rule_id, str) else f"rule #{i + 1}"
        r = Reader(table, file=file, entry=entry, prefix="", errors=errors, keys=RULE_KEYS)
        rule = _rule(r)
        if rule is not None:
            out.append(rule)
    return out


def _rule(r: Reader) -> Rule | None:
    before = len(r.errors.items)
    rule_id = r.text("id", pattern=ID)
    title_zh, title_en, category, fact = r.text("title_zh"), r.text("title_en"), r.text("category"), r.text("fact")
    # What the rule does in a sentence each, shown on the sheet beside the deduction (optional for rule sets of old).
    description_zh, description_en = r.text("description_zh", required=False), r.text("description_en", required=False)
    if category is not None and category not in CATEGORY_CODES:
        r.fail("category", f"unknown category {category!r} (the five are: {', '.join(CATEGORY_CODES)})")
    kind = FACT_KINDS.get(fact) if fact else None
    if fact is not None and kind is None:
        r.fail("fact", f"unknown fact {fact!r} (known: {', '.join(FACT_KINDS)})")
    points = r.decimal("points")
    fields = kind.fields if kind else None
    condition = _conditions(r, fields)
    per_unit = _per_unit(r, fields)
    cap = r.decimal("cap", required=False)
    if cap is not None and cap <= 0:
        r.fail("cap", f"is the most this rule may add or deduct in a month, as a positive number; got {cap}")
    escalation = _escalation(r)
    veto = r.boolean("veto", default=False)
    veto_from = r.integer("veto_from_occurrence", required=False, minimum=1)
    if veto_from is not None and not veto:
        r.fail("veto_from_occurrence", "needs veto = true")
    if points is not None and points == 0 and not veto:
        r.fail("points", "is 0: a rule must move points or veto")
    start, end = r.day("effective_from"), r.day("effective_to")
    if start is not None and start.day != 1:
        r.fail("effective_from", f"must be the first day of a month (appraisals are monthly), got {start}")
    if end is not None and (end + timedelta(days=1)).day != 1:
        r.fail("effective_to", f"must be the last day of a month (inclusive), got {end}")
    if start is not None and end is not None and end < start:
        r.fail("effective_to", f"{end} is before effective_from {start}")
    if len(r.errors.items) > before:
        return None
    assert rule_id and title_zh and title_en and category and fact and points is not None
    return Rule(
        id=rule_id, title_zh=title_zh, title_en=title_en, category=category, fact=fact,
        condition=condition, points=points, per_unit=per_unit, cap=cap, escalation=escalation,
        veto=bool(veto), veto_from_occurrence=veto_from or 1, effective_from=start, effective_to=end, source=r.file,
        description_zh=description_zh or "", description_en=description_en or "",
    )  # fmt: skip


def _conditions(r: Reader, fields: Any) -> tuple[Condition, ...]:
    value = r.raw("condition", required=False)
    if value is MISSING:
        return ()
    if not isinstance(value, list):
        r.fail("condition", "must be an array of {field, op, value} tables")
        return ()
    out = []
    for i, table in enumerate(value):
        c = r.child(table, prefix=f"condition[{i}]", keys=("field", "op", "value"))
        name, op_name = c.text("field"), c.text("op")
        raw = c.raw("value", required=True)
        op = OPERATORS.get(op_name) if op_name else None
        if op_name is not None and op is None:
            c.fail("op", f"unknown operator {op_name!r} (known: {', '.join(OPERATORS)})")
        spec = fields.get(name) if fields is not None and name else None
        if fields is not None and name is not None and spec is None:
            c.fail("field", f"unknown field {name!r} for this fact (known: {', '.join(fields)})")
        if spec is None or op is None or raw is MISSING:
            continue
        if op.ordered and not spec.numeric:
            c.fail("op", f"{op.name!r} needs a numeric field; {name!r} is {spec.type.__name__}")
            continue
        typed = _condition_value(c, spec, op.shape, raw)
        if typed is not MISSING:
            out.append(Condition(field=spec.name, op=op.name, value=typed))
    return tuple(out)


def _condition_value(c: Reader, spec: FieldSpec, shape: str, raw: object) -> object:
    if shape == "scalar":
        return _typed(c, spec, raw)
    if not isinstance(raw, list) or not raw or (shape == "pair" and len(raw) != 2):
        c.fail("value", "must be [low, high]" if shape == "pair" else "must be a non-empty array")
        return MISSING
    items: list[Any] = [_typed(c, spec, v) for v in raw]  # a pair's operator is ordered: its field is int or Decimal
    if any(v is MISSING for v in items):
        return MISSING
    if shape == "list":
        return frozenset(items)
    if items[0] > items[1]:
        c.fail("value", f"low {items[0]} is above high {items[1]}")
        return MISSING
    return (items[0], items[1])


def _typed(c: Reader, spec: FieldSpec, raw: object) -> object:
    value: object = raw
    if spec.type is Decimal:
        value, problem = parse_decimal(raw)
        if problem:
            c.fail("value", problem)
            return MISSING
    problem = value_problem(spec, value)
    if problem:
        c.fail("value", problem)
        return MISSING
    return value


def _per_unit(r: Reader, fields: Any) -> PerUnit | None:
    value = r.raw("per_unit", required=False)
    if value is MISSING:
        return None
    p = r.child(value, prefix="per_unit", keys=("field", "size", "rounding", "below", "above"))
    name, size, rounding = p.text("field"), p.decimal("size"), p.text("rounding")
    below, above = p.decimal("below", required=False), p.decimal("above", required=False)
    spec = fields.get(name) if fields is not None and name else None
    if fields is not None and name is not None:
        if spec is None:
            p.fail("field", f"unknown field {name!r} for this fact (known: {', '.join(fields)})")
        elif not spec.numeric:
            p.fail("field", f"{name!r} is {spec.type.__name__}; per_unit needs a numeric field")
    if size is not None and size <= 0:
        p.fail("size", f"must be > 0, got {size}")
    if rounding is not None and rounding not in ROUNDINGS:
        p.fail("rounding", f"unknown rounding {rounding!r} (known: {', '.join(ROUNDINGS)})")
    if below is not None and above is not None:
        p.fail("above", "use either below or above, not both")
    if name is None or size is None or rounding is None:
        return None
    return PerUnit(field=name, size=size, rounding=rounding, below=below, above=above)


def _escalation(r: Reader) -> tuple[Escalation, ...]:
    value = r.raw("escalation", required=False)
    if value is MISSING:
        return ()
    steps = value if isinstance(value, list) else [value]
    out: list[Escalation] = []
    for i, table in enumerate(steps):
        prefix = f"escalation[{i}]" if isinstance(value, list) else "escalation"
        e = r.child(table, prefix=prefix, keys=("from_occurrence", "factor"))
        start, factor = e.integer("from_occurrence", minimum=2), e.decimal("factor")
        # Factors >= 1 that never fall keep "one more occurrence never helps" true.
        if factor is not None and factor < 1:
            e.fail("factor", f"must be >= 1, got {factor}")
        elif out and start is not None and factor is not None:
            if start <= out[-1].from_occurrence:
                e.fail("from_occurrence", "steps must have increasing from_occurrence")
            elif factor < out[-1].factor:
                e.fail("factor", "factors must not decrease from one step to the next")
        if start is not None and factor is not None and factor >= 1:
            out.append(Escalation(from_occurrence=start, factor=factor))
    return tuple(out)
