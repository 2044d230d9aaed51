"""The check-in decision: face 1:N in the site gallery, then fingerprint 1:1 of that candidate."""

from __future__ import annotations

import msgspec
import pytest

from tests.factories import make_staff, make_window
from window_staff.biometrics import service
from window_staff.biometrics.errors import FaceDuplicate
from window_staff.biometrics.face import encoding_to_bytes
from window_staff.biometrics.iso19794 import parse_record
from window_staff.biometrics.schemas import Decision
from window_staff.org import service as org
from window_staff.org.schemas import StaffLeaveIn, StaffUpdateIn

from .samples import consent, encoding, enrol, finger, iso, moved, stranger


@pytest.fixture
async def site(ctx):
    """Two enrolled staff at one site: Grace (finger 1) and the astronaut (finger 2)."""
    window = await make_window(ctx)
    grace = await make_staff(ctx, window=window)
    astro = await make_staff(ctx, window=window)
    await enrol(ctx, grace.id, face="grace", finger_seed=1)
    await enrol(ctx, astro.id, face="astronaut", finger_seed=2)
    return window.site_id, grace, astro


async def test_face_and_matching_finger_are_accepted(ctx, site):
    site_id, grace, _ = site
    d = await service.identify(ctx, site_id=site_id, face_encoding=encoding("grace_crop"), fingerprint_record=iso(moved(finger(1))))
    assert (d.accepted, d.staff_id, d.face_passed, d.fingerprint_passed, d.mode) == (True, grace.id, True, True, "identify")
    assert d.threshold_version == "dev-2026-12/far1e-04/n2" and d.policy == "face_and_fingerprint"


async def test_face_with_another_persons_finger_is_rejected(ctx, site):
    site_id, _, _ = site
    d = await service.identify(ctx, site_id=site_id, face_encoding=encoding("grace"), fingerprint_record=iso(moved(finger(2))))
    assert (d.accepted, d.staff_id, d.face_passed, d.fingerprint_passed, d.reason) == (False, None, True, False, "fingerprint_mismatch")


async def test_unknown_face_finds_no_candidate(ctx, site):
    site_id, _, _ = site
    d = await service.identify(ctx, site_id=site_id, face_encoding=stranger(), fingerprint_record=iso(finger(1)))
    assert (d.accepted, d.reason) == (False, "no_face_candidate")


async def test_gallery_is_per_site(ctx, site):
    other = await make_window(ctx)
    d = await service.identify(ctx, site_id=other.site_id, face_encoding=encoding("grace"), fingerprint_record=iso(finger(1)))
    assert (d.accepted, d.reason) == (False, "no_face_candidate")


async def test_face_alone_is_never_enough(ctx, site):
    site_id, _, _ = site
    d = await service.identify(ctx, site_id=site_id, face_encoding=encoding("grace"), fingerprint_record=None)
    assert (d.accepted, d.face_passed, d.fingerprint_passed) == (False, True, False)


async def test_wire_bytes_are_accepted_as_the_face_probe(ctx, site):
    site_id, grace, _ = site
    d = await service.identify(ctx, site_id=site_id, face_encoding=encoding_to_bytes(encoding("grace")), fingerprint_record=iso(finger(1)))
    assert d.accepted and d.staff_id == grace.id


async def test_claimed_employee_number_is_one_to_one_on_both(ctx, site):
    site_id, grace, astro = site
    ok = await service.identify(
        ctx, site_id=site_id, face_encoding=encoding("grace"), fingerprint_record=iso(finger(1)), claimed_employee_no=grace.employee_no
    )
    assert (ok.accepted, ok.staff_id, ok.mode) == (True, grace.id, "verify")
    wrong = await service.identify(
        ctx, site_id=site_id, face_encoding=encoding("grace"), fingerprint_record=iso(finger(1)), claimed_employee_no=astro.employee_no
    )
    assert (wrong.accepted, wrong.face_passed, wrong.fingerprint_passed, wrong.staff_id) == (False, False, False, None)
    unknown = await service.identify(
        ctx, site_id=site_id, face_encoding=encoding("grace"), fingerprint_record=iso(finger(1)), claimed_employee_no="NOBODY"
    )
    assert (unknown.accepted, unknown.reason) == (False, "unknown_employee")


async def test_claimed_fallback_policy_accepts_one_modality_only_with_a_claim(ctx, site):
    site_id, grace, _ = site
    ctx.settings = msgspec.structs.replace(ctx.settings, match_policy="claimed_fallback")
    claimed = await service.identify(
        ctx, site_id=site_id, face_encoding=None, fingerprint_record=iso(moved(finger(1))), claimed_employee_no=grace.employee_no
    )
    assert (claimed.accepted, claimed.staff_id, claimed.face_passed, claimed.fingerprint_passed) == (True, grace.id, False, True)
    unclaimed = await service.identify(ctx, site_id=site_id, face_encoding=None, fingerprint_record=iso(finger(1)))
    assert (unclaimed.accepted, unclaimed.reason) == (False, "face_required")
    face_only = await service.identify(ctx, site_id=site_id, face_encoding=encoding("grace"), fingerprint_record=None)
    assert not face_only.accepted


