"""Signed check-ins from desk terminals: decisions, idempotency, refusals."""

import asyncio
import datetime as dt
import functools
import io
from dataclasses import replace

from PIL import Image

from tests.biometrics.samples import encoding, finger, grace_jpeg
from tests.terminals.conftest import face_vector
from window_staff.attendance.tables import Punch
from window_staff.biometrics import service as biometrics
from window_staff.biometrics.iso19794 import record_from_minutiae, write_record
from window_staff.terminals import service as terminals
from window_staff.terminals.client import CheckInEvent, build_request, send
from window_staff.terminals.schemas.registry import TerminalIn
from window_staff.terminals.tables import CheckInRejection, TerminalNonce


def event(desk, clock, event_id="e-1", **kw):
    fields = {"face_encoding": desk.face, "fingerprint": desk.finger, **kw}
    return CheckInEvent(event_id=event_id, captured_at=clock.now(), **fields)


async def post(client, desk, ev, clock, **kw):
    return await send(client, ev, serial=desk.serial, secret=desk.secret, created=clock.now(), **kw)


async def test_an_enrolled_face_and_finger_are_accepted_and_make_a_punch(client, app_ctx, desk, clock):
    response = await post(client, desk, event(desk, clock), clock)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"] == "accepted" and body["employee_no"] == desk.employee_no
    assert {"session", "status", "minutes", "recorded_at"} <= set(body)
    punches = await Punch.select().where(Punch.staff == desk.staff_id)
    assert len(punches) == 1 and punches[0]["verify_mode"] == "face+fingerprint"


@functools.cache
def grace_webp() -> bytes:
    buf = io.BytesIO()
    Image.open(io.BytesIO(grace_jpeg())).convert("RGB").save(buf, "WEBP", quality=85)
    return buf.getvalue()


async def test_a_webp_face_photo_is_encoded_by_the_server_and_accepted(client, app_ctx, desk, clock):
    await biometrics.enrol_face_encoding(app_ctx, desk.staff_id, encoding=encoding("grace"), actor="test")
    response = await post(client, desk, event(desk, clock, face_encoding=None, face_image=grace_webp()), clock)
    assert response.status_code == 200, response.text
    assert response.json()["result"] == "accepted" and response.json()["employee_no"] == desk.employee_no
    assert (await Punch.select())[0]["verify_mode"] == "face+fingerprint"


async def test_the_answer_never_contains_a_score_or_distance(client, app_ctx, desk, clock):
    body = (await post(client, desk, event(desk, clock), clock)).json()
    assert not {"score", "distance", "similarity"} & set(body)


async def test_an_unknown_face_is_rejected_and_recorded_without_an_image(client, app_ctx, desk, clock):
    response = await post(client, desk, event(desk, clock, face_encoding=face_vector(999)), clock)
    assert response.json() == {**response.json(), "result": "rejected", "reason": "face_not_matched"}
    assert await Punch.count() == 0
    rejection = (await CheckInRejection.select())[0]
    assert rejection["reason"] == "face_not_matched" and set(rejection) >= {"event_id", "captured_at"}


async def test_a_wrong_finger_is_rejected(client, app_ctx, desk, clock):
    other = write_record(record_from_minutiae(finger(77), width=300, height=360))
    response = await post(client, desk, event(desk, clock, fingerprint=other), clock)
    assert response.json()["result"] == "rejected" and response.json()["reason"] == "fingerprint_not_matched"


async def test_a_retry_returns_the_stored_answer_byte_for_byte(client, app_ctx, desk, clock):
    ev = event(desk, clock)
    first = await post(client, desk, ev, clock)
    clock.advance(seconds=20)
    second = await post(client, desk, ev, clock)
    assert first.content == second.content
    assert await Punch.count() == 1


async def test_the_same_event_id_with_another_body_is_422(client, app_ctx, desk, clock):
    await post(client, desk, event(desk, clock), clock)
    clock.advance(seconds=1)
    response = await post(client, desk, event(desk, clock, face_encoding=face_vector(5)), clock)
    assert response.status_code == 422 and response.json()["code"] == "event_id_reused"


