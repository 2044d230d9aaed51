"""Evidence photos, pure: formats by magic bytes, caps before decoding, metadata stripped, content store."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import time
import zlib

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from window_staff.common.blobs import BlobStore
from window_staff.inspections.errors import EvidenceInvalid, EvidenceTooLarge, EvidenceUnsupported
from window_staff.inspections.evidence import clean_photo

LIMITS = {"max_bytes": 2_000_000, "max_pixels": 4_000_000}
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def encode(im: Image.Image, fmt: str, **save: object) -> bytes:
    """Bytes of ``im`` saved in ``fmt``."""
    buf = io.BytesIO()
    im.save(buf, fmt, **save)
    return buf.getvalue()


def photo_jpeg(size: tuple[int, int] = (64, 32), colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A plain JPEG."""
    return encode(Image.new("RGB", size, colour), "JPEG", quality=95)


def gps_exif(orientation: int = 1) -> bytes:
    """EXIF with a GPS position (Beijing) and an orientation."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    exif[0x010F] = "PhoneMaker"
    return exif.tobytes()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims ``width`` x ``height`` with a token IDAT: decoding it would need GBs."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def test_gps_exif_and_comment_are_stripped_from_a_jpeg():
    data = encode(Image.new("RGB", (40, 30), (10, 120, 10)), "JPEG", exif=gps_exif(), comment=b"taken at home")
    clean = clean_photo(data, **LIMITS)
    out = Image.open(io.BytesIO(clean.data))
    assert dict(out.getexif()) == {} and "comment" not in out.info and "exif" not in out.info
    assert b"Exif" not in clean.data and b"taken at home" not in clean.data and b"PhoneMaker" not in clean.data


def test_exif_orientation_is_applied_before_stripping():
    clean = clean_photo(encode(Image.new("RGB", (40, 20)), "JPEG", exif=gps_exif(orientation=6)), **LIMITS)
    assert (clean.width, clean.height) == (20, 40)
    assert Image.open(io.BytesIO(clean.data)).size == (20, 40)


def test_png_text_xmp_exif_and_icc_are_stripped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 39N 116E")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret</x:xmpmeta>")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    clean = clean_photo(encode(Image.new("RGB", (16, 16)), "PNG", pnginfo=info, exif=gps_exif(), icc_profile=icc), **LIMITS)
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP"):
        assert chunk not in clean.data
    assert Image.open(io.BytesIO(clean.data)).info == {}


def test_icc_profile_of_a_jpeg_is_dropped_after_converting_to_srgb():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    clean = clean_photo(encode(Image.new("RGB", (16, 16), (90, 90, 200)), "JPEG", icc_profile=icc), **LIMITS)
    assert "icc_profile" not in Image.open(io.BytesIO(clean.data)).info


def test_png_stays_png_and_keeps_transparency():
    clean = clean_photo(encode(Image.new("RGBA", (8, 8), (0, 0, 0, 0)), "PNG"), **LIMITS)
    assert clean.media_type == "image/png" and Image.open(io.BytesIO(clean.data)).mode == "RGBA"


def test_sha256_is_of_the_stripped_bytes():
    clean = clean_photo(photo_jpeg(), **LIMITS)
    assert clean.sha256 == hashlib.sha256(clean.data).hexdigest()


def test_the_same_photo_cleans_to_the_same_bytes():
    assert clean_photo(photo_jpeg(), **LIMITS).sha256 == clean_photo(photo_jpeg(), **LIMITS).sha256


@pytest.mark.parametrize("appended", [b"PK\x03\x04" + b"\0" * 26 + b"evil.html", b"<html><script>alert(1)</script></html>"])
def test_a_polyglot_loses_its_trailing_payload(appended):
    clean = clean_photo(photo_jpeg() + appended, **LIMITS)
    assert appended not in clean.data and b"PK\x03\x04" not in clean.data and b"<script" not in clean.data
    assert clean.data.endswith(b"\xff\xd9")


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF",
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"<!doctype html><html><body>hi</body></html>",
        b"just some text pretending to be photo.jpg",
        b"\x00\x00\x00\x0cjP  \r\n\x87\n",  # JPEG 2000
    ],
    ids=["pdf", "gif", "svg", "html", "text", "jp2"],
)
def test_other_formats_are_unsupported(data):
    with pytest.raises(EvidenceUnsupported):
        clean_photo(data, **LIMITS)


@pytest.mark.parametrize("fmt", ["WEBP", "BMP"])
def test_formats_faces_accept_but_evidence_does_not_are_unsupported(fmt):
    # The decoder is shared with face photos, which also take WebP and BMP; evidence stays JPEG/PNG.
    with pytest.raises(EvidenceUnsupported):
        clean_photo(encode(Image.new("RGB", (16, 16), (10, 120, 10)), fmt), **LIMITS)


def test_zero_bytes_are_invalid():
    with pytest.raises(EvidenceInvalid):
        clean_photo(b"", **LIMITS)


def test_a_truncated_jpeg_is_invalid():
    data = encode(Image.effect_noise((256, 256), 64).convert("RGB"), "JPEG")
    with pytest.raises(EvidenceInvalid):
        clean_photo(data[: len(data) // 2], **LIMITS)


def test_over_the_byte_cap_is_too_large():
    with pytest.raises(EvidenceTooLarge):
        clean_photo(photo_jpeg(), max_bytes=100, max_pixels=LIMITS["max_pixels"])


def test_a_huge_pixel_header_is_refused_before_decoding():
    with pytest.raises(EvidenceTooLarge):
        clean_photo(png_header_only(100_000, 100_000), **LIMITS)


def test_a_decompression_bomb_png_is_refused_without_decoding():
    # 20000 x 20000 RGB of zeros: 1.2 GB of pixels in about a megabyte of deflate.
    packer = zlib.compressobj(9)
    row = b"\0" * 60_001
    raw = b"".join(packer.compress(row) for _ in range(20_000)) + packer.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 20_000, 20_000, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", raw)
        + chunk(b"IEND", b"")
    )
    with pytest.raises(EvidenceTooLarge):
        clean_photo(bomb, max_bytes=len(bomb) + 1, max_pixels=LIMITS["max_pixels"])


def test_pixel_cap_counts_width_times_height():
    with pytest.raises(EvidenceTooLarge):
        clean_photo(encode(Image.new("L", (300, 300)), "PNG"), max_bytes=LIMITS["max_bytes"], max_pixels=300 * 300 - 1)


def test_blob_store_writes_each_content_once(tmp_path):
    blobs = BlobStore(tmp_path / "evidence")
    first, second = blobs.put(b"photo"), blobs.put(b"photo")
    assert first == second == hashlib.sha256(b"photo").hexdigest()
    files = [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]
    assert [p.relative_to(tmp_path / "evidence").as_posix() for p in files] == [f"{first[:2]}/{first[2:4]}/{first}"]


def test_blob_store_leaves_no_temporary_files(tmp_path):
    blobs = BlobStore(tmp_path)
    blobs.put(b"a")
    blobs.put(b"b")
    assert not [p for p in tmp_path.rglob(".tmp-*")]


def test_blob_store_refuses_anything_but_a_hash(tmp_path):
    with pytest.raises(ValueError):
        BlobStore(tmp_path).get("../../etc/passwd")


def test_sweep_keeps_referenced_and_recent_files(tmp_path):
    blobs = BlobStore(tmp_path)
    kept, orphan, fresh = blobs.put(b"kept"), blobs.put(b"orphan"), blobs.put(b"fresh")
    old = time.time() - 7200
    for digest in (kept, orphan):
        os.utime(blobs._path(digest), (old, old))
    assert blobs.sweep(keep={kept}, older_than_seconds=3600) == 1
    assert blobs.exists(kept) and not blobs.exists(orphan) and blobs.exists(fresh)
