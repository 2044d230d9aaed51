"""Minutiae extraction: mindtct on synthetic ridge images (no ../shared needed), LEADER on real FVC2002 impressions."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from window_staff.biometrics.errors import FingerprintImageInvalid
from window_staff.biometrics.iso19794 import parse_record, write_record
from window_staff.biometrics.minutiae import extract_minutiae

SHARED = Path(os.environ.get("WINDOW_STAFF_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
FVC_TIF = SHARED / "fingerprints" / "fvc2002" / "DB1_B" / "101_1.tif"


def ridge_image(*, height: int = 320, width: int = 300, seed: int = 0) -> np.ndarray:
    """Wavy ridges (period 9 px, about 500 dpi) with phase dislocations and breaks, on a round pad."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(float)
    phase = 2 * np.pi * (x + 15 * np.sin(y / 45.0)) / 9.0
    for _ in range(6):  # each dislocation forks a ridge: bifurcations and endings
        cx, cy = rng.uniform(40, width - 40), rng.uniform(40, height - 40)
        phase += rng.choice([-1, 1]) * np.arctan2(y - cy, x - cx)
    img = 128 + 90 * np.cos(phase)
    for _ in range(8):  # small breaks: pairs of ridge endings
        cx, cy = rng.uniform(30, width - 30), rng.uniform(30, height - 30)
        img[(x - cx) ** 2 + (y - cy) ** 2 < 16] = 218
    pad = ((x - width / 2) / (width * 0.48)) ** 2 + ((y - height / 2) / (height * 0.48)) ** 2 < 1
    return np.clip(np.where(pad, img, 255), 0, 255).astype(np.uint8)


def _png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return ridge_image()


@pytest.fixture(scope="module")
def record(image):
    return extract_minutiae(image, dpi=500, extractor="mindtct")


def _points(record) -> np.ndarray:
    return np.array([(m.x, m.y, m.angle) for m in record.views[0].minutiae], dtype=float)


def test_synthetic_ridges_give_minutiae_of_both_kinds(record):
    kinds = {m.kind for m in record.views[0].minutiae}
    assert len(record.views[0].minutiae) >= 10
    assert kinds <= {1, 2} and 1 in kinds


def test_record_is_a_valid_500_dpi_iso_record(record, image):
    assert parse_record(write_record(record)) == record
    assert (record.x_resolution, record.width, record.height) == (197, image.shape[1], image.shape[0])


def test_png_bytes_and_array_give_the_same_minutiae(image, record):
    assert extract_minutiae(_png(image), dpi=500, extractor="mindtct") == record


def test_angles_turn_counter_clockwise_with_the_image(image, record):
    turned = extract_minutiae(np.ascontiguousarray(np.rot90(image)), dpi=500, extractor="mindtct")
    a, b = _points(record), _points(turned)
    # np.rot90 turns the picture a quarter counter-clockwise: (x, y) -> (y, W - 1 - x).
    moved = np.stack([a[:, 1], image.shape[1] - 1 - a[:, 0]], axis=1)
    shifts = []
    for (x, y), angle in zip(moved, a[:, 2], strict=True):
        d = np.hypot(b[:, 0] - x, b[:, 1] - y)
        if d.min() < 4:
            shifts.append((b[d.argmin(), 2] - angle) % 256)
    assert len(shifts) >= 5
    assert np.median(shifts) == 64  # +90 degrees in ISO units


def test_a_1000_dpi_scan_gives_the_500_dpi_minutiae(image, record):
    big = np.asarray(Image.fromarray(image).resize((image.shape[1] * 2, image.shape[0] * 2), Image.Resampling.BICUBIC))
    scaled = extract_minutiae(big, dpi=1000, extractor="mindtct")
    assert (scaled.width, scaled.height, scaled.x_resolution) == (record.width, record.height, 197)
    a, b = _points(record), _points(scaled)
    near = [np.hypot(b[:, 0] - x, b[:, 1] - y).min() < 4 for x, y in a[:, :2]]
    assert np.mean(near) > 0.7


def test_unknown_format_is_rejected_by_magic_bytes():
    with pytest.raises(FingerprintImageInvalid, match="format"):
        extract_minutiae(b"GIF89a" + b"\x00" * 100, dpi=500)


def test_corrupt_png_is_rejected():
    with pytest.raises(FingerprintImageInvalid):
        extract_minutiae(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, dpi=500)


def test_oversized_image_is_rejected_before_decoding():
    with pytest.raises(FingerprintImageInvalid, match="pixels"):
        extract_minutiae(_png(np.zeros((2100, 2100), np.uint8)), dpi=500)


def test_tiny_image_is_rejected():
    with pytest.raises(FingerprintImageInvalid, match="at least"):
        extract_minutiae(np.zeros((20, 20), np.uint8), dpi=500)


def test_colour_array_is_rejected():
    with pytest.raises(FingerprintImageInvalid, match="2-D uint8"):
        extract_minutiae(np.zeros((100, 100, 3), np.uint8), dpi=500)


def test_implausible_resolution_is_rejected(image):
    with pytest.raises(FingerprintImageInvalid, match="dpi"):
        extract_minutiae(image, dpi=72)


def test_leader_gives_a_valid_500_dpi_record_of_a_synthetic_image(image):
    record = extract_minutiae(image, dpi=500)  # LEADER is the default
    assert parse_record(write_record(record)) == record and record.x_resolution == 197
    assert all(m.kind in (1, 2) and 1 <= m.quality <= 100 for m in record.views[0].minutiae)


def test_unknown_extractor_is_a_programming_error(image):
    with pytest.raises(ValueError, match="extractor"):
        extract_minutiae(image, dpi=500, extractor="guess")


needs_fvc = pytest.mark.skipif(not FVC_TIF.is_file(), reason="FVC2002 images not found under ../shared/data")


@needs_fvc
@pytest.mark.parametrize("extractor", ["leader", "mindtct"])
def test_real_fvc_image_gives_a_plausible_minutiae_count(extractor):
    record = extract_minutiae(FVC_TIF.read_bytes(), dpi=500, extractor=extractor)
    assert 15 <= len(record.views[0].minutiae) <= 120


@needs_fvc
def test_leader_directions_turn_with_the_image():
    pixels = np.asarray(Image.open(FVC_TIF).convert("L"))
    a = _points(extract_minutiae(pixels, dpi=500))
    b = _points(extract_minutiae(np.ascontiguousarray(np.rot90(pixels)), dpi=500))
    moved = np.stack([a[:, 1], pixels.shape[1] - 1 - a[:, 0]], axis=1)
    shifts = []
    for (x, y), angle in zip(moved, a[:, 2], strict=True):
        d = np.hypot(b[:, 0] - x, b[:, 1] - y)
        if d.min() < 4:
            shifts.append(((b[d.argmin(), 2] - angle + 128) % 256) - 128)
    assert len(shifts) >= 10
    assert abs(np.median(shifts) - 64) <= 2  # a quarter turn counter-clockwise is +64 ISO units


@needs_fvc
def test_leader_impressions_of_one_finger_match_and_of_two_fingers_do_not():
    from window_staff.biometrics import mcc

    folder = FVC_TIF.parent
    one, again, other = (
        mcc.build_template(extract_minutiae((folder / name).read_bytes(), dpi=500)) for name in ("101_1.tif", "101_2.tif", "102_1.tif")
    )
    assert mcc.similarity(one, again) > 0.2 > 0.12 > mcc.similarity(one, other)
