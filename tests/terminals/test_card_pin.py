"""Card number + PIN at terminals: HR sets it, a right PIN is a punch pending attestation, guessing locks the card."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

import pytest

from tests.attendance.support import MONTH, local, make_world, session
from tests.factories import logged_in, make_staff
from window_staff.attendance.tables import Punch
from window_staff.common.tables import AuditEvent
from window_staff.terminals import service as terminals
from window_staff.terminals.client import CheckInEvent, send
from window_staff.terminals.schemas.registry import TerminalIn
from window_staff.terminals.service.card import LOCK_AFTER, LOCK_WINDOW
from window_staff.terminals.tables import CardPin, CardPinFailure, CheckInRejection

PIN = "260817"
CARD = "C0042"


@dataclass
class CardDesk:
    """A site with hours, a staff member without biometrics who has a card, an approved terminal, HR's header."""

    site_id: int
    staff_id: int
    employee_no: str
    serial: str
    secret: bytes
    hr: dict[str, str]


async def put_card(client, hr, staff_id: int, **body):
    return await client.put(f"/api/v1/staff/{staff_id}/card", json={"card_no": CARD, "pin": PIN, **body}, headers=hr)


@pytest.fixture
async def card_desk(client, app_ctx) -> CardDesk:
    world = await make_world(app_ctx)
    staff = world.staff[0]
    terminal, secret = await terminals.register_approved(
        app_ctx, TerminalIn(serial=f"T-CARD-{staff.id}", site_id=world.site_id), actor="test"
    )
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await put_card(client, hr, staff.id)
    assert response.status_code == 200, response.text
    return CardDesk(site_id=world.site_id, staff_id=staff.id, employee_no=staff.employee_no, serial=terminal.serial, secret=secret, hr=hr)


async def punch(
    client,
    clock,
    desk,
    event_id: str,
    at: dt.datetime,
    *,
    card: str = CARD,
    pin: str = PIN,
    serial: str | None = None,
    secret: bytes | None = None,
):
    clock.advance(seconds=1)  # a fresh signature each time
    ev = CheckInEvent(event_id=event_id, captured_at=at, card_no=card, pin=pin)
    response = await send(client, ev, serial=serial or desk.serial, secret=secret or desk.secret, created=clock.now())
    assert response.status_code == 200, response.text
    return response


async def month_of(client, app_ctx, staff_id: int) -> dict:
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=staff_id)
    response = await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)
    assert response.status_code == 200, response.text
    return response.json()


# --- HR sets the card ----------------------------------------------------------------------------


async def test_hr_sets_a_card_and_no_answer_or_audit_holds_the_pin(client, app_ctx, card_desk):
    row = await CardPin.select().where(CardPin.staff == card_desk.staff_id).first()
    assert row["card_no"] == CARD and row["pin_hash"].startswith("$argon2id$") and PIN not in row["pin_hash"]
    shown = await client.get(f"/api/v1/staff/{card_desk.staff_id}/card", headers=card_desk.hr)
    assert shown.status_code == 200 and shown.json()["card_no"] == CARD and shown.json()["locked"] is False
    for response in (shown, await put_card(client, card_desk.hr, card_desk.staff_id)):
        assert "pin" not in response.json() and PIN not in response.text and "argon2" not in response.text
    audit = await AuditEvent.select(AuditEvent.data).where(AuditEvent.action == "terminal.card_set")
    assert len(audit) == 2 and not any(PIN in a["data"] or "argon2" in a["data"] for a in audit)


async def test_card_rules_unique_number_plain_pin_and_hr_only(client, app_ctx, card_desk):
    other = await make_staff(app_ctx)
    taken = await put_card(client, card_desk.hr, other.id, card_no=CARD.lower())  # numbers are compared upper-cased
    assert taken.status_code == 409 and taken.json()["code"] == "card_number_taken"
    for pin, status in (("1111", 422), ("123456", 422), ("12a4", 400), ("123", 400)):
        response = await put_card(client, card_desk.hr, other.id, card_no="C0043", pin=pin)
        assert response.status_code == status, (pin, response.text)
    assert (await put_card(client, card_desk.hr, 999_999, card_no="C0044")).status_code == 404
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=card_desk.staff_id)
    assert (await put_card(client, staff, card_desk.staff_id)).status_code == 403
    assert (await client.get(f"/api/v1/staff/{card_desk.staff_id}/card", headers=staff)).status_code == 403
    unknown = await client.put(
        f"/api/v1/staff/{other.id}/card", json={"card_no": "C0045", "pin": PIN, "pin_hash": "x"}, headers=card_desk.hr
    )
    assert unknown.status_code == 400  # protected or unknown fields are never bound


