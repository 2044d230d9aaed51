"""Schemas of delegate evaluations (作风监督评议): delegates, campaigns, invitations, the delegate's form, results.

Inputs never carry protected fields (status, created_by, the delegate of an evaluation, hashes): the
service sets them from the caller, the invitation or the session. Outputs a staff member can reach
(``CampaignResultsOut``) carry nothing that identifies a delegate.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

Id = Annotated[int, msgspec.Meta(ge=1)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Organisation = Annotated[str, msgspec.Meta(max_length=200)]
Phone = Annotated[str, msgspec.Meta(min_length=3, max_length=32, pattern=r"^[0-9+() -]+$")]
Title = Annotated[str, msgspec.Meta(min_length=2, max_length=200)]
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str, msgspec.Meta(pattern=MONTH_PATTERN)]
DimensionCode = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]
DimensionTitle = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Rating = Annotated[int, msgspec.Meta(ge=1, le=5)]
Comment = Annotated[str, msgspec.Meta(max_length=1000)]
DelegateKind = Literal["npc_deputy", "cppcc_member", "business", "citizen", "other"]
TargetKind = Literal["staff", "window", "department"]
CampaignStatus = Literal["draft", "open", "closed"]

# Bounds that keep one request and one results page small.
MAX_TARGETS = 500
MAX_DIMENSIONS = 20


# --- delegates (HR) ---


class DelegateIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """HR registers an invited evaluator (no staff account is made)."""

    name: Name
    kind: DelegateKind
    organisation: Organisation = ""
    phone: Phone | None = None


class DelegateOut(msgspec.Struct, kw_only=True):
    """A delegate as HR sees them."""

    id: int
    name: str
    kind: str
    organisation: str
    phone: str | None
    active: bool
    created_at: datetime


# --- campaigns (HR) ---


class TargetIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A staff member, window or department to evaluate."""

    kind: TargetKind
    id: Id


class DimensionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One dimension of the form, rated 1..5."""

    code: DimensionCode
    title_zh: DimensionTitle
    title_en: DimensionTitle


class CampaignIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new campaign (created as a draft); ``form`` defaults to the seed's five "alike" dimensions."""

    title: Title
    month: Month
    opens_on: date
    closes_on: date
    targets: Annotated[list[TargetIn], msgspec.Meta(min_length=1, max_length=MAX_TARGETS)]
    form: Annotated[list[DimensionIn], msgspec.Meta(min_length=1, max_length=MAX_DIMENSIONS)] | None = None


class DimensionOut(msgspec.Struct, kw_only=True):
    """A dimension of the form."""

    code: str
    title_zh: str
    title_en: str


class FormOut(msgspec.Struct, kw_only=True):
    """The form: every dimension rated ``scale_min``..``scale_max``, an overall rating on the same scale, a free comment."""

    dimensions: list[DimensionOut]
    scale_min: int
    scale_max: int
    comment_max_length: int


class TargetOut(msgspec.Struct, kw_only=True):
    """A target with its display label (a staff member by name and window)."""

    kind: str
    id: int
    label: str


class CampaignOut(msgspec.Struct, kw_only=True):
    """A campaign as HR, approvers and auditors see it."""

    id: int
    title: str
    month: str
    opens_on: date
    closes_on: date
    status: str
    form: FormOut
    targets: list[TargetOut]
    created_by: str
    created_at: datetime


class CampaignBriefOut(msgspec.Struct, kw_only=True):
    """A campaign in a list."""

    id: int
    title: str
    month: str
    opens_on: date
    closes_on: date
    status: str


# --- invitations (HR) ---


class InvitationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """HR invites one delegate to one campaign (an earlier unused invitation of theirs is revoked)."""

    delegate_id: Id


class InvitationIssuedOut(msgspec.Struct, kw_only=True):
    """Shown once: the link token and the one-time code; only their hashes are kept."""

    id: int
    campaign_id: int
    delegate_id: int
    token: str
    code: str
    redeem_path: str
    expires_at: datetime


class InvitationStatusOut(msgspec.Struct, kw_only=True):
    """Follow-up for HR: who was invited and how many targets they have answered (never what they answered)."""

    id: int
    delegate_id: int
    delegate_name: str
    delegate_kind: str
    organisation: str
    state: str  # pending | used | expired | revoked
    failed_attempts: int
    expires_at: datetime
    created_at: datetime
    answered_targets: int


# --- the delegate's side ---


class RedeemIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The link token and the one-time code from the invitation."""

    token: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=16)]


class DelegateSessionOut(msgspec.Struct, kw_only=True):
    """A short-lived bearer token for the campaign's form."""

    token: str
    expires_at: datetime
    campaign_id: int


class DelegateTargetOut(msgspec.Struct, kw_only=True):
    """A target on the delegate's form, and whether this delegate has already evaluated it."""

    kind: str
    id: int
    label: str
    evaluated: bool


class DelegateCampaignOut(msgspec.Struct, kw_only=True):
    """What the delegate sees: the campaign's title, dates, form and targets, nothing else."""

    title: str
    opens_on: date
    closes_on: date
    form: FormOut
    targets: list[DelegateTargetOut]


class EvaluationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One evaluation of one target: every dimension of the form 1..5, an overall 1..5, a comment."""

    target_kind: TargetKind
    target_id: Id
    scores: Annotated[dict[DimensionCode, Rating], msgspec.Meta(max_length=MAX_DIMENSIONS)]
    overall: Rating
    comment: Comment = ""


class EvaluationReceiptOut(msgspec.Struct, kw_only=True):
    """The delegate's receipt for a stored evaluation."""

    target_kind: str
    target_id: int
    submitted_at: datetime


# --- results (no delegate identity anywhere) ---


class TargetResultOut(msgspec.Struct, kw_only=True):
    """One target's results; below the policy's ``min_answers`` only the count is shown."""

    kind: str
    id: int
    label: str
    count: int
    shown: bool
    dimensions: dict[str, Decimal] | None = None
    overall: Decimal | None = None
    score: Decimal | None = None  # mean of all dimension ratings x 20 (0..100)
    comments: list[str] = []  # sorted by text: neither author nor order of submission


class CampaignResultsOut(msgspec.Struct, kw_only=True):
    """A campaign's results per target (a staff member gets only their own staff target)."""

    campaign_id: int
    title: str
    month: str
    status: str
    min_answers: int
    targets: list[TargetResultOut]
