"""Evaluations: delegates, campaigns, invitations, evaluations; citizen ratings and bad-review cases; service transactions."""

from piccolo.engine.base import Engine

from window_staff.evaluations.tables import (
    BadReviewCase,
    Campaign,
    CampaignTarget,
    CaseEvent,
    Delegate,
    DelegateSession,
    Evaluation,
    ImportBatch,
    Invitation,
    Rating,
    RatingCode,
    ServiceTransaction,
)
from window_staff.migrations import create_tables

ID = "0009_evaluations"

TABLES = [
    Delegate,
    Campaign,
    CampaignTarget,
    Invitation,
    DelegateSession,
    Evaluation,
    RatingCode,
    Rating,
    BadReviewCase,
    CaseEvent,
    ImportBatch,
    ServiceTransaction,
]

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS delegate_campaign_target_one ON delegate_campaign_target (campaign, kind, target_id)",
    # One evaluation per delegate, target and campaign: the database refuses a second, even from two tabs at once.
    "CREATE UNIQUE INDEX IF NOT EXISTS delegate_evaluation_one ON delegate_evaluation (campaign, delegate, target_kind, target_id)",
    "CREATE INDEX IF NOT EXISTS delegate_evaluation_target ON delegate_evaluation (target_kind, target_id, campaign)",
    "CREATE INDEX IF NOT EXISTS delegate_invitation_campaign ON delegate_invitation (campaign, delegate)",
    # One rating per service transaction at a window.
    'CREATE UNIQUE INDEX IF NOT EXISTS citizen_rating_transaction ON citizen_rating ("window", transaction_ref)',
    "CREATE INDEX IF NOT EXISTS citizen_rating_staff ON citizen_rating (staff, rated_at)",
    'CREATE INDEX IF NOT EXISTS citizen_rating_window ON citizen_rating ("window", rated_at)',
    "CREATE INDEX IF NOT EXISTS bad_review_case_status ON bad_review_case (status, deadline)",
    'CREATE INDEX IF NOT EXISTS bad_review_case_event_case ON bad_review_case_event ("case", id)',
    "CREATE INDEX IF NOT EXISTS service_transaction_staff ON service_transaction (staff, received_at)",
    'CREATE INDEX IF NOT EXISTS service_transaction_window ON service_transaction ("window", received_at)',
    # The month's rates read by received and by promised time across the whole centre.
    "CREATE INDEX IF NOT EXISTS service_transaction_received ON service_transaction (received_at)",
    "CREATE INDEX IF NOT EXISTS service_transaction_promised ON service_transaction (promised_at)",
    "CREATE INDEX IF NOT EXISTS citizen_rating_rated ON citizen_rating (rated_at)",
]


async def forward(engine: Engine) -> None:
    """Create the tables; evaluations, ratings, case steps and transactions are append-only events."""
    await create_tables(engine, TABLES, indexes=INDEXES, append_only=("delegate_evaluation", "citizen_rating", "bad_review_case_event"))
