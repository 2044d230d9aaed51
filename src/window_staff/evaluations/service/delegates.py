"""Delegate evaluations (作风监督评议), the delegate's side: redeem an invitation, read the form, submit; and the month's facts.

A delegate has no staff account: an invitation (link token + one-time code, only hashes kept) is
redeemed once for a short-lived ``DelegateSession`` whose bearer token only these routes accept.
The helpers shared with HR's side (``service_campaigns``) live here: the form, target labels, tallies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from window_staff.auth.errors import SessionInvalid
from window_staff.common import audit, integrity
from window_staff.common.clock import DEFAULT_TIME_ZONE, as_utc
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, write_transaction
from window_staff.common.periods import month_key
from window_staff.evaluations.errors import (
    AlreadyEvaluated,
    CampaignNotFound,
    CampaignStateConflict,
    EvaluationInputInvalid,
    InvitationInvalid,
)
from window_staff.evaluations.policy import policy_of
from window_staff.evaluations.schemas.delegates import (
    DelegateCampaignOut,
    DelegateSessionOut,
    DelegateTargetOut,
    DimensionOut,
    EvaluationIn,
    EvaluationReceiptOut,
    FormOut,
    RedeemIn,
)
from window_staff.evaluations.tables import EVALUATION_SEAL, Campaign, CampaignTarget, DelegateSession, Evaluation, Invitation
from window_staff.org import service as org
from window_staff.scoring import Fact

FACT_KIND = "evaluation.delegate"
SCALE = (1, 5)
COMMENT_MAX = 1000
# The seed's five "alike" (五个一样): the default form of every campaign.
DEFAULT_DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    ("warm", "受理咨询一样热情", "Equally warm to every enquiry"),
    ("courteous", "生人熟人一样和气", "Equally courteous to strangers and acquaintances"),
    ("respectful", "干部群众一样尊重", "Equally respectful to officials and the public"),
    ("patient", "忙时闲时一样耐心", "Equally patient when busy or quiet"),
    ("punctual", "来早来晚一样接待", "Equally served whether early or late"),
)
# Fallback order when a staff member is not a target, or has too few answers (see ``month_facts``).
FALLBACK = ("staff", "window", "department")
_CENT = Decimal("0.01")

Key = tuple[str, int]


# --- shared helpers -----------------------------------------------------------------------------------------------


def sha256_hex(text: str) -> str:
    """The stored form of a token (tokens are random, so an unsalted hash is enough)."""
    return hashlib.sha256(text.encode()).hexdigest()


def code_hash(token: str, *, code: str) -> str:
    """The stored form of a one-time code, bound to its token so equal codes never share a hash."""
    return sha256_hex(f"{token}:{code}")


def local_today(now: datetime) -> date:
    """The calendar day at the centre (campaign dates are local days)."""
    return as_utc(now).astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).date()


def default_form() -> list[dict[str, str]]:
    """The default dimensions as stored in ``Campaign.form``."""
    return [{"code": c, "title_zh": zh, "title_en": en} for c, zh, en in DEFAULT_DIMENSIONS]


def form_json(dimensions: Sequence[Mapping[str, str]]) -> str:
    """What ``Campaign.form`` stores: the dimensions, the scale and the comment bound."""
    return json.dumps({"dimensions": list(dimensions), "scale": list(SCALE), "comment_max_length": COMMENT_MAX}, ensure_ascii=False)


def form_out(stored: str) -> FormOut:
    """The form of a campaign for display."""
    data = json.loads(stored)
    dims = [DimensionOut(code=d["code"], title_zh=d["title_zh"], title_en=d["title_en"]) for d in data["dimensions"]]
    low, high = data.get("scale", SCALE)
    return FormOut(dimensions=dims, scale_min=low, scale_max=high, comment_max_length=data.get("comment_max_length", COMMENT_MAX))


def dimension_codes(stored: str) -> list[str]:
    """The dimension codes of a stored form, in form order."""
    return [d["code"] for d in json.loads(stored)["dimensions"]]


def ensure_accepting(campaign: Mapping[str, Any], *, today: date) -> None:
    """Refuse unless the campaign is open and ``today`` is within opens_on..closes_on."""
    if campaign["status"] != "open":
        raise CampaignStateConflict(f"the campaign is {campaign['status']}, not open")
    if not campaign["opens_on"] <= today <= campaign["closes_on"]:
        raise CampaignStateConflict(
            f"the campaign takes evaluations from {campaign['opens_on'].isoformat()} to {campaign['closes_on'].isoformat()}"
        )


async def campaign_row(campaign_id: int) -> dict[str, Any]:
    """One campaign's row, or CampaignNotFound."""
    row = await Campaign.select().where(Campaign.id == campaign_id).first()
    if row is None:
        raise CampaignNotFound()
    return row


