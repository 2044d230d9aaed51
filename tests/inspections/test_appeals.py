"""Appeals: the staff member within appeal_days; a reviewer who is neither an inspector of the visit nor the appellant."""

from zoneinfo import ZoneInfo

import pytest

from tests.factories import login, make_user
from tests.inspections.support import log_finding, make_inspected_staff, make_visit, principal, publish, published_finding
from window_staff.common.pagination import PageParams
from window_staff.inspections import service
from window_staff.inspections.errors import AppealAlreadyOpen, AppealWindowClosed, OwnFindingReview
from window_staff.inspections.policy import policy_of
from window_staff.inspections.schemas.publication import AppealDecisionIn, AppealIn, ExposureIn
from window_staff.inspections.service import board as service_board, publication as service_publication

SHANGHAI = ZoneInfo("Asia/Shanghai")
REASON = AppealIn(reason="当时胸牌在口袋里，已当场佩戴")


async def _appealable(ctx):
    scene, staff, finding = await published_finding(ctx)
    user = await make_user(ctx, "staff", staff_id=staff.id)
    return scene, staff, finding, principal(user, "staff")


async def test_appeal_on_the_last_day_of_the_period_is_accepted(ctx, clock):
    _, _, finding, me = await _appealable(ctx)
    clock.advance(days=policy_of(ctx).appeal_days)
    appeal = await service_publication.file_appeal(ctx, me, finding.id, REASON)
    assert appeal.status == "open"


async def test_appeal_a_day_after_the_period_is_refused(ctx, clock):
    _, _, finding, me = await _appealable(ctx)
    clock.advance(days=policy_of(ctx).appeal_days + 1)
    with pytest.raises(AppealWindowClosed):
        await service_publication.file_appeal(ctx, me, finding.id, REASON)


async def test_late_appeal_answers_409_with_its_code(client, app_ctx, clock):
    scene, staff, finding = await published_finding(app_ctx)
    user = await make_user(app_ctx, "staff", staff_id=staff.id)
    clock.advance(days=policy_of(app_ctx).appeal_days + 1)
    response = await client.post(
        f"/api/v1/me/findings/{finding.id}/appeal", json={"reason": "不同意"}, headers=await login(client, app_ctx, user)
    )
    assert response.status_code == 409 and response.json()["code"] == "appeal_window_closed"


async def test_a_second_open_appeal_is_refused(ctx):
    _, _, finding, me = await _appealable(ctx)
    await service_publication.file_appeal(ctx, me, finding.id, REASON)
    with pytest.raises(AppealAlreadyOpen):
        await service_publication.file_appeal(ctx, me, finding.id, REASON)


async def test_other_staff_cannot_appeal_someone_elses_finding(client, app_ctx):
    _, _, finding = await published_finding(app_ctx)
    other = await make_user(app_ctx, "staff", staff_id=(await published_finding(app_ctx))[1].id)
    response = await client.post(
        f"/api/v1/me/findings/{finding.id}/appeal", json={"reason": "不同意"}, headers=await login(client, app_ctx, other)
    )
    assert response.status_code == 404


async def test_the_inspector_who_logged_the_finding_may_not_decide(ctx):
    scene, _, finding, me = await _appealable(ctx)
    appeal = await service_publication.file_appeal(ctx, me, finding.id, REASON)
    with pytest.raises(OwnFindingReview):
        await service_publication.decide_appeal(
            ctx, principal(scene.inspector, "inspector", "hr"), appeal.id, AppealDecisionIn(outcome="upheld")
        )


async def test_the_appellant_may_not_decide_their_own_appeal(ctx):
    _, staff, finding, me = await _appealable(ctx)
    appeal = await service_publication.file_appeal(ctx, me, finding.id, REASON)
    appellant_hr = await make_user(ctx, "staff", "hr", staff_id=staff.id)
    with pytest.raises(OwnFindingReview):
        await service_publication.decide_appeal(ctx, principal(appellant_hr, "staff", "hr"), appeal.id, AppealDecisionIn(outcome="upheld"))


