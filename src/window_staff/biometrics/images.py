"""Safe decoding of uploaded face images: JPEG/PNG only, bounded size, RGB out."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from window_staff.biometrics.errors import FaceImageInvalid, FaceImageTooLarge, FaceImageUnsupported

# Magic bytes are the only format evidence we trust: file names and Content-Type are client claims.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
_HIGH_DEPTH_GREY = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N", "F"})


def sniff_image_format(data: bytes) -> str | None:
    """Return "JPEG" or "PNG" from the leading magic bytes, else None."""
    for magic, name in _MAGIC:
        if data[: len(magic)] == magic:
            return name
    return None


def decode_image(data: bytes, *, max_pixels: int, max_bytes: int) -> Image.Image:
    """Decode a JPEG/PNG upload (format by magic bytes, caps checked before decoding), EXIF orientation applied."""
    if len(data) > max_bytes:
        raise FaceImageTooLarge(limit_bytes=max_bytes)
    fmt = sniff_image_format(data)
    if fmt is None:
        raise FaceImageUnsupported()
    # A bare `import face_recognition` anywhere in the process flips this global to True, after
    # which Pillow pads truncated uploads with grey instead of failing. Nothing here wants that.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        # formats= keeps Pillow from falling back to any other decoder on a polyglot file.
        im = Image.open(io.BytesIO(data), formats=[fmt])
    except Image.DecompressionBombError as exc:
        raise FaceImageTooLarge(limit_pixels=max_pixels) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise FaceImageInvalid() from exc
    with im:
        width, height = im.size
        # The header gives the size before any pixel is decoded: refuse bombs here, not after.
        if width <= 0 or height <= 0:
            raise FaceImageInvalid()
        if width * height > max_pixels:
            raise FaceImageTooLarge(limit_pixels=max_pixels)
        try:
            im.load()
            return _apply_orientation(im)
        except Image.DecompressionBombError as exc:
            raise FaceImageTooLarge(limit_pixels=max_pixels) from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise FaceImageInvalid() from exc


def load_rgb(data: bytes, *, max_pixels: int, max_bytes: int) -> np.ndarray:
    """Decode a JPEG/PNG upload into a contiguous uint8 RGB array (H, W, 3), EXIF orientation applied."""
    im = decode_image(data, max_pixels=max_pixels, max_bytes=max_bytes)
    try:
        rgb = _to_rgb(im)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise FaceImageInvalid() from exc
    return np.ascontiguousarray(rgb, dtype=np.uint8)


def _apply_orientation(im: Image.Image) -> Image.Image:
    """Rotate/flip per EXIF Orientation; a broken EXIF block must not reject a good photo."""
    try:
        return ImageOps.exif_transpose(im)
    except (OSError, SyntaxError, ValueError, KeyError, TypeError, AttributeError):
        # A copy: the caller closes the original (closing a loaded Pillow image releases its pixels).
        return im.copy()


def _to_rgb(im: Image.Image) -> np.ndarray:
    """Normalise every PNG/JPEG mode (grey, 16-bit grey, palette, alpha, CMYK) to 8-bit RGB."""
    if im.mode == "RGB":
        return np.asarray(im)
    if im.mode in _HIGH_DEPTH_GREY:
        # Pillow cannot convert 16-bit grey to RGB without clipping at 255: rescale ourselves.
        grey = np.asarray(im, dtype=np.float64)
        top = 65535.0 if grey.max(initial=0) > 255 else 255.0
        grey8 = np.clip(np.rint(grey * (255.0 / top)), 0, 255).astype(np.uint8)
        return np.repeat(grey8[:, :, None], 3, axis=2)
    if im.mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    if im.mode in _ALPHA_MODES:
        # Transparent pixels carry arbitrary colours; flatten onto white like a browser would.
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(background, rgba).convert("RGB"))
    return np.asarray(im.convert("RGB"))
