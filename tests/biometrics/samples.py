"""Shared samples for the biometrics service tests: package faces (encoded once per session) and synthetic fingers."""

from __future__ import annotations

import functools
import io

import numpy as np
from matplotlib import cbook
from PIL import Image

from window_staff.biometrics.face import encode_face
from window_staff.biometrics.iso19794 import Minutia, record_from_minutiae, write_record
from window_staff.biometrics.service import face_limits_of
from window_staff.biometrics.synthetic import synthetic_minutiae
from window_staff.settings import Settings

# The service's own defaults, so the samples go through the pipeline production uses.
LIMITS = face_limits_of(Settings())


def png(rgb: np.ndarray) -> bytes:
    """Encode an RGB or grey array as PNG."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return buf.getvalue()


@functools.cache
def grace_jpeg() -> bytes:
    """Grace Hopper, shipped with matplotlib."""
    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        return fh.read()


@functools.cache
def grace_crop_png() -> bytes:
    """Another framing of the same photo (a second capture of the same person)."""
    im = Image.open(io.BytesIO(grace_jpeg())).convert("RGB").crop((60, 60, 470, 520))
    return png(np.asarray(im.resize((328, 368), Image.Resampling.BICUBIC)))


@functools.cache
def astronaut_png() -> bytes:
    """Eileen Collins, shipped with scikit-image."""
    from skimage import data

    return png(data.astronaut())


@functools.cache
def no_face_png() -> bytes:
    """A picture with no face in it."""
    from skimage import data

    return png(data.coffee())


@functools.cache
def encoding(name: str) -> np.ndarray:
    """Encode a sample once per session: an encoding costs ~0.15 s of CPU."""
    return encode_face({"grace": grace_jpeg, "grace_crop": grace_crop_png, "astronaut": astronaut_png}[name](), **LIMITS)


def stranger() -> np.ndarray:
    """A plausible encoding (norm within the accepted band) far from every sample face."""
    rng = np.random.default_rng(99)
    vec = rng.normal(size=128)
    return (vec / np.linalg.norm(vec) * 1.4).astype(np.float32)


def finger(seed: int, *, n: int = 45, width: int = 300, height: int = 360) -> list[Minutia]:
    """Random minutiae at least 12 px apart with a smooth orientation field."""
    return synthetic_minutiae(seed, n=n, width=width, height=height)


def moved(mins: list[Minutia], *, degrees: float = 15, dx: float = 40, dy: float = 30) -> list[Minutia]:
    """The same finger touched again: turned and shifted on a 1000 px pad."""
    t = np.radians(degrees)
    out = []
    for m in mins:
        x = np.cos(t) * m.x + np.sin(t) * m.y + dx
        y = -np.sin(t) * m.x + np.cos(t) * m.y + dy
        if 0 <= x < 1000 and 0 <= y < 1000:
            out.append(Minutia(kind=m.kind, x=int(round(x)), y=int(round(y)), angle=(m.angle + round(degrees * 256 / 360)) % 256))
    return out


def iso(mins: list[Minutia], *, position: int = 2, size: int = 1000) -> bytes:
    """A one-view ISO 19794-2 record of synthetic minutiae."""
    return write_record(record_from_minutiae(mins, width=size, height=size, position=position))


async def consent(ctx, staff_id: int, *modalities: str) -> None:
    """Record consent for the modalities (both when none given)."""
    from window_staff.biometrics import service
    from window_staff.biometrics.schemas import ConsentIn

    for modality in modalities or ("face", "fingerprint"):
        await service.grant_consent(ctx, staff_id, ConsentIn(modality=modality, notice_version="2026-01"), actor="test")  # type: ignore[arg-type]


async def enrol(ctx, staff_id: int, *, face: str | None = None, finger_seed: int | None = None) -> None:
    """Consent and enrol a precomputed face encoding and/or a synthetic finger (position 2)."""
    from window_staff.biometrics import service
    from window_staff.biometrics.iso19794 import parse_record

    await consent(ctx, staff_id)
    if face is not None:
        await service.enrol_face_encoding(ctx, staff_id, encoding=encoding(face), actor="test")
    if finger_seed is not None:
        await service.enrol_fingerprint_record(ctx, staff_id, record=parse_record(iso(finger(finger_seed))), position=None, actor="test")


def clear_forms(seed: int) -> list[bytes]:
    """64 bytes of the built template of ``finger(seed)`` as packed and as compressed: what a sealed one never shows."""
    import zlib

    from window_staff.biometrics import mcc
    from window_staff.biometrics.iso19794 import parse_record

    template = mcc.compact(mcc.build_template(parse_record(iso(finger(seed)))))
    packed = mcc.compact_to_bytes(template)
    middle = 10 + template.cylinders.shape[1]  # the centre cells of the first cylinder (its corners are empty)
    return [packed[middle : middle + 64], zlib.compress(packed, 1)[:64]]
