"""The encoder process pool: results, errors across the process boundary, back-pressure, lifecycle."""

from __future__ import annotations

import asyncio
import functools
import io
import pickle

import numpy as np
import pytest
from matplotlib import cbook
from PIL import Image

from window_staff.biometrics import errors as biometric_errors
from window_staff.biometrics.errors import (
    EncoderBusy,
    FaceImageInvalid,
    FaceImageUnsupported,
    MultipleFaces,
    NoFaceFound,
)
from window_staff.biometrics.face import encode_face
from window_staff.biometrics.pool import EncoderPool
from window_staff.common.errors import Busy, DomainError

LIMITS = {"min_face_px": 80, "max_pixels": 20_000_000, "max_bytes": 10_000_000, "working_px": 1600, "max_decoded_pixels": 20_000_000}


@functools.cache
def grace_jpeg() -> bytes:
    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        return fh.read()


@functools.cache
def skimage_png(name: str) -> bytes:
    from skimage import data

    buf = io.BytesIO()
    Image.fromarray(getattr(data, name)()).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
async def pool():
    # One worker, two slots: small enough to saturate deterministically.
    async with EncoderPool(max_workers=1, max_queue=2, defaults=LIMITS) as p:
        yield p


ERROR_CLASSES = [
    cls
    for cls in vars(biometric_errors).values()
    if isinstance(cls, type) and issubclass(cls, DomainError) and cls.__module__ == biometric_errors.__name__
]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_errors_pickle_as_the_same_class(cls: type[DomainError]) -> None:
    kwargs = {"retry_after": 7} if issubclass(cls, Busy) else {}
    err = cls("custom detail", faces=3, **kwargs)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls
    assert (back.code, back.detail, back.extra, str(back)) == (cls.code, "custom detail", {"faces": 3}, str(err))
    if kwargs:
        assert back.retry_after == 7
    default = pickle.loads(pickle.dumps(cls()))
    assert default.detail == cls.title


async def test_pool_encodes_like_the_direct_call(pool: EncoderPool) -> None:
    enc = await pool.encode(grace_jpeg())
    assert enc.dtype == np.float32 and enc.shape == (128,)
    np.testing.assert_allclose(enc, encode_face(grace_jpeg(), **LIMITS), atol=1e-6)


@pytest.mark.parametrize(
    ("data", "kwargs", "cls", "code"),
    [
        (lambda: skimage_png("camera"), {}, NoFaceFound, "no_face_found"),
        (lambda: skimage_png("astronaut"), {"upsample": 1}, MultipleFaces, "multiple_faces"),
        (lambda: b"GIF89a" + b"\x00" * 32, {}, FaceImageUnsupported, "image_format_unsupported"),
        (lambda: grace_jpeg()[:5000], {}, FaceImageInvalid, "image_invalid"),
    ],
)
async def test_domain_errors_cross_the_process_boundary(pool: EncoderPool, data, kwargs, cls, code) -> None:
    with pytest.raises(cls) as info:
        await pool.encode(data(), **kwargs)
    assert type(info.value) is cls
    assert info.value.code == code
    if cls is MultipleFaces:
        assert info.value.extra == {"faces": 2}


async def test_programming_errors_cross_too(pool: EncoderPool) -> None:
    with pytest.raises(ValueError, match="model"):
        await pool.encode(grace_jpeg(), model="medium")


async def test_busy_when_in_flight_limit_is_reached(pool: EncoderPool) -> None:
    results = await asyncio.gather(*(pool.encode(grace_jpeg()) for _ in range(8)), return_exceptions=True)
    busy = [r for r in results if isinstance(r, EncoderBusy)]
    done = [r for r in results if isinstance(r, np.ndarray)]
    assert (len(done), len(busy)) == (2, 6)
    assert all(isinstance(b, Busy) and b.code == "face_encoder_busy" and b.retry_after >= 1 for b in busy)
    assert pool.in_flight == 0
    # Capacity comes back once the work drains.
    assert (await pool.encode(grace_jpeg())).shape == (128,)


async def test_cancelled_caller_keeps_its_slot_until_the_worker_finishes(pool: EncoderPool) -> None:
    task = asyncio.create_task(pool.encode(grace_jpeg()))
    await asyncio.sleep(0.05)  # let it reach the worker
    assert pool.in_flight == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The worker is still busy with it: releasing the slot now would let the hidden queue grow.
    assert pool.in_flight == 1
    for _ in range(200):
        if pool.in_flight == 0:
            break
        await asyncio.sleep(0.02)
    assert pool.in_flight == 0


async def test_lifecycle_is_idempotent() -> None:
    p = EncoderPool(max_workers=1, max_queue=1, defaults=LIMITS)
    with pytest.raises(RuntimeError, match="not started"):
        await p.encode(grace_jpeg())
    p.start(warm=False)
    p.start(warm=False)
    assert p.started
    await p.close()
    await p.close()
    assert not p.started
    with pytest.raises(RuntimeError, match="not started"):
        await p.encode(grace_jpeg())


def test_constructor_validates_limits() -> None:
    with pytest.raises(ValueError):
        EncoderPool(max_workers=0, max_queue=1)


@pytest.mark.slow(seconds=6)
async def test_pool_recovers_after_a_worker_dies() -> None:
    import os
    import signal

    async with EncoderPool(max_workers=1, max_queue=2, defaults=LIMITS) as p:
        assert (await p.encode(grace_jpeg())).shape == (128,)
        executor = p._executor
        assert executor is not None
        for pid in list(executor._processes):  # only the worker this test started
            os.kill(pid, signal.SIGKILL)
        # The death surfaces as a retryable 503, never as an internal error...
        with pytest.raises(EncoderBusy):
            for _ in range(50):
                await p.encode(grace_jpeg())
                await asyncio.sleep(0.02)
        # ...and the pool has replaced its executor for the next request.
        assert p._executor is not executor
        assert (await p.encode(grace_jpeg())).shape == (128,)
        assert p.in_flight == 0


async def test_the_fingerprint_pool_extracts_minutiae_and_says_when_it_is_full() -> None:
    from tests.biometrics.test_minutiae import _png, ridge_image
    from window_staff.biometrics.errors import ExtractorBusy
    from window_staff.biometrics.minutiae import extract_minutiae
    from window_staff.biometrics.pool import fingerprint_pool

    image = _png(ridge_image())
    async with fingerprint_pool(max_workers=1, max_queue=1, defaults={"extractor": "mindtct"}) as fingers:
        results = await asyncio.gather(*(fingers.encode(image, dpi=500) for _ in range(3)), return_exceptions=True)
    records = [r for r in results if not isinstance(r, BaseException)]
    busy = [r for r in results if isinstance(r, ExtractorBusy)]
    assert len(records) == 1 and records[0] == extract_minutiae(image, dpi=500, extractor="mindtct")
    assert len(busy) == 2 and busy[0].code == "fingerprint_extractor_busy"