async def campaign_targets(campaign_id: int) -> list[Key]:
    """The campaign's targets in a stable order (kind, id)."""
    rows = await CampaignTarget.select(CampaignTarget.kind, CampaignTarget.target_id).where(CampaignTarget.campaign == campaign_id)
    return sorted((r["kind"], r["target_id"]) for r in rows)


async def target_labels(targets: Iterable[Key]) -> dict[Key, str]:
    """Display labels of existing targets (a staff member by name and window); unknown ones are left out."""
    ids: dict[str, list[int]] = {"staff": [], "window": [], "department": []}
    for kind, target_id in targets:
        ids[kind].append(target_id)
    out: dict[Key, str] = {}
    if ids["staff"]:
        postings = await org.postings_of(ids["staff"])
        windows = await org.window_labels([p.window_id for p in postings if p.window_id is not None])
        for p in postings:
            window = windows.get(p.window_id) if p.window_id is not None else None
            out[("staff", p.staff_id)] = f"{p.name}（{window}）" if window else p.name
    if ids["window"]:
        out.update({("window", wid): label for wid, label in (await org.window_labels(ids["window"])).items()})
    if ids["department"]:
        out.update({("department", did): name for did, (_, name) in (await org.department_codes(ids["department"])).items()})
    return out


def quantize(value: Decimal) -> Decimal:
    """Two decimals, half up (how averages and scores are shown and scored)."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class Tally:
    """The evaluations of one target, summed (no delegate, no time: nothing to tell who answered)."""

    count: int = 0
    sums: dict[str, int] = field(default_factory=dict)
    overall: int = 0
    comments: list[str] = field(default_factory=list)

    def add(self, scores: Mapping[str, int], *, overall: int, comment: str | None) -> None:
        """Count one evaluation."""
        self.count += 1
        for code, value in scores.items():
            self.sums[code] = self.sums.get(code, 0) + int(value)
        self.overall += overall
        if comment:
            self.comments.append(comment)

    def averages(self, codes: Sequence[str]) -> dict[str, Decimal]:
        """The average rating per dimension."""
        return {c: quantize(Decimal(self.sums.get(c, 0)) / self.count) for c in codes}

    def overall_average(self) -> Decimal:
        """The average overall rating."""
        return quantize(Decimal(self.overall) / self.count)

    def score(self, codes: Sequence[str]) -> Decimal:
        """The mean of all dimension ratings x 20: 0..100 (the overall rating is shown, not scored)."""
        total = sum(self.sums.get(c, 0) for c in codes)
        return quantize(Decimal(total * 20) / (self.count * len(codes)))


def tally(rows: Iterable[Mapping[str, Any]], *, comments: bool) -> dict[Key, Tally]:
    """Sum evaluation rows (target_kind, target_id, scores JSON, overall, comment) per target."""
    out: dict[Key, Tally] = {}
    for r in rows:
        out.setdefault((r["target_kind"], r["target_id"]), Tally()).add(
            json.loads(r["scores"]), overall=r["overall"], comment=r.get("comment") if comments else None
        )
    return out


# --- invitations and sessions -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DelegateCaller:
    """Who is calling a delegate route: resolved from a delegate session token on every request."""

    session_id: int
    invitation_id: int
    campaign_id: int
    delegate_id: int

    @property
    def actor(self) -> str:
        """How the audit chain names this caller (never shown to the evaluated)."""
        return f"delegate:{self.delegate_id}"


def _usable(row: Mapping[str, Any] | None, *, token_digest: str, now: datetime) -> bool:
    if row is None or not hmac.compare_digest(row["token_hash"], token_digest):
        return False
    return row["used_at"] is None and row["revoked_at"] is None and as_utc(row["expires_at"]) > now and bool(row["delegate_active"])


async def redeem(ctx: AppContext, *, data: RedeemIn) -> DelegateSessionOut:
    """Trade an invitation's token and code for a delegate session; unknown, expired, used, revoked or wrong all answer
    InvitationInvalid."""
    policy = policy_of(ctx)
    now = ctx.clock.now()
    digest = sha256_hex(data.token)
    wrong_code = False
    async with write_transaction(ctx.engine):
        row = (
            await Invitation.select(
                Invitation.id,
                Invitation.token_hash,
                Invitation.code_hash,
                Invitation.expires_at,
                Invitation.used_at,
                Invitation.revoked_at,
                Invitation.campaign,
                Invitation.delegate,
                Invitation.delegate.active.as_alias("delegate_active"),
            )
            .where(Invitation.token_hash == digest)
            .first()
        )
        if not _usable(row, token_digest=digest, now=now):
            raise InvitationInvalid()
        assert row is not None
        if not hmac.compare_digest(row["code_hash"], code_hash(data.token, code=data.code)):
            wrong_code = True
            # Counted in the database (not read-modify-write) so parallel guesses all count.
            counted = (
                await Invitation.update({Invitation.failed_attempts: Invitation.failed_attempts + 1})
                .where(Invitation.id == row["id"])
                .returning(Invitation.failed_attempts)
            )
            attempts = counted[0]["failed_attempts"]
            await audit.record(
                ctx.engine,
                at=now,
                actor="delegate:anonymous",
                action="delegate_invitation.code_failed",
                subject_type="delegate_invitation",
                subject_id=row["id"],
                data={"attempts": attempts},
            )
            if attempts >= policy.invitation_attempts:
                await Invitation.update({Invitation.revoked_at: now}).where((Invitation.id == row["id"]) & Invitation.revoked_at.is_null())
                await audit.record(
                    ctx.engine,
                    at=now,
                    actor="system",
                    action="delegate_invitation.revoked",
                    subject_type="delegate_invitation",
                    subject_id=row["id"],
                    data={"reason": "too many wrong codes", "attempts": attempts},
                )
        else:
            # The holder is genuine, so the campaign's state may be told; the invitation stays usable.
            ensure_accepting(await campaign_row(row["campaign"]), today=local_today(now))
            # Conditional update: of two redeems racing with the right code, one wins.
            claimed = (
                await Invitation.update({Invitation.used_at: now})
                .where((Invitation.id == row["id"]) & Invitation.used_at.is_null() & Invitation.revoked_at.is_null())
                .returning(Invitation.id)
            )
            if not claimed:
                raise InvitationInvalid()
            token = secrets.token_urlsafe(32)
            expires = now + timedelta(minutes=policy.delegate_session_minutes)
            await DelegateSession.insert(
                DelegateSession(invitation=row["id"], token_hash=sha256_hex(token), expires_at=expires, created_at=now)
            )
            await audit.record(
                ctx.engine,
                at=now,
                actor=f"delegate:{row['delegate']}",
                action="delegate_invitation.redeemed",
                subject_type="delegate_invitation",
                subject_id=row["id"],
                data={"campaign": row["campaign"]},
            )
    if wrong_code:
        raise InvitationInvalid()  # after the commit: the failed attempt must count
    return DelegateSessionOut(token=token, expires_at=expires, campaign_id=row["campaign"])


async def resolve_session(ctx: AppContext, *, token: str) -> DelegateCaller:
    """The delegate behind a session token, or SessionInvalid (staff sessions are never accepted here)."""
    digest = sha256_hex(token)
    row = (
        await DelegateSession.select(
            DelegateSession.id,
            DelegateSession.token_hash,
            DelegateSession.expires_at,
            DelegateSession.invitation,
            DelegateSession.invitation.campaign.as_alias("campaign_id"),
            DelegateSession.invitation.delegate.as_alias("delegate_id"),
            DelegateSession.invitation._.delegate._.active.as_alias("active"),
        )
        .where(DelegateSession.token_hash == digest)
        .first()
    )
    if (
        row is None
        or not hmac.compare_digest(row["token_hash"], digest)
        or as_utc(row["expires_at"]) <= ctx.clock.now()
        or not row["active"]
    ):
        raise SessionInvalid()
    return DelegateCaller(
        session_id=row["id"], invitation_id=row["invitation"], campaign_id=row["campaign_id"], delegate_id=row["delegate_id"]
    )


# --- the delegate's form ------------------------------------------------------------------------------------------


async def delegate_campaign(ctx: AppContext, *, caller: DelegateCaller) -> DelegateCampaignOut:
    """The caller's campaign: title, dates, form, targets with labels, and which of them the caller has done."""
    campaign = await campaign_row(caller.campaign_id)
    targets = await campaign_targets(caller.campaign_id)
    labels = await target_labels(targets)
    done = {
        (r["target_kind"], r["target_id"])
        for r in await Evaluation.select(Evaluation.target_kind, Evaluation.target_id).where(
            (Evaluation.campaign == caller.campaign_id) & (Evaluation.delegate == caller.delegate_id)
        )
    }
    return DelegateCampaignOut(
        title=campaign["title"],
        opens_on=campaign["opens_on"],
        closes_on=campaign["closes_on"],
        form=form_out(campaign["form"]),
        targets=[DelegateTargetOut(kind=k, id=i, label=labels.get((k, i), ""), evaluated=(k, i) in done) for k, i in targets],
    )


