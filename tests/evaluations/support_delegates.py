"""Builders for delegate-evaluation tests: a March 2025 campaign, its HR user, delegates with sessions, answers.

world = await make_world(ctx)                          # HR, a window with two staff, clock on 10 March 2025
campaign = await make_campaign(ctx, world, targets=[("staff", world.staff[0].id)])
caller = await delegate_caller(ctx, world, campaign.id)  # a delegate, invited, redeemed
await service_delegates.submit_evaluation(ctx, caller=caller, data=answer(("staff", world.staff[0].id), 5))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from tests.factories import make_staff, make_user, make_window, n
from tests.inspections.support import principal
from window_staff.common.context import AppContext
from window_staff.common.principal import Principal
from window_staff.evaluations.schemas.delegates import (
    CampaignIn,
    CampaignOut,
    DelegateIn,
    DelegateOut,
    EvaluationIn,
    InvitationIn,
    InvitationIssuedOut,
    RedeemIn,
    TargetIn,
)
from window_staff.evaluations.service import campaigns as service_campaigns, delegates as service_delegates
from window_staff.evaluations.service.delegates import DEFAULT_DIMENSIONS, DelegateCaller
from window_staff.org.schemas import StaffOut, WindowOut

MONTH = "2025-03"
FIRST = date(2025, 3, 1)
NOW = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 on Monday 10 March in Shanghai
CODES = [c for c, _, _ in DEFAULT_DIMENSIONS]


@dataclass
class World:
    """HR, a window with two staff members, and the clock on 10 March 2025."""

    hr: Principal
    window: WindowOut
    staff: list[StaffOut]


async def make_world(ctx: AppContext) -> World:
    """HR and a window (with its department) holding two staff members."""
    ctx.clock.at = NOW  # type: ignore[attr-defined]
    window = await make_window(ctx)
    staff = [await make_staff(ctx, window=window) for _ in range(2)]
    return World(hr=principal(await make_user(ctx, "hr"), "hr"), window=window, staff=staff)


async def make_campaign(
    ctx: AppContext,
    world: World,
    *,
    targets: list[tuple[str, int]],
    month: str = MONTH,
    opens_on: date = date(2025, 3, 1),
    closes_on: date = date(2025, 3, 20),
    open_it: bool = True,
) -> CampaignOut:
    """A campaign with the default form, opened unless ``open_it=False``."""
    data = CampaignIn(
        title=f"作风监督评议 {n()}",
        month=month,
        opens_on=opens_on,
        closes_on=closes_on,
        targets=[TargetIn(kind=k, id=i) for k, i in targets],
    )  # type: ignore[arg-type]
    campaign = await service_campaigns.create_campaign(ctx, principal=world.hr, data=data)
    if open_it:
        campaign = await service_campaigns.move_campaign(ctx, principal=world.hr, campaign_id=campaign.id, action="open")
    return campaign


async def make_delegate(ctx: AppContext, world: World, *, name: str | None = None) -> DelegateOut:
    """A people's congress deputy with a unique, recognisable name."""
    i = n()
    data = DelegateIn(name=name or f"代表甲{i}", kind="npc_deputy", organisation=f"县人大{i}", phone=f"139{i:08d}")
    return await service_campaigns.create_delegate(ctx, principal=world.hr, data=data)


async def invite(
    ctx: AppContext, world: World, campaign_id: int, *, delegate: DelegateOut | None = None
) -> tuple[DelegateOut, InvitationIssuedOut]:
    """A delegate (new unless given) and a fresh invitation to the campaign."""
    delegate = delegate or await make_delegate(ctx, world)
    return delegate, await service_campaigns.issue_invitation(
        ctx, principal=world.hr, campaign_id=campaign_id, data=InvitationIn(delegate_id=delegate.id)
    )


async def delegate_caller(ctx: AppContext, world: World, campaign_id: int) -> DelegateCaller:
    """A new delegate, invited and redeemed: what the session token resolves to."""
    _, issued = await invite(ctx, world, campaign_id)
    session = await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=issued.code))
    return await service_delegates.resolve_session(ctx, token=session.token)


def answer(target: tuple[str, int], rating: int = 5, *, overall: int | None = None, comment: str = "") -> EvaluationIn:
    """An evaluation rating every default dimension ``rating``."""
    return EvaluationIn(
        target_kind=target[0],
        target_id=target[1],
        scores={c: rating for c in CODES},
        overall=overall or rating,  # type: ignore[arg-type]
        comment=comment,
    )


async def evaluate_by(ctx: AppContext, world: World, campaign_id: int, target: tuple[str, int], ratings: list[int]) -> None:
    """One new delegate per rating evaluates ``target`` with it."""
    for rating in ratings:
        caller = await delegate_caller(ctx, world, campaign_id)
        await service_delegates.submit_evaluation(ctx, caller=caller, data=answer(target, rating, comment=f"评语{rating}"))


def wrong(code: str) -> str:
    """A six-digit code that is not ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"
