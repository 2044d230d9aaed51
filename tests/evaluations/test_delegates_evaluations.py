"""Submitting evaluations: the form's dimensions exactly, targets of the campaign only, once per target, while open."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from tests.evaluations.support_delegates import CODES, answer, delegate_caller, invite, make_campaign, make_world
from window_staff.evaluations.errors import AlreadyEvaluated, CampaignStateConflict, EvaluationInputInvalid
from window_staff.evaluations.schemas.delegates import CampaignIn, DimensionIn, EvaluationIn, TargetIn
from window_staff.evaluations.service import campaigns as service_campaigns, delegates as service_delegates
from window_staff.evaluations.tables import Evaluation


async def _scene(ctx, **campaign):
    world = await make_world(ctx)
    target = ("staff", world.staff[0].id)
    created = await make_campaign(ctx, world, targets=[target, ("window", world.window.id)], **campaign)
    return world, created, target


async def _token(client, ctx, world, campaign_id) -> dict[str, str]:
    _, issued = await invite(ctx, world, campaign_id)
    response = await client.post("/api/v1/delegate/redeem", json={"token": issued.token, "code": issued.code})
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _body(target: tuple[str, int], **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "target_kind": target[0],
        "target_id": target[1],
        "scores": {c: 4 for c in CODES},
        "overall": 4,
        "comment": "很好",
    }
    body.update(changes)
    return body


async def test_an_evaluation_is_stored_with_its_delegate_and_target(ctx):
    world, campaign, target = await _scene(ctx)
    caller = await delegate_caller(ctx, world, campaign.id)
    await service_delegates.submit_evaluation(ctx, caller=caller, data=answer(target, 4))
    row = await Evaluation.select().where(Evaluation.campaign == campaign.id).first()
    assert (row["delegate"], row["target_kind"], row["target_id"], row["overall"]) == (caller.delegate_id, *target, 4)


async def test_a_target_outside_the_campaign_is_refused(ctx):
    world, campaign, _ = await _scene(ctx)
    caller = await delegate_caller(ctx, world, campaign.id)
    with pytest.raises(EvaluationInputInvalid):
        await service_delegates.submit_evaluation(ctx, caller=caller, data=answer(("staff", world.staff[1].id)))


async def test_a_target_of_another_campaign_is_refused_through_the_api(client, app_ctx):
    world, campaign, _ = await _scene(app_ctx)
    other = await make_campaign(app_ctx, world, targets=[("staff", world.staff[1].id)])
    auth = await _token(client, app_ctx, world, campaign.id)
    response = await client.post("/api/v1/delegate/evaluations", json=_body(("staff", world.staff[1].id)), headers=auth)
    assert response.status_code == 422 and response.json()["code"] == "target_not_in_campaign"
    assert await Evaluation.count().where(Evaluation.campaign == other.id) == 0


async def test_a_missing_dimension_answers_422(client, app_ctx):
    world, campaign, target = await _scene(app_ctx)
    auth = await _token(client, app_ctx, world, campaign.id)
    response = await client.post("/api/v1/delegate/evaluations", json=_body(target, scores={c: 4 for c in CODES[:-1]}), headers=auth)
    assert response.status_code == 422 and response.json()["missing"] == [CODES[-1]]


async def test_an_unknown_dimension_answers_422(client, app_ctx):
    world, campaign, target = await _scene(app_ctx)
    auth = await _token(client, app_ctx, world, campaign.id)
    response = await client.post(
        "/api/v1/delegate/evaluations", json=_body(target, scores={**{c: 4 for c in CODES}, "speed": 3}), headers=auth
    )
    assert response.status_code == 422 and response.json()["unknown"] == ["speed"]


async def test_a_rating_outside_1_to_5_is_refused(client, app_ctx):
    world, campaign, target = await _scene(app_ctx)
    auth = await _token(client, app_ctx, world, campaign.id)
    response = await client.post("/api/v1/delegate/evaluations", json=_body(target, overall=6), headers=auth)
    assert response.status_code == 400 and await Evaluation.count() == 0


async def test_the_delegate_cannot_be_chosen_in_the_body(client, app_ctx):
    world, campaign, target = await _scene(app_ctx)
    auth = await _token(client, app_ctx, world, campaign.id)
    response = await client.post("/api/v1/delegate/evaluations", json=_body(target, delegate_id=1), headers=auth)
    assert response.status_code == 400 and await Evaluation.count() == 0


async def test_two_concurrent_submissions_store_exactly_one(ctx):
    world, campaign, target = await _scene(ctx)
    caller = await delegate_caller(ctx, world, campaign.id)
    results = await asyncio.gather(
        service_delegates.submit_evaluation(ctx, caller=caller, data=answer(target, 5)),
        service_delegates.submit_evaluation(ctx, caller=caller, data=answer(target, 3)),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["AlreadyEvaluated", "EvaluationReceiptOut"]
    assert await Evaluation.count().where(Evaluation.campaign == campaign.id) == 1


async def test_two_concurrent_submissions_through_the_api_give_one_409(client, app_ctx):
    world, campaign, target = await _scene(app_ctx)
    auth = await _token(client, app_ctx, world, campaign.id)
    responses = await asyncio.gather(*[client.post("/api/v1/delegate/evaluations", json=_body(target), headers=auth) for _ in range(2)])
    assert sorted(r.status_code for r in responses) == [201, 409]
    assert next(r for r in responses if r.status_code == 409).json()["code"] == "already_evaluated"
    assert await Evaluation.count().where(Evaluation.campaign == campaign.id) == 1


async def test_a_second_evaluation_of_the_same_target_is_refused(ctx):
    world, campaign, target = await _scene(ctx)
    caller = await delegate_caller(ctx, world, campaign.id)
    await service_delegates.submit_evaluation(ctx, caller=caller, data=answer(target, 5))
    with pytest.raises(AlreadyEvaluated):
        await service_delegates.submit_evaluation(ctx, caller=caller, data=answer(target, 1))


async def test_every_target_can_be_evaluated_in_one_session(ctx):
    world, campaign, target = await _scene(ctx)
    caller = await delegate_caller(ctx, world, campaign.id)
    for t in (target, ("window", world.window.id)):
        await service_delegates.submit_evaluation(ctx, caller=caller, data=answer(t, 5))
    view = await service_delegates.delegate_campaign(ctx, caller=caller)
    assert all(t.evaluated for t in view.targets)


async def test_a_closed_campaign_takes_no_evaluation(ctx):
    world, campaign, target = await _scene(ctx)
    caller = await delegate_caller(ctx, world, campaign.id)
    await service_campaigns.move_campaign(ctx, principal=world.hr, campaign_id=campaign.id, action="close")
    with pytest.raises(CampaignStateConflict):
        await service_delegates.submit_evaluation(ctx, caller=caller, data=answer(target))


async def test_the_closing_day_ends_at_midnight_in_shanghai(ctx, clock):
    world, campaign, target = await _scene(ctx, closes_on=date(2025, 3, 10))
    caller = await delegate_caller(ctx, world, campaign.id)
    clock.at = clock.at.replace(hour=15, minute=59)  # 23:59 on the 10th in Shanghai
    await service_delegates.submit_evaluation(ctx, caller=caller, data=answer(target))
    clock.advance(minutes=1)  # 00:00 on the 11th in Shanghai, still the 10th in UTC
    with pytest.raises(CampaignStateConflict):
        await service_delegates.submit_evaluation(ctx, caller=caller, data=answer(("window", world.window.id)))


async def test_a_custom_form_requires_its_own_dimensions(ctx):
    world = await make_world(ctx)
    data = CampaignIn(
        title="窗口专项评议",
        month="2025-03",
        opens_on=date(2025, 3, 1),
        closes_on=date(2025, 3, 31),
        targets=[TargetIn(kind="window", id=world.window.id)],
        form=[DimensionIn(code="clear", title_zh="告知清楚", title_en="Clear")],
    )
    campaign = await service_campaigns.create_campaign(ctx, principal=world.hr, data=data)
    await service_campaigns.move_campaign(ctx, principal=world.hr, campaign_id=campaign.id, action="open")
    caller = await delegate_caller(ctx, world, campaign.id)
    with pytest.raises(EvaluationInputInvalid):
        await service_delegates.submit_evaluation(ctx, caller=caller, data=answer(("window", world.window.id)))
    await service_delegates.submit_evaluation(
        ctx, caller=caller, data=EvaluationIn(target_kind="window", target_id=world.window.id, scores={"clear": 5}, overall=5)
    )
