"""Templates from labelled sample folders, and the fusion calibration fitted on them (``window-staff biometrics fit``).

The calibration uses impostor comparisons only: every face against every other identity's faces,
every finger against every other finger *of the same folder* (one sensor: fingers from two
scanners differ more than two people on one scanner, which would flatter the tail).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from window_staff.biometrics import fusion, mcc
from window_staff.biometrics.datasets import Identity
from window_staff.biometrics.iso19794 import FingerRecord, parse_record
from window_staff.biometrics.pool import EncoderPool
from window_staff.common.errors import DomainError

# Caps, floors and shortlist of a new calibration (see docs/DESIGN.md for the reasons).
FACE_CAP = 12.0  # below the fingerprint's: dlib's impostor distances differ between populations
FINGERPRINT_CAP = 14.0
FACE_FLOOR = 3.0  # the shortlist's loose radius: about 1 impostor face in 20 comes that close
FINGERPRINT_FLOOR = 3.0  # about 1 impostor finger in 20 scores that well
SHORTLIST = 5

Progress = Callable[[int], None]


async def _run(pool: EncoderPool, items: list[tuple[Path, bytes]], kwargs: dict[str, Any], progress: Progress | None) -> dict[Path, Any]:
    out: dict[Path, Any] = {}
    step = max(1, pool.max_queue)
    for start in range(0, len(items), step):
        chunk = items[start : start + step]
        results = await asyncio.gather(*(pool.encode(data, **kwargs) for _, data in chunk), return_exceptions=True)
        for (path, _), result in zip(chunk, results, strict=True):
            if isinstance(result, DomainError):
                out[path] = result.code
            elif isinstance(result, BaseException):
                raise result
            else:
                out[path] = result
        if progress:
            progress(len(chunk))
    return out


async def encode_faces(
    pool: EncoderPool, paths: Iterable[Path], *, limits: dict[str, Any], progress: Progress | None = None
) -> dict[Path, np.ndarray | str]:
    """Each photo's encoding under the service's image limits, or the code of why it has none (no_face_found, ...)."""
    return await _run(pool, [(p, p.read_bytes()) for p in paths], limits, progress)


async def finger_records(
    pool: EncoderPool | None, paths: Iterable[Path], *, dpi: int, progress: Progress | None = None
) -> dict[Path, FingerRecord | str]:
    """Each impression's minutiae record (ISO files are read as they are), or the code of why it has none."""
    images: list[tuple[Path, bytes]] = []
    out: dict[Path, FingerRecord | str] = {}
    for path in paths:
        data = path.read_bytes()
        if data[:4] == b"FMR\x00":
            try:
                out[path] = parse_record(data)
            except DomainError as exc:
                out[path] = exc.code
        else:
            images.append((path, data))
    if images:
        if pool is None:
            raise ValueError("fingerprint images need the extraction pool")
        out.update(await _run(pool, images, {"dpi": dpi}, progress))
    return out


def _folder(identity: Identity) -> str:
    return identity.name.rpartition("/")[0]


def face_impostor_scores(identities: list[Identity], encodings: dict[Path, Any]) -> np.ndarray:
    """Similarities (-distance) of every pair of faces of different identities."""
    vecs, owner = [], []
    for k, ident in enumerate(identities):
        for path in ident.samples:
            if isinstance(encodings.get(path), np.ndarray):
                vecs.append(encodings[path].astype(np.float64))
                owner.append(k)
    if len(vecs) < 2:
        return np.zeros(0)
    m = np.stack(vecs)
    d = np.sqrt(np.maximum(((m[:, None, :] - m[None, :, :]) ** 2).sum(-1), 0.0))
    o = np.array(owner)
    iu = np.triu_indices(len(vecs), 1)
    return -d[iu][o[iu[0]] != o[iu[1]]]


def by_folder(identities: list[Identity]) -> list[list[Identity]]:
    """Identities grouped by the folder they came from (one scanner each)."""
    groups: dict[str, list[Identity]] = defaultdict(list)
    for ident in identities:
        groups[_folder(ident)].append(ident)
    return list(groups.values())


def finger_impostor_scores(groups: list[list[Identity]], records: dict[Path, Any], *, progress: Progress | None = None) -> np.ndarray:
    """MCC similarities of every pair of impressions of different fingers within each group (one scanner)."""
    templates: dict[Path, mcc.MccTemplate] = {}
    for ident in itertools.chain.from_iterable(groups):
        for path in ident.samples:
            if isinstance(records.get(path), FingerRecord):
                templates[path] = mcc.build_template(records[path])
    scores: list[float] = []
    for group in groups:
        for a, b in itertools.combinations(group, 2):
            pa = [templates[p] for p in a.samples if p in templates]
            pb = [templates[p] for p in b.samples if p in templates]
            scores.extend(mcc.similarity(x, y) for x in pa for y in pb)
        if progress:
            progress(1)
    return np.asarray(scores, dtype=np.float64)


def fit(face_impostors: np.ndarray, finger_impostors: np.ndarray, *, version: str, made_from: str) -> fusion.Calibration:
    """A calibration from impostor scores, with this release's caps, floors and shortlist."""
    return fusion.Calibration(
        version=version,
        made_from=made_from,
        shortlist=SHORTLIST,
        face_floor=FACE_FLOOR,
        fingerprint_floor=FINGERPRINT_FLOOR,
        face=fusion.fit_tail(face_impostors.tolist(), cap=FACE_CAP),
        fingerprint=fusion.fit_tail(finger_impostors.tolist(), cap=FINGERPRINT_CAP),
    )
