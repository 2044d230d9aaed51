"""Labelled sample folders for the evaluation and calibration tools: who is in which file.

A folder holds samples of several identities, in either layout (both may be mixed, one per sub-folder):
- one sub-folder per identity (``Ariel_Sharon/…``, ``biden/biden2.jpg``), or
- file names with the identity before the last underscore (``101_1.tif`` … ``101_8.tif``).
Within one folder, when every sample's name has an underscore, the part before the last underscore
names the identity; otherwise the folder does. So the FVC layout (``DB1_B/101_3.tif``), LFW
(``George_W_Bush/George_W_Bush_0003.jpg``) and plain per-person folders all read as expected.
Identities from different folders never merge: ``DB1_B/101`` and ``DB2_B/101`` are two fingers.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

FACE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp"})
FINGER_SUFFIXES = frozenset({".tif", ".tiff", ".png", ".bmp", ".jpg", ".jpeg"})
ISO_SUFFIXES = frozenset({".iso", ".fmr"})  # ISO/IEC 19794-2 records, e.g. made by a terminal's own SDK
_NUMBERED = re.compile(r"^(?P<who>.+)_(?P<n>[^_]+)$")


@dataclass(frozen=True, slots=True)
class Identity:
    """One identity's samples, in a stable order (the first ones are enrolled)."""

    name: str
    samples: tuple[Path, ...]


def _sort_key(path: Path) -> tuple[object, ...]:
    # Natural order, so 101_10 comes after 101_9.
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name))


def read_identities(root: Path, *, suffixes: frozenset[str]) -> list[Identity]:
    """Every identity under ``root`` with its samples (files with one of ``suffixes``, hidden files ignored)."""
    if not root.is_dir():
        raise ValueError(f"{root} is not a folder")
    by_folder: dict[Path, list[Path]] = defaultdict(list)
    # os.walk, not rglob: sample sets are often assembled from links to folders, which rglob does not follow.
    for folder, dirs, names in os.walk(root, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            path = Path(folder) / name
            if path.suffix.lower() in suffixes and not name.startswith(".") and path.is_file():
                by_folder[path.parent].append(path)
    groups: dict[str, list[Path]] = defaultdict(list)
    for sample_folder, files in by_folder.items():
        relative = sample_folder.relative_to(root).as_posix()
        numbered = all(_NUMBERED.match(f.stem) for f in files)
        for f in files:
            if numbered:
                who = _NUMBERED.match(f.stem).group("who")  # type: ignore[union-attr]  # numbered: every stem matched
                name = f"{relative}/{who}" if relative != "." else who
            else:
                name = relative if relative != "." else f.stem
            groups[name].append(f)
    return [Identity(name=name, samples=tuple(sorted(files, key=_sort_key))) for name, files in sorted(groups.items())]


def usable(identities: list[Identity], *, enrol: int) -> list[Identity]:
    """Identities with enough samples to enrol ``enrol`` and probe with at least one more."""
    return [i for i in identities if len(i.samples) > enrol]


def chimeric_pairs(faces: list[Identity], fingers: list[Identity]) -> list[tuple[Identity, Identity]]:
    """Pair face identities with finger identities, one to one in sorted order, as many as the smaller set.

    Chimeric people are fair for zero-effort impostors because a person's face and fingerprint are
    independent in the data; they are not for look-alikes, which the tests build on purpose.
    """
    return list(zip(faces, fingers, strict=False))


def read_fingers(root: Path, *, iso: bool = False) -> list[Identity]:
    """Finger identities from images, or from ISO records when ``iso`` is asked for or the folder holds no images."""
    if not iso:
        images = read_identities(root, suffixes=FINGER_SUFFIXES)
        if images:
            return images
    return read_identities(root, suffixes=ISO_SUFFIXES)