async def test_gallery_refreshes_after_withdrawal_and_leaving(ctx, site):
    site_id, grace, astro = site
    probe = {"site_id": site_id, "face_encoding": encoding("grace"), "fingerprint_record": iso(finger(1))}
    assert (await service.identify(ctx, **probe)).accepted  # loads the snapshot
    await service.withdraw_consent(ctx, grace.id, "face", actor="test")
    assert (await service.identify(ctx, **probe)).reason == "no_face_candidate"
    astro_probe = {"site_id": site_id, "face_encoding": encoding("astronaut"), "fingerprint_record": iso(finger(2))}
    assert (await service.identify(ctx, **astro_probe)).accepted
    await org.leave_staff(ctx, astro.id, StaffLeaveIn(left_on=astro.hired_on), actor="test")
    assert (await service.identify(ctx, **astro_probe)).reason == "no_face_candidate"


async def test_moving_to_another_site_moves_the_person_between_galleries(ctx, site):
    site_id, grace, _ = site
    elsewhere = await make_window(ctx)
    probe = {"face_encoding": encoding("grace"), "fingerprint_record": iso(finger(1))}
    assert (await service.identify(ctx, site_id=site_id, **probe)).accepted
    await org.update_staff(ctx, grace.id, StaffUpdateIn(window_id=elsewhere.id), actor="test")
    assert not (await service.identify(ctx, site_id=site_id, **probe)).accepted
    assert (await service.identify(ctx, site_id=elsewhere.site_id, **probe)).staff_id == grace.id


def test_a_decision_has_no_number_but_ids():
    """Scores never leave the package: the only numeric field of a Decision is the staff id."""
    numeric = {f.name for f in msgspec.structs.fields(Decision) if f.type in (int, float, int | None, float | None)}
    assert numeric == {"staff_id"}


async def test_a_look_alike_ranked_first_does_not_hide_the_right_person(ctx):
    """Two real photos of one face stand in for twins: the one whose finger matches is accepted, though ranked second."""
    window = await make_window(ctx)
    twin, right = await make_staff(ctx, window=window), await make_staff(ctx, window=window)
    await enrol(ctx, twin.id, face="grace", finger_seed=1)
    await consent(ctx, right.id)
    await service.enrol_face_encoding(ctx, right.id, encoding=encoding("grace_crop"), actor="test", confirm_lookalike=True)
    await service.enrol_fingerprint_record(ctx, right.id, record=parse_record(iso(finger(2))), position=None, actor="test")
    d = await service.identify(ctx, site_id=window.site_id, face_encoding=encoding("grace"), fingerprint_record=iso(moved(finger(2))))
    assert (d.accepted, d.staff_id) == (True, right.id)  # the photo is the twin's own: they rank first by face
    wrong_finger = await service.identify(ctx, site_id=window.site_id, face_encoding=encoding("grace"), fingerprint_record=iso(finger(7)))
    assert (wrong_finger.accepted, wrong_finger.reason) == (False, "fingerprint_mismatch")


async def test_a_look_alike_is_enrolled_only_once_hr_confirms_it_is_another_person(ctx):
    window = await make_window(ctx)
    first, second = await make_staff(ctx, window=window), await make_staff(ctx, window=window)
    await enrol(ctx, first.id, face="grace")
    await consent(ctx, second.id)
    with pytest.raises(FaceDuplicate):
        await service.enrol_face_encoding(ctx, second.id, encoding=encoding("grace_crop"), actor="test")
    await service.enrol_face_encoding(ctx, second.id, encoding=encoding("grace_crop"), actor="test", confirm_lookalike=True)
    assert (await service.enrolment(ctx, second.id)).face_count == 1


async def test_a_poor_finger_is_a_retry_that_names_the_enrolled_fingers(ctx, site):
    site_id, grace, _ = site
    await service.enrol_fingerprint_record(ctx, grace.id, record=parse_record(iso(finger(3))), position=7, actor="test")
    d = await service.identify(ctx, site_id=site_id, face_encoding=encoding("grace"), fingerprint_record=iso(finger(1)[:5]))
    assert (d.accepted, d.retry, d.reason, d.enrolled_positions, d.staff_id) == (False, True, "fingerprint_quality", (2, 7), None)


async def test_an_empty_finger_view_is_a_retry_not_a_refusal(ctx, site):
    site_id, _, _ = site
    d = await service.identify(ctx, site_id=site_id, face_encoding=encoding("grace"), fingerprint_record=iso([]))
    assert (d.accepted, d.retry) == (False, True)


async def test_the_threshold_in_force_is_recorded_with_the_gallery_size(ctx, site):
    site_id, _, _ = site
    strict = msgspec.structs.replace(ctx.settings, target_far=1e-6)
    ctx.settings = strict
    d = await service.identify(ctx, site_id=site_id, face_encoding=encoding("grace_crop"), fingerprint_record=iso(moved(finger(1))))
    assert d.threshold_version == "dev-2026-12/far1e-06/n2"
