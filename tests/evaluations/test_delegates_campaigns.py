"""HR manages delegates and campaigns: validated targets, the default form, one-way states, every change audited."""

from __future__ import annotations

from datetime import date

import pytest

from tests.evaluations.support_delegates import MONTH, invite, make_campaign, make_delegate, make_world
from tests.factories import logged_in
from window_staff.common.db import execute
from window_staff.common.pagination import PageParams
from window_staff.evaluations.errors import CampaignStateConflict, DelegateNotFound, EvaluationInputInvalid
from window_staff.evaluations.schemas.delegates import CampaignIn, TargetIn
from window_staff.evaluations.service import campaigns as service_campaigns

FIVE_ALIKE = ["受理咨询一样热情", "生人熟人一样和气", "干部群众一样尊重", "忙时闲时一样耐心", "来早来晚一样接待"]


def _campaign(targets: list[tuple[str, int]], **changes: object) -> CampaignIn:
    values: dict[str, object] = {
        "title": "第一季度作风监督评议",
        "month": MONTH,
        "opens_on": date(2025, 3, 1),
        "closes_on": date(2025, 3, 20),
        "targets": [TargetIn(kind=k, id=i) for k, i in targets],
    }  # type: ignore[arg-type]
    values.update(changes)
    return CampaignIn(**values)  # type: ignore[arg-type]


async def test_a_new_campaign_is_a_draft_with_the_five_alike_dimensions(ctx):
    world = await make_world(ctx)
    campaign = await service_campaigns.create_campaign(ctx, principal=world.hr, data=_campaign([("staff", world.staff[0].id)]))
    assert campaign.status == "draft"
    assert [d.title_zh for d in campaign.form.dimensions] == FIVE_ALIKE
    assert [d.code for d in campaign.form.dimensions] == ["warm", "courteous", "respectful", "patient", "punctual"]
    assert (campaign.form.scale_min, campaign.form.scale_max) == (1, 5)


async def test_targets_must_exist(ctx):
    world = await make_world(ctx)
    with pytest.raises(EvaluationInputInvalid) as caught:
        await service_campaigns.create_campaign(
            ctx, principal=world.hr, data=_campaign([("staff", world.staff[0].id), ("window", 999_999)])
        )
    assert caught.value.code == "target_not_found" and "window 999999" in caught.value.detail


async def test_a_target_is_listed_once(ctx):
    world = await make_world(ctx)
    with pytest.raises(EvaluationInputInvalid):
        await service_campaigns.create_campaign(ctx, principal=world.hr, data=_campaign([("staff", world.staff[0].id)] * 2))


async def test_a_campaign_cannot_close_before_it_opens(ctx):
    world = await make_world(ctx)
    with pytest.raises(EvaluationInputInvalid):
        await service_campaigns.create_campaign(
            ctx, principal=world.hr, data=_campaign([("staff", world.staff[0].id)], closes_on=date(2025, 2, 28))
        )


async def test_states_only_move_forward(ctx):
    world = await make_world(ctx)
    campaign = await make_campaign(ctx, world, targets=[("staff", world.staff[0].id)], open_it=False)
    with pytest.raises(CampaignStateConflict):
        await service_campaigns.move_campaign(ctx, principal=world.hr, campaign_id=campaign.id, action="close")
    await service_campaigns.move_campaign(ctx, principal=world.hr, campaign_id=campaign.id, action="open")
    closed = await service_campaigns.move_campaign(ctx, principal=world.hr, campaign_id=campaign.id, action="close")
    assert closed.status == "closed"
    with pytest.raises(CampaignStateConflict):
        await service_campaigns.move_campaign(ctx, principal=world.hr, campaign_id=campaign.id, action="open")