async def test_inspector_deciding_through_the_api_gets_403(client, app_ctx):
    inspector = await make_user(app_ctx, "inspector", "hr")  # passes the reviewer guard, still may not decide
    scene = await make_visit(app_ctx, inspector=inspector)
    staff = await make_inspected_staff(app_ctx, scene)
    finding = await publish(app_ctx, scene, (await log_finding(app_ctx, scene, staff_id=staff.id)).id)
    me = principal(await make_user(app_ctx, "staff", staff_id=staff.id), "staff")
    appeal = await service_publication.file_appeal(app_ctx, me, finding.id, REASON)
    response = await client.post(
        f"/api/v1/inspections/appeals/{appeal.id}/decision", json={"outcome": "upheld"}, headers=await login(client, app_ctx, inspector)
    )
    assert response.status_code == 403 and response.json()["code"] == "own_finding_review"


async def test_reviewer_sees_the_open_appeal(client, app_ctx):
    _, _, finding, me = await _appealable(app_ctx)
    appeal = await service_publication.file_appeal(app_ctx, me, finding.id, REASON)
    hr = await make_user(app_ctx, "hr")
    body = (await client.get("/api/v1/inspections/appeals", headers=await login(client, app_ctx, hr))).json()
    assert [a["id"] for a in body["items"]] == [appeal.id]


async def test_staff_see_their_appeals(client, app_ctx):
    _, staff, finding = await published_finding(app_ctx)
    user = await make_user(app_ctx, "staff", staff_id=staff.id)
    headers = await login(client, app_ctx, user)
    filed = await client.post(f"/api/v1/me/findings/{finding.id}/appeal", json={"reason": "不同意"}, headers=headers)
    assert filed.status_code == 201
    body = (await client.get("/api/v1/me/appeals", headers=headers)).json()
    assert [a["id"] for a in body["items"]] == [filed.json()["id"]] and "decided_by" not in body["items"][0]


async def test_upheld_appeal_removes_the_finding_from_the_facts(ctx):
    _, staff, finding, me = await _appealable(ctx)
    month = finding.observed_at.astimezone(SHANGHAI).date().replace(day=1)
    before = await service.month_facts(ctx, staff_ids=[staff.id], month=month)
    appeal = await service_publication.file_appeal(ctx, me, finding.id, REASON)
    await service_publication.decide_appeal(ctx, principal(await make_user(ctx, "hr"), "hr"), appeal.id, AppealDecisionIn(outcome="upheld"))
    after = await service.month_facts(ctx, staff_ids=[staff.id], month=month)
    assert [f.id for f in before] == [f"inspection.finding:{finding.id}"] and after == []


async def test_rejected_appeal_keeps_the_finding_in_the_facts(ctx):
    _, staff, finding, me = await _appealable(ctx)
    appeal = await service_publication.file_appeal(ctx, me, finding.id, REASON)
    await service_publication.decide_appeal(
        ctx, principal(await make_user(ctx, "hr"), "hr"), appeal.id, AppealDecisionIn(outcome="rejected")
    )
    facts = await service.month_facts(ctx, staff_ids=[staff.id], month=finding.observed_at.astimezone(SHANGHAI).date().replace(day=1))
    assert [f.id for f in facts] == [f"inspection.finding:{finding.id}"]


async def test_upheld_appeal_takes_the_finding_off_the_board(ctx):
    scene, _, finding, me = await _appealable(ctx)
    await service_board.choose(ctx, scene.lead_p, ExposureIn(finding_id=finding.id))
    appeal = await service_publication.file_appeal(ctx, me, finding.id, REASON)
    await service_publication.decide_appeal(ctx, principal(await make_user(ctx, "hr"), "hr"), appeal.id, AppealDecisionIn(outcome="upheld"))
    assert (await service_board.board(ctx, PageParams(limit=50, offset=0))).items == []
