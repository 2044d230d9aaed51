"""Results: anonymous, shown from min_answers on; staff see their own target once closed; HR follows up on who answered."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.evaluations.support_delegates import answer, delegate_caller, evaluate_by, invite, make_campaign, make_delegate, make_world
from tests.factories import logged_in, login, make_user
from tests.inspections.support import principal
from window_staff.common.pagination import PageParams
from window_staff.evaluations.errors import CampaignNotFound, CampaignStateConflict
from window_staff.evaluations.policy import policy_of
from window_staff.evaluations.schemas.delegates import RedeemIn
from window_staff.evaluations.service import campaigns as service_campaigns, delegates as service_delegates
from window_staff.evaluations.tables import Delegate, Evaluation


async def _scene(ctx):
    world = await make_world(ctx)
    target = ("staff", world.staff[0].id)
    campaign = await make_campaign(ctx, world, targets=[target, ("staff", world.staff[1].id), ("window", world.window.id)])
    return world, campaign, target


def _of(results, target):
    return next(t for t in results.targets if (t.kind, t.id) == target)


async def test_below_min_answers_only_the_count_is_shown(ctx):
    world, campaign, target = await _scene(ctx)
    await evaluate_by(ctx, world, campaign.id, target, [5] * (policy_of(ctx).min_answers - 1))
    result = _of(await service_campaigns.campaign_results(ctx, principal=world.hr, campaign_id=campaign.id), target)
    assert (result.count, result.shown, result.score, result.dimensions, result.overall, result.comments) == (
        policy_of(ctx).min_answers - 1,
        False,
        None,
        None,
        None,
        [],
    )


async def test_from_min_answers_averages_score_and_comments_are_shown(ctx):
    world, campaign, target = await _scene(ctx)
    await evaluate_by(ctx, world, campaign.id, target, [5, 4, 4])
    result = _of(await service_campaigns.campaign_results(ctx, principal=world.hr, campaign_id=campaign.id), target)
    assert result.shown and result.count == 3
    assert result.dimensions == {c: Decimal("4.33") for c in ("warm", "courteous", "respectful", "patient", "punctual")}
    assert result.score == Decimal("86.67")  # mean rating 13/3 x 20
    assert result.comments == ["评语4", "评语4", "评语5"]


async def test_the_score_is_the_mean_of_all_dimension_ratings_times_20(ctx):
    world, campaign, target = await _scene(ctx)
    for ratings in (
        {"warm": 5, "courteous": 5, "respectful": 5, "patient": 5, "punctual": 1},
        {"warm": 3, "courteous": 3, "respectful": 3, "patient": 3, "punctual": 3},
        {"warm": 4, "courteous": 4, "respectful": 4, "patient": 4, "punctual": 4},
    ):
        caller = await delegate_caller(ctx, world, campaign.id)
        data = answer(target, overall=1)
        data.scores = ratings
        await service_delegates.submit_evaluation(ctx, caller=caller, data=data)
    result = _of(await service_campaigns.campaign_results(ctx, principal=world.hr, campaign_id=campaign.id), target)
    assert result.score == Decimal("74.67") and result.overall == Decimal("1.00")  # (21 + 15 + 20) / 15 x 20; overall not in it


async def test_a_staff_member_sees_only_their_own_target_and_no_delegate(client, app_ctx):
    world, campaign, target = await _scene(app_ctx)
    names = []
    for rating in (5, 4, 3):
        delegate, issued = await invite(app_ctx, world, campaign.id, delegate=await make_delegate(app_ctx, world, name=f"王代表{rating}"))
        names.append(delegate.name)
        token = (await client.post("/api/v1/delegate/redeem", json={"token": issued.token, "code": issued.code})).json()["token"]
        body = {
            "target_kind": "staff",
            "target_id": target[1],
            "scores": {c: rating for c in ("warm", "courteous", "respectful", "patient", "punctual")},
            "overall": rating,
            "comment": f"意见{rating}",
        }
        assert (
            await client.post("/api/v1/delegate/evaluations", json=body, headers={"Authorization": f"Bearer {token}"})
        ).status_code == 201
    await service_campaigns.move_campaign(app_ctx, principal=world.hr, campaign_id=campaign.id, action="close")
    me = await make_user(app_ctx, "staff", staff_id=target[1])
    response = await client.get(f"/api/v1/evaluations/campaigns/{campaign.id}/results", headers=await login(client, app_ctx, me))
    assert response.status_code == 200
    body = response.json()
    assert [(t["kind"], t["id"]) for t in body["targets"]] == [target] and body["targets"][0]["shown"]
    text = response.text
    delegates = await Delegate.select()
    evaluations = await Evaluation.select(Evaluation.id, Evaluation.submitted_at)
    assert not any(d["name"] in text or d["organisation"] in text or (d["phone"] or "-") in text for d in delegates)
    assert "delegate" not in text and "submitted" not in text and "王代表" not in text
    assert not any(str(e["submitted_at"].date()) in text or str(e["submitted_at"].isoformat()) in text for e in evaluations)
    assert set(body["targets"][0]) == {"kind", "id", "label", "count", "shown", "dimensions", "overall", "score", "comments"}
    assert not [k for k in _keys(body) if any(w in k for w in ("delegate", "author", "invit", "_at", "phone", "organisation"))]


def _keys(value) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(k for v in value.values() for k in _keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


async def test_staff_see_no_results_while_the_campaign_is_open(ctx):
    world, campaign, target = await _scene(ctx)
    me = principal(await make_user(ctx, "staff", staff_id=target[1]), "staff")
    with pytest.raises(CampaignStateConflict):
        await service_campaigns.campaign_results(ctx, principal=me, campaign_id=campaign.id)


async def test_staff_who_are_not_a_target_get_404(ctx):
    world, campaign, _ = await _scene(ctx)
    await service_campaigns.move_campaign(ctx, principal=world.hr, campaign_id=campaign.id, action="close")
    outsider = principal(await make_user(ctx, "staff", staff_id=None), "staff")
    with pytest.raises(CampaignNotFound):
        await service_campaigns.campaign_results(ctx, principal=outsider, campaign_id=campaign.id)


async def test_an_approver_sees_every_target(client, app_ctx):
    world, campaign, _ = await _scene(app_ctx)
    _, auth = await logged_in(client, app_ctx, "approver")
    body = (await client.get(f"/api/v1/evaluations/campaigns/{campaign.id}/results", headers=auth)).json()
    assert len(body["targets"]) == 3 and body["min_answers"] == policy_of(app_ctx).min_answers


async def test_hr_sees_who_answered_but_not_what(ctx):
    world, campaign, target = await _scene(ctx)
    answering, issued = await invite(ctx, world, campaign.id)
    silent, _ = await invite(ctx, world, campaign.id)
    session = await service_delegates.redeem(ctx, data=RedeemIn(token=issued.token, code=issued.code))
    caller = await service_delegates.resolve_session(ctx, token=session.token)
    await service_delegates.submit_evaluation(ctx, caller=caller, data=answer(target, 2, comment="态度冷淡"))
    page = await service_campaigns.list_invitations(ctx, campaign_id=campaign.id, params=PageParams(limit=50, offset=0))
    by_delegate = {i.delegate_id: i for i in page.items}
    assert (by_delegate[answering.id].answered_targets, by_delegate[answering.id].state) == (1, "used")
    assert (by_delegate[silent.id].answered_targets, by_delegate[silent.id].state) == (0, "pending")
    assert "态度冷淡" not in str(page) and "'warm'" not in str(page)