# --- check-in by card ----------------------------------------------------------------------------


async def test_a_right_pin_is_a_pending_punch_that_counts_once_attested(client, app_ctx, clock, card_desk):
    am_in = await punch(client, clock, card_desk, "c-1", local(6, 8, 25))
    body = am_in.json()
    assert body["result"] == "accepted" and body["pending_attestation"] is True and body["employee_no"] == card_desk.employee_no
    assert PIN not in am_in.text and "argon2" not in am_in.text
    await punch(client, clock, card_desk, "c-2", local(6, 12, 3))
    await punch(client, clock, card_desk, "c-3", local(6, 14, 25))
    await punch(client, clock, card_desk, "c-4", local(6, 17, 35))
    rows = await Punch.select().where(Punch.staff == card_desk.staff_id).order_by(Punch.captured_at)
    assert [(r["verify_mode"], r["needs_attestation"], r["source"]) for r in rows] == [("card+pin", True, "signed_terminal")] * 4
    before = await month_of(client, app_ctx, card_desk.staff_id)
    assert session(before, "2025-03-06", "am")["status"] == "absent"  # pending punches do not count

    _, supervisor = await logged_in(client, app_ctx, "hr")
    pending = (await client.get("/api/v1/attendance/attestations", headers=supervisor)).json()
    assert [p["verify_mode"] for p in pending["items"]] == ["card+pin"] * 4
    ids = [r["id"] for r in rows]
    for punch_id in ids[:2]:
        response = await client.post(f"/api/v1/attendance/punches/{punch_id}/attestation", json={"approved": True}, headers=supervisor)
        assert response.status_code == 200 and response.json()["attestation"] == "approved"
    for punch_id in ids[2:]:
        response = await client.post(
            f"/api/v1/attendance/punches/{punch_id}/attestation", json={"approved": False, "note": "不在岗"}, headers=supervisor
        )
        assert response.status_code == 200
    after = await month_of(client, app_ctx, card_desk.staff_id)
    assert session(after, "2025-03-06", "am")["status"] == "present"
    assert session(after, "2025-03-06", "pm")["status"] == "absent"  # refused attestations never count


async def test_a_wrong_pin_is_a_recorded_rejection(client, app_ctx, clock, card_desk):
    response = await punch(client, clock, card_desk, "w-1", local(6, 8, 25), pin="999999")
    assert response.json()["result"] == "rejected" and response.json()["reason"] == "pin_not_matched"
    assert "999999" not in response.text
    assert await Punch.count() == 0
    rejection = (await CheckInRejection.select())[0]
    assert rejection["reason"] == "pin_not_matched" and rejection["event_id"] == "w-1"


async def test_an_unknown_card_is_not_recognised(client, app_ctx, clock, card_desk):
    response = await punch(client, clock, card_desk, "u-1", local(6, 8, 25), card="C9999")
    assert response.json()["reason"] == "card_not_recognised" and await Punch.count() == 0


