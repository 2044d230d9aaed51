"""Face detection rules and the encoding wire format, on faces that ship with matplotlib/skimage."""

from __future__ import annotations

import functools
import io

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from PIL import Image

from tests.biometrics.samples import astronaut_png, grace_crop_png, grace_jpeg, png  # noqa: F401 (read by name in encoded())
from window_staff.biometrics.errors import (
    EncodingInvalid,
    FaceImageUnsupported,
    FaceTooSmall,
    MultipleFaces,
    NoFaceFound,
)
from window_staff.biometrics.face import (
    ENCODING_BYTES,
    MAX_NORM,
    MIN_NORM,
    encode_face,
    encoding_from_bytes,
    encoding_to_bytes,
)

LIMITS = {"min_face_px": 80, "max_pixels": 20_000_000, "max_bytes": 10_000_000, "working_px": 1600, "max_decoded_pixels": 20_000_000}


@functools.cache
def grace_tiny() -> bytes:
    """Scaled to 40 %: the detector still finds the face (~86 px), under a 100 px minimum."""
    im = Image.open(io.BytesIO(grace_jpeg())).convert("RGB")
    return png(np.asarray(im.resize((205, 240), Image.Resampling.BICUBIC)))


def _save(im: Image.Image, fmt: str, **save: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **save)
    return buf.getvalue()


@functools.cache
def grace_rgb() -> Image.Image:
    return Image.open(io.BytesIO(grace_jpeg())).convert("RGB")


@functools.cache
def grace_webp() -> bytes:
    return _save(grace_rgb(), "WEBP", quality=85)


@functools.cache
def grace_bmp() -> bytes:
    return _save(grace_rgb(), "BMP")


@functools.cache
def grace_phone() -> Image.Image:
    """Grace Hopper at 12 MP (3200x3750), the size of an ordinary phone photo."""
    return grace_rgb().resize((3200, 3750), Image.Resampling.BICUBIC)


@functools.cache
def grace_phone_jpeg() -> bytes:
    return _save(grace_phone(), "JPEG", quality=90)


