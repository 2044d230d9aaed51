"""The exposure board: the lead's choice, naming per policy, expiry, withdrawal, public access, escaping."""

import dataclasses
from datetime import timedelta

import pytest

from tests.inspections.support import log_finding, make_inspected_staff, make_visit, publish, published_finding
from window_staff.common.pagination import PageParams
from window_staff.inspections.errors import ExposureConflict, ExposureInputInvalid
from window_staff.inspections.policy import policy_of
from window_staff.inspections.schemas.publication import ExposureIn, ExposureWithdrawIn
from window_staff.inspections.service import board as service_board
from window_staff.inspections.service.publication import local_date

PAGE = PageParams(limit=50, offset=0)


def _set_policy(ctx, **changes):
    ctx.resources["inspections.policy"] = dataclasses.replace(policy_of(ctx), **changes)


async def _on_board(ctx, **choice):
    scene, staff, finding = await published_finding(ctx)
    entry = await service_board.choose(ctx, scene.lead_p, ExposureIn(finding_id=finding.id, **choice))
    return scene, staff, finding, entry


@pytest.mark.parametrize(
    ("naming", "expected"), [("named", lambda n: n), ("surname", lambda n: n[0] + "某"), ("anonymous", lambda n: None)]
)
async def test_the_policy_decides_how_the_person_is_named(ctx, naming, expected):
    _set_policy(ctx, exposure_naming=naming)
    _, staff, _, _ = await _on_board(ctx)
    [item] = (await service_board.board(ctx, PAGE)).items
    assert item.person == expected(staff.name)
    assert item.department and item.window  # anonymous still says where


async def test_the_lead_may_hide_the_person_even_when_the_policy_names(ctx):
    _set_policy(ctx, exposure_naming="named")
    await _on_board(ctx, anonymous=True)
    assert (await service_board.board(ctx, PAGE)).items[0].person is None


async def test_an_entry_is_shown_on_its_expiry_day(ctx, clock):
    _, _, finding, entry = await _on_board(ctx)
    clock.at = clock.at + (entry.expires_on - local_date(clock.now(), "Asia/Shanghai"))
    assert [i.id for i in (await service_board.board(ctx, PAGE)).items] == [entry.id]


async def test_an_entry_disappears_the_day_after_it_expires(ctx, clock):
    _, _, _, entry = await _on_board(ctx)
    clock.advance(days=(entry.expires_on - local_date(clock.now(), "Asia/Shanghai")).days + 1)
    assert (await service_board.board(ctx, PAGE)).items == []


async def test_default_expiry_is_exposure_days_ahead(ctx, clock):
    _, _, _, entry = await _on_board(ctx)
    assert entry.expires_on == local_date(clock.now(), "Asia/Shanghai") + timedelta(days=policy_of(ctx).exposure_days)


async def test_a_withdrawn_entry_is_not_listed(ctx):
    scene, _, _, entry = await _on_board(ctx)
    withdrawn = await service_board.withdraw(ctx, scene.lead_p, entry.id, ExposureWithdrawIn(reason="已整改"))
    assert withdrawn.state == "withdrawn" and (await service_board.board(ctx, PAGE)).items == []


async def test_an_unpublished_undercover_finding_cannot_go_on_the_board(ctx):
    scene = await make_visit(ctx, kind="undercover")
    staff = await make_inspected_staff(ctx, scene)
    draft = await log_finding(ctx, scene, staff_id=staff.id)
    with pytest.raises(ExposureConflict):
        await service_board.choose(ctx, scene.lead_p, ExposureIn(finding_id=draft.id))
    assert (await service_board.board(ctx, PAGE)).total == 0


async def test_photos_are_refused_when_the_policy_forbids_them(ctx):
    _set_policy(ctx, exposure_photos=False)
    with pytest.raises(ExposureInputInvalid):
        await _on_board(ctx, show_photos=True)


async def test_the_public_api_needs_no_login_and_shows_no_staff_ids(client, app_ctx):
    _, staff, finding, entry = await _on_board(app_ctx)
    response = await client.get("/api/v1/board")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["id"] == entry.id and item["photos"] == []
    assert not {"staff_id", "finding_id", "staff", "employee_no"} & set(item)
    assert staff.employee_no not in response.text


async def test_the_public_page_needs_no_login(client, app_ctx):
    await _on_board(app_ctx)
    response = await client.get("/board")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert 'lang="zh-CN"' in response.text and "未佩戴工作牌" in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_the_public_page_escapes_the_public_text(client, app_ctx):
    scene = await make_visit(app_ctx)
    staff = await make_inspected_staff(app_ctx, scene)
    finding = await log_finding(app_ctx, scene, staff_id=staff.id)
    await publish(app_ctx, scene, finding.id)
    await service_board.choose(app_ctx, scene.lead_p, ExposureIn(finding_id=finding.id, text="<script>alert(1)</script>"))
    text = (await client.get("/board")).text
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


async def test_the_board_shows_the_leads_wording_never_the_inspectors_note(client, app_ctx):
    scene = await make_visit(app_ctx)
    staff = await make_inspected_staff(app_ctx, scene)
    finding = await log_finding(app_ctx, scene, staff_id=staff.id, note="私下记录：此人屡教不改")
    await publish(app_ctx, scene, finding.id)
    await service_board.choose(app_ctx, scene.lead_p, ExposureIn(finding_id=finding.id, text="已责令限期整改。"))
    [item] = (await client.get("/api/v1/board")).json()["items"]
    assert (item["item"], item["text"], item["rectification"]) == ("未佩戴工作牌", "已责令限期整改。", "in_progress")
    assert "私下记录" not in (await client.get("/board")).text


async def test_the_hr_marks_a_board_entry_rectified_and_the_board_says_so(client, app_ctx):
    from tests.factories import logged_in

    scene = await make_visit(app_ctx)
    finding = await log_finding(app_ctx, scene, staff_id=(await make_inspected_staff(app_ctx, scene)).id)
    await publish(app_ctx, scene, finding.id)
    entry = await service_board.choose(app_ctx, scene.lead_p, ExposureIn(finding_id=finding.id))
    _, hr = await logged_in(client, app_ctx, "hr")
    assert (await client.post(f"/api/v1/inspections/board/{entry.id}/rectified", headers=hr)).status_code == 200
    [item] = (await client.get("/api/v1/board")).json()["items"]
    assert item["rectification"] == "rectified" and item["rectified_on"]
    assert (await client.post(f"/api/v1/inspections/board/{entry.id}/rectified", headers=hr)).status_code == 409


async def test_only_the_lead_chooses_board_entries(client, app_ctx):
    from tests.factories import logged_in

    _, _, finding = await published_finding(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.post("/api/v1/inspections/board", json={"finding_id": finding.id}, headers=hr)
    assert response.status_code == 403
