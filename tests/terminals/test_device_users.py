"""Device user ids: HR says who ZKTeco devices know by which id (site-wide, or on one device); ATTLOG lines follow it."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from tests.factories import logged_in, make_site, make_staff, make_window
from tests.terminals.test_iclock_api import line, local, upload
from window_staff.attendance.tables import AttendanceException, Punch
from window_staff.common.db import execute
from window_staff.org.schemas import StaffOut
from window_staff.terminals import service as terminals
from window_staff.terminals.schemas.registry import TerminalIn


@dataclass
class Centre:
    """A site with two approved ZKTeco devices and two staff members."""

    site_id: int
    serials: list[str]
    device_ids: list[int]
    people: list[StaffOut]


async def make_centre(ctx, *, devices: int = 2, people: int = 2) -> Centre:
    """A site with ``devices`` approved ZKTeco devices and ``people`` staff at one of its windows."""
    site = await make_site(ctx)
    window = await make_window(ctx, site_id=site.id)
    staff = [await make_staff(ctx, window=window) for _ in range(people)]
    serials, ids = [], []
    for i in range(devices):
        t = await terminals.register(ctx, TerminalIn(serial=f"ZKC{site.id:04d}{i}", site_id=site.id, kind="zkteco"), actor="test")
        await terminals.approve(ctx, t.id, actor="test")
        serials.append(t.serial)
        ids.append(t.id)
    return Centre(site_id=site.id, serials=serials, device_ids=ids, people=staff)


@pytest.fixture
async def centre(app_ctx) -> Centre:
    """One site, two devices, two people."""
    return await make_centre(app_ctx)


@pytest.fixture
async def hr(client, app_ctx) -> dict[str, str]:
    """An HR user's headers."""
    return (await logged_in(client, app_ctx, "hr"))[1]


async def put_site_id(client, hr, centre: Centre, person: int, value: str):
    return await client.put(
        f"/api/v1/sites/{centre.site_id}/device-users/{centre.people[person].id}", json={"device_user_id": value}, headers=hr
    )


async def put_device_id(client, hr, centre: Centre, device: int, person: int, value: str):
    return await client.put(
        f"/api/v1/terminals/{centre.device_ids[device]}/device-users/{centre.people[person].id}", json={"device_user_id": value}, headers=hr
    )


async def punch_owners() -> list[int]:
    return [r["staff"] for r in await Punch.select(Punch.staff).order_by(Punch.id)]


# --- ATTLOG follows the ids ------------------------------------------------------------------------------


async def test_a_numeric_id_set_for_the_site_makes_the_devices_lines_that_persons_punches(client, app_ctx, centre, hr, clock):
    response = await put_site_id(client, hr, centre, 0, "17")
    assert response.status_code == 200, response.text
    assert response.json() | {"set_at": None} == {
        "site_id": centre.site_id,
        "terminal_id": None,
        "staff_id": centre.people[0].id,
        "employee_no": centre.people[0].employee_no,
        "device_user_id": "17",
        "set_by": response.json()["set_by"],
        "set_at": None,
    }
    for serial in centre.serials:
        assert (await upload(client, serial, line("17", local(clock, minutes=-5)))).text == "OK: 1"
    assert await punch_owners() == [centre.people[0].id] * 2


async def test_without_an_id_the_employee_number_is_the_persons_id(client, app_ctx, centre, clock):
    assert (await upload(client, centre.serials[0], line(centre.people[1].employee_no, local(clock, minutes=-1)))).text == "OK: 1"
    assert await punch_owners() == [centre.people[1].id]


async def test_with_an_id_the_employee_number_no_longer_names_the_person_on_the_devices(client, app_ctx, centre, hr, clock):
    await put_site_id(client, hr, centre, 0, "17")
    assert (await upload(client, centre.serials[0], line(centre.people[0].employee_no, local(clock, minutes=-1)))).text == "OK: 1"
    assert await punch_owners() == []
    assert [r["kind"] for r in await AttendanceException.select(AttendanceException.kind)] == ["unknown_device_pin"]


async def test_a_devices_own_id_wins_there_and_the_site_wide_id_still_holds_on_the_other_device(client, app_ctx, centre, hr, clock):
    await put_site_id(client, hr, centre, 0, "17")
    assert (await put_device_id(client, hr, centre, 0, 0, "900")).status_code == 200
    body = line("900", local(clock, minutes=-3)) + "\n" + line("17", local(clock, minutes=-2)) + "\n"
    await upload(client, centre.serials[0], body)  # "17" is nobody on this device now
    await upload(client, centre.serials[1], body)  # and "900" nobody on the other one
    assert await punch_owners() == [centre.people[0].id] * 2
    assert await AttendanceException.count() == 2  # one unknown-id item per device


async def test_an_id_set_at_another_site_means_nothing_here(client, app_ctx, centre, hr, clock):
    elsewhere = await make_centre(app_ctx, devices=1, people=1)
    await client.put(f"/api/v1/sites/{elsewhere.site_id}/device-users/{elsewhere.people[0].id}", json={"device_user_id": "17"}, headers=hr)
    assert (await upload(client, centre.serials[0], line("17", local(clock, minutes=-1)))).text == "OK: 1"
    assert await punch_owners() == []


# --- HR's refusals ---------------------------------------------------------------------------------------


