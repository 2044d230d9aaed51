"""Appraisal schemas: inputs never carry protected fields (staff, state, preparer, reviewer, points of a line)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

Reason = Annotated[str, msgspec.Meta(min_length=2, max_length=2000)]
RuleId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
FactId = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
Outcome = Literal["upheld", "rejected"]


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Why: returning a month to HR, or asking to reopen a closed month."""

    reason: Reason


class AppealIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A staff member appeals facts of one line of their own sheet (a day, a finding): ``facts`` are the line's
    ``items[].fact_id`` disputed; omitted or empty, the appeal is about the whole line."""

    rule_id: RuleId
    reason: Reason
    facts: Annotated[list[FactId], msgspec.Meta(max_length=100)] | None = None


class AppealDecisionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The reviewer upholds or rejects; ``points`` (upheld only) restores part of a line, default all of it."""

    outcome: Outcome
    reason: Reason
    points: Decimal | None = None


class PeriodOut(msgspec.Struct, kw_only=True):
    """A month's appraisal: its state, the latest computation and, once closed, the hashes that pin it."""

    month: str
    state: str
    computation: int
    rules_version: str
    appeal_opened_at: datetime | None
    appeal_until: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    published_at: datetime | None
    closed_at: datetime | None
    closes: int
    inputs_hash: str
    results_hash: str
    bonus_rules_hash: str
    staff: int
    pending_appeals: int


class ComputeOut(msgspec.Struct, kw_only=True):
    """What a computation did: people scored, sheets that changed, facts read and seconds taken."""

    period: PeriodOut
    computation: int
    staff: int
    changed: int
    facts: int
    seconds: float


class EventOut(msgspec.Struct, kw_only=True):
    """One step of the period's trail."""

    action: str
    from_state: str
    to_state: str
    actor: str
    reason: str
    at: datetime


class ItemOut(msgspec.Struct, kw_only=True):
    """One fact behind a line: its id, day, units, escalation factor, points, the fact's fields and, in the
    reader's language, the sentence that tells it (11月6日上午迟到18分钟……)."""

    fact_id: str
    day: date
    units: Decimal
    factor: Decimal
    points: Decimal
    fields: dict[str, Any]
    text: str = ""


class LineOut(msgspec.Struct, kw_only=True):
    """A rule that fired, with the facts behind it (the explanation PIPL art. 24 entitles staff to)."""

    rule_id: str
    category: str
    title_zh: str
    title_en: str
    occurrences: int
    points: Decimal
    uncapped: Decimal
    veto: bool
    items: list[ItemOut]
    description: str = ""  # the rule's own words on what it does, in the reader's language
    summary: str = ""  # the line in a sentence: how many times, the points in all, the cap


class CategoryOut(msgspec.Struct, kw_only=True):
    """A standard's points out of its maximum."""

    code: str
    title_zh: str
    title_en: str
    points: Decimal
    max_points: Decimal


class SheetAppealOut(msgspec.Struct, kw_only=True):
    """An appeal as its appellant sees it (the reviewer is not named to the appellant); ``facts`` are the
    facts disputed (empty: the whole line), ``disputed_points`` what they cost when it was filed."""

    id: int
    month: str
    rule_id: str
    category: str
    line_points: Decimal
    reason: str
    filed_at: datetime
    outcome: str | None
    points: Decimal | None
    decision_reason: str | None
    decided_at: datetime | None
    facts: list[str] = msgspec.field(default_factory=list)
    disputed_points: Decimal | None = None


class EvidenceLinkOut(msgspec.Struct, kw_only=True):
    """What backs a disputed fact: a sign-in or sign-out time (``at``), or a finding's photo (``url``, served to
    those who may see the finding)."""

    kind: Literal["sign_in", "sign_out", "photo"]
    at: datetime | None = None
    url: str | None = None


class DisputedFactOut(msgspec.Struct, kw_only=True):
    """One fact an appeal disputes, in a sentence in the reader's language, with its evidence."""

    fact_id: str
    day: date
    points: Decimal
    text: str
    evidence: list[EvidenceLinkOut] = msgspec.field(default_factory=list)


class SheetOut(msgspec.Struct, kw_only=True):
    """One staff member's month: totals, grade, every line with its facts, a readable explanation, their appeals."""

    month: str
    state: str
    staff_id: int
    employee_no: str
    name: str
    department: str
    window: str | None
    computation: int
    rules_version: str
    total: Decimal
    grade: str
    grade_title_zh: str
    grade_title_en: str
    veto: bool
    categories: list[CategoryOut]
    lines: list[LineOut]
    explanation: str
    appeals: list[SheetAppealOut]
    bonus: Decimal | None = None
    computed_at: datetime | None = None  # when the computation behind this sheet ran