async def test_every_change_is_in_the_audit_chain_without_secrets(ctx):
    world = await make_world(ctx)
    campaign = await make_campaign(ctx, world, targets=[("staff", world.staff[0].id)])
    delegate, issued = await invite(ctx, world, campaign.id)
    await service_campaigns.deactivate_delegate(ctx, principal=world.hr, delegate_id=delegate.id)
    await service_campaigns.move_campaign(ctx, principal=world.hr, campaign_id=campaign.id, action="close")
    rows = await execute(ctx.engine, "SELECT action, data FROM audit_event ORDER BY id")
    actions = [r["action"] for r in rows]
    for action in (
        "campaign.created",
        "campaign.opened",
        "delegate.created",
        "delegate_invitation.issued",
        "delegate.deactivated",
        "campaign.closed",
    ):
        assert action in actions
    assert not any(issued.token in r["data"] or delegate.phone in r["data"] for r in rows)  # type: ignore[operator]


async def test_a_deactivated_delegate_is_not_invited(ctx):
    world = await make_world(ctx)
    campaign = await make_campaign(ctx, world, targets=[("staff", world.staff[0].id)])
    delegate = await make_delegate(ctx, world)
    await service_campaigns.deactivate_delegate(ctx, principal=world.hr, delegate_id=delegate.id)
    with pytest.raises(DelegateNotFound):
        await invite(ctx, world, campaign.id, delegate=delegate)
    listed = await service_campaigns.list_delegates(ctx, params=PageParams(limit=10, offset=0), active=False)
    assert [d.id for d in listed.items] == [delegate.id]


# --- through the API ---


async def test_hr_runs_a_campaign_through_the_api(client, app_ctx):
    world = await make_world(app_ctx)
    _, auth = await logged_in(client, app_ctx, "hr")
    delegate = await client.post(
        "/api/v1/evaluations/delegates", json={"name": "李委员", "kind": "cppcc_member", "organisation": "县政协"}, headers=auth
    )
    assert delegate.status_code == 201
    body = {
        "title": "三月作风监督评议",
        "month": MONTH,
        "opens_on": "2025-03-01",
        "closes_on": "2025-03-31",
        "targets": [{"kind": "staff", "id": world.staff[0].id}, {"kind": "department", "id": world.window.department_id}],
    }
    created = await client.post("/api/v1/evaluations/campaigns", json=body, headers=auth)
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]
    assert (await client.post(f"/api/v1/evaluations/campaigns/{campaign_id}/open", headers=auth)).json()["status"] == "open"
    invited = await client.post(
        f"/api/v1/evaluations/campaigns/{campaign_id}/invitations", json={"delegate_id": delegate.json()["id"]}, headers=auth
    )
    assert invited.status_code == 201 and invited.json()["redeem_path"] == "/api/v1/delegate/redeem"
    redeemed = await client.post("/api/v1/delegate/redeem", json={"token": invited.json()["token"], "code": invited.json()["code"]})
    assert redeemed.status_code == 200 and redeemed.json()["campaign_id"] == campaign_id
    follow_up = (await client.get(f"/api/v1/evaluations/campaigns/{campaign_id}/invitations", headers=auth)).json()
    assert [(i["delegate_name"], i["state"]) for i in follow_up["items"]] == [("李委员", "used")]
    assert "token" not in follow_up["items"][0] and "code" not in follow_up["items"][0]


async def test_status_cannot_be_set_in_the_body(client, app_ctx):
    world = await make_world(app_ctx)
    _, auth = await logged_in(client, app_ctx, "hr")
    body = {
        "title": "三月作风监督评议",
        "month": MONTH,
        "opens_on": "2025-03-01",
        "closes_on": "2025-03-31",
        "status": "open",
        "targets": [{"kind": "staff", "id": world.staff[0].id}],
    }
    assert (await client.post("/api/v1/evaluations/campaigns", json=body, headers=auth)).status_code == 400


async def test_staff_and_auditors_cannot_manage_campaigns(client, app_ctx):
    world = await make_world(app_ctx)
    campaign = await make_campaign(app_ctx, world, targets=[("staff", world.staff[0].id)], open_it=False)
    for role in ("staff", "auditor"):
        _, auth = await logged_in(client, app_ctx, role)
        assert (await client.post(f"/api/v1/evaluations/campaigns/{campaign.id}/open", headers=auth)).status_code == 403
        assert (await client.get(f"/api/v1/evaluations/campaigns/{campaign.id}/invitations", headers=auth)).status_code == 403
        assert (await client.get("/api/v1/evaluations/delegates", headers=auth)).status_code == 403