@functools.cache
def grace_phone_sideways_jpeg() -> bytes:
    """Stored turned a quarter left with EXIF Orientation 6 (turn right to view), as phones save portraits."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return _save(grace_phone().transpose(Image.Transpose.ROTATE_90), "JPEG", quality=90, exif=exif)


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b))


@functools.cache
def camera_png() -> bytes:
    from skimage import data

    return png(data.camera())


@functools.cache
def encoded(name: str) -> np.ndarray:
    """Encode each sample once per test session: an encoding costs ~0.1-0.25 s of CPU."""
    return encode_face(globals()[name](), **LIMITS)


def test_one_face_gives_float32_128() -> None:
    enc = encoded("grace_jpeg")
    assert enc.shape == (128,)
    assert enc.dtype == np.float32
    assert MIN_NORM <= float(np.linalg.norm(enc)) <= MAX_NORM


def test_no_face() -> None:
    with pytest.raises(NoFaceFound) as info:
        encode_face(camera_png(), **LIMITS)
    assert info.value.code == "no_face_found"


def test_astronaut_has_one_face_at_upsample_0_and_two_at_upsample_1() -> None:
    assert encoded("astronaut_png").shape == (128,)
    with pytest.raises(MultipleFaces) as info:
        encode_face(astronaut_png(), upsample=1, **LIMITS)
    assert info.value.code == "multiple_faces"
    assert info.value.extra["faces"] == 2


def test_small_face_is_refused() -> None:
    with pytest.raises(FaceTooSmall) as info:
        encode_face(grace_tiny(), **{**LIMITS, "min_face_px": 100})
    assert info.value.code == "face_too_small"
    # The same image passes with a lower minimum: the error is about size, not detection.
    assert encode_face(grace_tiny(), **{**LIMITS, "min_face_px": 60}).shape == (128,)


def test_a_blurred_face_is_refused_and_a_sharp_one_is_not() -> None:
    from PIL import ImageFilter

    from window_staff.biometrics.errors import FaceBlurred

    with pytest.raises(FaceBlurred):
        encode_face(_save(grace_rgb().filter(ImageFilter.GaussianBlur(8)), "JPEG", quality=90), **LIMITS)
    assert encode_face(_save(grace_rgb(), "JPEG", quality=90), **LIMITS).shape == (128,)


def test_image_errors_surface_from_encode_face() -> None:
    with pytest.raises(FaceImageUnsupported):
        encode_face(b"GIF89a" + b"\x00" * 100, **LIMITS)


@pytest.mark.parametrize("name", ["grace_webp", "grace_bmp"])
def test_webp_and_bmp_photos_encode_to_the_same_person(name: str) -> None:
    assert distance(encoded(name), encoded("grace_jpeg")) < 0.2


def test_a_12_megapixel_phone_jpeg_is_accepted_and_matches() -> None:
    assert distance(encoded("grace_phone_jpeg"), encoded("grace_jpeg")) < 0.2


def test_exif_orientation_is_applied_before_detection() -> None:
    # The drafted 12 MP photo, turned upright by its EXIF tag, gives the upright photo's person.
    assert distance(encoded("grace_phone_sideways_jpeg"), encoded("grace_jpeg")) < 0.2


def test_a_sideways_photo_without_orientation_tag_has_no_face() -> None:
    # The control for the test above: at upsample 0 the HOG detector does not find a face lying on its side.
    with pytest.raises(NoFaceFound):
        encode_face(_save(grace_rgb().transpose(Image.Transpose.ROTATE_90), "JPEG", quality=90), **LIMITS)


def test_min_face_px_is_measured_in_the_working_image() -> None:
    # Her face is ~1,340 px tall in the 12 MP photo but ~535 px once scaled to the 1,600 px working size.
    with pytest.raises(FaceTooSmall):
        encode_face(grace_phone_jpeg(), **{**LIMITS, "min_face_px": 600})


def test_same_person_close_different_people_far() -> None:
    same = float(np.linalg.norm(encoded("grace_jpeg") - encoded("grace_crop_png")))
    different = float(np.linalg.norm(encoded("grace_jpeg") - encoded("astronaut_png")))
    assert same < 0.3
    assert different > 0.6


def test_landmark_models_are_not_interchangeable() -> None:
    large = encode_face(grace_jpeg(), model="large", **LIMITS)
    # Why the model is always explicit: small and large vectors of one face are far apart.
    assert float(np.linalg.norm(large - encoded("grace_jpeg"))) > 0.05


@pytest.mark.parametrize(("kwargs", "message"), [({"model": "medium"}, "model"), ({"upsample": 3}, "upsample")])
def test_bad_settings_are_programming_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        encode_face(grace_jpeg(), **{**LIMITS, **kwargs})


def test_encoding_bytes_round_trip() -> None:
    enc = encoded("grace_jpeg")
    raw = encoding_to_bytes(enc)
    assert len(raw) == ENCODING_BYTES == 512
    assert raw == enc.astype("<f4").tobytes()
    back = encoding_from_bytes(raw)
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back, enc)


@pytest.mark.parametrize("length", [0, 4, 511, 513, 1024])
def test_encoding_bad_length(length: int) -> None:
    with pytest.raises(EncodingInvalid) as info:
        encoding_from_bytes(b"\x00" * length)
    assert info.value.code == "face_encoding_invalid"


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_encoding_non_finite(bad: float) -> None:
    vec = encoded("grace_jpeg").copy()
    vec[17] = bad
    with pytest.raises(EncodingInvalid):
        encoding_from_bytes(vec.astype("<f4").tobytes())


@pytest.mark.parametrize("scale", [0.0, 1e-3, 10.0])
def test_encoding_implausible_norm(scale: float) -> None:
    vec = encoded("grace_jpeg") * np.float32(scale)
    with pytest.raises(EncodingInvalid):
        encoding_from_bytes(vec.astype("<f4").tobytes())


def test_unit_normalised_encoding_is_refused() -> None:
    vec = encoded("grace_jpeg")
    with pytest.raises(EncodingInvalid):
        encoding_from_bytes((vec / np.linalg.norm(vec)).astype("<f4").tobytes())


def test_big_endian_bytes_are_refused() -> None:
    # A terminal sending network byte order produces absurd magnitudes, not a silent mismatch.
    with pytest.raises(EncodingInvalid):
        encoding_from_bytes(encoded("grace_jpeg").astype(">f4").tobytes())


def test_encoding_to_bytes_checks_shape() -> None:
    with pytest.raises(EncodingInvalid):
        encoding_to_bytes(np.zeros(127, dtype=np.float32))


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.floats(min_value=MIN_NORM * 1.001, max_value=MAX_NORM * 0.999))
def test_plausible_vectors_round_trip(seed: int, norm: float) -> None:
    vec = np.random.default_rng(seed).normal(size=128)
    vec = (vec / np.linalg.norm(vec) * norm).astype(np.float32)
    np.testing.assert_array_equal(encoding_from_bytes(encoding_to_bytes(vec)), vec)


def test_loading_face_recognition_keeps_truncated_images_refused() -> None:
    from PIL import ImageFile

    from window_staff.biometrics.errors import FaceImageInvalid
    from window_staff.biometrics.face import preload

    preload()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    with pytest.raises(FaceImageInvalid):
        encode_face(grace_jpeg()[:5000], **LIMITS)
