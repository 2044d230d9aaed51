"""Enrolment manifests (TOML or CSV): who to enrol, under which consent notice, from which captures.

See ``enrollment/README.md`` for the format. Relative paths are relative to the manifest's folder.
Errors name the file, the person or line, and the key.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from window_staff.biometrics.errors import ManifestInvalid

_EMPLOYEE_NO = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_NOTICE = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
CSV_COLUMNS = ("employee_no", "notice_version", "modality", "path", "position", "dpi")


@dataclass(frozen=True, slots=True)
class FingerCapture:
    """One fingerprint capture: an ``.iso`` record, or an image with its dpi and finger position."""

    path: Path
    dpi: int | None = None
    position: int | None = None


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One person to enrol."""

    employee_no: str
    notice_version: str
    faces: tuple[Path, ...]
    fingerprints: tuple[FingerCapture, ...]


def load_manifest(path: Path) -> list[ManifestEntry]:
    """Read a ``.toml`` or ``.csv`` manifest."""
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return _from_toml(path)
    if suffix == ".csv":
        return _from_csv(path)
    raise ManifestInvalid(f"{path}: a manifest is a .toml or .csv file")


def _fail(path: Path, where: str, message: str) -> ManifestInvalid:
    return ManifestInvalid(f"{path}: {where}: {message}")


def _int(value: Any, *, path: Path, where: str, key: str, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _fail(path, where, f"{key} must be an integer, got {value!r}") from None
    if isinstance(value, bool) or not low <= number <= high:
        raise _fail(path, where, f"{key} must be {low}-{high}, got {value!r}")
    return number


def _capture(base: Path, raw: str, *, path: Path, where: str) -> Path:
    if not isinstance(raw, str) or not raw.strip():
        raise _fail(path, where, "path must be a non-empty string")
    p = Path(raw.strip())
    return p if p.is_absolute() else base / p


def _finger(base: Path, raw: dict[str, Any] | str, *, path: Path, where: str) -> FingerCapture:
    if isinstance(raw, str):
        raw = {"path": raw}
    if not isinstance(raw, dict):
        raise _fail(path, where, "each fingerprint is a table {path = ..., dpi = ..., position = ...}")
    unknown = set(raw) - {"path", "dpi", "position"}
    if unknown:
        raise _fail(path, where, f"unknown fingerprint key(s): {', '.join(sorted(unknown))}")
    capture = FingerCapture(
        path=_capture(base, raw.get("path", ""), path=path, where=where),
        dpi=_int(raw.get("dpi"), path=path, where=where, key="dpi", low=250, high=1200),
        position=_int(raw.get("position"), path=path, where=where, key="position", low=0, high=10),
    )
    if capture.path.suffix.lower() != ".iso" and capture.dpi is None:
        raise _fail(path, where, f"fingerprint image {capture.path.name} needs dpi")
    return capture


def _entry(employee_no: Any, notice: Any, faces: list[Path], fingers: list[FingerCapture], *, path: Path, where: str) -> ManifestEntry:
    if not isinstance(employee_no, str) or not _EMPLOYEE_NO.match(employee_no):
        raise _fail(path, where, f"employee_no {employee_no!r} is missing or malformed")
    if not isinstance(notice, str) or not _NOTICE.match(notice):
        raise _fail(path, where, f"notice_version {notice!r} is missing or malformed (letters, digits, . _ -)")
    if not faces and not fingers:
        raise _fail(path, where, "no face or fingerprint capture listed")
    return ManifestEntry(employee_no=employee_no, notice_version=notice, faces=tuple(faces), fingerprints=tuple(fingers))


def _from_toml(path: Path) -> list[ManifestEntry]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ManifestInvalid(f"{path}: cannot read: {exc}") from None
    unknown = set(doc) - {"notice_version", "person"}
    if unknown:
        raise _fail(path, "top level", f"unknown key(s): {', '.join(sorted(unknown))}")
    people = doc.get("person", [])
    if not isinstance(people, list) or not people:
        raise _fail(path, "top level", "no [[person]] entries")
    base, default_notice = path.parent, doc.get("notice_version")
    out = []
    for i, person in enumerate(people, 1):
        where = f"person {i} ({person.get('employee_no', '?')})" if isinstance(person, dict) else f"person {i}"
        if not isinstance(person, dict):
            raise _fail(path, where, "must be a table")
        extra = set(person) - {"employee_no", "notice_version", "faces", "fingerprints"}
        if extra:
            raise _fail(path, where, f"unknown key(s): {', '.join(sorted(extra))}")
        faces = person.get("faces", [])
        fingers = person.get("fingerprints", [])
        if not isinstance(faces, list) or not isinstance(fingers, list):
            raise _fail(path, where, "faces and fingerprints are lists")
        out.append(
            _entry(
                person.get("employee_no"),
                person.get("notice_version", default_notice),
                [_capture(base, f, path=path, where=where) for f in faces],
                [_finger(base, f, path=path, where=where) for f in fingers],
                path=path,
                where=where,
            )
        )
    return _unique(out, path=path)


def _from_csv(path: Path) -> list[ManifestEntry]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None or set(CSV_COLUMNS) - set(reader.fieldnames):
                raise _fail(path, "header", f"columns must be {','.join(CSV_COLUMNS)}")
            rows = list(reader)
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestInvalid(f"{path}: cannot read: {exc}") from None
    grouped: dict[str, tuple[str, list[Path], list[FingerCapture], str]] = {}
    for line, row in enumerate(rows, 2):
        where = f"line {line}"
        no, notice, modality = (
            (row.get("employee_no") or "").strip(),
            (row.get("notice_version") or "").strip(),
            (row.get("modality") or "").strip(),
        )
        entry = grouped.setdefault(no, (notice, [], [], where))
        if entry[0] != notice:
            raise _fail(path, where, f"notice_version {notice!r} differs from {entry[0]!r} given earlier for {no}")
        if modality == "face":
            entry[1].append(_capture(path.parent, row.get("path") or "", path=path, where=where))
        elif modality == "fingerprint":
            entry[2].append(
                _finger(
                    path.parent,
                    {"path": row.get("path") or "", "dpi": row.get("dpi"), "position": row.get("position")},
                    path=path,
                    where=where,
                )
            )
        else:
            raise _fail(path, where, f"modality must be face or fingerprint, got {modality!r}")
    if not grouped:
        raise _fail(path, "body", "no rows")
    return [_entry(no, notice, faces, fingers, path=path, where=where) for no, (notice, faces, fingers, where) in grouped.items()]


def _unique(entries: list[ManifestEntry], *, path: Path) -> list[ManifestEntry]:
    seen: set[str] = set()
    for e in entries:
        if e.employee_no in seen:
            raise _fail(path, e.employee_no, "listed twice")
        seen.add(e.employee_no)
    return entries
