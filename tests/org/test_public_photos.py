"""Public photos for the hall's screens: kept only with display consent, re-drawn without metadata, gone on withdrawal or leaving."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date

import pytest
from PIL import Image

from tests.factories import make_staff
from window_staff.org import service as org
from window_staff.org.errors import PublicPhotoConsentRequired, PublicPhotoInvalid
from window_staff.org.schemas import StaffLeaveIn
from window_staff.org.service.photos import shown_photo


def _jpeg(size: tuple[int, int] = (1200, 1600), *, exif: bool = True) -> bytes:
    image = Image.new("RGB", size, (180, 120, 90))
    out = io.BytesIO()
    info = Image.Exif()
    info[0x010F] = "PhoneMaker"  # camera make: must not survive
    image.save(out, format="JPEG", exif=info.tobytes() if exif else b"")
    return out.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image (a decompression bomb's shape)."""
    out = io.BytesIO()
    Image.new("RGB", (1, 1)).save(out, format="PNG")
    data = bytearray(out.getvalue())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def test_the_shown_photo_is_a_small_jpeg_without_the_cameras_data() -> None:
    shown = Image.open(io.BytesIO(shown_photo(_jpeg())))
    assert shown.format == "JPEG" and shown.size[0] <= 360 and shown.size[1] <= 480 and 0x010F not in shown.getexif()


def test_a_file_that_claims_a_huge_image_is_refused_before_decoding() -> None:
    with pytest.raises(PublicPhotoInvalid):
        shown_photo(_png_claiming(60_000, 60_000))


def test_a_file_that_is_not_a_photo_is_refused() -> None:
    with pytest.raises(PublicPhotoInvalid):
        shown_photo(b"%PDF-1.4 not a photo")


async def test_a_photo_is_kept_with_consent_and_served_by_its_token(ctx) -> None:
    person = await make_staff(ctx)
    await org.set_public_photo(ctx, person.id, image=_jpeg(), consented_on=date(2026, 12, 1), note="书面同意书", actor="test")
    token, consented = (await org.public_photo_consents([person.id]))[person.id]
    assert consented == date(2026, 12, 1)
    assert (await org.public_photo(token))[:3] == b"\xff\xd8\xff"


async def test_without_consent_nothing_is_kept(ctx) -> None:
    person = await make_staff(ctx)
    with pytest.raises(PublicPhotoConsentRequired):
        await org.set_public_photo(ctx, person.id, image=_jpeg(), consented_on=None, note="", actor="test")
    assert await org.public_photo_consents([person.id]) == {}


async def test_withdrawing_consent_deletes_the_photo(ctx) -> None:
    person = await make_staff(ctx)
    await org.set_public_photo(ctx, person.id, image=_jpeg(), consented_on=date(2026, 12, 1), note="", actor="test")
    token, _ = (await org.public_photo_consents([person.id]))[person.id]
    assert await org.withdraw_public_photo(ctx, person.id, actor="test")
    assert await org.public_photo(token) is None and await org.public_photo_consents([person.id]) == {}


async def test_leaving_the_centre_deletes_the_photo(ctx) -> None:
    person = await make_staff(ctx)
    await org.set_public_photo(ctx, person.id, image=_jpeg(), consented_on=date(2026, 12, 1), note="", actor="test")
    await org.leave_staff(ctx, person.id, StaffLeaveIn(left_on=date(2026, 12, 31), reason="调离"), actor="test")
    assert await org.public_photo_consents([person.id]) == {}
