"""Image intake: magic bytes, size and bomb limits, working size, corrupt files, mode and orientation handling."""

from __future__ import annotations

import io
import struct
import warnings
import zlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from matplotlib import cbook
from PIL import Image, ImageFile, ImageOps, WebPImagePlugin

from window_staff.biometrics.errors import FaceImageInvalid, FaceImageTooLarge, FaceImageUnsupported
from window_staff.biometrics.images import load_rgb, sniff_image_format
from window_staff.common.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType

LIMITS = {"max_pixels": 20_000_000, "max_bytes": 10_000_000, "working_px": 1600, "max_decoded_pixels": 20_000_000}
ORIENTATION = 0x0112


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


def _gradient(width: int, height: int) -> Image.Image:
    """A smooth RGB picture whose every row and column differ, so rotations and scaling are visible."""
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    rgb = np.stack([np.broadcast_to(x, (height, width)), np.broadcast_to(y, (height, width)), np.full((height, width), 90.0)], axis=2)
    return Image.fromarray(rgb.astype(np.uint8))


def _exif(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return exif


def _webp_claiming(width: int, height: int) -> bytes:
    """A real lossy WebP whose VP8 frame header claims another size (14 bits per side)."""
    data = bytearray(_encode(Image.new("RGB", (16, 16), "red"), "WEBP", quality=80))
    assert data[12:16] == b"VP8 "
    struct.pack_into("<HH", data, 26, width, height)
    return bytes(data)


def _webp_canvas_claiming(width: int, height: int) -> bytes:
    """A real extended (VP8X) WebP whose canvas header claims another size (24 bits per side)."""
    data = bytearray(_encode(Image.new("RGB", (16, 16), "red"), "WEBP", exif=_exif(1)))
    assert data[12:16] == b"VP8X"
    data[24:27], data[27:30] = (width - 1).to_bytes(3, "little"), (height - 1).to_bytes(3, "little")
    return bytes(data)


def _mpo(first: Image.Image, second: Image.Image) -> bytes:
    """A multi-picture JPEG as phones write for depth or burst shots; it starts like any JPEG."""
    return _encode(first, "MPO", save_all=True, append_images=[second])


@pytest.fixture(scope="module")
def grace_jpeg() -> bytes:
    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        return fh.read()


@pytest.mark.parametrize(
    ("fmt", "save", "expected"),
    [
        ("JPEG", {}, "JPEG"),
        ("PNG", {}, "PNG"),
        ("WEBP", {"quality": 80}, "WEBP"),
        ("WEBP", {"lossless": True}, "WEBP"),
        ("WEBP", {"exif": _exif(6)}, "WEBP"),
        ("BMP", {}, "BMP"),
    ],
    ids=["jpeg", "png", "webp-lossy", "webp-lossless", "webp-extended", "bmp"],
)
def test_sniff_recognises_each_accepted_format(fmt: str, save: dict[str, object], expected: str) -> None:
    assert sniff_image_format(_encode(Image.new("RGB", (8, 8), "red"), fmt, **save)) == expected


def test_sniff_takes_a_multi_picture_jpeg_as_jpeg() -> None:
    assert sniff_image_format(_mpo(Image.new("RGB", (8, 8), "red"), Image.new("RGB", (8, 8), "blue"))) == "JPEG"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_encode(Image.new("RGB", (8, 8), "red"), "GIF"), id="gif"),
        pytest.param(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", id="pdf"),
        pytest.param(_encode(Image.new("RGB", (8, 8), "red"), "TIFF"), id="tiff"),
        pytest.param(b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00" + b"\x00" * 16, id="riff-wave"),
        pytest.param(b"BMW service booklet, scanned as photo.jpg", id="text-starting-bm"),
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


@pytest.mark.parametrize(("fmt", "save"), [("PNG", {}), ("WEBP", {"lossless": True}), ("BMP", {})], ids=["png", "webp", "bmp"])
def test_lossless_formats_decode_to_the_same_pixels(fmt: str, save: dict[str, object]) -> None:
    picture = _gradient(120, 80)
    np.testing.assert_array_equal(load_rgb(_encode(picture, fmt, **save), **LIMITS), np.asarray(picture))


def test_lossy_webp_decodes_close_to_its_source() -> None:
    picture = _gradient(120, 80)
    rgb = load_rgb(_encode(picture, "WEBP", quality=90), **LIMITS)
    assert rgb.shape == (80, 120, 3)
    assert np.abs(rgb.astype(int) - np.asarray(picture).astype(int)).mean() < 3


def test_a_multi_picture_jpeg_gives_its_first_picture() -> None:
    rgb = load_rgb(_mpo(Image.new("RGB", (40, 20), (250, 0, 0)), Image.new("RGB", (40, 20), (0, 0, 250))), **LIMITS)
    assert rgb.shape == (20, 40, 3) and rgb[10, 20, 0] > 200 and rgb[10, 20, 2] < 50


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
        load_rgb(bomb, **{**LIMITS, "max_pixels": 10**12})


@pytest.mark.parametrize("bomb", [_webp_claiming(16383, 16383), _webp_canvas_claiming(20_000, 20_000)], ids=["vp8-frame", "vp8x-canvas"])
def test_webp_header_claiming_huge_size_is_refused_before_pillow_opens_it(bomb: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pillow allocates a WebP's canvas inside open(), so "before decoding" means before open here.
    def no_open(self: WebPImagePlugin.WebPImageFile) -> None:
        raise AssertionError("the WebP was opened")

    monkeypatch.setattr(WebPImagePlugin.WebPImageFile, "_open", no_open)
    with pytest.raises(FaceImageTooLarge) as info:
        load_rgb(bomb, **LIMITS)
    assert info.value.code == "image_too_large"


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (9_000, 9_000)], ids=["over-pillow-guard", "under-pillow-guard"])
def test_bmp_header_claiming_huge_size_is_refused_without_decoding(width: int, height: int, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_decode(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decode)
    bomb = bytearray(_encode(Image.new("RGB", (8, 8), "red"), "BMP"))
    struct.pack_into("<ii", bomb, 18, width, height)
    with pytest.raises(FaceImageTooLarge):
        load_rgb(bytes(bomb), **LIMITS)


def test_webp_without_a_readable_size_is_invalid() -> None:
    data = _encode(Image.new("RGB", (16, 16), "red"), "WEBP", quality=80)
    with pytest.raises(FaceImageInvalid):
        load_rgb(data[:24], **LIMITS)


@pytest.mark.parametrize("keep", [0.9, 0.5])
def test_truncated_webp_is_invalid(grace_jpeg: bytes, keep: float) -> None:
    data = _encode(Image.open(io.BytesIO(grace_jpeg)), "WEBP", quality=90)
    with pytest.raises(FaceImageInvalid) as info:
        load_rgb(data[: int(len(data) * keep)], **LIMITS)
    assert info.value.code == "image_invalid"


def test_pixel_cap_applies_to_ordinary_images() -> None:
    png = _encode(Image.new("RGB", (200, 100)), "PNG")
    with pytest.raises(FaceImageTooLarge):
        load_rgb(png, **{**LIMITS, "max_pixels": 19_999})
    assert load_rgb(png, **{**LIMITS, "max_pixels": 20_000}).shape == (100, 200, 3)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_large_images_are_scaled_down_to_the_working_size(fmt: str) -> None:
    rgb = load_rgb(_encode(_gradient(3000, 2000), fmt), **LIMITS)
    assert rgb.shape == (1067, 1600, 3)


def test_images_within_the_working_size_keep_their_size() -> None:
    assert load_rgb(_encode(_gradient(1600, 900), "PNG"), **LIMITS).shape == (900, 1600, 3)


def test_decoded_pixel_cap_holds_formats_decoded_whole_but_not_drafted_jpeg() -> None:
    # Same picture, same caps: the PNG must be decoded at 300x200, the JPEG is decoded at 1/2 scale.
    limits = {**LIMITS, "working_px": 100, "max_decoded_pixels": 59_999}
    picture = _gradient(300, 200)
    with pytest.raises(FaceImageTooLarge) as info:
        load_rgb(_encode(picture, "PNG"), **limits)
    assert info.value.extra["limit_pixels"] == 59_999
    assert load_rgb(_encode(picture, "JPEG"), **limits).shape == (67, 100, 3)


def test_drafted_jpeg_stays_close_to_a_full_decode_scaled_down() -> None:
    picture = _gradient(4000, 3000)
    full = np.asarray(picture.resize((1600, 1200), Image.Resampling.LANCZOS)).astype(int)
    assert np.abs(load_rgb(_encode(picture, "JPEG", quality=95), **LIMITS).astype(int) - full).mean() < 2


def test_byte_cap(grace_jpeg: bytes) -> None:
    with pytest.raises(FaceImageTooLarge):
        load_rgb(grace_jpeg, **{**LIMITS, "max_bytes": len(grace_jpeg) - 1})


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


@pytest.mark.parametrize(
    ("fmt", "save"), [("JPEG", {"quality": 95}), ("PNG", {}), ("WEBP", {"lossless": True})], ids=["jpeg", "png-exif", "webp"]
)
@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_is_applied(fmt: str, save: dict[str, object], orientation: int) -> None:
    stored = _encode(_gradient(40, 20), fmt, exif=_exif(orientation), **save)
    upright = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(stored))).convert("RGB")).astype(int)
    rgb = load_rgb(stored, **LIMITS)
    assert rgb.shape == upright.shape
    assert np.abs(rgb.astype(int) - upright).mean() < 2


def test_exif_orientation_is_applied_after_draft() -> None:
    rgb = load_rgb(_encode(_gradient(4000, 3000), "JPEG", exif=_exif(6)), **LIMITS)
    assert rgb.shape == (1600, 1200, 3)
    # Orientation 6 turns the picture clockwise: the stored left edge (red 0) is now the top.
    assert rgb[0, :, 0].mean() < 10 and rgb[-1, :, 0].mean() > 245


def test_a_broken_exif_block_does_not_reject_a_good_photo(grace_jpeg: bytes) -> None:
    app1 = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\xff\xff" + b"\x13" * 40
    broken = grace_jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + grace_jpeg[2:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns about the corrupt block; refusing it is our concern
        assert load_rgb(broken, **LIMITS).shape == (600, 512, 3)


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from(
        [
            b"",
            b"\xff\xd8\xff",
            b"\x89PNG\r\n\x1a\n",
            b"RIFF\x00\x01\x00\x00WEBPVP8 ",
            b"RIFF\x00\x01\x00\x00WEBPVP8X",
            b"BM\x00\x01\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00",
        ]
    ),
    body=st.binary(max_size=600),
)
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
