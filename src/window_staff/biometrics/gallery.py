"""Per-site galleries of enrolled face encodings: immutable snapshots, 1:N search, 1:1 verify."""

from __future__ import annotations

import asyncio
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

import numpy as np

from window_staff.biometrics.errors import EncodingInvalid

ENCODING_DIM = 128


@dataclass(frozen=True, slots=True)
class Match:
    """Best candidate of a 1:N search. Distances are internal: never log or return them."""

    staff_id: int
    distance: float = field(repr=False)
    # Distance gap to the best *other* staff member (inf if the gallery has only one person).
    margin: float = field(repr=False)
    templates: int = 1  # the person's enrolled encodings (the distance is the best of them)


def _as_probe(probe: np.ndarray) -> np.ndarray:
    """Validate a probe encoding and return it as float32 (128,)."""
    vec = np.asarray(probe, dtype=np.float32)
    if vec.shape != (ENCODING_DIM,) or not np.all(np.isfinite(vec)):
        raise EncodingInvalid()
    return vec


def _frozen(array: np.ndarray) -> np.ndarray:
    """Mark an array read-only so a shared snapshot cannot be changed under concurrent readers."""
    array.flags.writeable = False
    return array


@dataclass(frozen=True, slots=True, eq=False)
class Gallery:
    """Immutable snapshot of one site's encodings, grouped by staff id (several rows per person)."""

    version: int
    matrix: np.ndarray  # (n, 128) float32, rows sorted by staff id
    sq_norms: np.ndarray  # (n,) float32, |row|^2
    staff_ids: np.ndarray  # (n,) int64, parallel to matrix
    group_ids: np.ndarray  # (k,) distinct staff ids, ascending
    group_starts: np.ndarray  # (k,) first row of each staff id
    group_ends: np.ndarray  # (k,) one past the last row

    @classmethod
    def build(cls, entries: Iterable[tuple[int, np.ndarray]], *, version: int) -> Gallery:
        """Build a snapshot from (staff_id, encoding) pairs."""
        pairs = list(entries)
        ids = np.fromiter((int(sid) for sid, _ in pairs), dtype=np.int64, count=len(pairs))
        if pairs:
            matrix = np.stack([np.asarray(enc, dtype=np.float32) for _, enc in pairs])
        else:
            matrix = np.empty((0, ENCODING_DIM), dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[1] != ENCODING_DIM or not np.all(np.isfinite(matrix)):
            raise EncodingInvalid()
        # Sorting by staff id makes each person a contiguous block: per-person minima become one
        # np.minimum.reduceat instead of a Python loop or a mask per search.
        order = np.argsort(ids, kind="stable")
        ids = ids[order]
        matrix = np.ascontiguousarray(matrix[order])
        group_ids, group_starts = np.unique(ids, return_index=True)
        group_ends = np.append(group_starts[1:], len(ids)).astype(np.int64)
        sq_norms = np.einsum("ij,ij->i", matrix, matrix, dtype=np.float32)
        return cls(
            version=version,
            matrix=_frozen(matrix),
            sq_norms=_frozen(sq_norms),
            staff_ids=_frozen(ids),
            group_ids=_frozen(group_ids),
            group_starts=_frozen(group_starts.astype(np.int64)),
            group_ends=_frozen(group_ends),
        )

    @property
    def nbytes(self) -> int:
        """Bytes held by the encodings and their index."""
        return int(self.matrix.nbytes + self.staff_ids.nbytes)

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def staff_count(self) -> int:
        """Number of distinct staff members enrolled."""
        return int(self.group_ids.shape[0])

    def search(self, probe: np.ndarray, *, threshold: float) -> Match | None:
        """Return the closest staff member within ``threshold`` (Euclidean distance), else None."""
        vec = _as_probe(probe)
        if len(self) == 0:
            return None
        # One matrix-vector product: |a-b|^2 = |a|^2 + |b|^2 - 2ab. |b|^2 is the same for every row
        # so it is left out of the ranking, and the scores are built in place (no n-sized temporaries
        # beyond the product). float32 loses ~1e-6 to cancellation, fine for ranking: the winners'
        # distances are recomputed exactly below.
        # einsum, not `@`: OpenBLAS threads its gemv from ~10k rows, and on a box whose cores the
        # encoder workers keep busy those threads stall (measured 4-12 ms instead of 0.1-1.7 ms).
        # einsum's own single-threaded loop is as fast as one BLAS thread at 100k rows.
        scores = np.einsum("ij,j->i", self.matrix, vec)
        np.multiply(scores, -2.0, out=scores)
        scores += self.sq_norms
        per_staff = np.minimum.reduceat(scores, self.group_starts)
        if per_staff.shape[0] > 2:
            candidates = np.argpartition(per_staff, 1)[:2]
        else:
            candidates = np.arange(per_staff.shape[0])
        exact = sorted((self._group_distance(int(g), vec), int(g)) for g in candidates)
        best_distance, best_group = exact[0]
        if best_distance > threshold:
            return None
        margin = exact[1][0] - best_distance if len(exact) > 1 else math.inf
        return Match(staff_id=int(self.group_ids[best_group]), distance=best_distance, margin=margin)

    def shortlist(self, probe: np.ndarray, *, k: int, max_distance: float, exclude: frozenset[int] = frozenset()) -> list[Match]:
        """The ``k`` closest staff members within ``max_distance``, closest first (``exclude``: people left out)."""
        vec = _as_probe(probe)
        if len(self) == 0 or k < 1:
            return []
        scores = np.einsum("ij,j->i", self.matrix, vec)  # ranking only, as in search
        np.multiply(scores, -2.0, out=scores)
        scores += self.sq_norms
        per_staff = np.minimum.reduceat(scores, self.group_starts)
        want = min(per_staff.shape[0], k + len(exclude))
        groups = np.argpartition(per_staff, want - 1)[:want] if want < per_staff.shape[0] else np.arange(per_staff.shape[0])
        exact = sorted((self._group_distance(int(g), vec), int(g)) for g in groups if int(self.group_ids[g]) not in exclude)
        out = []
        for rank, (distance, g) in enumerate(exact[:k]):
            if distance > max_distance:
                break
            following = exact[rank + 1][0] if rank + 1 < len(exact) else math.inf
            out.append(
                Match(
                    staff_id=int(self.group_ids[g]),
                    distance=distance,
                    margin=following - distance,
                    templates=int(self.group_ends[g] - self.group_starts[g]),
                )
            )
        return out

    def distance_to(self, probe: np.ndarray, staff_id: int) -> Match | None:
        """The probe's distance to one staff member's encodings (a claimed identity), None when they have none here."""
        vec = _as_probe(probe)
        group = int(np.searchsorted(self.group_ids, staff_id))
        if group >= self.group_ids.shape[0] or self.group_ids[group] != staff_id:
            return None
        templates = int(self.group_ends[group] - self.group_starts[group])
        return Match(staff_id=staff_id, distance=self._group_distance(group, vec), margin=math.inf, templates=templates)

    def verify(self, probe: np.ndarray, staff_id: int, *, threshold: float) -> bool:
        """1:1 check of the probe against one staff member's encodings."""
        vec = _as_probe(probe)
        group = int(np.searchsorted(self.group_ids, staff_id))
        if group >= self.group_ids.shape[0] or self.group_ids[group] != staff_id:
            return False
        return self._group_distance(group, vec) <= threshold

    def _group_distance(self, group: int, vec: np.ndarray) -> float:
        """Exact float64 minimum distance to the rows of one staff member (a handful of rows)."""
        rows = self.matrix[self.group_starts[group] : self.group_ends[group]].astype(np.float64)
        return float(np.sqrt(((rows - vec.astype(np.float64)) ** 2).sum(axis=1).min()))


class Versioned(Protocol):
    """A snapshot of one version of a site's templates."""

    @property
    def version(self) -> int: ...  # noqa: D102

    @property
    def nbytes(self) -> int: ...  # noqa: D102


S = TypeVar("S", bound=Versioned)
VersionFn = Callable[[int], Awaitable[int]]
# (site id, version, the snapshot it replaces or None) -> the new snapshot; the old one lets a load reuse what has not changed.
LoadFn = Callable[[int, int, S | None], Awaitable[S]]


class GalleryCache(Generic[S]):
    """One snapshot per site, reloaded only when the database version changes, within a memory budget.

    A province process serves many sites; keeping every site's built fingerprint templates would take ~600 MB per
    1,000 staff. Past ``budget_bytes`` the sites used least recently are dropped (their next check-in loads them
    again); the site just loaded is always kept, so one site larger than the budget still works.
    """

    def __init__(self, *, budget_bytes: int | None = None) -> None:
        self._snapshots: OrderedDict[int, S] = OrderedDict()
        self._locks: dict[int, asyncio.Lock] = {}
        self.budget_bytes = budget_bytes
        self.evictions = 0

    @property
    def nbytes(self) -> int:
        """Bytes held by every kept snapshot."""
        return sum(s.nbytes for s in self._snapshots.values())

    def full(self) -> bool:
        """Whether the kept snapshots have reached the budget (warming stops there)."""
        return self.budget_bytes is not None and self.nbytes >= self.budget_bytes

    def peek(self, site_id: int) -> S | None:
        """The cached snapshot of a site, without touching the database."""
        return self._snapshots.get(site_id)

    def invalidate(self, site_id: int) -> None:
        """Drop a site's snapshot (e.g. after erasing someone's templates) so the next get reloads."""
        self._snapshots.pop(site_id, None)

    async def get(self, site_id: int, *, current_version: VersionFn, load: LoadFn[S]) -> S:
        """Return the site's snapshot, loading it once per version change even under concurrency."""
        version = await current_version(site_id)
        seen = self._snapshots.get(site_id)
        if seen is not None and seen.version == version:
            self._snapshots.move_to_end(site_id)
            return seen
        lock = self._locks.setdefault(site_id, asyncio.Lock())
        async with lock:
            latest = self._snapshots.get(site_id)
            # Someone else swapped the snapshot while we waited: it was loaded after our version
            # read, so it is at least as fresh as what we would load.
            if latest is not None and (latest.version == version or latest is not seen):
                return latest
            snapshot = await load(site_id, version, latest)
            self._snapshots[site_id] = snapshot  # a single assignment: readers see old or new, never half
            self._snapshots.move_to_end(site_id)
            self._evict(keep=site_id)
            return snapshot

    def _evict(self, *, keep: int) -> None:
        if self.budget_bytes is None:
            return
        total = self.nbytes
        for site_id in list(self._snapshots):
            if total <= self.budget_bytes:
                break
            if site_id == keep:
                continue
            # A check-in holding the dropped snapshot finishes with it; only the cache lets go.
            total -= self._snapshots.pop(site_id).nbytes
            self.evictions += 1
