"""Inspections: visits, findings with their revisions and evidence, appeals, the exposure board, notifications.

An undercover visit and every finding of it are embargoed until the lead publishes them: every query
outside the inspection roles goes through the one visibility predicate in ``inspections/store.py``.
"""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from window_staff.auth.tables import User
from window_staff.common.integrity import Seal
from window_staff.notifications.tables import Notification
from window_staff.org.tables import Site, Staff, Window


class Visit(Table, tablename="inspection_visit"):
    """A visit (明查 open / 暗访 undercover) to a site; undercover ones are seen only by the lead until published."""

    kind = Varchar(length=16)  # open | undercover
    site = ForeignKey(Site)
    planned_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    status = Varchar(length=16, default="planned")  # planned | in_progress | done | cancelled
    note = Text(default="")
    planned_by = Varchar(length=120)
    created_at = Timestamptz()
    published_at = Timestamptz(null=True, default=None)


class VisitInspector(Table, tablename="inspection_visit_inspector"):
    """An inspector assigned to a visit (may log findings on it)."""

    visit = ForeignKey(Visit)
    inspector = ForeignKey(User)


class VisitWindow(Table, tablename="inspection_visit_window"):
    """A window the visit covers."""

    visit = ForeignKey(Visit)
    window = ForeignKey(Window)


class Finding(Table, tablename="inspection_finding"):
    """What an inspector saw at a window (a checklist item), about a staff member or the window alone."""

    visit = ForeignKey(Visit)
    staff = ForeignKey(Staff, null=True)
    window = ForeignKey(Window, null=True)
    item = Varchar(length=64)  # a checklist id from rules/checklist.toml
    category = Varchar(length=16)  # copied from the checklist item when logged
    positive = Boolean(default=False)  # a commendation
    severity = Varchar(length=16, default="minor")  # minor | major | serious
    observed_at = Timestamptz()
    note = Text(default="")
    status = Varchar(length=16, default="draft")  # draft | rejected | published
    revision = Integer(default=1)
    logged_by = ForeignKey(User)
    created_at = Timestamptz()
    published_at = Timestamptz(null=True, default=None)
    published_by = Varchar(length=120, null=True, default=None)
    row_mac = Text(null=True, default=None)  # the keyed seal of the columns below (common/integrity.py)


FINDING_SEAL = Seal(
    Finding,
    (
        Finding.visit,
        Finding.staff,
        Finding.window,
        Finding.item,
        Finding.category,
        Finding.positive,
        Finding.severity,
        Finding.observed_at,
        Finding.note,
        Finding.status,
        Finding.revision,
        Finding.logged_by,
        Finding.created_at,
        Finding.published_at,
        Finding.published_by,
    ),
    subject_type="inspection_finding",
)


class FindingRevision(Table, tablename="inspection_finding_revision"):
    """Every state of a finding, kept (append-only): logged, edited by the lead, rejected, published."""

    finding = ForeignKey(Finding)
    revision = Integer()
    action = Varchar(length=16)  # logged | edited | rejected | published
    data = Text()  # canonical JSON of the finding's fields after the action
    reason = Text(default="")
    changed_by = Varchar(length=120)
    changed_at = Timestamptz()


class Evidence(Table, tablename="inspection_evidence"):
    """A photo of a finding, stored by content hash (metadata stripped); served only to who may see the finding."""

    finding = ForeignKey(Finding)
    sha256 = Varchar(length=64)
    media_type = Varchar(length=32)
    size = Integer()
    width = Integer()
    height = Integer()
    uploaded_by = Varchar(length=120)
    uploaded_at = Timestamptz()
    removed_at = Timestamptz(null=True, default=None)


class FindingAppeal(Table, tablename="inspection_appeal"):
    """A staff member's appeal against a published finding, decided by a reviewer who is not the inspector."""

    finding = ForeignKey(Finding)
    staff = ForeignKey(Staff)
    reason = Text()
    filed_at = Timestamptz()
    status = Varchar(length=16, default="open")  # open | upheld | rejected
    decided_by = Varchar(length=120, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")


class ExposureEntry(Table, tablename="inspection_exposure"):
    """A published finding the lead put on the exposure board (自亮家丑) until ``expires_on``."""

    finding = ForeignKey(Finding, unique=True)
    named = Boolean(default=False)  # the centre's policy decides the default
    show_photos = Boolean(default=False)
    chosen_by = Varchar(length=120)
    chosen_at = Timestamptz()
    expires_on = Date()
    withdrawn_at = Timestamptz(null=True, default=None)
    # The public wording the lead chose (m0014): the board never shows the inspector's private note.
    headline = Text(null=True, default=None)  # the problem found, e.g. 未佩戴工作牌; None: the item's problem wording
    public_text = Text(null=True, default=None)
    rectified_at = Timestamptz(null=True, default=None)  # None: 整改中
    rectified_by = Varchar(length=120, null=True, default=None)


# Notification began here and its table is still created by the inspections migration (m0006).
INSPECTION_TABLES = [Visit, VisitInspector, VisitWindow, Finding, FindingRevision, Evidence, FindingAppeal, ExposureEntry, Notification]
