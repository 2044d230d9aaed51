"""Evaluations (服务评价标准): delegate campaigns and evaluations, citizen ratings (好差评) and their bad-review cases,
service transactions (办件)."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from window_staff.common.integrity import Seal
from window_staff.org.tables import Department, Staff, Window
from window_staff.terminals.tables import Terminal

# --- delegates (作风监督评议) -------------------------------------------------------------------------------------


class Delegate(Table, tablename="delegate"):
    """An invited evaluator: a people's congress deputy, a CPPCC member, a business representative; no staff account."""

    name = Varchar(length=100)
    kind = Varchar(length=24)  # npc_deputy | cppcc_member | business | citizen | other
    organisation = Varchar(length=200, default="")
    phone = Varchar(length=32, null=True, default=None)
    active = Boolean(default=True)
    created_by = Varchar(length=120)
    created_at = Timestamptz()


class Campaign(Table, tablename="delegate_campaign"):
    """An evaluation round: a period, the targets to evaluate and the form; its results go to the month of ``month``."""

    title = Varchar(length=200)
    month = Varchar(length=7)  # YYYY-MM whose appraisal the results count in
    opens_on = Date()
    closes_on = Date()
    form = Text()  # JSON: the dimensions (code, title_zh, title_en) rated 1..5, plus overall and comment
    status = Varchar(length=16, default="draft")  # draft | open | closed
    created_by = Varchar(length=120)
    created_at = Timestamptz()


class CampaignTarget(Table, tablename="delegate_campaign_target"):
    """A staff member, window or department the campaign evaluates."""

    campaign = ForeignKey(Campaign)
    kind = Varchar(length=16)  # staff | window | department
    target_id = Integer()


class Invitation(Table, tablename="delegate_invitation"):
    """A single-use, expiring link (token) plus a one-time code for one delegate and one campaign; only hashes are stored."""

    campaign = ForeignKey(Campaign)
    delegate = ForeignKey(Delegate)
    token_hash = Varchar(length=64, unique=True)
    code_hash = Varchar(length=64)
    expires_at = Timestamptz()
    failed_attempts = Integer(default=0)
    used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    created_by = Varchar(length=120)
    created_at = Timestamptz()


class DelegateSession(Table, tablename="delegate_session"):
    """What a redeemed invitation gives the delegate: a short-lived bearer token for that campaign only."""

    invitation = ForeignKey(Invitation, unique=True)
    token_hash = Varchar(length=64, unique=True)
    expires_at = Timestamptz()
    created_at = Timestamptz()


class Evaluation(Table, tablename="delegate_evaluation"):
    """Append-only: one delegate's evaluation of one target in one campaign (unique on the three)."""

    campaign = ForeignKey(Campaign)
    delegate = ForeignKey(Delegate)
    target_kind = Varchar(length=16)
    target_id = Integer()
    scores = Text()  # JSON: dimension code -> 1..5
    overall = Integer()  # 1..5
    comment = Text(default="")
    submitted_at = Timestamptz()
    row_mac = Text(null=True, default=None)  # the keyed seal of the columns below (common/integrity.py)


EVALUATION_SEAL = Seal(
    Evaluation,
    (
        Evaluation.campaign,
        Evaluation.delegate,
        Evaluation.target_kind,
        Evaluation.target_id,
        Evaluation.scores,
        Evaluation.overall,
        Evaluation.comment,
        Evaluation.submitted_at,
    ),
    subject_type="delegate_evaluation",
)


# --- citizens (好差评) --------------------------------------------------------------------------------------------


class RatingCode(Table, tablename="window_rating_code"):
    """The secret in a window's QR code: the rating page opens only with it (ids alone could be enumerated)."""

    window = ForeignKey(Window)
    token_hash = Varchar(length=64, unique=True)
    created_by = Varchar(length=120)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class Rating(Table, tablename="citizen_rating"):
    """Append-only: one citizen's rating of one service transaction at a window (unique per window and transaction)."""

    window = ForeignKey(Window)
    staff = ForeignKey(Staff, null=True)
    transaction_ref = Varchar(length=64)
    level = Integer()  # 1 非常不满意 .. 5 非常满意 (the overall indicator)
    efficiency = Integer()
    service_level = Integer()
    attitude = Integer()
    comment = Text(default="")
    source = Varchar(length=16)  # device | qr
    device = ForeignKey(Terminal, null=True)
    rated_at = Timestamptz()
    received_at = Timestamptz()
    row_mac = Text(null=True, default=None)  # the keyed seal of the columns below (common/integrity.py)


RATING_SEAL = Seal(
    Rating,
    (
        Rating.window,
        Rating.staff,
        Rating.transaction_ref,
        Rating.level,
        Rating.efficiency,
        Rating.service_level,
        Rating.attitude,
        Rating.comment,
        Rating.source,
        Rating.device,
        Rating.rated_at,
        Rating.received_at,
    ),
    subject_type="citizen_rating",
)


class BadReviewCase(Table, tablename="bad_review_case"):
    """The loop a rating of 不满意 or worse opens: verify, rectify by the deadline, call back, close; or void on review."""

    rating = ForeignKey(Rating, unique=True)
    staff = ForeignKey(Staff, null=True)
    window = ForeignKey(Window)
    status = Varchar(length=16, default="open")  # open | verified | rectified | called_back | closed | appealed | voided
    opened_at = Timestamptz()
    deadline = Date()  # the last working day to rectify and answer
    rectified_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    voided = Boolean(default=False)


class CaseEvent(Table, tablename="bad_review_case_event"):
    """Append-only: each step of a bad-review case, with who did it and the note."""

    case = ForeignKey(BadReviewCase)
    action = Varchar(length=24)
    from_status = Varchar(length=16)
    to_status = Varchar(length=16)
    note = Text(default="")
    actor = Varchar(length=120)
    actor_user = Integer(null=True, default=None)
    at = Timestamptz()


# --- service transactions (办件) ---------------------------------------------------------------------------------


class ImportBatch(Table, tablename="service_import_batch"):
    """One import of service transactions (a CSV file or an API call): all its rows or none."""

    source = Varchar(length=8)  # csv | api
    filename = Varchar(length=200, default="")
    rows = Integer()
    created_by = Varchar(length=120)
    created_at = Timestamptz()


class ServiceTransaction(Table, tablename="service_transaction"):
    """A service transaction (办件): the item, window and staff, received, promised and completed times, on the spot or not."""

    external_id = Varchar(length=64, unique=True)
    item = Varchar(length=200)
    window = ForeignKey(Window)
    staff = ForeignKey(Staff)
    department = ForeignKey(Department)
    received_at = Timestamptz()
    promised_at = Timestamptz()
    completed_at = Timestamptz(null=True, default=None)
    onsite = Boolean(default=False)
    batch = ForeignKey(ImportBatch)
