"""Evidence photos (pure): validate, re-encode the pixels without any metadata, hash.

Decoding reuses the checked decoder of ``biometrics/images.py`` (format by magic bytes only, byte and
pixel caps before any pixel is decoded, Pillow's bomb guard, truncated files refused, EXIF
orientation applied). The stored photo is rebuilt from raw pixels: a fresh Pillow image has an empty
``info``, so nothing of the upload (EXIF and its GPS, XMP, ICC profile, JPEG comments, PNG text
chunks, trailing bytes of a polyglot) can reach the file we keep and serve.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageCms

from window_staff.biometrics.errors import FaceImageInvalid, FaceImageTooLarge, FaceImageUnsupported
from window_staff.biometrics.images import decode_image, sniff_image_format
from window_staff.inspections.errors import EvidenceInvalid, EvidenceTooLarge, EvidenceUnsupported

# What a photo part may declare: evidence photos are JPEG or PNG (a phone may send no type or octet-stream).
PHOTO_TYPES = frozenset({None, "application/octet-stream", "image/jpeg", "image/png"})

MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}
JPEG_QUALITY = 90
# Modes each output format keeps as they are; anything else is converted first.
_JPEG_MODES = frozenset({"L", "RGB"})
_PNG_MODES = frozenset({"L", "LA", "RGB", "RGBA", "I;16"})


@dataclass(frozen=True, slots=True)
class CleanPhoto:
    """A photo ready to store: re-encoded bytes without metadata, their SHA-256 and what they are."""

    data: bytes
    sha256: str
    media_type: str
    width: int
    height: int


def clean_photo(data: bytes, *, max_bytes: int, max_pixels: int) -> CleanPhoto:
    """Validate an uploaded photo and return it re-encoded from its pixels (orientation applied, no metadata)."""
    if not data:
        raise EvidenceInvalid("the photo is empty")
    if len(data) > max_bytes:
        raise EvidenceTooLarge(f"the photo is over {max_bytes} bytes", limit_bytes=max_bytes)
    fmt = sniff_image_format(data)
    # The shared decoder also takes WebP and BMP (face photos); evidence is stored and served as JPEG or PNG only.
    if fmt is None or fmt not in MEDIA_TYPES:
        raise EvidenceUnsupported()
    try:
        im = decode_image(data, max_pixels=max_pixels, max_bytes=max_bytes)
    except FaceImageTooLarge as exc:
        raise EvidenceTooLarge(f"the photo is over {max_pixels} pixels", limit_pixels=max_pixels) from exc
    except FaceImageUnsupported as exc:
        raise EvidenceUnsupported() from exc
    except FaceImageInvalid as exc:
        raise EvidenceInvalid("the photo is truncated or corrupt") from exc
    width, height = im.size
    try:
        out = _encode(_bare(_to_srgb(im), fmt), fmt)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise EvidenceInvalid("the photo cannot be re-encoded") from exc
    finally:
        im.close()
    return CleanPhoto(data=out, sha256=hashlib.sha256(out).hexdigest(), media_type=MEDIA_TYPES[fmt], width=width, height=height)


def _to_srgb(im: Image.Image) -> Image.Image:
    """Convert colour photos with an embedded ICC profile to sRGB, so dropping the profile keeps the colours."""
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "CMYK"):
        return im
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(im, source, ImageCms.createProfile("sRGB"), outputMode="RGB") or im
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken profile (or a hostile one) is dropped: the colours may shift, the photo is kept.
        return im


def _bare(im: Image.Image, fmt: str) -> Image.Image:
    """The same pixels in a fresh image: nothing of ``im.info`` (EXIF, XMP, ICC, comments, text) survives."""
    keep = _JPEG_MODES if fmt == "JPEG" else _PNG_MODES
    if im.mode not in keep:
        if im.mode == "P" and "transparency" in im.info and fmt == "PNG":
            im = im.convert("RGBA")
        elif im.mode in ("1", "I", "F") or (im.mode == "LA" and fmt == "JPEG"):
            im = im.convert("L") if im.mode != "I" else _grey16_to_l(im)
        elif im.mode in ("RGBA", "PA", "RGBa") and fmt == "JPEG":
            im = _flatten(im)
        else:
            im = im.convert("RGB")
    return Image.frombytes(im.mode, im.size, im.tobytes())


def _grey16_to_l(im: Image.Image) -> Image.Image:
    # Pillow clips 32-bit grey at 255 when converting to L: scale 16-bit values down instead.
    return im.point(lambda v: v / 257).convert("L")


def _flatten(im: Image.Image) -> Image.Image:
    # JPEG has no alpha: composite on white as a viewer would show it.
    rgba = im.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def _encode(im: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        im.save(buf, "JPEG", quality=JPEG_QUALITY)
    else:
        im.save(buf, "PNG", optimize=False)
    return buf.getvalue()
