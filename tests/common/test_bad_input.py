"""Bad input is a 4xx problem that changes nothing, never a 500: undecodable JSON, huge numbers, odd months, unknown zones."""

from __future__ import annotations

import pytest

from tests.factories import logged_in, make_staff, make_window, n

HUGE = str(2**64)


def _problem(response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_login_body_that_is_not_utf8_is_a_400(client):
    body = b'{"username": "admin\xff\xfe", "password": "x"}'
    _problem(await client.post("/api/v1/auth/login", content=body, headers={"content-type": "application/json"}), 400)


async def test_a_deeply_nested_login_body_is_a_400(client):
    body = "[" * 100_000 + "]" * 100_000
    response = await client.post("/api/v1/auth/login", content=body, headers={"content-type": "application/json"})
    assert response.status_code in (400, 413), response.text
    nested = "[" * 2000 + "]" * 2000  # under the route's body limit
    _problem(await client.post("/api/v1/auth/login", content=nested, headers={"content-type": "application/json"}), 400)


async def test_an_offset_beyond_64_bits_is_a_4xx(client, app_ctx):
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.get("/api/v1/staff/", params={"offset": HUGE}, headers=hr)
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize("number", [HUGE, str(2**40)], ids=["beyond-64-bits", "beyond-postgres-serial"])
async def test_an_org_id_beyond_64_bits_is_a_4xx(client, app_ctx, number):
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.get(f"/api/v1/sites/{number}", headers=hr)
    assert response.status_code in (400, 404), response.text


async def test_a_site_in_a_time_zone_that_does_not_exist_is_refused(client, app_ctx):
    _, admin = await logged_in(client, app_ctx, "admin")
    site = {"code": f"TZ{n()}", "name": "时区测试中心", "kind": "county_centre", "timezone": "Asia/Atlantis"}
    folder = {**site, "code": f"TZ{n()}", "timezone": "Asia"}
    _problem(await client.post("/api/v1/sites/", json=folder, headers=admin), 422)
    response = await client.post("/api/v1/sites/", json=site, headers=admin)
    _problem(response, 422)
    listed = await client.get("/api/v1/sites/", params={"limit": 200}, headers=admin)
    assert site["code"] not in listed.text


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "２０２６-０１"])
async def test_an_attendance_month_out_of_range_or_in_full_width_digits_is_a_422(client, app_ctx, month):
    window = await make_window(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.get("/api/v1/attendance/sheet", params={"department_id": window.department_id, "month": month}, headers=hr)
    assert response.status_code in (400, 422) and response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "２０２６-０１"])
async def test_an_appraisal_month_out_of_range_or_in_full_width_digits_is_a_422(client, app_ctx, month):
    staff = await make_staff(app_ctx)
    me, headers = await logged_in(client, app_ctx, "staff", staff_id=staff.id)
    response = await client.get(f"/api/v1/me/appraisal/{month}", headers=headers)
    _problem(response, 422)


async def test_an_attendance_id_beyond_64_bits_is_a_4xx(client, app_ctx):
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.get(f"/api/v1/attendance/staff/{HUGE}/month", params={"month": "2026-01"}, headers=hr)
    assert response.status_code in (400, 404), response.text


async def test_an_evaluation_campaign_id_beyond_64_bits_is_a_4xx(client, app_ctx):
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.get(f"/api/v1/evaluations/campaigns/{HUGE}", headers=hr)
    assert response.status_code in (400, 404), response.text


async def test_an_inspection_visit_id_beyond_64_bits_is_a_4xx(client, app_ctx):
    _, lead = await logged_in(client, app_ctx, "inspection_lead")
    response = await client.get(f"/api/v1/inspections/visits/{HUGE}", headers=lead)
    assert response.status_code in (400, 404), response.text
