"""Delegate evaluations (作风监督评议), HR's side: delegates, campaigns, invitations, and everyone's view of the results.

Every change is one write transaction with its audit event. Results never carry a delegate's
identity or the time of an evaluation; a target with fewer than ``min_answers`` shows its count only.
"""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from window_staff.common import audit
from window_staff.common.clock import as_utc
from window_staff.common.context import AppContext
from window_staff.common.db import write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.common.principal import Principal
from window_staff.evaluations.errors import CampaignNotFound, CampaignStateConflict, DelegateNotFound, EvaluationInputInvalid
from window_staff.evaluations.policy import policy_of
from window_staff.evaluations.schemas.delegates import (
    CampaignBriefOut,
    CampaignIn,
    CampaignOut,
    CampaignResultsOut,
    DelegateIn,
    DelegateOut,
    InvitationIn,
    InvitationIssuedOut,
    InvitationStatusOut,
    TargetOut,
    TargetResultOut,
)
from window_staff.evaluations.service.delegates import (
    campaign_row,
    campaign_targets,
    code_hash,
    default_form,
    dimension_codes,
    form_json,
    form_out,
    sha256_hex,
    tally,
    target_labels,
)
from window_staff.evaluations.tables import Campaign, CampaignTarget, Delegate, Evaluation, Invitation

READER_ROLES = ("hr", "approver", "auditor")
REDEEM_PATH = "/api/v1/delegate/redeem"
# From draft to open, from open to closed; nothing goes back (results may already count in a month).
_MOVES = {"open": ("draft", "open"), "close": ("open", "closed")}


# --- delegates ----------------------------------------------------------------------------------------------------


def _delegate_out(r: dict[str, Any]) -> DelegateOut:
    return DelegateOut(
        id=r["id"],
        name=r["name"],
        kind=r["kind"],
        organisation=r["organisation"],
        phone=r["phone"],
        active=r["active"],
        created_at=as_utc(r["created_at"]),
    )


async def create_delegate(ctx: AppContext, *, principal: Principal, data: DelegateIn) -> DelegateOut:
    """Register an invited evaluator (no staff account)."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        rows = await Delegate.insert(
            Delegate(
                name=data.name.strip(),
                kind=data.kind,
                organisation=data.organisation.strip(),
                phone=data.phone,
                active=True,
                created_by=principal.actor,
                created_at=now,
            )
        ).returning(Delegate.id)
        delegate_id = rows[0]["id"]
        # The phone stays out of the chain: the chain is kept for ever, a phone number need not be.
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="delegate.created",
            subject_type="delegate",
            subject_id=delegate_id,
            data={"name": data.name, "kind": data.kind, "organisation": data.organisation},
        )
    row = await Delegate.select().where(Delegate.id == delegate_id).first()
    assert row is not None  # written above; delegates are never deleted (only deactivated)
    return _delegate_out(row)


async def list_delegates(ctx: AppContext, *, params: PageParams, active: bool | None = None) -> Page[DelegateOut]:
    """Delegates by name (optionally only active or inactive ones)."""
    where = (Delegate.active == active) if active is not None else None
    query = Delegate.select().order_by(Delegate.name, Delegate.id).limit(params.limit).offset(params.offset)
    count = Delegate.count()
    if where is not None:
        query, count = query.where(where), count.where(where)
    return page_of([_delegate_out(r) for r in await query], total=await count, params=params)


async def deactivate_delegate(ctx: AppContext, *, principal: Principal, delegate_id: int) -> DelegateOut:
    """Stop a delegate: their invitations and sessions stop working; their evaluations stay."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await Delegate.select(Delegate.id, Delegate.active).where(Delegate.id == delegate_id).first()
        if row is None:
            raise DelegateNotFound()
        if row["active"]:
            await Delegate.update({Delegate.active: False}).where(Delegate.id == delegate_id)
            await audit.record(
                ctx.engine, at=now, actor=principal.actor, action="delegate.deactivated", subject_type="delegate", subject_id=delegate_id
            )
    row = await Delegate.select().where(Delegate.id == delegate_id).first()
    assert row is not None  # written above; delegates are never deleted (only deactivated)
    return _delegate_out(row)


# --- campaigns ----------------------------------------------------------------------------------------------------


async def _campaign_out(row: dict[str, Any]) -> CampaignOut:
    targets = await campaign_targets(row["id"])
    labels = await target_labels(targets)
    return CampaignOut(
        id=row["id"],
        title=row["title"],
        month=row["month"],
        opens_on=row["opens_on"],
        closes_on=row["closes_on"],
        status=row["status"],
        form=form_out(row["form"]),
        targets=[TargetOut(kind=k, id=i, label=labels.get((k, i), "")) for k, i in targets],
        created_by=row["created_by"],
        created_at=as_utc(row["created_at"]),
    )


def _brief(r: dict[str, Any]) -> CampaignBriefOut:
    return CampaignBriefOut(
        id=r["id"], title=r["title"], month=r["month"], opens_on=r["opens_on"], closes_on=r["closes_on"], status=r["status"]
    )


