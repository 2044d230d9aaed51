"""Appraisal tables: the Period (current state), its append-only trail, computations, sheets, appeals, reopen requests."""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from window_staff.common.integrity import Seal
from window_staff.org.tables import Staff


class Period(Table, tablename="appraisal_period"):
    """One month's appraisal: its state and, once closed, the hashes that pin its figures."""

    month = Varchar(length=7, unique=True)  # YYYY-MM
    state = Varchar(length=16, default="open")
    computation = Integer(default=0)  # number of the latest computation
    rules_version = Varchar(length=64, default="")
    appeal_opened_at = Timestamptz(null=True, default=None)
    appeal_until = Timestamptz(null=True, default=None)
    approved_by = Varchar(length=120, null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    closes = Integer(default=0)  # how many times the month was closed (a reopen allows another)
    inputs_hash = Varchar(length=64, default="")
    results_hash = Varchar(length=64, default="")
    bonus_rules_hash = Varchar(length=64, default="")
    chain_head = Text(default="")  # the signed chain-head document of the latest close
    bonus_summary = Text(default="")  # JSON, frozen at close: formula and department totals
    created_at = Timestamptz()
    updated_at = Timestamptz()


class PeriodEvent(Table, tablename="appraisal_period_event"):
    """Append-only trail of the period's transitions (the audit chain holds the same, hash-linked)."""

    period = ForeignKey(Period)
    action = Varchar(length=32)
    from_state = Varchar(length=16)
    to_state = Varchar(length=16)
    actor = Varchar(length=120)
    actor_user = Integer(null=True, default=None)
    reason = Text(default="")
    at = Timestamptz()


class Computation(Table, tablename="appraisal_computation"):
    """Append-only: one run of the engine over the month (``scope`` month) or one person after an appeal (staff)."""

    period = ForeignKey(Period)
    number = Integer()
    scope = Varchar(length=8)  # month | staff
    actor = Varchar(length=120)
    actor_user = Integer(null=True, default=None)
    rules_version = Varchar(length=64)
    staff_count = Integer()
    changed = Integer()
    facts = Integer()
    at = Timestamptz()


class Sheet(Table, tablename="appraisal_sheet"):
    """One staff member's scored month; a recompute that changes it adds a new row and retires the old."""

    period = ForeignKey(Period)
    staff = ForeignKey(Staff)
    computation = Integer()
    current = Boolean(default=True)
    department = Integer()
    window = Integer(null=True, default=None)
    total_cents = Integer()  # the total in hundredths, so rankings aggregate in SQL exactly
    grade = Varchar(length=16)
    veto = Boolean(default=False)
    categories = Text()  # JSON: category code -> points ("18.50")
    lines = Text()  # JSON: the explanation, every rule that fired with its facts
    inputs_hash = Varchar(length=64)
    sheet_hash = Varchar(length=64)
    bonus = Varchar(length=24, null=True, default=None)  # frozen at close
    paid_grade = Varchar(length=16, null=True, default=None)
    row_mac = Text(null=True, default=None)  # the keyed seal of the columns below (common/integrity.py)


SHEET_SEAL = Seal(
    Sheet,
    (
        Sheet.period,
        Sheet.staff,
        Sheet.computation,
        Sheet.current,
        Sheet.department,
        Sheet.window,
        Sheet.total_cents,
        Sheet.grade,
        Sheet.veto,
        Sheet.categories,
        Sheet.lines,
        Sheet.inputs_hash,
        Sheet.sheet_hash,
        Sheet.bonus,
        Sheet.paid_grade,
    ),
)


class Appeal(Table, tablename="appraisal_appeal"):
    """Append-only: a staff member's appeal (申诉) against one line of their sheet, or some of its facts."""

    period = ForeignKey(Period)
    staff = ForeignKey(Staff)
    rule_id = Varchar(length=64)
    category = Varchar(length=16)
    line_points = Varchar(length=24)
    fact_ids = Text()  # JSON list, as on the sheet when filed
    # JSON list of the disputed items as on the sheet when filed ([fact id, day, units, factor, points, fields]);
    # "" for an appeal about the whole line. ``disputed_key`` (a hash of their ids, "" for the whole line) is in
    # the unique index, so the same appeal is never stored twice.
    disputed = Text(default="")
    disputed_key = Varchar(length=64, default="")
    reason = Text()
    filed_by = Varchar(length=120)
    filed_at = Timestamptz()


class AppealDecision(Table, tablename="appraisal_appeal_decision"):
    """Append-only: the reviewer's decision; an upheld one is the adjustment event the month is recomputed with."""

    appeal = ForeignKey(Appeal, unique=True)
    outcome = Varchar(length=16)  # upheld | rejected
    points = Varchar(length=24)  # signed adjustment ("0" when rejected)
    reason = Text()
    reviewer = Varchar(length=120)
    reviewer_user = Integer()
    decided_at = Timestamptz()


class ReopenRequest(Table, tablename="appraisal_reopen_request"):
    """A first approver's request to reopen a closed month; a second approver confirms it."""

    period = ForeignKey(Period)
    close_number = Integer()
    reason = Text()
    requested_by = Varchar(length=120)
    requested_user = Integer()
    requested_at = Timestamptz()
    confirmed_by = Varchar(length=120, null=True, default=None)
    confirmed_user = Integer(null=True, default=None)
    confirmed_at = Timestamptz(null=True, default=None)
