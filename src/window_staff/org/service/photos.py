"""Public photos for the hall's screens (亮牌上岗): kept with the person's consent to display, gone when it ends.

The upload is decoded with a pixel limit, turned upright, shrunk to a display size and written again as JPEG, so
nothing of the original file (camera data, location, a hidden payload) is kept or served.
"""

from __future__ import annotations

import asyncio
import io
import secrets
from datetime import date

from PIL import Image, ImageOps, UnidentifiedImageError

from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import erase_traces, write_transaction
from window_staff.org.errors import PublicPhotoConsentRequired, PublicPhotoInvalid, StaffNotFound
from window_staff.org.tables import Staff, StaffPublicPhoto

MAX_UPLOAD_BYTES = 12 * 1024 * 1024
MAX_PIXELS = 40_000_000
SHOWN_SIZE = (360, 480)  # a portrait card on a 1080p hall screen
_FORMATS = ("JPEG", "PNG", "WEBP")


def shown_photo(data: bytes) -> bytes:
    """The photo as it is kept and shown: upright, at most 360x480, JPEG without metadata (PublicPhotoInvalid otherwise)."""
    if not data or len(data) > MAX_UPLOAD_BYTES:
        raise PublicPhotoInvalid("the photo must be a JPEG, PNG or WebP file of at most 12 MB")
    try:
        with Image.open(io.BytesIO(data), formats=_FORMATS) as im:
            # The header's size is checked before any pixel is decoded (a small file can claim a huge image).
            if im.width * im.height > MAX_PIXELS:
                raise PublicPhotoInvalid("the photo has too many pixels")
            im.draft("RGB", (SHOWN_SIZE[0] * 2, SHOWN_SIZE[1] * 2))
            upright = ImageOps.exif_transpose(im.convert("RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise PublicPhotoInvalid("the file is not a readable JPEG, PNG or WebP photo") from exc
    upright.thumbnail(SHOWN_SIZE)
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


async def set_public_photo(ctx: AppContext, staff_id: int, *, image: bytes, consented_on: date | None, note: str, actor: str) -> None:
    """Keep (or replace) the person's public photo, with the day they consented to its display and how."""
    if consented_on is None:
        raise PublicPhotoConsentRequired()
    shown = await asyncio.to_thread(shown_photo, image)
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        if not await Staff.exists().where((Staff.id == staff_id) & (Staff.status == "active")):
            raise StaffNotFound()
        await StaffPublicPhoto.delete().where(StaffPublicPhoto.staff == staff_id)
        await StaffPublicPhoto.insert(
            StaffPublicPhoto(
                staff=staff_id,
                token=secrets.token_urlsafe(24),
                image=shown,
                consent_note=note[:500],
                consented_on=consented_on,
                recorded_by=actor,
                recorded_at=now,
            )
        )
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="staff.public_photo_set",
            subject_type="staff",
            subject_id=staff_id,
            data={"consented_on": consented_on.isoformat()},
        )


async def withdraw_public_photo(ctx: AppContext, staff_id: int, *, actor: str, reason: str = "withdrawn") -> bool:
    """Delete the person's public photo (consent withdrawn, or leaving); True when there was one."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        had = await StaffPublicPhoto.exists().where(StaffPublicPhoto.staff == staff_id)
        if had:
            await StaffPublicPhoto.delete().where(StaffPublicPhoto.staff == staff_id)
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="staff.public_photo_removed",
                subject_type="staff",
                subject_id=staff_id,
                data={"reason": reason},
            )
    if had:
        await erase_traces(ctx.engine)  # no copy of the deleted photo left in the SQLite write-ahead log
    return had


async def public_photo_consents(staff_ids: list[int]) -> dict[int, tuple[str, date]]:
    """Whose photo is kept: staff id -> (the photo's public token, the day consent was given)."""
    if not staff_ids:
        return {}
    rows = await StaffPublicPhoto.select(StaffPublicPhoto.staff, StaffPublicPhoto.token, StaffPublicPhoto.consented_on).where(
        StaffPublicPhoto.staff.is_in(sorted(set(staff_ids)))
    )
    return {r["staff"]: (r["token"], r["consented_on"]) for r in rows}


async def public_photo(token: str) -> bytes | None:
    """The JPEG shown for a public token, or None."""
    if not token or len(token) > 64:
        return None
    row = await StaffPublicPhoto.select(StaffPublicPhoto.image).where(StaffPublicPhoto.token == token).first()
    return bytes(row["image"]) if row else None