async def create_campaign(ctx: AppContext, *, principal: Principal, data: CampaignIn) -> CampaignOut:
    """Create a draft campaign; every target must exist and appear once; the form defaults to the five "alike"."""
    if data.closes_on < data.opens_on:
        raise EvaluationInputInvalid("closes_on is before opens_on", field="closes_on")
    targets = [(t.kind, t.id) for t in data.targets]
    repeated = sorted({t for t in targets if targets.count(t) > 1})
    if repeated:
        raise EvaluationInputInvalid(f"targets listed twice: {', '.join(f'{k} {i}' for k, i in repeated)}", field="targets")
    form = [{"code": d.code, "title_zh": d.title_zh, "title_en": d.title_en} for d in data.form] if data.form else default_form()
    codes = [d["code"] for d in form]
    if len(set(codes)) != len(codes):
        raise EvaluationInputInvalid("dimension codes must be unique", field="form")
    known = await target_labels(targets)
    unknown = [t for t in targets if t not in known]
    if unknown:
        raise EvaluationInputInvalid(
            f"no such targets: {', '.join(f'{k} {i}' for k, i in unknown)}", field="targets", code="target_not_found"
        )
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        rows = await Campaign.insert(
            Campaign(
                title=data.title.strip(),
                month=data.month,
                opens_on=data.opens_on,
                closes_on=data.closes_on,
                form=form_json(form),
                status="draft",
                created_by=principal.actor,
                created_at=now,
            )
        ).returning(Campaign.id)
        campaign_id = rows[0]["id"]
        await CampaignTarget.insert(*[CampaignTarget(campaign=campaign_id, kind=k, target_id=i) for k, i in targets])
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="campaign.created",
            subject_type="delegate_campaign",
            subject_id=campaign_id,
            data={
                "title": data.title,
                "month": data.month,
                "opens_on": data.opens_on.isoformat(),
                "closes_on": data.closes_on.isoformat(),
                "targets": [[k, i] for k, i in targets],
                "dimensions": codes,
            },
        )
    return await _campaign_out(await campaign_row(campaign_id))


async def get_campaign(ctx: AppContext, *, campaign_id: int) -> CampaignOut:
    """One campaign with its form and labelled targets."""
    return await _campaign_out(await campaign_row(campaign_id))


async def list_campaigns(ctx: AppContext, *, params: PageParams, month: str | None = None) -> Page[CampaignBriefOut]:
    """Campaigns, newest first (optionally of one appraisal month)."""
    query = Campaign.select(Campaign.id, Campaign.title, Campaign.month, Campaign.opens_on, Campaign.closes_on, Campaign.status)
    count = Campaign.count()
    if month is not None:
        query, count = query.where(Campaign.month == month), count.where(Campaign.month == month)
    rows = await query.order_by(Campaign.id, ascending=False).limit(params.limit).offset(params.offset)
    return page_of([_brief(r) for r in rows], total=await count, params=params)


async def move_campaign(ctx: AppContext, *, principal: Principal, campaign_id: int, action: str) -> CampaignOut:
    """Open a draft campaign or close an open one."""
    before, after = _MOVES[action]
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await campaign_row(campaign_id)
        # Conditional update: of two HR users moving the campaign at once, one moves it.
        moved = (
            await Campaign.update({Campaign.status: after})
            .where((Campaign.id == campaign_id) & (Campaign.status == before))
            .returning(Campaign.id)
        )
        if not moved:
            raise CampaignStateConflict(
                f"only a {before} campaign can be {'opened' if action == 'open' else 'closed'}; this one is {row['status']}"
            )
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action=f"campaign.{'opened' if action == 'open' else 'closed'}",
            subject_type="delegate_campaign",
            subject_id=campaign_id,
            data={"from": before, "to": after},
        )
    return await get_campaign(ctx, campaign_id=campaign_id)


# --- invitations --------------------------------------------------------------------------------------------------


async def issue_invitation(ctx: AppContext, *, principal: Principal, campaign_id: int, data: InvitationIn) -> InvitationIssuedOut:
    """Invite one active delegate; the token and code are returned this once, and an earlier unused invitation of theirs is revoked."""
    policy = policy_of(ctx)
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = ctx.clock.now()
    expires = now + timedelta(days=policy.invitation_days)
    async with write_transaction(ctx.engine):
        campaign = await campaign_row(campaign_id)
        if campaign["status"] == "closed":
            raise CampaignStateConflict("the campaign is closed")
        delegate = await Delegate.select(Delegate.id, Delegate.active).where(Delegate.id == data.delegate_id).first()
        if delegate is None or not delegate["active"]:
            raise DelegateNotFound("no active delegate with this id")
        replaced = (
            await Invitation.update({Invitation.revoked_at: now})
            .where(
                (Invitation.campaign == campaign_id)
                & (Invitation.delegate == data.delegate_id)
                & Invitation.used_at.is_null()
                & Invitation.revoked_at.is_null()
            )
            .returning(Invitation.id)
        )
        rows = await Invitation.insert(
            Invitation(
                campaign=campaign_id,
                delegate=data.delegate_id,
                token_hash=sha256_hex(token),
                code_hash=code_hash(token, code=code),
                expires_at=expires,
                failed_attempts=0,
                created_by=principal.actor,
                created_at=now,
            )
        ).returning(Invitation.id)
        invitation_id = rows[0]["id"]
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="delegate_invitation.issued",
            subject_type="delegate_invitation",
            subject_id=invitation_id,
            data={
                "campaign": campaign_id,
                "delegate": data.delegate_id,
                "expires_at": expires.isoformat(),
                "replaces": [r["id"] for r in replaced],
            },
        )
    return InvitationIssuedOut(
        id=invitation_id,
        campaign_id=campaign_id,
        delegate_id=data.delegate_id,
        token=token,
        code=code,
        redeem_path=REDEEM_PATH,
        expires_at=expires,
    )


