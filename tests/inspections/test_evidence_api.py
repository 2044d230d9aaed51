"""Evidence photos through the API: who uploads, who sees, abuse of the upload, serving headers, removal."""

from __future__ import annotations

import dataclasses
import io
import struct
import zlib

import pytest
from PIL import Image

from tests.factories import logged_in, make_staff
from tests.inspections.support import Scene, headers_for, log_finding, make_inspector, make_visit, publish
from tests.inspections.test_evidence_photo import encode, gps_exif, photo_jpeg, png_header_only
from window_staff.common.audit import verify
from window_staff.common.db import execute
from window_staff.inspections.policy import policy_of

PROBLEM = "application/problem+json"


def files_of(ctx) -> list:
    """Every stored evidence file (temporary files excluded)."""
    root = ctx.settings.data_dir / "evidence"
    return [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".tmp-")] if root.exists() else []


def form(data: bytes, *, name: str = "photo", filename: str = "photo.jpg", content_type: str = "image/jpeg") -> dict:
    """Multipart files for httpx."""
    return {name: (filename, data, content_type)}


async def draft(app_ctx, *, kind: str = "open") -> tuple[Scene, object, object]:
    """A visit, a staff member at its window, and a draft finding about them."""
    scene = await make_visit(app_ctx, kind=kind)
    staff = await make_staff(app_ctx, window=scene.window)
    return scene, staff, await log_finding(app_ctx, scene, staff_id=staff.id)


async def upload(client, app_ctx, scene, finding_id, data: bytes, **kw):
    """The scene's inspector uploads ``data``."""
    headers = await headers_for(client, app_ctx, scene.inspector)
    return await client.post(f"/api/v1/inspections/findings/{finding_id}/evidence", files=form(data, **kw), headers=headers)