async def test_repeated_wrong_pins_lock_the_card_until_the_window_passes_or_hr_resets_it(client, app_ctx, clock, card_desk):
    for i in range(LOCK_AFTER):
        assert (await punch(client, clock, card_desk, f"l-{i}", local(6, 8, 25), pin="999999")).json()["reason"] == "pin_not_matched"
    locked = await punch(client, clock, card_desk, "l-right", local(6, 8, 26))
    assert locked.json()["result"] == "rejected" and locked.json()["reason"] == "card_locked"
    assert (await client.get(f"/api/v1/staff/{card_desk.staff_id}/card", headers=card_desk.hr)).json()["locked"] is True
    # Another terminal gets the same answer: the count is per card, not per terminal.
    other, secret = await terminals.register_approved(app_ctx, TerminalIn(serial="T-CARD-2", site_id=card_desk.site_id), actor="test")
    assert (await punch(client, clock, card_desk, "l-other", local(6, 8, 27), serial=other.serial, secret=secret)).json()[
        "reason"
    ] == "card_locked"
    clock.advance(seconds=int(LOCK_WINDOW.total_seconds()))
    assert (await punch(client, clock, card_desk, "l-later", local(6, 8, 28))).json()["result"] == "accepted"
    for i in range(LOCK_AFTER):
        await punch(client, clock, card_desk, f"m-{i}", local(6, 8, 29), pin="999999")
    assert (await punch(client, clock, card_desk, "m-locked", local(6, 8, 30))).json()["reason"] == "card_locked"
    assert (await put_card(client, card_desk.hr, card_desk.staff_id)).json()["locked"] is False  # HR's reset lifts it
    assert (await punch(client, clock, card_desk, "m-reset", local(6, 8, 31))).json()["result"] == "accepted"


async def test_concurrent_guesses_cannot_pass_the_limit(client, app_ctx, clock, card_desk):
    clock.advance(seconds=1)
    events = [CheckInEvent(event_id=f"g-{i}", captured_at=local(6, 8, 25), card_no=CARD, pin=f"9{i:05d}") for i in range(LOCK_AFTER + 3)]
    responses = await asyncio.gather(
        *(send(client, ev, serial=card_desk.serial, secret=card_desk.secret, created=clock.now()) for ev in events)
    )
    reasons = sorted(r.json()["reason"] for r in responses)
    assert reasons == ["card_locked"] * 3 + ["pin_not_matched"] * LOCK_AFTER
    assert await CardPinFailure.count() == LOCK_AFTER


async def test_a_retry_gets_the_same_bytes_and_is_not_counted_again(client, app_ctx, clock, card_desk):
    first = await punch(client, clock, card_desk, "r-1", local(6, 8, 25))
    again = await punch(client, clock, card_desk, "r-1", local(6, 8, 25))
    assert first.content == again.content and await Punch.count() == 1
    wrong = [await punch(client, clock, card_desk, "r-2", local(6, 8, 26), pin="999999") for _ in range(LOCK_AFTER + 2)]
    assert len({w.content for w in wrong}) == 1 and await CardPinFailure.count() == 1  # retries of one event are one guess
    changed = await send(
        client,
        CheckInEvent(event_id="r-1", captured_at=local(6, 8, 25), card_no=CARD, pin="999999"),
        serial=card_desk.serial,
        secret=card_desk.secret,
        created=clock.now(),
    )
    assert changed.status_code == 422 and changed.json()["code"] == "event_id_reused"


# --- biometric staff and the override ---------------------------------------------------------


async def test_staff_with_templates_need_an_hr_override_to_use_a_card(client, app_ctx, clock, desk):
    _, hr = await logged_in(client, app_ctx, "hr")
    assert (await put_card(client, hr, desk.staff_id)).status_code == 200
    refused = await punch(client, clock, desk, "b-1", clock.now())
    assert refused.json()["reason"] == "card_not_allowed" and await CardPinFailure.count() == 0  # no PIN was checked
    until = (clock.now() + dt.timedelta(hours=2)).isoformat()
    response = await put_card(client, hr, desk.staff_id, biometric_override="窗口3摄像头故障", override_until=until)
    assert response.status_code == 200 and response.json()["biometric_override"] == "窗口3摄像头故障"
    allowed = await punch(client, clock, desk, "b-2", clock.now())
    assert allowed.json()["result"] == "accepted" and allowed.json()["pending_attestation"] is True
    clock.advance(seconds=2 * 3600 + 1)
    assert (await punch(client, clock, desk, "b-3", clock.now())).json()["reason"] == "card_not_allowed"


async def test_a_card_at_another_sites_terminal_is_not_recognised(client, app_ctx, clock, card_desk):
    other = await make_world(app_ctx)
    terminal, secret = await terminals.register_approved(app_ctx, TerminalIn(serial="T-ELSEWHERE", site_id=other.site_id), actor="test")
    response = await punch(client, clock, card_desk, "s-1", local(6, 8, 25), serial=terminal.serial, secret=secret)
    assert response.json()["reason"] == "card_not_recognised"
