"""The enrolment desk API: face and fingerprint enrolment, quality, duplicates, status, deletion."""

from __future__ import annotations

import dataclasses

import msgspec
import pytest

from tests.factories import logged_in, make_staff, make_window
from window_staff.biometrics import service
from window_staff.biometrics.controllers import FACE_BODY_LIMIT
from window_staff.biometrics.iso19794 import parse_record, record_from_minutiae, write_record
from window_staff.biometrics.tables import BiometricTemplate
from window_staff.settings import FACE_IMAGE_LIMIT_MAX, load_settings

from .samples import astronaut_png, consent, encoding, enrol, finger, grace_jpeg, iso, moved, no_face_png


def _base(staff_id: int) -> str:
    return f"/api/v1/biometrics/staff/{staff_id}"


async def test_face_photo_is_enrolled_through_the_encoder_pool(client, app_ctx):
    staff = await make_staff(app_ctx)
    await consent(app_ctx, staff.id)
    _, hr = await logged_in(client, app_ctx, "hr")
    r = await client.post(f"{_base(staff.id)}/face", files={"image": ("grace.jpg", grace_jpeg(), "image/jpeg")}, headers=hr)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["modality"] == "face" and set(body) == {
        "id",
        "modality",
        "finger_position",
        "impression",
        "minutiae_count",
        "valid_cylinders",
        "quality",
        "created_at",
        "grade",
    }
    no_face = await client.post(f"{_base(staff.id)}/face", files={"image": ("coffee.png", no_face_png(), "image/png")}, headers=hr)
    assert no_face.status_code == 422 and no_face.json()["code"] == "no_face_found"
    not_image = await client.post(f"{_base(staff.id)}/face", files={"image": ("x.gif", b"GIF89a....", "image/gif")}, headers=hr)
    assert not_image.status_code == 415 and not_image.json()["code"] == "image_format_unsupported"
    status = (await client.get(_base(staff.id), headers=hr)).json()
    assert (status["face_count"], status["face_consent"], status["fingerprint_count"]) == (1, True, 0)


async def test_a_face_matching_another_staff_member_is_flagged_not_enrolled(client, app_ctx):
    window = await make_window(app_ctx)
    first, second = await make_staff(app_ctx, window=window), await make_staff(app_ctx, window=window)
    await enrol(app_ctx, first.id, face="grace")
    await consent(app_ctx, second.id)
    _, hr = await logged_in(client, app_ctx, "hr")
    r = await client.post(f"{_base(second.id)}/face", files={"image": ("same.jpg", grace_jpeg(), "image/jpeg")}, headers=hr)
    assert r.status_code == 409 and r.json()["code"] == "face_matches_other_staff"
    assert r.json()["matched_staff_id"] == first.id
    assert await BiometricTemplate.count().where(BiometricTemplate.staff == second.id) == 0
    # The same person enrolling a second photo of themself is not a duplicate.
    again = await client.post(f"{_base(first.id)}/face", files={"image": ("again.jpg", grace_jpeg(), "image/jpeg")}, headers=hr)
    assert again.status_code == 201
    other = await client.post(f"{_base(second.id)}/face", files={"image": ("astro.png", astronaut_png(), "image/png")}, headers=hr)
    assert other.status_code == 201


async def test_a_body_over_the_route_ceiling_is_413(client, app_ctx):
    staff = await make_staff(app_ctx)
    await consent(app_ctx, staff.id)
    _, hr = await logged_in(client, app_ctx, "hr")
    big = b"\xff\xd8\xff" + b"\0" * FACE_BODY_LIMIT
    r = await client.post(f"{_base(staff.id)}/face", files={"image": ("big.jpg", big, "image/jpeg")}, headers=hr)
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"


async def test_a_photo_at_the_largest_face_image_limit_gets_past_the_route_ceiling(client, app_ctx):
    staff = await make_staff(app_ctx)
    await consent(app_ctx, staff.id)
    _, hr = await logged_in(client, app_ctx, "hr")
    assert app_ctx.settings.face_image_limit_bytes == FACE_IMAGE_LIMIT_MAX
    largest = b"\xff\xd8\xff" + b"\0" * (FACE_IMAGE_LIMIT_MAX - 3)
    r = await client.post(f"{_base(staff.id)}/face", files={"image": ("big.jpg", largest, "image/jpeg")}, headers=hr)
    # The decoder saw it (and found no JPEG behind the magic bytes): neither Litestar nor a cap refused it.
    assert r.status_code == 422 and r.json()["code"] == "image_invalid"


