"""The terminals-and-enrolment pages in a browser: summary and terminals, written consent, a real face photo, refusals."""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

import pytest
from PIL import Image

from tests.biometrics.samples import astronaut_png, grace_jpeg
from tests.web.browser import api, page_as, shot

SHARED = Path(os.environ.get("WINDOW_STAFF_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
# A real photo with one face (Labeled Faces in the Wild, in the shared benchmark data; never copied into the repository).
FACE = SHARED / "faces" / "lfw-subset" / "Tony_Blair" / "Tony_Blair_0001.jpg"


async def _new_staff(site, name: str) -> dict:
    """A fresh staff member at a county-centre window, so no other test's consents or templates are in the way."""
    window = (await api(site, "hr", "GET", "/api/v1/windows/", params={"limit": 1}))["items"][0]
    return await api(
        site,
        "hr",
        "POST",
        "/api/v1/staff",
        json={
            "employee_no": f"EN{uuid.uuid4().hex[:8]}",
            "name": name,
            "department_id": window["department_id"],
            "window_id": window["id"],
            "hired_on": "2024-03-01",
        },
    )


async def test_hr_sees_the_enrolment_summary_and_the_terminals(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/enrolment")
    summary = await page.locator("#summary").inner_text()
    assert "已采集人脸人数" in summary and "有效指纹同意" in summary
    assert (await page.locator("#summary td[data-key=staff_with_face]").inner_text()).strip().isdigit()
    terminals = page.locator("#terminals tr.terminal", has_text="WS-DEMO-0001")
    text = await terminals.inner_text()
    assert "大厅签到终端" in text and "贵阳县政务服务中心" in text and "已批准" in text
    # Read-only here: approving and revoking stay on the administrator's page.
    assert await page.locator("#terminals form").count() == 0
    assert await page.locator("#enrolment tr.staff").count() > 0
    await shot(page, "hr-enrolment")


async def test_hr_records_written_consent_and_enrols_a_real_face_photo(site, browser) -> None:
    if not FACE.is_file():
        pytest.skip(f"no face photo at {FACE} (the shared benchmark data is not in a fresh clone)")
    person = await _new_staff(site, "采集测试甲")
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/enrolment/staff/{person['id']}")
    assert "个人信息保护法" in await page.locator("#pipl").inner_text()
    await page.select_option("#modality", "face")
    await page.fill("#notice-version", "2026-01")
    await page.check("#signed")
    await page.click("#consent-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "已登记同意" in await page.locator("#notice").inner_text()
    assert "已同意" in await page.locator("#consents tr[data-modality=face]").inner_text()

    await page.set_input_files("#image", str(FACE))
    await page.click("#face-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "已采集人脸模板" in await page.locator("#notice").inner_text()
    assert (await page.locator("#consents tr[data-modality=face] td.count").inner_text()).strip() == "1"
    assert await page.locator("#templates tr.template[data-modality=face]").count() == 1
    await shot(page, "hr-enrolment-face-enrolled")

    await page.goto(f"{site.url}/app/hr/enrolment?department_id={person['department_id']}")
    row = page.locator(f"#enrolment tr.staff[data-staff='{person['id']}']")
    assert (await row.locator("td.face-count").inner_text()).strip() == "1"
    await shot(page, "hr-enrolment-face-counted")


async def _consented(site, browser, name: str):
    """A fresh staff member with face consent, and HR's page for them."""
    person = await _new_staff(site, name)
    await api(
        site, "hr", "POST", f"/api/v1/biometrics/staff/{person['id']}/consents", json={"modality": "face", "notice_version": "2026-01"}
    )
    return await page_as(browser, site, "hr", next_path=f"/app/hr/enrolment/staff/{person['id']}")


async def _upload(page, name: str, mime: str, photo: bytes) -> None:
    await page.set_input_files("#image", files=[{"name": name, "mimeType": mime, "buffer": photo}])
    await page.click("#face-form button[type=submit]")
    await page.wait_for_load_state("networkidle")


async def test_hr_enrols_a_webp_photo_as_the_browser_declares_it(site, browser) -> None:
    page = await _consented(site, browser, "采集测试丁")
    buf = io.BytesIO()
    # Lossless: lossy copies of this picture tip the detector into a second, false face.
    Image.open(io.BytesIO(astronaut_png())).save(buf, "WEBP", lossless=True)
    await _upload(page, "astronaut.webp", "image/webp", buf.getvalue())
    assert "已采集人脸模板" in await page.locator("#notice").inner_text()
    assert await page.locator("#templates tr.template[data-modality=face]").count() == 1


async def test_hr_enrols_a_phone_photo_over_the_old_8_mib_limit(site, browser) -> None:
    page = await _consented(site, browser, "采集测试戊")
    # A "motion photo" as Pixel phones write it: the JPEG, then a video appended after its end marker.
    motion = grace_jpeg() + b"ftypmp42" + bytes(range(256)) * (9 * 4096)
    await _upload(page, "PXL_motion.jpg", "image/jpeg", motion)
    assert "已采集人脸模板" in await page.locator("#notice").inner_text()


async def test_consent_is_not_recorded_unless_the_signed_form_is_confirmed(site, browser) -> None:
    person = await _new_staff(site, "采集测试乙")
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/enrolment/staff/{person['id']}")
    await page.fill("#notice-version", "2026-01")
    # The browser's own check would stop the form; the server must refuse it too.
    await page.evaluate("document.querySelector('#signed').removeAttribute('required')")
    await page.click("#consent-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "签署书面同意书" in await page.locator("#message").inner_text()
    assert "未同意" in await page.locator("#consents tr[data-modality=face]").inner_text()
    await shot(page, "hr-enrolment-consent-unsigned")


async def test_uploading_a_face_without_consent_shows_the_refusal(site, browser) -> None:
    person = await _new_staff(site, "采集测试丙")
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/enrolment/staff/{person['id']}")
    # The service refuses before it looks at the image, so any photo bytes do here.
    photo = FACE.read_bytes() if FACE.is_file() else b"\x89PNG\r\n\x1a\n" + bytes(64)
    await page.set_input_files("#image", files=[{"name": "face.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    await page.click("#face-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    message = await page.locator("#message").inner_text()
    assert "书面同意" in message or "consent" in message
    assert (await page.locator("#consents tr[data-modality=face] td.count").inner_text()).strip() == "0"
    enrolment = await api(site, "hr", "GET", f"/api/v1/biometrics/staff/{person['id']}")
    assert enrolment["face_count"] == 0
    await shot(page, "hr-enrolment-no-consent")


async def test_hr_sets_a_persons_user_id_on_the_devices_and_a_second_person_cannot_have_it(site, browser) -> None:
    first, second = await _new_staff(site, "考勤机测试甲"), await _new_staff(site, "考勤机测试乙")
    number = str(10_000_000 + uuid.uuid4().int % 89_999_999)  # the demo centre lives for the whole session
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/enrolment/staff/{first['id']}")
    assert f"考勤机使用工号 {first['employee_no']}" in await page.locator("#device-user-value").inner_text()
    await page.fill("#device-user-id", number)
    await page.click("#device-user-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "已保存考勤机用户号" in await page.locator("#notice").inner_text()
    assert (await page.locator("#device-user-value").inner_text()).strip() == number
    await shot(page, "hr-enrolment-device-user")

    await page.goto(f"{site.url}/app/hr/enrolment/staff/{second['id']}")
    await page.fill("#device-user-id", number)
    await page.click("#device-user-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    message = await page.locator("#message").inner_text()
    assert "已有其他人员使用该用户号" in message and "device_user" not in message
    assert "考勤机使用工号" in await page.locator("#device-user-value").inner_text()
    await shot(page, "hr-enrolment-device-user-taken")


async def test_clearing_the_user_id_brings_back_the_employee_number(site, browser) -> None:
    person = await _new_staff(site, "考勤机测试丙")
    window = await api(site, "hr", "GET", f"/api/v1/windows/{person['window_id']}")
    await api(site, "hr", "PUT", f"/api/v1/sites/{window['site_id']}/device-users/{person['id']}", json={"device_user_id": "A7"})
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/enrolment/staff/{person['id']}?lang=en")
    assert (await page.locator("#device-user-value").inner_text()).strip() == "A7"
    await page.click("#device-user-clear button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "the devices use the employee number" in await page.locator("#notice").inner_text()
    assert person["employee_no"] in await page.locator("#device-user-value").inner_text()


FVC = SHARED / "fingerprints" / "fvc2002" / "DB1_B"


async def _fingerprint(page, *, position: str, name: str, data: bytes, dpi: str = "500") -> None:
    await page.select_option("#position", position)
    await page.set_input_files("#finger-file", files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}])
    await page.fill("#dpi", dpi)
    await page.click("#fingerprint-form button[type=submit]")
    await page.wait_for_load_state("networkidle")


async def test_hr_enrols_impressions_of_a_finger_in_words_and_a_swapped_finger_is_refused(site, browser) -> None:
    from tests.biometrics.samples import finger, iso, moved

    person = await _new_staff(site, "指纹采集甲")
    await api(
        site,
        "hr",
        "POST",
        f"/api/v1/biometrics/staff/{person['id']}/consents",
        json={"modality": "fingerprint", "notice_version": "2026-01"},
    )
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/enrolment/staff/{person['id']}")
    assert "采集未完成" in await page.locator("#complete").inner_text()
    await _fingerprint(page, position="7", name="left-index.iso", data=iso(finger(11)))
    assert "已采集指纹" in await page.locator("#notice").inner_text()
    progress = await page.locator("#progress-items").inner_text()
    assert "左手食指：已按压 1 次，还需 2 次" in progress and "还需再采集 2 个手指" in progress
    row = await page.locator("#templates tr.template[data-modality=fingerprint]").inner_text()
    assert "左手食指，第 1 次按压" in row and "优" in row

    await _fingerprint(page, position="7", name="other.iso", data=iso(finger(12)))
    message = await page.locator("#message").inner_text()
    assert "与此前采集的同一手指不符" in message and "fingerprint_not_same_finger" not in message
    assert await page.locator("#templates tr.template[data-modality=fingerprint]").count() == 1
    await shot(page, "hr-enrolment-swapped-finger")

    await _fingerprint(page, position="7", name="again.iso", data=iso(moved(finger(11))))
    assert "左手食指：已按压 2 次，还需 1 次" in await page.locator("#progress-items").inner_text()


async def test_hr_enrols_a_real_scanner_image_with_leader_minutiae(site, browser) -> None:
    if not (FVC / "101_1.tif").is_file():
        pytest.skip(f"no FVC2002 impressions under {FVC} (the shared benchmark data is not in a fresh clone)")
    person = await _new_staff(site, "指纹采集乙")
    await api(
        site,
        "hr",
        "POST",
        f"/api/v1/biometrics/staff/{person['id']}/consents",
        json={"modality": "fingerprint", "notice_version": "2026-01"},
    )
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/enrolment/staff/{person['id']}")
    await _fingerprint(page, position="2", name="101_1.tif", data=(FVC / "101_1.tif").read_bytes())
    assert "已采集指纹" in await page.locator("#notice").inner_text()
    await _fingerprint(page, position="2", name="102_1.tif", data=(FVC / "102_1.tif").read_bytes())
    assert "与此前采集的同一手指不符" in await page.locator("#message").inner_text()
    await _fingerprint(page, position="2", name="101_2.tif", data=(FVC / "101_2.tif").read_bytes())
    assert "右手食指：已按压 2 次，还需 1 次" in await page.locator("#progress-items").inner_text()
    await shot(page, "hr-enrolment-fingerprints")


async def test_hr_finds_a_person_in_the_enrolment_table_by_pinyin_initials(site, browser) -> None:
    person = await _new_staff(site, "诸葛采集")
    page = await page_as(browser, site, "hr", next_path="/app/hr/enrolment")
    await page.fill("#f-q", "zgcj")
    await page.click("#enrol-filters button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert [await r.get_attribute("data-staff") for r in await page.locator("#enrolment tr.staff").all()] == [str(person["id"])]
    await shot(page, "hr-enrolment-found")