async def test_two_copies_at_once_store_one_punch(client, app_ctx, desk, clock):
    ev = event(desk, clock)
    responses = await asyncio.gather(*(post(client, desk, ev, clock) for _ in range(4)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert await Punch.count() == 1


async def test_a_replayed_nonce_is_refused(client, app_ctx, desk, clock):
    request = build_request(client, event(desk, clock), serial=desk.serial, secret=desk.secret, created=clock.now(), nonce="fixed-nonce-1")
    assert (await client.send(request)).status_code == 200
    again = build_request(
        client, event(desk, clock, "e-2"), serial=desk.serial, secret=desk.secret, created=clock.now(), nonce="fixed-nonce-1"
    )
    response = await client.send(again)
    assert response.status_code == 401 and "date" in response.headers
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_skewed_terminal_clock_is_refused_and_told_the_server_time(client, app_ctx, desk, clock):
    response = await send(client, event(desk, clock), serial=desk.serial, secret=desk.secret, created=clock.now() - dt.timedelta(minutes=6))
    assert response.status_code == 401 and response.headers["date"]
    assert await TerminalNonce.count() == 0


async def test_a_revoked_terminal_is_refused(client, app_ctx, desk, clock):
    from window_staff.terminals import service as terminals
    from window_staff.terminals.tables import Terminal

    terminal = await Terminal.select(Terminal.id).where(Terminal.serial == desk.serial).first()
    await terminals.revoke(app_ctx, terminal["id"], actor="test")
    assert (await post(client, desk, event(desk, clock), clock)).status_code == 401


async def test_a_tampered_body_is_refused(client, app_ctx, desk, clock):
    request = build_request(client, event(desk, clock), serial=desk.serial, secret=desk.secret, created=clock.now())
    tampered = client.build_request("POST", request.url, content=request.content.replace(b"e-1", b"e-9"), headers=request.headers)
    assert (await client.send(tampered)).status_code == 401


async def test_a_capture_far_in_the_future_is_flagged(client, app_ctx, desk, clock):
    ev = CheckInEvent(event_id="f-1", captured_at=clock.now() + dt.timedelta(hours=2), face_encoding=desk.face, fingerprint=desk.finger)
    assert (await post(client, desk, ev, clock)).json()["result"] == "accepted"
    assert (await Punch.select(Punch.future_capture))[0]["future_capture"] is True


async def test_a_claimed_employee_number_is_checked_one_to_one(client, app_ctx, desk, clock):
    ok = await post(client, desk, event(desk, clock, employee_no=desk.employee_no), clock)
    assert ok.json()["result"] == "accepted"
    clock.advance(seconds=1)
    wrong = await post(client, desk, event(desk, clock, "e-2", employee_no="NOBODY"), clock)
    assert wrong.json()["result"] == "rejected"


async def test_malformed_forms_are_422_and_store_nothing(client, app_ctx, desk, clock):
    ev = CheckInEvent(event_id="m-1", captured_at=clock.now(), face_encoding=b"\0" * 10, fingerprint=desk.finger)
    response = await post(client, desk, ev, clock)
    assert response.status_code == 422
    assert await Punch.count() == 0 and await CheckInRejection.count() == 0


async def test_a_truncated_iso_record_is_422(client, app_ctx, desk, clock):
    response = await post(client, desk, event(desk, clock, fingerprint=desk.finger[:40]), clock)
    assert response.status_code == 422 and response.json()["code"] == "fingerprint_template_invalid"


FVC = __import__("pathlib").Path(__file__).resolve().parents[3] / "shared" / "data" / "fingerprints" / "fvc2002" / "DB1_B"


async def _enrol_real_finger(ctx, desk) -> None:
    """Replace the desk person's synthetic finger by three real impressions of FVC2002 finger 101 (LEADER minutiae)."""
    from window_staff.biometrics.minutiae import extract_minutiae

    await biometrics.delete_templates(ctx, desk.staff_id, modality="fingerprint", actor="test")
    for i in (1, 2, 3):
        record = extract_minutiae((FVC / f"101_{i}.tif").read_bytes(), dpi=500)
        await biometrics.enrol_fingerprint_record(ctx, desk.staff_id, record=record, position=2, actor="test")


@__import__("pytest").mark.slow(seconds=10)
@__import__("pytest").mark.skipif(not (FVC / "101_1.tif").is_file(), reason="FVC2002 impressions not found under ../shared/data")
async def test_a_scanner_image_is_extracted_by_the_server_and_a_cropped_touch_is_asked_again(client, app_ctx, desk, clock):
    await _enrol_real_finger(app_ctx, desk)
    image = (FVC / "101_5.tif").read_bytes()
    accepted = await post(client, desk, event(desk, clock, fingerprint=None, fingerprint_image=image, dpi=500), clock)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["result"] == "accepted" and accepted.json()["employee_no"] == desk.employee_no
    tip = Image.open(io.BytesIO(image)).crop((150, 150, 230, 230))
    buf = io.BytesIO()
    tip.save(buf, "PNG")
    again = await post(client, desk, event(desk, clock, "e-2", fingerprint=None, fingerprint_image=buf.getvalue(), dpi=500), clock)
    body = again.json()
    assert (body["result"], body["reason"], body["fingers"]) == ("retry", "fingerprint_quality", [2])
    assert len(await Punch.select()) == 1 and await CheckInRejection.count() == 0


async def test_a_queue_device_cannot_check_anyone_in(client, app_ctx, desk, clock):
    queue, secret = await terminals.register_approved(
        app_ctx, TerminalIn(serial=f"Q-{desk.staff_id}", site_id=desk.site_id, kind="queue"), actor="test"
    )
    response = await post(client, replace(desk, serial=queue.serial, secret=secret), event(desk, clock), clock)
    assert response.status_code == 403 and response.json()["code"] == "queue_device_no_check_in"
    assert await Punch.count().where(Punch.staff == desk.staff_id) == 0