def _state(r: dict[str, Any], *, now: datetime) -> str:
    if r["used_at"] is not None:
        return "used"
    if r["revoked_at"] is not None:
        return "revoked"
    return "expired" if as_utc(r["expires_at"]) <= now else "pending"


async def list_invitations(ctx: AppContext, *, campaign_id: int, params: PageParams) -> Page[InvitationStatusOut]:
    """HR's follow-up: each invitation, its state and how many targets its delegate has answered (not what)."""
    await campaign_row(campaign_id)
    mine = Invitation.campaign == campaign_id
    rows = (
        await Invitation.select(
            Invitation.id,
            Invitation.delegate,
            Invitation.expires_at,
            Invitation.used_at,
            Invitation.revoked_at,
            Invitation.failed_attempts,
            Invitation.created_at,
            Invitation.delegate.name.as_alias("name"),
            Invitation.delegate.kind.as_alias("kind"),
            Invitation.delegate.organisation.as_alias("organisation"),
        )
        .where(mine)
        .order_by(Invitation.id)
        .limit(params.limit)
        .offset(params.offset)
    )
    delegates = sorted({r["delegate"] for r in rows})
    answered = Counter(
        r["delegate"]
        for r in await Evaluation.select(Evaluation.delegate).where(
            (Evaluation.campaign == campaign_id) & Evaluation.delegate.is_in(delegates or [0])
        )
    )
    now = ctx.clock.now()
    items = [
        InvitationStatusOut(
            id=r["id"],
            delegate_id=r["delegate"],
            delegate_name=r["name"],
            delegate_kind=r["kind"],
            organisation=r["organisation"],
            state=_state(r, now=now),
            failed_attempts=r["failed_attempts"],
            expires_at=as_utc(r["expires_at"]),
            created_at=as_utc(r["created_at"]),
            answered_targets=answered[r["delegate"]],
        )
        for r in rows
    ]
    return page_of(items, total=await Invitation.count().where(mine), params=params)


# --- results ------------------------------------------------------------------------------------------------------


async def campaign_results(ctx: AppContext, *, principal: Principal, campaign_id: int) -> CampaignResultsOut:
    """Per target: count, and when at least ``min_answers`` answered, averages, score and comments; a staff member gets their own target
    once closed."""
    campaign = await campaign_row(campaign_id)
    targets = await campaign_targets(campaign_id)
    if not principal.has_any(*READER_ROLES):
        own = ("staff", principal.staff_id)
        if principal.staff_id is None or own not in targets:
            raise CampaignNotFound()
        if campaign["status"] != "closed":
            # Counts rising while the campaign runs would tell who visited when: staff see the closed result only.
            raise CampaignStateConflict("results are shown to staff once the campaign is closed")
        targets = [own]
    minimum = policy_of(ctx).min_answers
    codes = dimension_codes(campaign["form"])
    rows = await Evaluation.select(
        Evaluation.target_kind, Evaluation.target_id, Evaluation.scores, Evaluation.overall, Evaluation.comment
    ).where(Evaluation.campaign == campaign_id)
    wanted = set(targets)
    tallies = tally((r for r in rows if (r["target_kind"], r["target_id"]) in wanted), comments=True)
    labels = await target_labels(targets)
    out: list[TargetResultOut] = []
    for key in targets:
        t = tallies.get(key)
        count = t.count if t else 0
        if t is None or count < minimum:
            out.append(TargetResultOut(kind=key[0], id=key[1], label=labels.get(key, ""), count=count, shown=False))
            continue
        out.append(
            TargetResultOut(
                kind=key[0],
                id=key[1],
                label=labels.get(key, ""),
                count=count,
                shown=True,
                dimensions=t.averages(codes),
                overall=t.overall_average(),
                score=t.score(codes),
                comments=sorted(t.comments),
            )
        )
    return CampaignResultsOut(
        campaign_id=campaign_id,
        title=campaign["title"],
        month=campaign["month"],
        status=campaign["status"],
        min_answers=minimum,
        targets=out,
    )
