"""Consent per modality (PIPL art. 28-29): required before enrolment; withdrawal and leaving delete templates."""

from __future__ import annotations

import pytest

from tests.factories import logged_in, make_staff, make_window
from window_staff.biometrics import service
from window_staff.biometrics.errors import ConsentAlreadyActive, ConsentNotActive, ConsentRequired, StaffNotEnrolable
from window_staff.biometrics.schemas import ConsentIn
from window_staff.biometrics.tables import BiometricTemplate
from window_staff.common.db import execute
from window_staff.org import service as org
from window_staff.org.schemas import StaffLeaveIn

from .samples import consent, encoding, enrol, finger, iso


async def _events(ctx, action: str) -> list[dict]:
    return await execute(ctx.engine, "SELECT * FROM audit_event WHERE action = {} ORDER BY id", action)


async def test_enrolment_is_refused_without_consent_for_that_modality(ctx):
    staff = await make_staff(ctx)
    with pytest.raises(ConsentRequired) as info:
        await service.enrol_face_encoding(ctx, staff.id, encoding=encoding("grace"), actor="test")
    assert info.value.code == "biometric_consent_required"
    # Checked before the image is even decoded.
    with pytest.raises(ConsentRequired):
        await service.enrol_fingerprint(ctx, staff.id, data=b"\x89PNG\r\n\x1a\nnot really", dpi=500, position=1, actor="test")
    with pytest.raises(ConsentRequired):
        await service.enrol_fingerprint(ctx, staff.id, data=iso(finger(1)), dpi=None, position=None, actor="test")
    await consent(ctx, staff.id, "fingerprint")  # fingerprint consent does not cover the face
    with pytest.raises(ConsentRequired):
        await service.enrol_face_encoding(ctx, staff.id, encoding=encoding("grace"), actor="test")


async def test_grant_status_and_double_grant(ctx):
    staff = await make_staff(ctx)
    out = await service.grant_consent(ctx, staff.id, ConsentIn(modality="face", notice_version="2026-01"), actor="hr:1")
    assert (out.active, out.notice_version, out.recorded_by) == (True, "2026-01", "hr:1")
    with pytest.raises(ConsentAlreadyActive):
        await service.grant_consent(ctx, staff.id, ConsentIn(modality="face", notice_version="2026-02"), actor="hr:1")
    status = await service.consent_status(ctx, staff.id)
    assert status.face is not None and status.fingerprint is None and len(status.history) == 1
    assert len(await _events(ctx, "biometrics.consent_granted")) == 1


async def test_withdrawal_deletes_only_that_modality_and_is_audited(ctx):
    staff = await make_staff(ctx)
    await enrol(ctx, staff.id, face="grace", finger_seed=1)
    out = await service.withdraw_consent(ctx, staff.id, "face", actor="hr:1")
    assert (out.active, out.withdrawal_reason) == (False, "withdrawn")
    left = await BiometricTemplate.select(BiometricTemplate.modality).where(BiometricTemplate.staff == staff.id)
    assert [r["modality"] for r in left] == ["fingerprint"]
    [event] = await _events(ctx, "biometrics.consent_withdrawn")
    assert '"templates_deleted":1' in event["data"]
    with pytest.raises(ConsentNotActive):
        await service.withdraw_consent(ctx, staff.id, "face", actor="hr:1")
    # Consent can be given again later, as a new record; the old one stays as history.
    await service.grant_consent(ctx, staff.id, ConsentIn(modality="face", notice_version="2026-02"), actor="hr:1")
    assert len((await service.consent_status(ctx, staff.id)).history) == 3


async def test_leaving_erases_templates_and_closes_consents(ctx):
    staff = await make_staff(ctx)
    await enrol(ctx, staff.id, face="grace", finger_seed=1)
    await org.leave_staff(ctx, staff.id, StaffLeaveIn(left_on=staff.hired_on, reason="retired"), actor="hr:1")
    assert await BiometricTemplate.count().where(BiometricTemplate.staff == staff.id) == 0
    status = await service.consent_status(ctx, staff.id)
    assert status.face is None and status.fingerprint is None
    assert {c.withdrawal_reason for c in status.history} == {"left"}
    assert len(await _events(ctx, "biometrics.erased_on_leaving")) == 1
    with pytest.raises(StaffNotEnrolable):
        await service.grant_consent(ctx, staff.id, ConsentIn(modality="face", notice_version="2026-01"), actor="hr:1")


async def test_staff_without_a_window_cannot_be_enrolled(ctx):
    window = await make_window(ctx)
    staff = await make_staff(ctx, window=window)
    await consent(ctx, staff.id)
    await org.leave_staff(ctx, staff.id, StaffLeaveIn(left_on=staff.hired_on), actor="test")
    with pytest.raises(StaffNotEnrolable):
        await service.enrol_fingerprint(ctx, staff.id, data=iso(finger(1)), dpi=None, position=None, actor="test")


async def test_staff_read_and_withdraw_only_their_own_consent(client, app_ctx):
    me, other = await make_staff(app_ctx), await make_staff(app_ctx)
    await consent(app_ctx, me.id)
    await consent(app_ctx, other.id)
    _, headers = await logged_in(client, app_ctx, "staff", staff_id=me.id)
    own = await client.get(f"/api/v1/biometrics/staff/{me.id}/consents", headers=headers)
    assert own.status_code == 200 and own.json()["face"]["notice_version"] == "2026-01"
    theirs = await client.get(f"/api/v1/biometrics/staff/{other.id}/consents", headers=headers)
    assert theirs.status_code == 404 and theirs.json()["code"] == "staff_not_found"
    assert (await client.post(f"/api/v1/biometrics/staff/{other.id}/consents/face/withdraw", headers=headers)).status_code == 404
    mine = await client.post(f"/api/v1/biometrics/staff/{me.id}/consents/face/withdraw", headers=headers)
    assert mine.status_code == 200 and mine.json()["active"] is False
    assert (await client.get(f"/api/v1/biometrics/staff/{me.id}", headers=headers)).status_code == 403  # the desk view is HR's


async def test_hr_grants_and_withdraws_through_the_api(client, app_ctx):
    staff = await make_staff(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    url = f"/api/v1/biometrics/staff/{staff.id}/consents"
    granted = await client.post(url, json={"modality": "fingerprint", "notice_version": "2026-01"}, headers=hr)
    assert granted.status_code == 201 and granted.json()["active"] is True
    again = await client.post(url, json={"modality": "fingerprint", "notice_version": "2026-01"}, headers=hr)
    assert again.status_code == 409 and again.json()["code"] == "biometric_consent_already_active"
    bad = await client.post(url, json={"modality": "iris", "notice_version": "2026-01"}, headers=hr)
    assert bad.status_code == 400
    extra = await client.post(url, json={"modality": "face", "notice_version": "v1", "granted_at": "2020-01-01"}, headers=hr)
    assert extra.status_code == 400
    unknown = await client.post(f"{url}/iris/withdraw", headers=hr)
    assert unknown.status_code == 422 and unknown.json()["code"] == "modality_invalid"
    assert (await client.post(f"{url}/fingerprint/withdraw", headers=hr)).status_code == 200
    _, inspector = await logged_in(client, app_ctx, "inspector")
    assert (await client.get(url, headers=inspector)).status_code == 403
