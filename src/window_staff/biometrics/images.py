"""Safe decoding of uploaded images: format by magic bytes, declared size checked before decoding, RGB out.

Accepted: JPEG (including EXIF/JFIF/MPO variants), PNG, WebP and BMP, recognised by their leading
bytes only. ``decode_image`` gives the full-size image (evidence photos); ``load_rgb`` gives a face
photo at a bounded working size: JPEG is decoded at 1/2-1/8 scale by libjpeg (``draft``) and
everything is shrunk to ``working_px`` on its longest side before detection, so a 50 MP phone photo
costs about what a terminal frame does. PNG, WebP and BMP have no reduced-scale decoding: they are
decoded whole, so ``max_decoded_pixels`` bounds them (and any JPEG that ``draft`` could not shrink).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError
from PIL.JpegImagePlugin import JpegImageFile

from window_staff.biometrics.errors import FaceImageInvalid, FaceImageTooLarge, FaceImageUnsupported

MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "BMP": "image/bmp"}
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_WEBP_CHUNKS = frozenset({b"VP8 ", b"VP8L", b"VP8X"})
# The DIB header sizes Pillow reads (core, OS/2 v2, info, v2-v5): "BM" alone is too common a prefix.
_BMP_HEADER_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
_HIGH_DEPTH_GREY = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N", "F"})
# ImageOps.exif_transpose's table, applied to the shrunk copy instead of the full-size decode.
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError)


def sniff_image_format(data: bytes) -> str | None:
    """Return "JPEG", "PNG", "WEBP" or "BMP" from the leading magic bytes, else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(_PNG_MAGIC):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and data[12:16] in _WEBP_CHUNKS:
        return "WEBP"
    if data[:2] == b"BM" and len(data) >= 18 and int.from_bytes(data[14:18], "little") in _BMP_HEADER_SIZES:
        return "BMP"
    return None


def media_type_of(data: bytes) -> str | None:
    """The media type of an accepted image, by its magic bytes (for clients declaring a part's type)."""
    fmt = sniff_image_format(data)
    return MEDIA_TYPES[fmt] if fmt else None


def decode_image(data: bytes, *, max_pixels: int, max_bytes: int) -> Image.Image:
    """Decode an upload at full size (format by magic bytes, caps checked before decoding), EXIF orientation applied."""
    im = _open(data, max_pixels=max_pixels, max_bytes=max_bytes)
    with im:
        try:
            im.load()
            return _apply_orientation(im)
        except Image.DecompressionBombError as exc:
            raise FaceImageTooLarge(limit_pixels=max_pixels) from exc
        except _DECODE_ERRORS as exc:
            raise FaceImageInvalid() from exc


def load_rgb(data: bytes, *, max_pixels: int, max_bytes: int, working_px: int, max_decoded_pixels: int) -> np.ndarray:
    """Decode a face photo into a contiguous uint8 RGB array at most ``working_px`` on its longest side, upright."""
    im = _open(data, max_pixels=max_pixels, max_bytes=max_bytes)
    with im:
        try:
            _draft(im, longest=working_px)
            width, height = im.size
            if width * height > max_decoded_pixels:
                raise FaceImageTooLarge(
                    f"{im.format} images are decoded at full size: at most {max_decoded_pixels} pixels (this one is {width}x{height})",
                    limit_pixels=max_decoded_pixels,
                )
            im.load()
            orientation = _orientation(im)
            small = _shrink(im, longest=working_px)
            upright = _transpose(small, orientation)
        except Image.DecompressionBombError as exc:
            raise FaceImageTooLarge(limit_pixels=max_pixels) from exc
        except _DECODE_ERRORS as exc:
            raise FaceImageInvalid() from exc
    # Closing released the full-size pixels (a WebP decoder's own buffers go with `im` when this returns):
    # detection only ever gets the working-size copy.
    try:
        rgb = _to_rgb(upright)
    except _DECODE_ERRORS as exc:
        raise FaceImageInvalid() from exc
    return np.ascontiguousarray(rgb, dtype=np.uint8)