class SheetSummaryOut(msgspec.Struct, kw_only=True):
    """One row of the month's list for HR and approvers."""

    staff_id: int
    employee_no: str
    name: str
    department: str
    total: Decimal
    grade: str
    veto: bool
    computation: int


class AppealReviewOut(msgspec.Struct, kw_only=True):
    """An appeal as reviewers see it: appellant, line, decision and reviewer."""

    id: int
    month: str
    staff_id: int
    employee_no: str
    name: str
    rule_id: str
    category: str
    line_points: Decimal
    fact_ids: list[str]
    reason: str
    filed_at: datetime
    outcome: str | None
    points: Decimal | None
    decision_reason: str | None
    reviewer: str | None
    decided_at: datetime | None
    facts: list[str] = msgspec.field(default_factory=list)
    disputed_points: Decimal | None = None
    title_zh: str = ""
    title_en: str = ""
    description: str = ""  # the rule's own words, in the reader's language
    disputed: list[DisputedFactOut] = msgspec.field(default_factory=list)  # the facts disputed (all of the line's for a whole-line appeal)


class GroupOut(msgspec.Struct, kw_only=True):
    """A window's or department's month in the ranking.

    Figures are null for a group under the ranking's minimum size (``RankingOut.min_group``): it is listed
    unranked with its headcount only. ``best`` and ``worst`` (one person's total each) are null except for
    HR, approvers and auditors, who read every sheet anyway.
    """

    id: int
    label: str
    rank: int | None
    headcount: int
    average: Decimal | None
    best: Decimal | None
    worst: Decimal | None
    grades: dict[str, int] | None


class RankingOut(msgspec.Struct, kw_only=True):
    """Windows or departments of a month, ranked by average total; ``grades`` counts every ranked and unranked person."""

    month: str
    by: str
    min_group: int
    grades: dict[str, int]
    groups: list[GroupOut]


class TrendPointOut(msgspec.Struct, kw_only=True):
    """One month of a trend: the person's total and grade, or the department's average and spread."""

    month: str
    headcount: int
    average: Decimal
    best: Decimal
    worst: Decimal
    grade: str | None = None


class TrendOut(msgspec.Struct, kw_only=True):
    """A person's or a department's months, oldest first."""

    subject: str
    subject_id: int
    points: list[TrendPointOut]


class ChangeOut(msgspec.Struct, kw_only=True):
    """A person whose sheet changed since a computation."""

    staff_id: int
    employee_no: str
    name: str
    before: Decimal | None
    after: Decimal
    before_grade: str | None
    after_grade: str
    rules_changed: list[str]
    rules_removed: list[str]


class DiffOut(msgspec.Struct, kw_only=True):
    """What changed since a computation (default: the last one before the current), for the approver."""

    month: str
    since: int
    current: int
    changes: list[ChangeOut]


class LineChangeOut(msgspec.Struct, kw_only=True):
    """One rule's points on a person's sheet before and after (None: the rule did not fire on that sheet)."""

    rule_id: str
    title_zh: str
    title_en: str
    before: Decimal | None
    after: Decimal | None


class PersonChangeOut(msgspec.Struct, kw_only=True):
    """A person whose sheet changed since the approver's baseline: totals, grades and every line that moved."""

    staff_id: int
    employee_no: str
    name: str
    department: str
    before: Decimal | None
    after: Decimal
    before_grade: str | None
    after_grade: str
    lines: list[LineChangeOut]


class DecidedAppealOut(msgspec.Struct, kw_only=True):
    """An appeal of the month with its decision, as the approver checks it."""

    id: int
    employee_no: str
    name: str
    department: str
    rule_id: str
    title_zh: str
    title_en: str
    line_points: Decimal
    outcome: str
    points: Decimal
    decision_reason: str
    reviewer: str
    reviewer_user: int | None
    decided_at: datetime


class DepartmentBonusOut(msgspec.Struct, kw_only=True):
    """A department's bonus total for the month."""

    department: str
    headcount: int
    total: Decimal


class ReviewOut(msgspec.Struct, kw_only=True):
    """What an approver checks before approving: the changes since a baseline, the decided appeals, the bonus by department.

    ``baseline_kind``: ``approval`` / ``return`` (the figures at the last approval or return), ``appeals`` (the figures staff
    were shown when appeals opened), ``previous`` (the computation before the current one) or ``none`` (the first computation).
    """

    month: str
    current: int
    baseline: int | None
    baseline_kind: str
    baseline_at: datetime | None
    changes: list[PersonChangeOut]
    appeals: list[DecidedAppealOut]
    bonus: list[DepartmentBonusOut]
    bonus_total: Decimal | None
    bonus_error: str | None = None
