"""Who a bad-review case is about and who is told: the handler of a rated transaction, HR and the inspection lead."""

from __future__ import annotations

import datetime as dt

from tests.evaluations.support_metrics import csv_bytes, make_scene
from tests.evaluations.support_ratings import person, settings  # noqa: F401
from tests.factories import make_user
from window_staff.common.pagination import PageParams
from window_staff.evaluations.schemas.ratings import CaseAppealIn
from window_staff.evaluations.service import cases as service_cases, metrics_import, ratings as service_ratings
from window_staff.evaluations.service.ratings import RatingInput, parse_qr_form
from window_staff.notifications import service as notifications

# Monday 10 March 2025, 10:00 in Shanghai; the scene's transactions were received on 3 March.
NOW = dt.datetime(2025, 3, 10, 2, 0, tzinfo=dt.UTC)
PAGE = PageParams(limit=20, offset=0)


async def _scene_with_a_transaction(ctx, clock):
    clock.at = NOW
    scene = await make_scene(ctx)  # two people posted at one window: a rating of the window alone names nobody
    await metrics_import.import_csv(ctx, csv_bytes([scene.row("TX-1")]), filename="", actor="test")
    return scene


async def _bad_rating(ctx, scene, ref: str):
    data = RatingInput(transaction_ref=ref, level=1, efficiency=1, service_level=1, attitude=1, comment="", rated_at=NOW)
    out, _ = await service_ratings.record_rating(
        ctx, data, window_id=scene.window.id, staff_id=None, source="device", device_id=None, actor="test"
    )
    return out


async def test_a_bad_rating_of_an_imported_transaction_names_its_handler(ctx, clock):
    scene = await _scene_with_a_transaction(ctx, clock)
    rating = await _bad_rating(ctx, scene, "TX-1")
    case = await service_cases.get_case(ctx, rating.case_id)
    assert (rating.staff_id, case.staff_id, case.staff_name) == (scene.staff.id, scene.staff.id, scene.staff.name)


async def test_a_bad_rating_of_an_unknown_transaction_at_a_shared_window_names_nobody(ctx, clock):
    scene = await _scene_with_a_transaction(ctx, clock)
    rating = await _bad_rating(ctx, scene, "TX-UNKNOWN")
    assert (await service_cases.get_case(ctx, rating.case_id)).staff_id is None


async def test_a_qr_rating_whose_ticket_is_the_transaction_number_names_its_handler(ctx, clock):
    scene = await _scene_with_a_transaction(ctx, clock)
    made = await service_ratings.create_rating_code(ctx, await person(ctx, "hr"), scene.window.id)
    window = await service_ratings.qr_window(ctx, made.token)
    assert window is not None and window.staff_id is None
    form = parse_qr_form(b"ticket=tx-1&level=1&efficiency=1&service_level=1&attitude=1&comment=")
    rating = await service_ratings.record_qr_rating(ctx, window, form)
    assert (await service_cases.get_case(ctx, rating.case_id)).staff_id == scene.staff.id


async def test_hr_and_the_inspection_lead_are_told_when_a_case_opens(ctx, clock):
    scene = await _scene_with_a_transaction(ctx, clock)
    hr, lead, approver = await make_user(ctx, "hr"), await make_user(ctx, "inspection_lead"), await make_user(ctx, "approver")
    rating = await _bad_rating(ctx, scene, "TX-1")
    for user in (hr, lead):
        [told] = (await notifications.list_notifications(ctx, user.id, PAGE)).items
        assert (told.kind, told.subject_id) == ("bad_review_opened", rating.case_id)
        assert scene.staff.name in told.text and "2025年3月31日" in told.text  # 15 working days on, in words
    assert (await notifications.list_notifications(ctx, approver.id, PAGE)).items == []


async def test_the_reviewers_are_told_when_an_appeal_is_filed_but_not_the_one_who_filed_it(ctx, clock):
    scene = await _scene_with_a_transaction(ctx, clock)
    filer, other_hr, lead = await person(ctx, "hr"), await make_user(ctx, "hr"), await make_user(ctx, "inspection_lead")
    rating = await _bad_rating(ctx, scene, "TX-1")
    await service_cases.file_appeal(ctx, filer, rating.case_id, CaseAppealIn(reason="该群众当天未到本窗口办理"))
    for user in (other_hr, lead):
        kinds = [n.kind for n in (await notifications.list_notifications(ctx, user.id, PAGE)).items]
        assert kinds.count("bad_review_appealed") == 1
    filed = [n.kind for n in (await notifications.list_notifications(ctx, filer.user_id, PAGE)).items]
    assert "bad_review_appealed" not in filed
