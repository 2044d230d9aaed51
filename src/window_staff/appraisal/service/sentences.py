"""Sheets and appeals told in sentences in the reader's language (appraisal/wording.py), with what backs a disputed fact."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from window_staff.appraisal.schemas import AppealReviewOut, DisputedFactOut, EvidenceLinkOut, ItemOut, LineOut
from window_staff.appraisal.wording import Item, item_sentence, line_sentence, rule_description
from window_staff.attendance import views as attendance_views
from window_staff.attendance.schemas import DayRecordOut
from window_staff.attendance.service import punches as attendance_punches
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.common.principal import Principal
from window_staff.inspections.service import evidence as inspection_evidence
from window_staff.scoring.rules import Rule, RuleSet

_FINDING = "inspection.finding:"


def _rule(rules: RuleSet, rule_id: str, *, first: date) -> Rule | None:
    try:
        return rules.rule(rule_id, on=first)
    except KeyError:
        try:
            return rules.rule(rule_id)  # a rule since retired: its latest words
        except KeyError:
            return None


def _titles(rules: RuleSet) -> dict[str, tuple[str, str]]:
    return {r.id: (r.title_zh, r.title_en) for r in rules.rules}


def _item(i: ItemOut) -> Item:
    return Item(i.fact_id, i.day, i.units, i.factor, i.points, i.fields)


def worded_lines(lines: Sequence[LineOut], *, rules: RuleSet, first: date, lang: str) -> list[LineOut]:
    """The lines with the rule's own description, a summary sentence and a sentence for each fact."""
    checklist = {c.id: c for c in rules.checklist}
    titles = _titles(rules)
    out = []
    for line in lines:
        rule = _rule(rules, line.rule_id, first=first)
        items = [
            ItemOut(
                fact_id=i.fact_id,
                day=i.day,
                units=i.units,
                factor=i.factor,
                points=i.points,
                fields=i.fields,
                text=item_sentence(rule, _item(i), occurrence=n, lang=lang, checklist=checklist, titles=titles) if rule else "",
            )
            for n, i in enumerate(line.items, start=1)
        ]
        out.append(
            LineOut(
                rule_id=line.rule_id,
                category=line.category,
                title_zh=line.title_zh,
                title_en=line.title_en,
                occurrences=line.occurrences,
                points=line.points,
                uncapped=line.uncapped,
                veto=line.veto,
                items=items,
                description=rule_description(rule, lang=lang),
                summary=line_sentence(
                    rule, occurrences=line.occurrences, points=line.points, uncapped=line.uncapped, veto=line.veto, lang=lang
                ),
            )
        )
    return out


def _items_of(raw: Sequence[Sequence[Any]]) -> list[ItemOut]:
    return [
        ItemOut(fact_id=i[0], day=date.fromisoformat(i[1]), units=Decimal(i[2]), factor=Decimal(i[3]), points=Decimal(i[4]), fields=i[5])
        for i in raw
    ]


def worded_review(
    review: AppealReviewOut,
    *,
    disputed: Sequence[Sequence[Any]],
    line_items: Sequence[Sequence[Any]],
    rules: RuleSet,
    first: date,
    lang: str,
) -> AppealReviewOut:
    """An appeal for its reviewer: the line's title and rule, and each disputed fact as a sentence (the line's facts
    for a whole-line appeal). ``line_items`` are the line's items as on the sheet now, for the occurrence count."""
    rule = _rule(rules, review.rule_id, first=first)
    if rule is not None:
        review.title_zh, review.title_en = rule.title_zh, rule.title_en
        review.description = rule_description(rule, lang=lang)
    order = {i[0]: n for n, i in enumerate(line_items, start=1)} or {f: n for n, f in enumerate(review.fact_ids, start=1)}
    checklist = {c.id: c for c in rules.checklist}
    titles = _titles(rules)
    review.disputed = [
        DisputedFactOut(
            fact_id=i.fact_id,
            day=i.day,
            points=i.points,
            text=item_sentence(rule, _item(i), occurrence=order.get(i.fact_id, 1), lang=lang, checklist=checklist, titles=titles)
            if rule
            else "",
        )
        for i in _items_of(disputed or line_items)
    ]
    return review


async def add_evidence(ctx: AppContext, review: AppealReviewOut, *, principal: Principal) -> AppealReviewOut:
    """Attach what backs each disputed fact: the session's sign-in and sign-out times, a finding's photos (as links)."""
    months: dict[date, list[DayRecordOut]] = {}
    for fact in review.disputed:
        kind, _, rest = fact.fact_id.partition(":")
        if kind.startswith("attendance."):
            first = fact.day.replace(day=1)
            if first not in months:
                months[first] = (await attendance_views.staff_month(ctx, review.staff_id, month=first)).records
            session = rest.rsplit(":", 1)[-1]
            record = next((r for r in months[first] if r.day == fact.day and r.session == session), None)
            fact.evidence = await _punches(ctx, record)
        elif fact.fact_id.startswith(_FINDING) and rest.isdigit():
            try:
                photos = await inspection_evidence.list_evidence(ctx, principal, int(rest))
            except DomainError:
                photos = []  # a finding the reviewer may not see: no link rather than a refusal
            fact.evidence = [EvidenceLinkOut(kind="photo", url=p.url) for p in photos]
    return review


async def _punches(ctx: AppContext, record: DayRecordOut | None) -> list[EvidenceLinkOut]:
    if record is None:
        return []
    out = []
    for punch_id, kind in ((record.sign_in_punch_id, "sign_in"), (record.sign_out_punch_id, "sign_out")):
        if punch_id is not None:
            punch = await attendance_punches.get_punch(ctx, punch_id)
            out.append(EvidenceLinkOut(kind=kind, at=punch.captured_at))  # type: ignore[arg-type]
    return out


def line_items_of(lines: Mapping[str, Any] | None) -> list[list[Any]]:
    """The items of a stored line (none when the line is gone)."""
    return list(lines["items"]) if lines else []
