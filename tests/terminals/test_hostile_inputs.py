"""Hostile check-ins: every one gets the right 4xx problem with a stable code, stores nothing, never a 5xx.

Every request here is correctly signed, so each case reaches the form reader or the matcher.
Image cases cost an encoder process; they are few (DESIGN section 7's test budget).
"""

from __future__ import annotations

import io
import math
import struct
import zlib

import msgspec
import numpy as np
import pytest
from PIL import Image

from tests.biometrics.samples import grace_jpeg, png
from tests.terminals.conftest import face_vector
from window_staff.attendance.tables import Punch
from window_staff.biometrics.iso19794 import FingerRecord, FingerView, Minutia, record_from_minutiae, write_record
from window_staff.settings import FACE_IMAGE_LIMIT_MAX
from window_staff.terminals.client import CHECK_IN_PATH
from window_staff.terminals.signatures import sign
from window_staff.terminals.tables import CheckInEvent, CheckInRejection

BOUNDARY = "hostile-7d1b2c"
URL = f"http://testserver{CHECK_IN_PATH}"


def multipart(parts: list[tuple[str, bytes, str | None, str | None]], *, boundary: str = BOUNDARY, close: bool = True) -> bytes:
    """A multipart body from (name, value, filename, content type) parts, byte for byte as given."""
    out = bytearray()
    for name, value, filename, ctype in parts:
        out += f"--{boundary}\r\n".encode()
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"Content-Disposition: {disposition}\r\n".encode()
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + value + b"\r\n"
    if close:
        out += f"--{boundary}--\r\n".encode()
    return bytes(out)


def fields(desk, clock, **override: object) -> list[tuple[str, bytes, str | None, str | None]]:
    """A valid face-encoding + fingerprint check-in; a value of None drops the field, a list repeats it."""
    base: dict[str, object] = {
        "event_id": b"h-1",
        "captured_at": clock.now().isoformat().encode(),
        "face_encoding": (desk.face, "enc.bin", "application/octet-stream"),
        "fingerprint": (desk.finger, "finger.iso", "application/octet-stream"),
    }
    base.update(override)
    parts = []
    for name, value in base.items():
        for one in value if isinstance(value, list) else [value]:
            if one is None:
                continue
            if isinstance(one, tuple):
                parts.append((name, *one))
            else:
                parts.append((name, one if isinstance(one, bytes) else str(one).encode(), None, None))
    return parts


async def send_raw(client, desk, clock, body: bytes, content_type: str):
    """Sign a hand-made body the way a terminal must and post it."""
    headers = sign("POST", URL, body, key_id=desk.serial, secret=desk.secret, created=clock.now())
    headers["Content-Type"] = content_type
    return await client.post(CHECK_IN_PATH, content=body, headers=headers)


async def send_form(client, desk, clock, **override: object):
    return await send_raw(client, desk, clock, multipart(fields(desk, clock, **override)), f"multipart/form-data; boundary={BOUNDARY}")


async def refused(response, status: int, code: str) -> None:
    """The answer is the expected problem, and nothing was stored."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert await Punch.count() == 0
    assert await CheckInRejection.count() == 0
    assert await CheckInEvent.count() == 0


async def retried(response, reason: str) -> dict:
    """The terminal is asked for another capture: nothing is held against anyone, the answer is kept for resends."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["result"], body["reason"]) == ("retry", reason)
    assert await Punch.count() == 0
    assert await CheckInRejection.count() == 0
    assert await CheckInEvent.count() == 1
    return body


def jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int) -> bytes:
    """A 1-bit grey PNG of side x side black pixels: tiny on the wire, huge once decoded."""
    row = b"\x00" * (1 + math.ceil(side / 8))
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real JPEG whose frame header claims another size."""
    data = bytearray(grace_jpeg())
    at = data.index(b"\xff\xc0")  # SOF0: marker, length, precision, height, width
    struct.pack_into(">HH", data, at + 5, height, width)
    return bytes(data)


def face_part(data: bytes, name: str = "face.jpg", ctype: str = "image/jpeg") -> dict[str, object]:
    return {"face_encoding": None, "face": (data, name, ctype)}


# --- content types and framing ------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/json", b'{"event_id": "h-1"}'),
        ("application/x-www-form-urlencoded", b"event_id=h-1&captured_at=now"),
        ("text/plain", b"event_id=h-1"),
    ],
)
async def test_a_body_that_is_not_multipart_is_415(client, app_ctx, desk, clock, content_type, body):
    await refused(await send_raw(client, desk, clock, body, content_type), 415, "content_type_unsupported")


async def test_a_multipart_without_boundary_or_closing_boundary_is_400(client, app_ctx, desk, clock):
    body = multipart(fields(desk, clock))
    await refused(await send_raw(client, desk, clock, body, "multipart/form-data"), 400, "multipart_invalid")
    clock.advance(seconds=1)
    cut = multipart(fields(desk, clock), close=False)
    await refused(await send_raw(client, desk, clock, cut, f"multipart/form-data; boundary={BOUNDARY}"), 400, "multipart_invalid")


@pytest.mark.parametrize(
    "override",
    [
        {"face_encoding": None, "face": (b"%PDF-1.4 not a face", "face.jpg", "application/pdf")},
        {"event_id": (b"h-1", "id.png", "image/png")},
        {"fingerprint": (b"FMR\x00", "finger.iso", "text/html")},
    ],
    ids=["face-as-pdf", "text-field-as-image", "template-as-html"],
)
async def test_a_part_with_a_type_foreign_to_its_field_is_415(client, app_ctx, desk, clock, override):
    await refused(await send_form(client, desk, clock, **override), 415, "part_type_unsupported")


async def test_a_50_mib_body_is_413_not_400(client, app_ctx, desk, clock):
    body = multipart(fields(desk, clock, face_encoding=None, face=(b"\xff\xd8\xff" + b"\0" * (50 * 1024 * 1024), "f.jpg", "image/jpeg")))
    await refused(await send_raw(client, desk, clock, body, f"multipart/form-data; boundary={BOUNDARY}"), 413, "payload_too_large")


async def test_a_part_over_its_field_cap_is_413(client, app_ctx, desk, clock):
    await refused(await send_form(client, desk, clock, fingerprint=(b"FMR\x00" + b"\0" * 70_000, "f.iso", None)), 413, "part_too_large")


async def test_a_face_part_over_the_face_image_limit_is_413_part_too_large(client, app_ctx, desk, clock):
    app_ctx.settings = msgspec.structs.replace(app_ctx.settings, face_image_limit_bytes=len(grace_jpeg()) - 1)
    await refused(await send_form(client, desk, clock, **face_part(grace_jpeg())), 413, "part_too_large")


async def test_a_face_part_at_the_largest_face_image_limit_gets_past_the_route_ceiling(client, app_ctx, desk, clock):
    largest = b"\xff\xd8\xff" + b"\0" * (FACE_IMAGE_LIMIT_MAX - 3)
    # With the other fields (and a fingerprint record), the body stays under CHECK_IN_LIMIT: the decoder is reached.
    await refused(await send_form(client, desk, clock, **face_part(largest)), 422, "image_invalid")


async def test_a_face_part_over_the_fingerprint_upload_limit_reaches_the_face_checks(client, app_ctx, desk, clock):
    # Phone photos run past the 8 MiB upload limit: the face part has its own, larger one. A JPEG
    # claiming a bomb's size is refused by the decoder, so getting its 413 shows the part was read.
    big = jpeg_claiming(30000, 30000) + b"\0" * (9 * 1024 * 1024)
    assert len(big) > app_ctx.settings.upload_limit_bytes
    await refused(await send_form(client, desk, clock, **face_part(big)), 413, "image_too_large")


async def test_thousands_of_parts_are_413_too_many_parts(client, app_ctx, desk, clock):
    body = multipart([("employee_no", b"x", None, None)] * 5000)
    await refused(await send_raw(client, desk, clock, body, f"multipart/form-data; boundary={BOUNDARY}"), 413, "too_many_parts")


async def test_binary_bytes_in_a_text_field_are_422_not_500(client, app_ctx, desk, clock):
    await refused(await send_form(client, desk, clock, event_id=b"\xff\xfe\x00h"), 422, "field_not_text")


@pytest.mark.parametrize(
    "override, code",
    [
        ({"event_id": [b"h-1", b"h-2"]}, "field_repeated"),
        ({"face_encoding": [(b"\0" * 512, "a", None), (b"\0" * 512, "b", None)]}, "field_repeated"),
        ({"surprise": b"x"}, "unknown_field"),
        ({"card_no": b"C1234", "pin": b"2580"}, "credentials_mixed"),
    ],
)
async def test_repeated_unknown_and_mixed_fields_are_422(client, app_ctx, desk, clock, override, code):
    await refused(await send_form(client, desk, clock, **override), 422, code)


# --- field values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event_id",
    [b"", b"e" * 65, b"h-1\n", b"h\x00-1", b"h\t1", "签到-1".encode()],
    ids=["empty", "too-long", "trailing-newline", "nul", "tab", "non-ascii"],
)
async def test_a_malformed_event_id_is_422(client, app_ctx, desk, clock, event_id):
    await refused(await send_form(client, desk, clock, event_id=event_id), 422, "event_id_invalid")


@pytest.mark.parametrize(
    "captured_at",
    [b"2026-11-25T08:29:00", b"garbage", b"", b"0001-01-01T00:00:00+05:00", b"9999-12-31T23:59:59-05:00", b"1970-01-01T00:00:00+00:00"],
    ids=["no-offset", "garbage", "empty", "year-1-overflows", "year-9999-overflows", "epoch"],
)
async def test_a_malformed_capture_time_is_422(client, app_ctx, desk, clock, captured_at):
    await refused(await send_form(client, desk, clock, captured_at=captured_at), 422, "captured_at_invalid")


@pytest.mark.parametrize(
    "raw",
    [
        b"\0" * 511,
        b"\0" * 513,
        np.full(128, np.nan, dtype="<f4").tobytes(),
        np.concatenate([np.frombuffer(face_vector(3), dtype="<f4")[:-1], np.array([np.inf], dtype="<f4")]).astype("<f4").tobytes(),
    ],
    ids=["511-bytes", "513-bytes", "nan", "inf"],
)
async def test_a_face_encoding_of_wrong_length_or_not_finite_is_422(client, app_ctx, desk, clock, raw):
    await refused(
        await send_form(client, desk, clock, face_encoding=(raw, "enc.bin", "application/octet-stream")), 422, "face_encoding_invalid"
    )


@pytest.mark.parametrize(
    "dpi",
    [None, b"72", b"99999", "\u00b2".encode(), b"500.0", b"-500"],
    ids=["missing", "too-low", "absurd", "superscript-two", "decimal", "negative"],
)
async def test_a_fingerprint_image_without_a_sane_dpi_is_422(client, app_ctx, desk, clock, dpi):
    override = {"fingerprint": None, "fingerprint_image": (png(np.zeros((300, 300), np.uint8)), "f.png", "image/png"), "dpi": dpi}
    await refused(await send_form(client, desk, clock, **override), 422, "dpi_invalid")


async def test_dpi_without_a_fingerprint_image_is_422(client, app_ctx, desk, clock):
    await refused(await send_form(client, desk, clock, dpi=b"500"), 422, "dpi_invalid")


# --- fingerprint records -----------------------------------------------------------------------


async def test_an_iso_record_with_no_minutiae_asks_for_another_touch(client, app_ctx, desk, clock):
    empty = write_record(record_from_minutiae([], width=300, height=360))
    body = await retried(await send_form(client, desk, clock, fingerprint=(empty, "f.iso", None)), "fingerprint_quality")
    assert (body["fingers"], body["finger_names"]) == ([2], ["右手食指"])


async def test_an_iso_record_of_ten_thousand_minutiae_is_422(client, app_ctx, desk, clock):
    # One view holds at most 255 (a one-byte count), so 10,000 minutiae come as 40 views of 250.
    mins = tuple(Minutia(kind=1, x=i % 300, y=i // 300 * 10, angle=i % 256) for i in range(250))
    views = tuple(
        FingerView(position=p, view_number=v, impression_type=0, quality=50, minutiae=mins) for p in range(1, 11) for v in range(4)
    )
    record = write_record(FingerRecord(capture_equipment=0, width=300, height=360, x_resolution=197, y_resolution=197, views=views))
    assert sum(len(v.minutiae) for v in views) == 10_000 and len(record) < 64 * 1024
    await refused(await send_form(client, desk, clock, fingerprint=(record, "f.iso", None)), 422, "fingerprint_template_invalid")


async def test_an_iso_header_claiming_more_minutiae_than_it_holds_is_422(client, app_ctx, desk, clock):
    record = bytearray(desk.finger)
    record[24 + 3] = 255  # the first view's count, with only the original minutiae behind it
    await refused(await send_form(client, desk, clock, fingerprint=(bytes(record), "f.iso", None)), 422, "fingerprint_template_invalid")


# --- face images (cheap refusals: no encoder slot or a header check) -----------------------------


async def test_an_empty_face_file_is_422(client, app_ctx, desk, clock):
    await refused(await send_form(client, desk, clock, **face_part(b"")), 422, "part_empty")


@pytest.mark.parametrize("data", [b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", b"hello, I am a face"], ids=["pdf", "text"])
async def test_a_non_image_named_jpg_is_415(client, app_ctx, desk, clock, data):
    await refused(await send_form(client, desk, clock, **face_part(data)), 415, "image_format_unsupported")


@pytest.mark.parametrize(
    "data",
    [jpeg_claiming(30000, 30000), bomb_png(20000), bomb_png(6000)],
    ids=["jpeg-header-30000x30000", "png-bomb-400-megapixels", "png-36-megapixels-decoded-whole"],
)
async def test_huge_pixel_counts_are_413_before_decoding(client, app_ctx, desk, clock, data):
    assert len(data) < 1_000_000
    await refused(await send_form(client, desk, clock, **face_part(data, "face.png", "image/png")), 413, "image_too_large")


# --- face images through the encoder (the few expensive cases) ---------------------------------


async def test_a_truncated_jpeg_is_422(client, app_ctx, desk, clock):
    data = grace_jpeg()
    await refused(await send_form(client, desk, clock, **face_part(data[: len(data) // 2])), 422, "image_invalid")


async def test_two_faces_ask_for_one_person_at_a_time(client, app_ctx, desk, clock):
    one = Image.open(io.BytesIO(grace_jpeg())).convert("RGB")
    two = Image.new("RGB", (one.width * 2, one.height))
    two.paste(one, (0, 0))
    two.paste(one, (one.width, 0))
    await retried(await send_form(client, desk, clock, **face_part(jpeg(two))), "several_faces")


async def test_no_face_asks_to_look_at_the_camera(client, app_ctx, desk, clock):
    from skimage import data

    await retried(await send_form(client, desk, clock, **face_part(png(data.camera()), "face.png", "image/png")), "face_not_found")


async def test_a_face_too_small_asks_to_come_closer(client, app_ctx, desk, clock):
    # Grace Hopper's face is ~200 px; at upsample 0 a smaller face is not even found, so raise the floor.
    app_ctx.settings = msgspec.structs.replace(app_ctx.settings, face_min_px=400)
    await retried(await send_form(client, desk, clock, **face_part(grace_jpeg())), "face_too_small")


async def test_a_valid_hand_made_form_is_accepted(client, app_ctx, desk, clock):
    # The control case: the same builder with nothing hostile gives a punch.
    response = await send_form(client, desk, clock)
    assert response.status_code == 200, response.text
    assert response.json()["result"] == "accepted" and await Punch.count() == 1


async def test_a_blurred_face_asks_to_hold_still(client, app_ctx, desk, clock):
    from PIL import ImageFilter

    smeared = Image.open(io.BytesIO(grace_jpeg())).convert("RGB").filter(ImageFilter.GaussianBlur(8))
    await retried(await send_form(client, desk, clock, **face_part(jpeg(smeared))), "face_blurred")