def _check_scores(scores: Mapping[str, int], *, codes: Sequence[str]) -> None:
    missing = [c for c in codes if c not in scores]
    unknown = sorted(set(scores) - set(codes))
    if missing or unknown:
        parts = ([f"missing: {', '.join(missing)}"] if missing else []) + ([f"unknown: {', '.join(unknown)}"] if unknown else [])
        raise EvaluationInputInvalid(
            f"every dimension of the form is rated, and only those ({'; '.join(parts)})", missing=missing, unknown=unknown
        )


async def submit_evaluation(ctx: AppContext, *, caller: DelegateCaller, data: EvaluationIn) -> EvaluationReceiptOut:
    """Store the caller's evaluation of one target; a second one of the same target answers AlreadyEvaluated."""
    now = ctx.clock.now()
    target = (data.target_kind, data.target_id)
    try:
        async with write_transaction(ctx.engine):
            campaign = await campaign_row(caller.campaign_id)  # read inside: a close racing the submit wins or loses whole
            ensure_accepting(campaign, today=local_today(now))
            _check_scores(data.scores, codes=dimension_codes(campaign["form"]))
            if not await CampaignTarget.exists().where(
                (CampaignTarget.campaign == caller.campaign_id)
                & (CampaignTarget.kind == data.target_kind)
                & (CampaignTarget.target_id == data.target_id)
            ):
                raise EvaluationInputInvalid(
                    f"{data.target_kind} {data.target_id} is not a target of this campaign", code="target_not_in_campaign"
                )
            # No check-then-insert: the unique index decides, also between two tabs submitting at once.
            rows = await Evaluation.insert(
                integrity.sealed(
                    ctx.engine,
                    EVALUATION_SEAL,
                    Evaluation(
                        campaign=caller.campaign_id,
                        delegate=caller.delegate_id,
                        target_kind=data.target_kind,
                        target_id=data.target_id,
                        scores=json.dumps(dict(sorted(data.scores.items()))),
                        overall=data.overall,
                        comment=data.comment.strip(),
                        submitted_at=now,
                    ),
                )
            ).returning(Evaluation.id)
            await audit.record(
                ctx.engine,
                at=now,
                actor=caller.actor,
                action="delegate_evaluation.submitted",
                subject_type="delegate_evaluation",
                subject_id=rows[0]["id"],
                data={"campaign": caller.campaign_id},
            )
    except INTEGRITY_ERRORS as exc:
        raise AlreadyEvaluated(f"this {target[0]} has already been evaluated by you in this campaign") from exc
    return EvaluationReceiptOut(target_kind=data.target_kind, target_id=data.target_id, submitted_at=now)