def _open(data: bytes, *, max_pixels: int, max_bytes: int) -> Image.Image:
    """Open an upload without decoding a pixel: byte cap, magic bytes, then the declared size against the pixel cap."""
    if len(data) > max_bytes:
        raise FaceImageTooLarge(f"the image is over {max_bytes} bytes", limit_bytes=max_bytes)
    fmt = sniff_image_format(data)
    if fmt is None:
        raise FaceImageUnsupported()
    if fmt == "WEBP":
        # Pillow allocates a WebP's whole canvas when it opens the file: check the header ourselves first.
        size = _webp_size(data)
        if size is None:
            raise FaceImageInvalid()
        _check_size(size, max_pixels=max_pixels)
    # A bare `import face_recognition` anywhere in the process flips this global to True, after
    # which Pillow pads truncated uploads with grey instead of failing. Nothing here wants that.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        # formats= keeps Pillow from falling back to any other decoder on a polyglot file.
        im = Image.open(io.BytesIO(data), formats=[fmt])
    except Image.DecompressionBombError as exc:
        raise FaceImageTooLarge(limit_pixels=max_pixels) from exc
    except (UnidentifiedImageError, *_DECODE_ERRORS) as exc:
        raise FaceImageInvalid() from exc
    try:
        _check_size(im.size, max_pixels=max_pixels)
    except (FaceImageInvalid, FaceImageTooLarge):
        im.close()
        raise
    return im


def _check_size(size: tuple[int, int], *, max_pixels: int) -> None:
    """The header's size, before any pixel is decoded: bombs are refused here, not after."""
    width, height = size
    if width <= 0 or height <= 0:
        raise FaceImageInvalid()
    if width * height > max_pixels:
        raise FaceImageTooLarge(f"the image is {width}x{height}: at most {max_pixels} pixels", limit_pixels=max_pixels)


def _webp_size(data: bytes) -> tuple[int, int] | None:
    """The canvas size a WebP declares (lossy VP8, lossless VP8L or extended VP8X header), or None."""
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def _draft(im: Image.Image, *, longest: int) -> None:
    """Let libjpeg decode at the largest 1/2, 1/4 or 1/8 scale that stays at least ``longest`` on the long side."""
    width, height = im.size
    if not isinstance(im, JpegImageFile) or max(width, height) <= longest:
        return
    long_side = max(width, height)
    # Rounded up, so the drafted image is never smaller than the working size on either side.
    im.draft(None, (-(-width * longest // long_side), -(-height * longest // long_side)))


def _shrink(im: Image.Image, *, longest: int) -> Image.Image:
    """A copy at most ``longest`` on its long side (``im`` itself when already small enough)."""
    width, height = im.size
    if max(width, height) <= longest:
        return im
    scale = longest / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if im.mode in ("P", "PA"):
        # Palette indices cannot be averaged (Pillow would fall back to nearest neighbour).
        im = im.convert("RGBA" if im.mode == "PA" or "transparency" in im.info else "RGB")
    # reducing_gap: a cheap integer box reduction first, then Lanczos over the last factor of 3 or less.
    return im.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _orientation(im: Image.Image) -> int:
    """The EXIF (or XMP) Orientation of a loaded image; 1 when absent or unreadable."""
    try:
        value = im.getexif().get(0x0112, 1)
    except (OSError, SyntaxError, ValueError, KeyError, TypeError, AttributeError):
        # A broken EXIF block must not reject a good photo: it is read as upright.
        return 1
    return value if isinstance(value, int) else 1


def _transpose(im: Image.Image, orientation: int) -> Image.Image:
    """A new image turned upright per an EXIF Orientation value (a copy when there is nothing to do)."""
    method = _ORIENTATION.get(orientation)
    return im.transpose(method) if method is not None else im.copy()


def _apply_orientation(im: Image.Image) -> Image.Image:
    """Rotate/flip per EXIF Orientation; a broken EXIF block must not reject a good photo."""
    try:
        return ImageOps.exif_transpose(im)
    except (OSError, SyntaxError, ValueError, KeyError, TypeError, AttributeError):
        # A copy: the caller closes the original (closing a loaded Pillow image releases its pixels).
        return im.copy()


def _to_rgb(im: Image.Image) -> np.ndarray:
    """Normalise every accepted mode (grey, 16-bit grey, palette, alpha, CMYK) to 8-bit RGB."""
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
