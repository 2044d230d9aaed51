"""Image intake: magic bytes, size and bomb limits, corrupt files, mode and orientation handling."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib import cbook
from PIL import Image, ImageFile

from window_staff.biometrics.errors import FaceImageInvalid, FaceImageTooLarge, FaceImageUnsupported
from window_staff.biometrics.images import load_rgb, sniff_image_format
from window_staff.common.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType

LIMITS = {"max_pixels": 20_000_000, "max_bytes": 10_000_000}


def _encode(im: Image.Image, fmt: str, **save: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **save)
    return buf.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims the given size, with a token IDAT: decoding it would need GBs."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def grace_jpeg() -> bytes:
    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        return fh.read()


def test_sniff_accepts_jpeg_and_png(grace_jpeg: bytes) -> None:
    assert sniff_image_format(grace_jpeg) == "JPEG"
    assert sniff_image_format(_encode(Image.new("RGB", (4, 4)), "PNG")) == "PNG"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_encode(Image.new("RGB", (8, 8), "red"), "GIF"), id="gif"),
        pytest.param(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", id="pdf"),
        pytest.param(_encode(Image.new("RGB", (8, 8), "red"), "BMP"), id="bmp"),
        pytest.param(_encode(Image.new("RGB", (8, 8), "red"), "WEBP"), id="webp"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff\xd8", id="short-jpeg-magic"),
    ],
)
def test_other_formats_are_unsupported(data: bytes) -> None:
    assert sniff_image_format(data) is None
    with pytest.raises(FaceImageUnsupported) as info:
        load_rgb(data, **LIMITS)
    assert isinstance(info.value, UnsupportedMediaType)
    assert info.value.code == "image_format_unsupported"


def test_polyglot_starting_with_text_is_unsupported(grace_jpeg: bytes) -> None:
    # A valid JPEG after an HTML prefix: some decoders scan for the marker, we must not.
    polyglot = b"<html><script>alert(1)</script>" + grace_jpeg
    with pytest.raises(FaceImageUnsupported):
        load_rgb(polyglot, **LIMITS)


def test_png_header_claiming_huge_size_is_refused_without_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_decode(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decode)
    bomb = _png_header_only(50_000, 50_000)
    with pytest.raises(FaceImageTooLarge) as info:
        load_rgb(bomb, **LIMITS)
    assert isinstance(info.value, PayloadTooLarge)
    assert info.value.code == "image_too_large"
    # Even with our own cap out of the way, Pillow's bomb guard is translated, not leaked.
    with pytest.raises(FaceImageTooLarge):
        load_rgb(bomb, max_pixels=10**12, max_bytes=LIMITS["max_bytes"])


def test_pixel_cap_applies_to_ordinary_images() -> None:
    png = _encode(Image.new("RGB", (200, 100)), "PNG")
    with pytest.raises(FaceImageTooLarge):
        load_rgb(png, max_pixels=19_999, max_bytes=LIMITS["max_bytes"])
    assert load_rgb(png, max_pixels=20_000, max_bytes=LIMITS["max_bytes"]).shape == (100, 200, 3)


def test_byte_cap(grace_jpeg: bytes) -> None:
    with pytest.raises(FaceImageTooLarge):
        load_rgb(grace_jpeg, max_pixels=LIMITS["max_pixels"], max_bytes=len(grace_jpeg) - 1)


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_truncated_jpeg_is_invalid(grace_jpeg: bytes, keep: float) -> None:
    with pytest.raises(FaceImageInvalid) as info:
        load_rgb(grace_jpeg[: int(len(grace_jpeg) * keep)], **LIMITS)
    assert isinstance(info.value, InvalidInput)
    assert info.value.code == "image_invalid"


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, b"\xff\xd8\xff" + b"\x00" * 64])
def test_garbage_after_magic_is_invalid(data: bytes) -> None:
    with pytest.raises(FaceImageInvalid):
        load_rgb(data, **LIMITS)


def test_jpeg_decodes_to_contiguous_rgb(grace_jpeg: bytes) -> None:
    rgb = load_rgb(grace_jpeg, **LIMITS)
    assert rgb.shape == (600, 512, 3)
    assert rgb.dtype == np.uint8
    assert rgb.flags.c_contiguous


def test_rgba_png_is_flattened_on_white() -> None:
    im = Image.new("RGBA", (10, 10), (255, 0, 0, 255))
    im.putpixel((0, 0), (0, 0, 0, 0))
    rgb = load_rgb(_encode(im, "PNG"), **LIMITS)
    assert rgb.shape == (10, 10, 3)
    assert tuple(rgb[0, 0]) == (255, 255, 255)
    assert tuple(rgb[5, 5]) == (255, 0, 0)


@pytest.mark.parametrize("mode", ["L", "LA", "P", "1"])
def test_grey_and_palette_pngs_become_rgb(mode: str) -> None:
    im = Image.new("RGB", (12, 8), (90, 90, 90)).convert(mode)
    rgb = load_rgb(_encode(im, "PNG"), **LIMITS)
    assert rgb.shape == (8, 12, 3)


def test_palette_png_with_transparency() -> None:
    im = Image.new("P", (6, 6), 0)
    im.putpalette([10, 20, 30] * 256)
    rgb = load_rgb(_encode(im, "PNG", transparency=0), **LIMITS)
    assert tuple(rgb[0, 0]) == (255, 255, 255)


def test_sixteen_bit_grey_png_is_rescaled() -> None:
    grey = np.full((4, 4), 65535, dtype=np.uint16)
    grey[0, 0] = 0
    im = Image.fromarray(grey)
    assert im.mode.startswith("I;16")
    rgb = load_rgb(_encode(im, "PNG"), **LIMITS)
    assert tuple(rgb[1, 1]) == (255, 255, 255)
    assert tuple(rgb[0, 0]) == (0, 0, 0)


def test_cmyk_jpeg_becomes_rgb() -> None:
    rgb = load_rgb(_encode(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG"), **LIMITS)
    assert rgb.shape == (8, 8, 3)
    assert rgb[4, 4, 0] > 200 and rgb[4, 4, 1] < 60


def test_exif_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, display rotated 90 degrees clockwise
    jpeg = _encode(Image.new("RGB", (40, 20), "blue"), "JPEG", exif=exif)
    assert load_rgb(jpeg, **LIMITS).shape == (40, 20, 3)


@settings(max_examples=150, deadline=None)
@given(prefix=st.sampled_from([b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"]), body=st.binary(max_size=600))
def test_arbitrary_bytes_only_raise_domain_errors(prefix: bytes, body: bytes) -> None:
    try:
        load_rgb(prefix + body, **LIMITS)
    except (FaceImageUnsupported, FaceImageInvalid, FaceImageTooLarge):
        pass


def test_truncated_jpeg_is_invalid_even_after_something_enabled_truncated_loading(
    grace_jpeg: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `import face_recognition` does exactly this to the whole process.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(FaceImageInvalid):
        load_rgb(grace_jpeg[:5000], **LIMITS)