# --- facts for the appraisal --------------------------------------------------------------------------------------


def _occurred_on(closes_on: date, month: date) -> date:
    # A fact belongs to its month: a campaign closing after (or before) the month still counts inside it.
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return min(max(closes_on, first), last)


async def month_facts(ctx: AppContext, *, staff_ids: Sequence[int], month: date) -> dict[int, list[Fact]]:
    """One ``evaluation.delegate`` fact per staff member and campaign of the month: their own results, else their window's, else their
    department's."""
    if not staff_ids:
        return {}
    campaigns = (
        await Campaign.select(Campaign.id, Campaign.form, Campaign.closes_on)
        .where((Campaign.month == month_key(month)) & (Campaign.status != "draft"))
        .order_by(Campaign.id)
    )
    if not campaigns:
        return {}
    minimum = policy_of(ctx).min_answers
    # The month's campaigns are few; their evaluations are read once and matched to staff in Python.
    rows = await Evaluation.select(
        Evaluation.campaign, Evaluation.target_kind, Evaluation.target_id, Evaluation.scores, Evaluation.overall
    ).where(Evaluation.campaign.is_in([c["id"] for c in campaigns]))
    by_campaign: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_campaign.setdefault(r["campaign"], []).append(r)
    tallies = {
        c["id"]: {k: t for k, t in tally(by_campaign.get(c["id"], []), comments=False).items() if t.count >= minimum} for c in campaigns
    }
    if not any(tallies.values()):
        return {}
    wanted = set(staff_ids)
    homes: dict[int, dict[str, int]] = {sid: {"staff": sid} for sid in wanted}
    if any(kind != "staff" for found in tallies.values() for kind, _ in found):
        for p in await org.postings_of(sorted(wanted)):  # reads in IN-lists of at most 5,000 ids
            if p.window_id is not None:
                homes[p.staff_id]["window"] = p.window_id
            homes[p.staff_id]["department"] = p.department_id
    out: dict[int, list[Fact]] = {}
    for campaign in campaigns:
        found = tallies[campaign["id"]]
        if not found:
            continue
        codes = dimension_codes(campaign["form"])
        occurred_on = _occurred_on(campaign["closes_on"], month)
        for sid in sorted(wanted):
            home = homes[sid]
            chosen = next((found[(kind, home[kind])] for kind in FALLBACK if kind in home and (kind, home[kind]) in found), None)
            if chosen is None:
                continue
            out.setdefault(sid, []).append(
                Fact(
                    id=f"{FACT_KIND}:{campaign['id']}",
                    kind=FACT_KIND,
                    staff_id=sid,
                    occurred_on=occurred_on,
                    fields={"score": chosen.score(codes), "count": chosen.count},
                )
            )
    return out