async def test_an_id_someone_at_the_site_has_is_refused_with_a_problem(client, app_ctx, centre, hr):
    await put_site_id(client, hr, centre, 0, "17")
    response = await put_site_id(client, hr, centre, 1, "17")
    assert response.status_code == 409 and response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "device_user_id_taken" and response.json()["staff_id"] == centre.people[0].id


async def test_the_same_id_at_two_sites_is_fine(client, app_ctx, centre, hr):
    elsewhere = await make_centre(app_ctx, devices=1, people=1)
    await put_site_id(client, hr, centre, 0, "17")
    assert (await put_site_id(client, hr, elsewhere, 0, "17")).status_code == 200


async def test_another_persons_employee_number_is_refused_as_an_id(client, app_ctx, centre, hr):
    response = await put_site_id(client, hr, centre, 0, centre.people[1].employee_no)
    assert response.status_code == 409 and response.json()["staff_id"] == centre.people[1].id


async def test_a_devices_own_id_may_not_be_another_persons_id_on_that_device(client, app_ctx, centre, hr):
    await put_site_id(client, hr, centre, 1, "5")
    assert (await put_device_id(client, hr, centre, 0, 0, "5")).status_code == 409
    # once the other person has an id of their own on that device, "5" is free there
    assert (await put_device_id(client, hr, centre, 0, 1, "6")).status_code == 200
    assert (await put_device_id(client, hr, centre, 0, 0, "5")).status_code == 200
    # ... but not site-wide, where the other devices still know the other person by it
    assert (await put_site_id(client, hr, centre, 0, "5")).status_code == 409


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("unknown staff", 404, "staff_not_found"),
        ("staff of another site", 422, "staff_not_at_site"),
        ("unknown site", 404, "site_not_found"),
    ],
)
async def test_ids_are_set_only_for_staff_of_the_site(client, app_ctx, centre, hr, case, status, code):
    elsewhere = await make_centre(app_ctx, devices=0, people=1)
    site_id, staff_id = {
        "unknown staff": (centre.site_id, 999_999),
        "staff of another site": (centre.site_id, elsewhere.people[0].id),
        "unknown site": (999_999, centre.people[0].id),
    }[case]
    response = await client.put(f"/api/v1/sites/{site_id}/device-users/{staff_id}", json={"device_user_id": "17"}, headers=hr)
    assert (response.status_code, response.json()["code"]) == (status, code)


async def test_a_signed_terminal_takes_no_device_user_ids(client, app_ctx, centre, hr):
    signed = await terminals.register(app_ctx, TerminalIn(serial=f"SIGNED{centre.site_id}", site_id=centre.site_id), actor="test")
    response = await client.put(
        f"/api/v1/terminals/{signed.id}/device-users/{centre.people[0].id}", json={"device_user_id": "17"}, headers=hr
    )
    assert (response.status_code, response.json()["code"]) == (409, "terminal_state_conflict")


@pytest.mark.parametrize("value", ["", "12-3", "张三", "1" * 33, " 17"])
async def test_an_id_a_device_cannot_hold_is_refused(client, app_ctx, centre, hr, value):
    assert (await put_site_id(client, hr, centre, 0, value)).status_code == 400


async def test_only_hr_sets_ids(client, app_ctx, centre):
    for role in ("admin", "staff", "inspector"):
        _, headers = await logged_in(client, app_ctx, role)
        assert (await put_site_id(client, headers, centre, 0, "17")).status_code == 403
    assert (await client.get(f"/api/v1/sites/{centre.site_id}/device-users", headers=headers)).status_code == 403


# --- removing, listing, the audit chain ------------------------------------------------------------------


async def test_removing_the_id_brings_back_the_employee_number_and_both_changes_are_audited(client, app_ctx, centre, hr, clock):
    await put_site_id(client, hr, centre, 0, "17")
    assert (await client.delete(f"/api/v1/sites/{centre.site_id}/device-users/{centre.people[0].id}", headers=hr)).status_code == 204
    assert (await client.delete(f"/api/v1/sites/{centre.site_id}/device-users/{centre.people[0].id}", headers=hr)).status_code == 404
    await upload(client, centre.serials[0], line(centre.people[0].employee_no, local(clock, minutes=-1)))
    assert await punch_owners() == [centre.people[0].id]
    events = await execute(app_ctx.engine, "SELECT action, data FROM audit_event WHERE action LIKE 'device_user.%' ORDER BY id")
    assert [(e["action"], json.loads(e["data"])["device_user_id"]) for e in events] == [
        ("device_user.set", "17"),
        ("device_user.removed", "17"),
    ]


async def test_the_site_list_and_a_devices_roster_say_who_is_known_by_what(client, app_ctx, centre, hr):
    await put_site_id(client, hr, centre, 0, "17")
    await put_device_id(client, hr, centre, 1, 0, "900")
    listed = (await client.get(f"/api/v1/sites/{centre.site_id}/device-users", headers=hr)).json()
    assert [(i["terminal_id"], i["device_user_id"]) for i in listed["items"]] == [(None, "17"), (centre.device_ids[1], "900")]
    roster = {}
    for device in centre.device_ids:
        response = await client.get(f"/api/v1/terminals/{device}/device-users", headers=hr)
        roster[device] = [(i["staff_id"], i["device_user_id"], i["source"]) for i in response.json()["items"]]
    first, second = centre.people
    assert roster[centre.device_ids[0]] == [(first.id, "17", "site"), (second.id, second.employee_no, "employee_no")]
    assert roster[centre.device_ids[1]] == [(first.id, "900", "terminal"), (second.id, second.employee_no, "employee_no")]
