"""Gallery snapshots (1:N search, 1:1 verify) and the per-site cache."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import io
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from matplotlib import cbook
from PIL import Image

from window_staff.biometrics.errors import EncodingInvalid
from window_staff.biometrics.face import encode_face
from window_staff.biometrics.gallery import Gallery, GalleryCache, Match

LIMITS = {"min_face_px": 80, "max_pixels": 20_000_000, "max_bytes": 10_000_000, "working_px": 1600, "max_decoded_pixels": 20_000_000}
GRACE, ASTRONAUT = 7, 9


def _png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return buf.getvalue()


@functools.cache
def real_encodings() -> dict[str, np.ndarray]:
    """Three real encodings, computed once: two views of Grace Hopper and the astronaut."""
    from skimage import data

    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        grace = fh.read()
    im = Image.open(io.BytesIO(grace)).convert("RGB")
    crop = _png(np.asarray(im.crop((60, 60, 470, 520)).resize((328, 368), Image.Resampling.BICUBIC)))
    return {
        "grace": encode_face(grace, **LIMITS),
        "grace_crop": encode_face(crop, **LIMITS),
        "astronaut": encode_face(_png(data.astronaut()), **LIMITS),
    }


def synthetic(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random vectors with the norm of dlib encodings (~1.4): far from any real face and each other."""
    vecs = rng.normal(size=(n, 128))
    return (vecs / np.linalg.norm(vecs, axis=1, keepdims=True) * 1.4).astype(np.float32)


