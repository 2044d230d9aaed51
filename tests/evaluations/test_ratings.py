"""Citizen ratings (好差评) from signed evaluator devices: storage, signatures, one rating per transaction."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace

from tests.evaluations.support_ratings import RATING_PATH, make_rating_desk, rating_body, settings, signed  # noqa: F401
from window_staff.attendance.schemas import SiteHoursIn
from window_staff.attendance.service import admin as service_admin
from window_staff.evaluations.tables import Rating
from window_staff.terminals import service as terminals
from window_staff.terminals.schemas.registry import TerminalIn
from window_staff.terminals.signatures import sign


async def test_a_signed_device_rating_is_stored_for_the_staff_posted_at_the_window(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx)
    response = await client.send(signed(client, rating_body(clock, comment="办事很快"), desk=desk, clock=clock))
    assert response.status_code == 201, response.text
    [row] = await Rating.select()
    assert (row["window"], row["staff"], row["source"], row["device"], row["comment"]) == (
        desk.window.id,
        desk.staff[0].id,
        "device",
        desk.terminal_id,
        "办事很快",
    )
    assert response.json()["id"] == row["id"] and response.json()["case_id"] is None


async def test_an_unsigned_rating_is_401_and_stores_nothing(client, app_ctx, clock):
    await make_rating_desk(app_ctx)
    response = await client.post(RATING_PATH, json=rating_body(clock))
    assert response.status_code == 401 and response.json()["code"] == "signature_refused"
    assert await Rating.count() == 0


async def test_a_rating_signed_with_the_wrong_secret_is_401_and_stores_nothing(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx)
    response = await client.send(signed(client, rating_body(clock), desk=desk, clock=clock, secret=b"not-the-secret-of-this-device!!"))
    assert response.status_code == 401
    assert await Rating.count() == 0


async def test_an_identical_resend_answers_200_with_the_stored_rating_and_stores_nothing_twice(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx)
    body = rating_body(clock)
    first = await client.send(signed(client, body, desk=desk, clock=clock))
    clock.advance(seconds=30)
    again = await client.send(signed(client, body, desk=desk, clock=clock))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert await Rating.count() == 1


async def test_a_different_rating_of_a_rated_transaction_is_409(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx)
    await client.send(signed(client, rating_body(clock, level=5), desk=desk, clock=clock))
    response = await client.send(signed(client, rating_body(clock, level=1), desk=desk, clock=clock))
    assert response.status_code == 409 and response.json()["code"] == "already_rated"
    assert [r["level"] for r in await Rating.select(Rating.level)] == [5]


async def test_two_concurrent_ratings_of_one_transaction_store_one_row(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx)
    body = rating_body(clock)
    responses = await asyncio.gather(*(client.send(signed(client, body, desk=desk, clock=clock)) for _ in range(4)))
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await Rating.count() == 1


async def test_the_same_ticket_at_another_window_is_another_transaction(client, app_ctx, clock):
    one, two = await make_rating_desk(app_ctx), await make_rating_desk(app_ctx)
    for desk in (one, two):
        assert (await client.send(signed(client, rating_body(clock, ref="A001"), desk=desk, clock=clock))).status_code == 201
    assert await Rating.count() == 2


async def test_a_device_without_a_window_is_422(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx, with_window=False)
    response = await client.send(signed(client, rating_body(clock), desk=desk, clock=clock))
    assert response.status_code == 422 and response.json()["code"] == "device_without_window"
    assert await Rating.count() == 0


async def test_a_window_with_several_staff_needs_the_employee_number(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx, n_staff=2)
    ambiguous = await client.send(signed(client, rating_body(clock), desk=desk, clock=clock))
    named = await client.send(signed(client, rating_body(clock, staff_employee_no=desk.staff[1].employee_no), desk=desk, clock=clock))
    assert ambiguous.status_code == 422 and ambiguous.json()["code"] == "staff_ambiguous"
    assert named.status_code == 201 and named.json()["staff_id"] == desk.staff[1].id


async def test_levels_out_of_range_unknown_fields_and_long_comments_are_422(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx)
    for body in (
        rating_body(clock, level=6),
        rating_body(clock, attitude=0),
        rating_body(clock, comment="长" * 501),
        {**rating_body(clock), "citizen_phone": "13800000000"},
        rating_body(clock, ref="x" * 65),
    ):
        response = await client.send(signed(client, body, desk=desk, clock=clock))
        assert response.status_code == 422, (body, response.text)
    assert await Rating.count() == 0


async def test_a_rating_time_beyond_five_minutes_ahead_is_422_and_a_naive_time_too(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx)
    ahead = rating_body(clock, rated_at=(clock.now() + dt.timedelta(minutes=6)).isoformat())
    naive = rating_body(clock, rated_at=clock.now().replace(tzinfo=None).isoformat())
    for body in (ahead, naive):
        assert (await client.send(signed(client, body, desk=desk, clock=clock))).status_code == 422
    assert await Rating.count() == 0


async def test_a_body_that_is_not_json_is_400(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx)
    raw = b"level=5"
    request = client.build_request("POST", RATING_PATH, content=raw, headers={"content-type": "application/json"})
    request.headers.update(sign("POST", str(request.url), raw, key_id=desk.serial, secret=desk.secret, created=clock.now()))
    response = await client.send(request)
    assert response.status_code == 400 and response.json()["code"] == "malformed_json"


async def test_a_late_rating_of_a_month_closed_at_the_site_is_409_and_stores_nothing(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx)
    await service_admin.add_site_hours(
        app_ctx,
        SiteHoursIn(
            site_id=desk.window.site_id,
            name="all",
            valid_from=dt.date(2025, 1, 1),
            valid_to=dt.date(2025, 12, 31),
            am_start=dt.time(8, 30),
            am_end=dt.time(12),
            pm_start=dt.time(14, 30),
            pm_end=dt.time(17, 30),
        ),
        actor="test",
    )
    clock.at = dt.datetime(2025, 6, 3, 2, 0, tzinfo=dt.UTC)
    await service_admin.close_month(app_ctx, site_id=desk.window.site_id, month="2025-05", actor="hr")
    # The device was offline for a week: its rating of 30 May arrives after May was closed.
    late = rating_body(clock, rated_at=dt.datetime(2025, 5, 30, 2, 0, tzinfo=dt.UTC).isoformat())
    response = await client.send(signed(client, late, desk=desk, clock=clock))
    assert response.status_code == 409 and response.json()["code"] == "rating_month_closed"
    assert await Rating.count() == 0
    ok = await client.send(signed(client, rating_body(clock, ref="T-0002"), desk=desk, clock=clock))
    assert ok.status_code == 201, ok.text  # June is open


async def test_a_queue_machine_cannot_post_a_rating(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx)
    queue, secret = await terminals.register_approved(
        app_ctx, TerminalIn(serial=f"Q-{desk.serial}", site_id=desk.window.site_id, window_id=desk.window.id, kind="queue"), actor="test"
    )
    response = await client.send(signed(client, rating_body(clock), desk=replace(desk, serial=queue.serial, secret=secret), clock=clock))
    assert response.status_code == 403 and response.json()["code"] == "rating_device_required"
    assert await Rating.count().where(Rating.window == desk.window.id) == 0
