"""Scoring engine benchmark: one month for a county centre (450 staff) and a province (100,000 staff).

Synthetic facts (~30 per staff: attendance, findings, ratings, delegate evaluation, the three rates,
a few appeals) scored with the shipped rules, beside a naive baseline run in the same process: every
rule evaluated by a plain loop over all of a staff member's facts, conditions interpreted by name.
Both must give identical results (checked on the 450-staff month).

Run: uv run python bench/scoring.py [--staff 450,100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from window_staff.scoring import Fact, Line, LineItem, RuleSet, StaffScore, load_rules, score
from window_staff.scoring.engine import assemble
from window_staff.scoring.rules import REPO_RULES_DIR, PerUnit, Rule
from window_staff.scoring.vocabulary import CATEGORY_CODES

PERIOD = date(2025, 3, 1)
CENT = Decimal("0.01")


def _adder(facts: list[Fact], sid: int, rng: random.Random):  # type: ignore[no-untyped-def]
    def add(kind: str, **fields: object) -> None:
        facts.append(Fact(f"{sid}-{len(facts)}", kind, sid, date(2025, 3, rng.randint(1, 31)), fields))

    return add


def synthetic_month(staff: int, *, rules: RuleSet, seed: int) -> dict[int, list[Fact]]:
    """About 30 facts per staff member for March 2025, reproducible from ``seed``."""
    rng = random.Random(seed)
    items = [(c.id, c.positive) for c in rules.checklist]
    bad_items = [i for i in items if not i[1]]
    good_items = [i for i in items if i[1]]
    out: dict[int, list[Fact]] = {}
    for sid in range(1, staff + 1):
        facts: list[Fact] = []
        add = _adder(facts, sid, rng)
        for _ in range(rng.randint(2, 8)):
            add("attendance.late", minutes=rng.choice((2, 5, 12, 25, 40)), session=rng.choice(("am", "pm")))
        for _ in range(rng.randint(0, 4)):
            add("attendance.early_leave", minutes=rng.choice((3, 15, 45)), session="pm")
        for _ in range(rng.choice((0, 0, 0, 1, 2))):
            add("attendance.absent", session=rng.choice(("am", "pm")))
        for _ in range(rng.randint(0, 3)):
            add("attendance.missing_punch", session="am", direction=rng.choice(("in", "out")))
        for _ in range(rng.randint(0, 2)):
            add("attendance.away_from_post", minutes=rng.randint(5, 90), session="am")
        for _ in range(rng.randint(0, 3)):
            item, positive = rng.choice(bad_items if rng.random() < 0.85 else good_items)
            add(
                "inspection.finding",
                item=item,
                severity=rng.choice(("minor",) * 6 + ("major",) * 3 + ("serious",)),
                visit_kind=rng.choice(("open", "undercover")),
                positive=positive,
            )
        for _ in range(rng.randint(8, 16)):
            add("rating.citizen", level=rng.choices((1, 2, 3, 4, 5), weights=(1, 2, 5, 30, 62))[0])
        if rng.random() < 0.1:
            add("rating.bad_review_case", rectified_on_time=rng.random() < 0.7, voided=rng.random() < 0.2)
        add("evaluation.delegate", score=Decimal(rng.randint(8000, 10000)) / 100, count=rng.randint(1, 8))
        for kind in ("service.onsite_rate", "service.ontime_rate", "service.satisfaction_rate"):
            add(kind, rate=Decimal(rng.choice((10000, 10000, 9950, 9800, 9620))) / 100, transactions=rng.randint(0, 400))
        if rng.random() < 0.05:
            add("appeal.adjustment", points=Decimal("0.5"), rule_id="att.late", category="management")
        out[sid] = facts
    return out


# --- naive baseline ----------------------------------------------------------------------------------


def _naive_test(op: str, actual: object, value: object) -> bool:
    if op == "eq":
        return actual == value
    if op == "ne":
        return actual != value
    if op == "lt":
        return actual < value  # type: ignore[operator]
    if op == "le":
        return actual <= value  # type: ignore[operator]
    if op == "gt":
        return actual > value  # type: ignore[operator]
    if op == "ge":
        return actual >= value  # type: ignore[operator]
    if op == "in":
        return actual in value  # type: ignore[operator]
    if op == "not_in":
        return actual not in value  # type: ignore[operator]
    if op == "between":
        return value[0] <= actual <= value[1]  # type: ignore[index,operator]
    raise ValueError(op)


def _naive_units(per_unit: PerUnit | None, fields: Mapping[str, object]) -> Decimal:
    if per_unit is None:
        return Decimal(1)
    value = Decimal(fields[per_unit.field])  # type: ignore[arg-type]
    if per_unit.below is not None:
        amount = per_unit.below - value
    elif per_unit.above is not None:
        amount = value - per_unit.above
    else:
        amount = value
    if (per_unit.below is not None or per_unit.above is not None) and amount <= 0:
        return Decimal(0)
    ratio = amount / per_unit.size
    modes = {"up": ROUND_CEILING, "down": ROUND_FLOOR, "half_up": ROUND_HALF_UP}
    return ratio if per_unit.rounding == "none" else ratio.to_integral_value(rounding=modes[per_unit.rounding])


def _naive_line(rule: Rule, matched: list[tuple[date, str, Decimal]]) -> Line:
    matched.sort()
    items, total = [], Decimal(0)
    for n, (day, fid, units) in enumerate(matched, start=1):
        factor = Decimal(1)
        for step in rule.escalation:
            if n >= step.from_occurrence:
                factor = step.factor
        points = (rule.points * units * factor).quantize(CENT, rounding=ROUND_HALF_UP)
        items.append(LineItem(fid, day, units, factor, points))
        total += points
    capped = rule.cap.copy_sign(total) if rule.cap is not None and abs(total) > rule.cap else total
    veto = rule.veto and len(matched) >= rule.veto_from_occurrence
    return Line(rule.id, rule.title_zh, rule.title_en, rule.category, len(matched), capped, total, veto, tuple(items))


def naive_score(facts_by_staff: Mapping[int, Sequence[Fact]], *, rules: RuleSet, period: date) -> dict[int, StaffScore]:
    """Every rule against every fact of each staff member, conditions interpreted by operator name."""
    active = sorted(enumerate(rules.rules_for(period)), key=lambda p: (CATEGORY_CODES.index(p[1].category), p[0]))
    out = {}
    for sid in sorted(facts_by_staff):
        lines = []
        for _, rule in active:
            matched = []
            for fact in facts_by_staff[sid]:
                if fact.kind != rule.fact:
                    continue
                if all(_naive_test(c.op, fact.fields[c.field], c.value) for c in rule.condition):
                    units = _naive_units(rule.per_unit, fact.fields)
                    if units:
                        matched.append((fact.occurred_on, fact.id, units))
            if matched:
                lines.append(_naive_line(rule, matched))
        out[sid] = assemble(sid, tuple(lines), rules=rules, period=period)
    return out


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """(result, seconds)."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", default="450,100000", help="comma-separated staff counts")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rules = load_rules(REPO_RULES_DIR)
    print(
        f"rules {rules.version[:12]}: {len(rules.rules_for(PERIOD))} rules in force for {PERIOD:%Y-%m}; Python {sys.version.split()[0]}, "
        "one process"
    )
    print("engine = kind/field-indexed rules, memoised units and points, cyclic GC paused; naive = every rule x every fact")
    header = f"{'staff':>8} {'facts':>10} {'gen s':>7} | {'variant':<22} {'time s':>8} {'staff/s':>10} {'facts/s':>11} {'vs naive':>9}"
    print(header)
    print("-" * len(header))
    for staff in (int(s) for s in args.staff.split(",")):
        month, gen = timed(synthetic_month, staff, rules=rules, seed=args.seed)
        facts = sum(len(v) for v in month.values())
        checked, t_checked = timed(score, month, rules=rules, period=PERIOD)
        fast, t_fast = timed(score, month, rules=rules, period=PERIOD, validate=False)
        naive, t_naive = timed(naive_score, month, rules=rules, period=PERIOD)
        if checked != naive or fast != naive:
            print(f"MISMATCH between engine and naive baseline at {staff} staff", file=sys.stderr)
            return 1
        for name, seconds in (("naive baseline", t_naive), ("engine (validated)", t_checked), ("engine (no validation)", t_fast)):
            print(
                f"{staff:>8} {facts:>10} {gen:>7.1f} | {name:<22} {seconds:>8.2f} {staff / seconds:>10,.0f} {facts / seconds:>11,.0f} "
                f"{t_naive / seconds:>8.1f}x"
            )
        grades: dict[str, int] = {}
        for result in checked.values():
            grades[result.grade.code] = grades.get(result.grade.code, 0) + 1
        print(f"{'':>8} grades: {', '.join(f'{k} {v}' for k, v in sorted(grades.items()))}")
        del month, checked, fast, naive
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