def test_a_face_image_limit_above_the_route_ceiling_is_refused_at_start():
    with pytest.raises(SystemExit, match="face_image_limit_bytes"):
        load_settings({"WINDOW_STAFF_FACE_IMAGE_LIMIT_BYTES": str(FACE_IMAGE_LIMIT_MAX + 1)})


async def test_a_photo_over_the_face_image_limit_is_413_image_too_large(client, app_ctx):
    staff = await make_staff(app_ctx)
    await consent(app_ctx, staff.id)
    _, hr = await logged_in(client, app_ctx, "hr")
    app_ctx.settings = msgspec.structs.replace(app_ctx.settings, face_image_limit_bytes=len(grace_jpeg()) - 1)
    r = await client.post(f"{_base(staff.id)}/face", files={"image": ("grace.jpg", grace_jpeg(), "image/jpeg")}, headers=hr)
    assert r.status_code == 413 and r.json()["code"] == "image_too_large"


async def test_a_phone_photo_over_the_old_8_mib_cap_is_enrolled(client, app_ctx):
    staff = await make_staff(app_ctx)
    await consent(app_ctx, staff.id)
    _, hr = await logged_in(client, app_ctx, "hr")
    # A "motion photo" as Pixel phones write it: the JPEG, then a video appended after its end marker.
    motion = grace_jpeg() + b"ftypmp42" + bytes(range(256)) * (9 * 4096)
    assert 9 * 1024 * 1024 < len(motion) < app_ctx.settings.face_image_limit_bytes
    r = await client.post(f"{_base(staff.id)}/face", files={"image": ("PXL_motion.jpg", motion, "image/jpeg")}, headers=hr)
    assert r.status_code == 201, r.text


async def test_fingerprint_records_are_enrolled_per_view_with_quality(client, app_ctx):
    staff = await make_staff(app_ctx)
    await consent(app_ctx, staff.id)
    _, hr = await logged_in(client, app_ctx, "hr")
    url = f"{_base(staff.id)}/fingerprints"
    one = await client.post(url, files={"file": ("r-index.iso", iso(finger(1), position=2), "application/octet-stream")}, headers=hr)
    assert one.status_code == 201, one.text
    [t] = one.json()
    assert (t["finger_position"], t["impression"], t["minutiae_count"]) == (2, 1, 45) and t["valid_cylinders"] >= 10
    # A second impression of the same finger, relabelled as position 7 by the desk.
    again = await client.post(
        url, files={"file": ("x.iso", iso(finger(2), position=2), "application/octet-stream")}, data={"position": "7"}, headers=hr
    )
    assert again.status_code == 201 and again.json()[0]["finger_position"] == 7
    two_views = parse_record(iso(moved(finger(1)), position=2))
    record = record_from_minutiae(finger(4), width=1000, height=1000, position=3)
    both = write_record(dataclasses.replace(record, views=(two_views.views[0], record.views[0])))
    many = await client.post(url, files={"file": ("two.iso", both, "application/octet-stream")}, headers=hr)
    assert many.status_code == 201 and [(t["finger_position"], t["impression"]) for t in many.json()] == [(2, 2), (3, 1)]
    status = (await client.get(_base(staff.id), headers=hr)).json()
    assert status["fingerprint_count"] == 4 and "ciphertext" not in str(status)


async def test_poor_or_malformed_fingerprints_are_refused(client, app_ctx):
    staff = await make_staff(app_ctx)
    await consent(app_ctx, staff.id)
    _, hr = await logged_in(client, app_ctx, "hr")
    url = f"{_base(staff.id)}/fingerprints"
    sparse = await client.post(url, files={"file": ("s.iso", iso(finger(5)[:4]), "application/octet-stream")}, headers=hr)
    assert sparse.status_code == 422 and sparse.json()["code"] == "fingerprint_quality_too_low"
    truncated = await client.post(url, files={"file": ("t.iso", iso(finger(5))[:-3], "application/octet-stream")}, headers=hr)
    assert truncated.status_code == 422 and truncated.json()["code"] == "fingerprint_template_invalid"
    no_dpi = await client.post(url, files={"file": ("f.png", astronaut_png(), "image/png")}, headers=hr)
    assert no_dpi.status_code == 422 and no_dpi.json()["code"] == "fingerprint_image_invalid"
    bad_position = await client.post(
        url, files={"file": ("f.iso", iso(finger(5)), "application/octet-stream")}, data={"position": "11"}, headers=hr
    )
    assert bad_position.status_code == 422 and bad_position.json()["code"] == "finger_position_invalid"
    assert await BiometricTemplate.count() == 0