async def refused(response, status: int, code: str) -> None:
    """A problem response with that status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == code


async def test_the_inspector_uploads_and_the_served_photo_has_no_exif(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    sent = encode(Image.new("RGB", (48, 32), (1, 2, 3)), "JPEG", exif=gps_exif())
    response = await upload(client, app_ctx, scene, finding.id, sent)
    assert response.status_code == 201, response.text
    got = await client.get(response.json()["url"], headers=await headers_for(client, app_ctx, scene.inspector))
    assert got.status_code == 200
    assert dict(Image.open(io.BytesIO(got.content)).getexif()) == {} and b"Exif" not in got.content


async def test_a_served_photo_has_type_no_store_nosniff_and_a_safe_inline_name(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    out = (await upload(client, app_ctx, scene, finding.id, photo_jpeg(), filename='../../etc/x".jpg')).json()
    got = await client.get(out["url"], headers=await headers_for(client, app_ctx, scene.lead))
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["cache-control"] == "private, no-store"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"] == f'inline; filename="evidence-{out["id"]}.jpg"'
    assert str(app_ctx.settings.data_dir) not in got.headers.get("content-disposition", "") + str(out)


async def test_the_same_photo_twice_is_stored_once(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    first = await upload(client, app_ctx, scene, finding.id, photo_jpeg())
    second = await upload(client, app_ctx, scene, finding.id, photo_jpeg())
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert len(files_of(app_ctx)) == 1


async def test_the_same_photo_on_two_findings_is_one_file(client, app_ctx):
    scene, staff, finding = await draft(app_ctx)
    other = await log_finding(app_ctx, scene, staff_id=staff.id, item="at_post")
    await upload(client, app_ctx, scene, finding.id, photo_jpeg())
    await upload(client, app_ctx, scene, other.id, photo_jpeg())
    assert len(files_of(app_ctx)) == 1


@pytest.mark.parametrize(
    ("data", "filename", "declared"),
    [
        (b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF", "report.jpg", "image/jpeg"),
        (
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
            "a.png",
            "image/png",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.jpg", "image/jpeg"),
        (b"<html><script>alert(1)</script></html>", "a.jpg", "application/octet-stream"),
        (b"hello, I am text", "photo.jpg", "image/jpeg"),
    ],
    ids=["pdf", "gif", "svg", "html", "text"],
)
async def test_other_formats_are_415_whatever_their_name_and_declared_type(client, app_ctx, data, filename, declared):
    scene, _, finding = await draft(app_ctx)
    await refused(
        await upload(client, app_ctx, scene, finding.id, data, filename=filename, content_type=declared), 415, "evidence_format_unsupported"
    )
    assert files_of(app_ctx) == []


async def test_a_part_declaring_a_foreign_type_is_415(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    await refused(
        await upload(client, app_ctx, scene, finding.id, photo_jpeg(), content_type="application/pdf"), 415, "part_type_unsupported"
    )


@pytest.mark.parametrize(
    "appended", [b"PK\x03\x04\x14\x00" + b"\0" * 24 + b"payload.html", b"<html><script>alert(1)</script>"], ids=["zip", "html"]
)
async def test_a_polyglot_is_stored_without_its_trailing_data(client, app_ctx, appended):
    scene, _, finding = await draft(app_ctx)
    response = await upload(client, app_ctx, scene, finding.id, photo_jpeg() + appended)
    assert response.status_code == 201
    [stored] = files_of(app_ctx)
    content = stored.read_bytes()
    assert appended not in content and content.endswith(b"\xff\xd9") and stored.name == response.json()["sha256"]


async def test_a_truncated_jpeg_is_422(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    data = encode(Image.effect_noise((256, 256), 64).convert("RGB"), "JPEG")
    await refused(await upload(client, app_ctx, scene, finding.id, data[: len(data) // 2]), 422, "evidence_invalid")


async def test_zero_bytes_are_422(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    await refused(await upload(client, app_ctx, scene, finding.id, b""), 422, "evidence_invalid")


async def test_a_body_over_the_cap_is_413_with_a_problem_not_400(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    big = photo_jpeg() + b"\0" * (policy_of(app_ctx).evidence_max_bytes + 100_000)
    await refused(await upload(client, app_ctx, scene, finding.id, big), 413, "evidence_too_large")


async def test_a_chunked_body_over_the_cap_is_413(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    headers = await headers_for(client, app_ctx, scene.inspector)
    boundary = "b0undary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n\r\n'.encode()
    size = policy_of(app_ctx).evidence_max_bytes + 65_536

    async def chunks():
        yield head
        for _ in range(size // 65_536):
            yield b"\0" * 65_536
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await client.post(
        f"/api/v1/inspections/findings/{finding.id}/evidence",
        content=chunks(),
        headers={**headers, "content-type": f"multipart/form-data; boundary={boundary}"},
    )
    await refused(response, 413, "evidence_too_large")


async def test_a_chunked_body_is_read_only_up_to_the_cap(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    headers = await headers_for(client, app_ctx, scene.inspector)
    boundary = "b0undary"
    cap = policy_of(app_ctx).evidence_max_bytes
    sent = 0

    async def chunks():  # four times the cap, no Content-Length: the server must stop reading, not hold it all
        nonlocal sent
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n\r\n'.encode()
        for _ in range(4 * cap // 65_536):
            sent += 65_536
            yield b"\0" * 65_536
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await client.post(
        f"/api/v1/inspections/findings/{finding.id}/evidence",
        content=chunks(),
        headers={**headers, "content-type": f"multipart/form-data; boundary={boundary}"},
    )
    await refused(response, 413, "evidence_too_large")
    assert sent <= cap + 2 * 65_536


async def test_a_part_over_the_policy_cap_is_413(client, app_ctx):
    app_ctx.resources["inspections.policy"] = dataclasses.replace(policy_of(app_ctx), evidence_max_bytes=50_000)
    scene, _, finding = await draft(app_ctx)
    await refused(await upload(client, app_ctx, scene, finding.id, photo_jpeg() + b"\0" * 60_000), 413, "part_too_large")


async def test_a_huge_pixel_count_header_is_413(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    await refused(
        await upload(client, app_ctx, scene, finding.id, png_header_only(60_000, 60_000), filename="a.png", content_type="image/png"),
        413,
        "evidence_too_large",
    )


async def test_a_decompression_bomb_png_is_413(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    packer = zlib.compressobj(9)
    raw = b"".join(packer.compress(b"\0" * 15_001) for _ in range(10_000)) + packer.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 5_000, 10_000, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", raw)
        + chunk(b"IEND", b"")
    )
    await refused(
        await upload(client, app_ctx, scene, finding.id, bomb, filename="a.png", content_type="image/png"), 413, "evidence_too_large"
    )


async def test_many_parts_are_413(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    headers = await headers_for(client, app_ctx, scene.inspector)
    files = [("photo", (f"{i}.jpg", photo_jpeg(), "image/jpeg")) for i in range(50)]
    response = await client.post(f"/api/v1/inspections/findings/{finding.id}/evidence", files=files, headers=headers)
    await refused(response, 413, "too_many_parts")


async def test_an_unknown_field_is_422(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    await refused(await upload(client, app_ctx, scene, finding.id, photo_jpeg(), name="file"), 422, "unknown_field")


async def test_the_inspected_staff_member_gets_404_while_embargoed_and_the_photo_once_published(client, app_ctx):
    scene, staff, finding = await draft(app_ctx, kind="undercover")
    url = (await upload(client, app_ctx, scene, finding.id, photo_jpeg())).json()["url"]
    _, mine = await logged_in(client, app_ctx, "staff", staff_id=staff.id)
    before = await client.get(url, headers=mine)
    missing = await client.get("/api/v1/inspections/evidence/999999", headers=mine)
    assert (before.status_code, before.json()["code"]) == (404, missing.json()["code"])
    assert (await client.get(f"/api/v1/inspections/findings/{finding.id}/evidence", headers=mine)).status_code == 404
    await publish(app_ctx, scene, finding.id)
    after = await client.get(url, headers=mine)
    assert after.status_code == 200 and after.headers["content-type"] == "image/jpeg"


async def test_other_staff_get_404_even_after_publication(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    url = (await upload(client, app_ctx, scene, finding.id, photo_jpeg())).json()["url"]
    await publish(app_ctx, scene, finding.id)
    other = await make_staff(app_ctx, window=scene.window)
    _, theirs = await logged_in(client, app_ctx, "staff", staff_id=other.id)
    assert (await client.get(url, headers=theirs)).status_code == 404


async def test_an_inspector_of_another_visit_gets_404(client, app_ctx):
    scene, _, finding = await draft(app_ctx, kind="undercover")
    url = (await upload(client, app_ctx, scene, finding.id, photo_jpeg())).json()["url"]
    stranger = await make_inspector(app_ctx)
    assert (await client.get(url, headers=await headers_for(client, app_ctx, stranger))).status_code == 404


async def test_the_inspected_staff_member_does_not_learn_who_uploaded(client, app_ctx):
    scene, staff, finding = await draft(app_ctx)
    await upload(client, app_ctx, scene, finding.id, photo_jpeg())
    await publish(app_ctx, scene, finding.id)
    _, mine = await logged_in(client, app_ctx, "staff", staff_id=staff.id)
    [item] = (await client.get(f"/api/v1/inspections/findings/{finding.id}/evidence", headers=mine)).json()
    assert item["uploaded_by"] is None


async def test_staff_cannot_upload(client, app_ctx):
    scene, staff, finding = await draft(app_ctx)
    await publish(app_ctx, scene, finding.id)
    _, mine = await logged_in(client, app_ctx, "staff", staff_id=staff.id)
    response = await client.post(f"/api/v1/inspections/findings/{finding.id}/evidence", files=form(photo_jpeg()), headers=mine)
    assert response.status_code == 403


async def test_the_inspector_cannot_upload_once_published_but_the_lead_can(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    await publish(app_ctx, scene, finding.id)
    await refused(await upload(client, app_ctx, scene, finding.id, photo_jpeg()), 403, "evidence_not_allowed")
    lead = await headers_for(client, app_ctx, scene.lead)
    response = await client.post(f"/api/v1/inspections/findings/{finding.id}/evidence", files=form(photo_jpeg()), headers=lead)
    assert response.status_code == 201


async def test_the_lead_removes_a_photo_softly_and_it_is_no_longer_served(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    out = (await upload(client, app_ctx, scene, finding.id, photo_jpeg())).json()
    lead = await headers_for(client, app_ctx, scene.lead)
    removed = await client.delete(out["url"], headers=lead)
    assert removed.status_code == 200
    assert (await client.get(out["url"], headers=lead)).status_code == 404
    assert (await client.get(f"/api/v1/inspections/findings/{finding.id}/evidence", headers=lead)).json() == []
    assert len(files_of(app_ctx)) == 1  # the row still names the file


async def test_the_inspector_cannot_remove(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    out = (await upload(client, app_ctx, scene, finding.id, photo_jpeg())).json()
    assert (await client.delete(out["url"], headers=await headers_for(client, app_ctx, scene.inspector))).status_code == 403


async def test_upload_and_removal_are_audited_without_the_bytes(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    out = (await upload(client, app_ctx, scene, finding.id, photo_jpeg())).json()
    await client.delete(out["url"], headers=await headers_for(client, app_ctx, scene.lead))
    rows = await execute(app_ctx.engine, "SELECT action, data FROM audit_event WHERE subject_type = {} ORDER BY id", "evidence")
    assert [r["action"] for r in rows] == ["evidence.uploaded", "evidence.removed"]
    assert all(len(r["data"]) < 400 and out["sha256"] in r["data"] for r in rows)
    assert (await verify(app_ctx.engine)).ok


async def test_anonymous_callers_get_401(client, app_ctx):
    scene, _, finding = await draft(app_ctx)
    out = (await upload(client, app_ctx, scene, finding.id, photo_jpeg())).json()
    client.cookies.clear()  # the login above left a session cookie in the client
    assert (await client.get(out["url"])).status_code == 401