@pytest.fixture(scope="module")
def gallery() -> Gallery:
    rng = np.random.default_rng(1)
    real = real_encodings()
    entries = [(1000 + i // 3, vec) for i, vec in enumerate(synthetic(rng, 600))]  # 200 people x 3
    entries += [(GRACE, real["grace"]), (ASTRONAUT, real["astronaut"])]
    rng.shuffle(entries)  # build must not depend on input order
    return Gallery.build(entries, version=3)


def test_build_groups_rows_by_staff(gallery: Gallery) -> None:
    assert len(gallery) == 602
    assert gallery.staff_count == 202
    assert gallery.version == 3
    assert gallery.matrix.dtype == np.float32 and gallery.matrix.shape == (602, 128)
    assert np.all(np.diff(gallery.staff_ids) >= 0)
    np.testing.assert_allclose(gallery.sq_norms, (gallery.matrix.astype(np.float64) ** 2).sum(axis=1), rtol=1e-5)


def test_search_finds_the_enrolled_person_from_another_view(gallery: Gallery) -> None:
    match = gallery.search(real_encodings()["grace_crop"], threshold=0.5)
    assert match is not None and match.staff_id == GRACE
    expected = float(np.linalg.norm(real_encodings()["grace_crop"] - real_encodings()["grace"]))
    assert match.distance == pytest.approx(expected, abs=1e-6)
    # The runner-up is the astronaut, much farther away.
    runner_up = float(np.linalg.norm(real_encodings()["grace_crop"] - real_encodings()["astronaut"]))
    assert match.margin == pytest.approx(runner_up - expected, abs=1e-6)


def test_search_matches_face_recognition_face_distance(gallery: Gallery) -> None:
    import face_recognition

    for probe in [real_encodings()["grace_crop"], real_encodings()["astronaut"], *synthetic(np.random.default_rng(2), 3)]:
        reference = face_recognition.face_distance(gallery.matrix.astype(np.float64), probe.astype(np.float64))
        match = gallery.search(probe, threshold=10.0)
        assert match is not None
        assert match.distance == pytest.approx(float(reference.min()), abs=1e-6)
        assert match.staff_id == int(gallery.staff_ids[int(np.argmin(reference))])


def test_search_rejects_beyond_threshold(gallery: Gallery) -> None:
    stranger = synthetic(np.random.default_rng(99), 1)[0]
    assert gallery.search(stranger, threshold=0.6) is None


def test_margin_ignores_the_same_persons_other_encodings() -> None:
    rng = np.random.default_rng(5)
    base = synthetic(rng, 2)
    near = base[0] + np.float32(0.01)
    g = Gallery.build([(1, base[0]), (1, near), (2, base[1])], version=1)
    match = g.search(base[0], threshold=0.5)
    assert match is not None and match.staff_id == 1
    # Not 0.01-ish (staff 1's second row) but the distance to staff 2.
    assert match.margin == pytest.approx(float(np.linalg.norm(base[0] - base[1])), abs=1e-5)


def test_single_person_gallery_has_infinite_margin() -> None:
    vec = synthetic(np.random.default_rng(6), 1)[0]
    match = Gallery.build([(4, vec)], version=1).search(vec, threshold=0.1)
    assert match is not None and match.staff_id == 4 and match.margin == math.inf


def test_verify_is_one_to_one(gallery: Gallery) -> None:
    probe = real_encodings()["grace_crop"]
    assert gallery.verify(probe, GRACE, threshold=0.5)
    assert not gallery.verify(probe, ASTRONAUT, threshold=0.5)
    assert not gallery.verify(probe, 123456, threshold=0.5)
    assert not gallery.verify(probe, -1, threshold=0.5)


def test_empty_gallery() -> None:
    g = Gallery.build([], version=0)
    assert len(g) == 0 and g.staff_count == 0
    assert g.search(real_encodings()["grace"], threshold=0.6) is None
    assert not g.verify(real_encodings()["grace"], GRACE, threshold=0.6)


@pytest.mark.parametrize("probe", [np.zeros(127), np.full(128, np.nan), np.zeros((2, 128))])
def test_bad_probe(gallery: Gallery, probe: np.ndarray) -> None:
    with pytest.raises(EncodingInvalid):
        gallery.search(probe, threshold=0.6)


def test_bad_entry_is_refused() -> None:
    with pytest.raises(EncodingInvalid):
        Gallery.build([(1, np.zeros(64))], version=1)


def test_snapshot_is_immutable(gallery: Gallery) -> None:
    with pytest.raises(ValueError):
        gallery.matrix[0, 0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        gallery.version = 4  # type: ignore[misc]


def test_match_repr_hides_distances() -> None:
    text = repr(Match(staff_id=5, distance=0.123456, margin=0.654321))
    assert "5" in text and "0.123" not in text and "0.654" not in text


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    ids=st.lists(st.integers(1, 12), min_size=1, max_size=40),
)
def test_search_agrees_with_brute_force(seed: int, ids: list[int]) -> None:
    rng = np.random.default_rng(seed)
    vecs = synthetic(rng, len(ids)) * rng.uniform(0.9, 1.1, size=(len(ids), 1)).astype(np.float32)
    g = Gallery.build(zip(ids, vecs, strict=True), version=1)
    probe = vecs[rng.integers(len(ids))] + rng.normal(scale=0.02, size=128).astype(np.float32)
    dist = np.linalg.norm(vecs.astype(np.float64) - probe.astype(np.float64), axis=1)
    per_staff = {sid: min(d for s, d in zip(ids, dist, strict=True) if s == sid) for sid in set(ids)}
    ranked = sorted(per_staff.items(), key=lambda kv: kv[1])
    match = g.search(probe, threshold=100.0)
    assert match is not None
    assert match.distance == pytest.approx(ranked[0][1], abs=1e-5)
    if ranked[1:] and ranked[1][1] - ranked[0][1] > 1e-4:
        assert match.staff_id == ranked[0][0]
        assert match.margin == pytest.approx(ranked[1][1] - ranked[0][1], abs=1e-5)
    if len(ranked) == 1:
        assert match.margin == math.inf


class FakeStore:
    """Stands in for the database: a version per site and call counters."""

    def __init__(self) -> None:
        self.version = 1
        self.loads = 0
        self.version_reads = 0
        self.rows = [(1, synthetic(np.random.default_rng(8), 1)[0])]

    async def current_version(self, site_id: int) -> int:
        self.version_reads += 1
        return self.version

    async def load(self, site_id: int, version: int, previous: Gallery | None) -> Gallery:
        self.loads += 1
        self.previous = previous
        await asyncio.sleep(0.01)  # let concurrent callers pile up on the lock
        return Gallery.build(self.rows, version=version)


async def test_cache_loads_once_per_version_under_concurrency() -> None:
    cache, store = GalleryCache(), FakeStore()
    kwargs = {"current_version": store.current_version, "load": store.load}
    first = await asyncio.gather(*(cache.get(10, **kwargs) for _ in range(20)))
    assert store.loads == 1
    assert all(g is first[0] for g in first)
    assert await cache.get(10, **kwargs) is first[0]
    assert store.loads == 1

    store.version = 2
    store.rows.append((2, synthetic(np.random.default_rng(9), 1)[0]))
    second = await asyncio.gather(*(cache.get(10, **kwargs) for _ in range(5)))
    assert store.loads == 2
    assert second[0] is not first[0] and second[0].version == 2 and len(second[0]) == 2
    assert store.previous is first[0]  # a load gets the snapshot it replaces, to carry over what has not changed
    # The old snapshot is untouched: requests still holding it finish consistently.
    assert len(first[0]) == 1 and first[0].version == 1


async def test_cache_is_per_site_and_invalidates() -> None:
    cache, store = GalleryCache(), FakeStore()
    kwargs = {"current_version": store.current_version, "load": store.load}
    a = await cache.get(1, **kwargs)
    b = await cache.get(2, **kwargs)
    assert a is not b and store.loads == 2
    assert cache.peek(1) is a
    cache.invalidate(1)
    assert cache.peek(1) is None
    assert await cache.get(1, **kwargs) is not a
    assert store.loads == 3


class Sized:
    """A snapshot of a given size (the budget counts bytes, not sites)."""

    def __init__(self, version: int, nbytes: int) -> None:
        self.version, self.nbytes = version, nbytes


async def test_cache_drops_the_sites_used_least_recently_past_its_budget() -> None:
    cache: GalleryCache[Sized] = GalleryCache(budget_bytes=250)
    loads: list[int] = []

    async def load(site_id: int, version: int, previous: Sized | None) -> Sized:
        loads.append(site_id)
        return Sized(version, 100)

    async def version(site_id: int) -> int:
        return 1

    for site_id in (1, 2):
        await cache.get(site_id, current_version=version, load=load)
    await cache.get(1, current_version=version, load=load)  # site 1 used again: site 2 is now the oldest
    await cache.get(3, current_version=version, load=load)
    assert cache.peek(2) is None and cache.peek(1) is not None and cache.peek(3) is not None
    assert cache.nbytes == 200 and cache.evictions == 1
    await cache.get(2, current_version=version, load=load)  # dropped: its next check-in loads it again
    assert loads == [1, 2, 3, 2]


async def test_cache_keeps_a_site_larger_than_its_budget() -> None:
    cache: GalleryCache[Sized] = GalleryCache(budget_bytes=50)

    async def load(site_id: int, version: int, previous: Sized | None) -> Sized:
        return Sized(version, 100)

    async def version(site_id: int) -> int:
        return 1

    big = await cache.get(1, current_version=version, load=load)
    assert cache.peek(1) is big and cache.full()
    await cache.get(2, current_version=version, load=load)
    assert cache.peek(1) is None and cache.peek(2) is not None