async def test_template_cap_per_person(client, app_ctx):
    staff = await make_staff(app_ctx)
    await consent(app_ctx, staff.id)
    _, hr = await logged_in(client, app_ctx, "hr")
    app_ctx.settings = msgspec.structs.replace(app_ctx.settings, fingerprint_max_templates=1)
    url = f"{_base(staff.id)}/fingerprints"
    assert (await client.post(url, files={"file": ("a.iso", iso(finger(1)), "application/octet-stream")}, headers=hr)).status_code == 201
    r = await client.post(url, files={"file": ("b.iso", iso(moved(finger(1))), "application/octet-stream")}, headers=hr)
    assert r.status_code == 409 and r.json()["code"] == "too_many_templates"


async def test_deleting_templates(client, app_ctx):
    staff = await make_staff(app_ctx)
    await enrol(app_ctx, staff.id, face="grace", finger_seed=1)
    await service.enrol_fingerprint(app_ctx, staff.id, data=iso(finger(2)), dpi=None, position=7, actor="test")
    _, hr = await logged_in(client, app_ctx, "hr")
    templates = (await client.get(_base(staff.id), headers=hr)).json()["templates"]
    finger_id = next(t["id"] for t in templates if t["modality"] == "fingerprint")
    assert (await client.delete(f"{_base(staff.id)}/templates/{finger_id}", headers=hr)).status_code == 204
    missing = await client.delete(f"{_base(staff.id)}/templates/{finger_id}", headers=hr)
    assert missing.status_code == 404 and missing.json()["code"] == "template_not_found"
    faces = await client.delete(f"{_base(staff.id)}/templates", params={"modality": "face"}, headers=hr)
    assert faces.json() == {"deleted": 1}
    rest = await client.delete(f"{_base(staff.id)}/templates", headers=hr)
    assert rest.json() == {"deleted": 1}
    assert (await client.get(_base(staff.id), headers=hr)).json()["templates"] == []


async def test_only_hr_enrols_and_admins_see_counts(client, app_ctx):
    staff = await make_staff(app_ctx)
    await enrol(app_ctx, staff.id, face="grace")
    _, admin = await logged_in(client, app_ctx, "admin")
    r = await client.post(
        f"{_base(staff.id)}/fingerprints", files={"file": ("a.iso", iso(finger(1)), "application/octet-stream")}, headers=admin
    )
    assert r.status_code == 403
    assert (await client.get(_base(staff.id), headers=admin)).status_code == 403
    summary = await client.get("/api/v1/biometrics/summary", headers=admin)
    assert summary.status_code == 200
    assert summary.json() == {
        "staff_with_face": 1,
        "staff_with_fingerprint": 0,
        "active_face_consents": 1,
        "active_fingerprint_consents": 1,
    }
    _, hr = await logged_in(client, app_ctx, "hr")
    assert (await client.get("/api/v1/biometrics/staff/999999", headers=hr)).status_code == 404


async def test_an_impression_of_another_finger_is_refused_and_stores_nothing(client, app_ctx):
    staff = await make_staff(app_ctx)
    await consent(app_ctx, staff.id)
    _, hr = await logged_in(client, app_ctx, "hr")
    url = f"{_base(staff.id)}/fingerprints"
    assert (await client.post(url, files={"file": ("a.iso", iso(finger(1)), "application/octet-stream")}, headers=hr)).status_code == 201
    swapped = await client.post(url, files={"file": ("b.iso", iso(finger(2)), "application/octet-stream")}, headers=hr)
    assert swapped.status_code == 409 and swapped.json()["code"] == "fingerprint_not_same_finger"
    assert await BiometricTemplate.count() == 1


async def test_enrolment_says_what_a_reliable_enrolment_still_needs(client, app_ctx):
    staff = await make_staff(app_ctx)
    await enrol(app_ctx, staff.id, face="grace", finger_seed=1)
    _, hr = await logged_in(client, app_ctx, "hr")
    status = (await client.get(_base(staff.id), headers=hr)).json()
    assert (status["complete"], status["faces_wanted"], status["fingers_wanted"]) == (False, 1, 2)
    assert status["fingers"] == [{"position": 2, "impressions": 1, "wanted": 2}]
    assert {t["grade"] for t in status["templates"] if t["modality"] == "fingerprint"} == {"excellent"}
    await service.enrol_face_encoding(app_ctx, staff.id, encoding=encoding("grace_crop"), actor="test")
    for k, pos in enumerate((2, 2, 7, 7, 7)):
        touch = moved(finger(1 if pos == 2 else 3), degrees=5 * k, dx=10 * k)
        await service.enrol_fingerprint(app_ctx, staff.id, data=iso(touch), dpi=None, position=pos, actor="test")
    done = (await client.get(_base(staff.id), headers=hr)).json()
    assert (done["complete"], done["faces_wanted"], done["fingers_wanted"]) == (True, 0, 0)
