"""Invitations: single use, expiring, hashed; wrong codes revoke; every failure is the same 401."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import date, timedelta

import pytest

from tests.evaluations.support_delegates import invite, make_campaign, make_world, wrong
from tests.factories import logged_in
from window_staff.auth.errors import SessionInvalid
from window_staff.evaluations.errors import CampaignStateConflict, InvitationInvalid
from window_staff.evaluations.policy import policy_of
from window_staff.evaluations.schemas.delegates import RedeemIn
from window_staff.evaluations.service import campaigns as service_campaigns, delegates as service_delegates
from window_staff.evaluations.tables import DelegateSession, Invitation


async def _invited(ctx):
    world = await make_world(ctx)
    campaign = await make_campaign(ctx, world, targets=[("staff", world.staff[0].id)])
    delegate, issued = await invite(ctx, world, campaign.id)
    return world, campaign, delegate, issued


async def test_a_redeemed_invitation_gives_a_session_for_its_campaign(ctx):
    _, campaign, delegate, issued = await _invited(ctx)
    session = await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=issued.code))
    caller = await service_delegates.resolve_session(ctx, token=session.token)
    assert (caller.campaign_id, caller.delegate_id) == (campaign.id, delegate.id)


async def test_only_hashes_of_the_token_and_code_are_stored(ctx):
    _, _, _, issued = await _invited(ctx)
    row = await Invitation.select().where(Invitation.id == issued.id).first()
    assert row["token_hash"] == hashlib.sha256(issued.token.encode()).hexdigest()
    assert row["code_hash"] == hashlib.sha256(f"{issued.token}:{issued.code}".encode()).hexdigest()
    assert issued.token not in str(row) and len(issued.code) == 6 and issued.code.isdigit()


async def test_an_expired_invitation_is_refused(ctx, clock):
    _, _, _, issued = await _invited(ctx)
    clock.advance(days=policy_of(ctx).invitation_days, seconds=1)
    with pytest.raises(InvitationInvalid):
        await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=issued.code))


async def test_an_invitation_is_redeemed_once(ctx):
    _, _, _, issued = await _invited(ctx)
    await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=issued.code))
    with pytest.raises(InvitationInvalid):
        await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=issued.code))


async def test_two_redeems_at_once_give_one_session(ctx):
    _, _, _, issued = await _invited(ctx)
    results = await asyncio.gather(
        *[service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=issued.code)) for _ in range(2)], return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["DelegateSessionOut", "InvitationInvalid"]
    assert await DelegateSession.count().where(DelegateSession.invitation == issued.id) == 1


async def test_a_forged_token_is_refused(ctx):
    _, _, _, issued = await _invited(ctx)
    forged = issued.token[:-2] + ("AA" if not issued.token.endswith("AA") else "BB")
    with pytest.raises(InvitationInvalid):
        await service_delegates.redeem(ctx, data=RedeemIn(token=forged, code=issued.code))


async def test_the_code_of_one_invitation_does_not_open_another(ctx):
    world, campaign, _, first = await _invited(ctx)
    _, second = await invite(ctx, world, campaign.id)
    with pytest.raises(InvitationInvalid):
        await service_delegates.redeem(
            ctx, data=RedeemIn(token=second.token, code=first.code if first.code != second.code else wrong(first.code))
        )


async def test_wrong_codes_up_to_the_limit_revoke_the_invitation(ctx):
    _, _, _, issued = await _invited(ctx)
    limit = policy_of(ctx).invitation_attempts
    for _ in range(limit):
        with pytest.raises(InvitationInvalid):
            await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=wrong(issued.code)))
    row = await Invitation.select(Invitation.failed_attempts, Invitation.revoked_at).where(Invitation.id == issued.id).first()
    assert row["failed_attempts"] == limit and row["revoked_at"] is not None
    with pytest.raises(InvitationInvalid):
        await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=issued.code))


async def test_fewer_wrong_codes_than_the_limit_leave_the_invitation_usable(ctx):
    _, _, _, issued = await _invited(ctx)
    for _ in range(policy_of(ctx).invitation_attempts - 1):
        with pytest.raises(InvitationInvalid):
            await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=wrong(issued.code)))
    assert (await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=issued.code))).token


async def test_a_new_invitation_revokes_the_unused_earlier_one(ctx):
    world, campaign, delegate, first = await _invited(ctx)
    _, second = await invite(ctx, world, campaign.id, delegate=delegate)
    with pytest.raises(InvitationInvalid):
        await service_delegates.redeem(ctx, data=RedeemIn(token=first.token, code=first.code))
    assert (await service_delegates.redeem(ctx, data=RedeemIn(token=second.token, code=second.code))).campaign_id == campaign.id


async def test_redeeming_before_the_campaign_opens_is_refused_and_keeps_the_invitation(ctx):
    world = await make_world(ctx)
    campaign = await make_campaign(ctx, world, targets=[("staff", world.staff[0].id)], open_it=False)
    _, issued = await invite(ctx, world, campaign.id)
    with pytest.raises(CampaignStateConflict):
        await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=issued.code))
    await service_campaigns.move_campaign(ctx, principal=world.hr, campaign_id=campaign.id, action="open")
    assert (await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=issued.code))).token


async def test_redeeming_after_the_closing_day_is_refused(ctx):
    world = await make_world(ctx)
    campaign = await make_campaign(ctx, world, targets=[("staff", world.staff[0].id)], closes_on=date(2025, 3, 9))
    _, issued = await invite(ctx, world, campaign.id)
    with pytest.raises(CampaignStateConflict):
        await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=issued.code))


async def test_a_delegate_session_expires(ctx, clock):
    _, _, _, issued = await _invited(ctx)
    session = await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=issued.code))
    clock.advance(minutes=policy_of(ctx).delegate_session_minutes)
    with pytest.raises(SessionInvalid):
        await service_delegates.resolve_session(ctx, token=session.token)


async def test_deactivating_a_delegate_ends_their_session(ctx):
    world, _, delegate, issued = await _invited(ctx)
    session = await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=issued.code))
    await service_campaigns.deactivate_delegate(ctx, principal=world.hr, delegate_id=delegate.id)
    with pytest.raises(SessionInvalid):
        await service_delegates.resolve_session(ctx, token=session.token)


async def test_an_invitation_expires_after_the_policy_days(ctx):
    _, _, _, issued = await _invited(ctx)
    assert issued.expires_at == ctx.clock.now() + timedelta(days=policy_of(ctx).invitation_days)


# --- through the API ---


async def test_every_invalid_invitation_answers_the_same_401(client, app_ctx, clock):
    world = await make_world(app_ctx)
    campaign = await make_campaign(app_ctx, world, targets=[("staff", world.staff[0].id)])
    _, used = await invite(app_ctx, world, campaign.id)
    _, expired = await invite(app_ctx, world, campaign.id)
    _, valid = await invite(app_ctx, world, campaign.id)
    assert (await client.post("/api/v1/delegate/redeem", json={"token": used.token, "code": used.code})).status_code == 200
    bodies = []
    for body in (
        {"token": used.token, "code": used.code},
        {"token": "forged" + valid.token[6:], "code": valid.code},
        {"token": valid.token, "code": wrong(valid.code)},
    ):
        response = await client.post("/api/v1/delegate/redeem", json=body)
        bodies.append((response.status_code, {k: v for k, v in response.json().items() if k not in ("request_id", "instance")}))
    clock.advance(days=policy_of(app_ctx).invitation_days + 1)
    response = await client.post("/api/v1/delegate/redeem", json={"token": expired.token, "code": expired.code})
    bodies.append((response.status_code, {k: v for k, v in response.json().items() if k not in ("request_id", "instance")}))
    assert bodies[0][0] == 401 and bodies[0][1]["code"] == "invitation_invalid"
    assert all(b == bodies[0] for b in bodies)


async def test_a_delegate_token_is_not_a_staff_session_and_back(client, app_ctx):
    world = await make_world(app_ctx)
    campaign = await make_campaign(app_ctx, world, targets=[("staff", world.staff[0].id)])
    _, issued = await invite(app_ctx, world, campaign.id)
    token = (await client.post("/api/v1/delegate/redeem", json={"token": issued.token, "code": issued.code})).json()["token"]
    delegate_auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/delegate/campaign", headers=delegate_auth)).status_code == 200
    assert (await client.get("/api/v1/auth/me", headers=delegate_auth)).status_code == 401
    assert (await client.get(f"/api/v1/evaluations/campaigns/{campaign.id}/results", headers=delegate_auth)).status_code == 401
    _, staff_auth = await logged_in(client, app_ctx, "hr")
    assert (await client.get("/api/v1/delegate/campaign", headers=staff_auth)).status_code == 401


async def test_the_delegate_sees_title_form_and_labelled_targets_only(client, app_ctx):
    world = await make_world(app_ctx)
    staff = world.staff[0]
    campaign = await make_campaign(app_ctx, world, targets=[("staff", staff.id), ("window", world.window.id)])
    _, issued = await invite(app_ctx, world, campaign.id)
    token = (await client.post("/api/v1/delegate/redeem", json={"token": issued.token, "code": issued.code})).json()["token"]
    body = (await client.get("/api/v1/delegate/campaign", headers={"Authorization": f"Bearer {token}"})).json()
    assert set(body) == {"title", "opens_on", "closes_on", "form", "targets"}
    assert [d["code"] for d in body["form"]["dimensions"]] == ["warm", "courteous", "respectful", "patient", "punctual"]
    label = next(t["label"] for t in body["targets"] if t["kind"] == "staff")
    assert staff.name in label and world.window.number in label
    assert staff.employee_no not in str(body) and "13800000000" not in str(body)


async def test_an_invitation_for_a_closed_campaign_is_not_issued(ctx):
    world = await make_world(ctx)
    campaign = await make_campaign(ctx, world, targets=[("staff", world.staff[0].id)])
    await service_campaigns.move_campaign(ctx, principal=world.hr, campaign_id=campaign.id, action="close")
    with pytest.raises(CampaignStateConflict):
        await invite(ctx, world, campaign.id)
