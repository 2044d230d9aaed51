"""A province for bench/wave.py, written in bulk: sites, windows, enrolled staff, approved terminals, an HR user, month data.

Rows go in at driver speed (COPY on PostgreSQL), as bench/appraisal_data.py writes them; the org is its
``build_org``. Every staff member is enrolled as README's enrolment asks: consent for both modalities, 2 face
templates and 3 impressions of each of 2 fingers, sealed with the vault key, each impression with its built MCC
template stored as enrolment stores it (so a server's start-up reads them; bench/wave.py --warm-up). Synthetic samples
(``biometrics.synthetic``) are made and sealed in worker processes, one per core, while the rows are written.
With a faces folder, the first people of every site get real faces (one folder person each): their enrolled
templates are the encodings of two of their photos, and every photo of theirs that holds one usable face is a
probe for the image path.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from multiprocessing import get_context
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyotp

from bench.appraisal_data import _LEAVE_COLUMNS, _PUNCH_COLUMNS, ZONE, MonthWriter, build_org, bulk, month_sessions
from window_staff.attendance.tables import LeaveRequest, Punch
from window_staff.auth import service as auth_service
from window_staff.auth.schemas import UserCreateIn
from window_staff.biometrics import domain, mcc, store
from window_staff.biometrics.iso19794 import parse_record
from window_staff.biometrics.synthetic import synthetic_face_encoding, synthetic_record, synthetic_touch
from window_staff.biometrics.tables import BiometricConsent, BiometricTemplate, GalleryVersion
from window_staff.biometrics.vault import Vault, load_key
from window_staff.common.context import AppContext
from window_staff.common.db import execute, insert_rows, is_sqlite, write_transaction
from window_staff.terminals import secrets as terminal_secrets
from window_staff.terminals.tables import Terminal, TerminalSecret

FINGERS = (2, 7)  # right and left index finger (ISO/IEC 19794-2 positions)
IMPRESSIONS = 3
WINDOWS_PER_SITE = 4
CHUNK = 500  # staff per worker job: building their impressions takes ~40 ms each, so every core gets several jobs
HR_PASSWORD = "wave-bench-password"
_TEMPLATE_COLUMNS = (
    "staff",
    "modality",
    "finger_position",
    "impression",
    "version",
    "ciphertext",
    "nonce",
    "minutiae_count",
    "quality",
    "created_at",
    "created_by",
    "built",
    "built_nonce",
    "built_version",
)


@dataclass(frozen=True, slots=True)
class Person:
    """A staff member as the load generator knows them: who, where, and what their terminal captures."""

    employee_no: str
    site: int
    seed: int
    face: bytes = b""  # the enrolled encoding of a real face; empty: the synthetic one of ``seed``
    images: tuple[str, ...] = ()  # photos of a real face (image path probes)

    def encoding(self) -> bytes:
        """The face encoding a terminal computing its own would send (the enrolled one)."""
        return self.face or synthetic_face_encoding(self.seed)

    def finger(self) -> bytes:
        """The enrolled first impression of the first finger: another touch of it is a check-in's probe."""
        return synthetic_record(self.seed * 8, position=FINGERS[0])


@dataclass(frozen=True, slots=True)
class Device:
    """An approved signed terminal: its serial and HMAC secret."""

    serial: str
    secret: bytes


@dataclass
class Province:
    """What was built, and how long each step took."""

    people: list[Person]
    terminals: dict[int, list[Device]]  # by site id
    hr_username: str
    hr_totp: str
    seconds: dict[str, float] = field(default_factory=dict)
    punches: int = 0

    def totp(self) -> str:
        """The HR user's current second-factor code."""
        return pyotp.TOTP(self.hr_totp).now()


def _second_face(face: bytes, seed: int) -> bytes:
    """A second enrolment photo of a synthetic face: the same person, a little different (norm kept at 1.4)."""
    vec = np.frombuffer(face, dtype="<f4").astype(np.float64) + np.random.default_rng(seed).normal(0, 0.02, 128)
    return (vec / np.linalg.norm(vec) * 1.4).astype("<f4").tobytes()


def _enrolment_rows(key: bytes, staff: list[tuple[int, int, bytes, bytes]], now: datetime) -> list[tuple]:
    """Sealed template rows of staff (id, seed, face, second face; empty faces: synthetic), made in a worker process."""
    vault, rows = Vault(key), []
    for staff_id, seed, face, second in staff:
        face = face or synthetic_face_encoding(seed)
        for plain in (face, second or _second_face(face, seed)):
            sealed, nonce = vault.seal(plain, staff_id=staff_id, modality="face", version=domain.FACE_VERSION)
            rows.append((staff_id, "face", None, None, domain.FACE_VERSION, sealed, nonce, None, None, now, "bench", None, None, None))
        for k, position in enumerate(FINGERS):
            first = synthetic_record(seed * 8 + k, position=position)
            for impression in range(1, IMPRESSIONS + 1):
                raw = first if impression == 1 else synthetic_touch(first, seed * 64 + k * 8 + impression)
                record = parse_record(raw)
                view = record.views[0]
                sealed, nonce = vault.seal(raw, staff_id=staff_id, modality="fingerprint", version=domain.FINGERPRINT_VERSION)
                # As enrolment stores it: the impression's built template, sealed with its record.
                template = mcc.compact(mcc.build_template(record))
                built, built_nonce = store.seal_built(
                    vault, position, template, staff_id=staff_id, version=domain.FINGERPRINT_VERSION, raw_nonce=nonce
                )
                rows.append(
                    (staff_id, "fingerprint", position, impression, domain.FINGERPRINT_VERSION, sealed, nonce, len(view.minutiae),
                     view.quality, now, "bench", built, built_nonce, mcc.PARAMS_VERSION)
                )  # fmt: skip
    return rows


def _encode(path: str, limits: dict) -> bytes | None:
    """A photo's face encoding in a worker process, or None when it holds no single usable face."""
    from window_staff.biometrics.face import encode_face, encoding_to_bytes
    from window_staff.common.errors import DomainError

    try:
        return encoding_to_bytes(encode_face(Path(path).read_bytes(), **limits))
    except DomainError:
        return None


def real_faces(folder: Path, limits: dict, *, pool: ProcessPoolExecutor) -> list[tuple[bytes, bytes, tuple[str, ...]]]:
    """Per folder person with two usable photos: (first encoding, second encoding, every usable photo)."""
    from window_staff.terminals.simulator_setup import people_in

    people = [[str(p.resolve()) for p in group] for group in people_in(folder)]
    encoded = list(pool.map(_encode, [p for group in people for p in group], [limits] * sum(map(len, people))))
    out, at = [], 0
    for group in people:
        usable = [(path, enc) for path, enc in zip(group, encoded[at : at + len(group)], strict=True) if enc is not None]
        at += len(group)
        if len(usable) >= 2:
            out.append((usable[0][1], usable[1][1], tuple(path for path, _ in usable)))
    return out


async def _terminals(ctx: AppContext, site_ids: list[int], count: int, now: datetime) -> dict[int, list[Device]]:
    """``count`` approved terminals spread evenly over the sites, each with a sealed secret."""
    sites = [site_ids[i * len(site_ids) // count] for i in range(count)]
    serials = [f"WAVE-{i:05d}" for i in range(count)]
    async with write_transaction(ctx.engine):
        ids = await insert_rows(
            ctx.engine,
            Terminal,
            [Terminal.serial, Terminal.name, Terminal.kind, Terminal.site, Terminal.status, Terminal.registered_at, Terminal.approved_at],
            [(serial, "wave", "signed", site, "approved", now, now) for serial, site in zip(serials, sites, strict=True)],
        )
        keys = [terminal_secrets.new_secret() for _ in ids]
        sealed = [terminal_secrets.seal(ctx, key, terminal_id=tid) for key, tid in zip(keys, ids, strict=True)]
        await bulk(
            ctx,
            TerminalSecret,
            ("terminal", "ciphertext", "nonce", "created_at"),
            [(t, c, n, now) for t, (c, n) in zip(ids, sealed, strict=True)],
        )
    out: dict[int, list[Device]] = {}
    for site, serial, key in zip(sites, serials, keys, strict=True):
        out.setdefault(site, []).append(Device(serial, key))
    return out


async def month_punches(ctx: AppContext, staff_site: dict[int, int], *, first: date, seed: int = 7) -> int:
    """Four punches a working day (with late, early, absent and leave sessions) on the month's days before today."""
    today = datetime.now(ZoneInfo(ZONE)).date()
    sessions = [s for s in month_sessions(ctx, first, next(iter(staff_site.values()))) if s[0] < today]
    if not sessions:
        return 0
    # Punch ids continue after any stored ones (the wave's own check-ins come later and take the next ones).
    start = (await execute(ctx.engine, "SELECT COALESCE(MAX(id), 0) AS n FROM punch"))[0]["n"] + 1
    writer = MonthWriter(random.Random(seed), key=f"{first:%Y-%m}", now=ctx.clock.now(), next_punch=start)
    ids, total = list(staff_site), 0
    for i in range(0, len(ids), CHUNK):
        for sid in ids[i : i + CHUNK]:
            writer.staff_month(sid, staff_site[sid], sessions)
        punches, _, leave = writer.take()  # the month is open: day records are derived, not stored
        async with write_transaction(ctx.engine):
            await bulk(ctx, Punch, _PUNCH_COLUMNS, punches)
            await bulk(ctx, LeaveRequest, _LEAVE_COLUMNS, leave)
        total += len(punches)
    if not is_sqlite(ctx.engine):
        await execute(ctx.engine, "SELECT setval(pg_get_serial_sequence('punch', 'id'), {})", writer.next_punch)
    return total


def _placement(
    staff_site: dict[int, int], faces: list[tuple[bytes, bytes, tuple[str, ...]]]
) -> dict[int, tuple[bytes, bytes, tuple[str, ...]]]:
    """The first staff members of every site get the real faces, one folder person each."""
    taken: dict[int, int] = {}
    out = {}
    for sid, site in staff_site.items():
        n = taken.get(site, 0)
        if n < len(faces):
            out[sid] = faces[n]
            taken[site] = n + 1
    return out


async def build(
    ctx: AppContext,
    *,
    staff: int,
    terminals: int,
    sites: int,
    faces: Path | None = None,
    month: date | None = None,
    workers: int | None = None,
) -> Province:
    """The whole province; ``month``: also punches of that month's working days before today (for a compute)."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    now = ctx.clock.now()
    key = load_key(ctx.settings)
    assert key is not None, "the bench sets a vault key"
    pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 2, mp_context=get_context("spawn"))
    try:
        from window_staff.biometrics.service import face_limits

        real = real_faces(faces, face_limits(ctx), pool=pool) if faces else []
        seconds["real faces"] = time.perf_counter() - started
        mark = time.perf_counter()
        site_ids, staff_ids, staff_site, _ = await build_org(
            ctx, staff=staff, sites=sites, departments=min(20, sites * WINDOWS_PER_SITE), windows=sites * WINDOWS_PER_SITE, first=now.date()
        )
        seconds["org rows"] = time.perf_counter() - mark
        mark = time.perf_counter()
        placed = _placement(staff_site, real)
        # Seeds are staff ordinals: the load generator rebuilds a person's samples from theirs.
        seeds = {sid: i for i, sid in enumerate(staff_ids)}
        jobs = [
            pool.submit(
                _enrolment_rows,
                key,
                [(sid, seeds[sid], *(placed[sid][:2] if sid in placed else (b"", b""))) for sid in staff_ids[i : i + CHUNK]],
                now,
            )
            for i in range(0, len(staff_ids), CHUNK)
        ]
        writing = 0.0  # of the enrolment, the time spent writing rows (the rest is waiting for samples)
        for i, job in zip(range(0, len(staff_ids), CHUNK), jobs, strict=True):
            chunk = staff_ids[i : i + CHUNK]
            rows = await asyncio.wrap_future(job)
            began = time.perf_counter()
            async with write_transaction(ctx.engine):
                consent = ("staff", "modality", "notice_version", "granted_at", "recorded_by")
                await bulk(
                    ctx, BiometricConsent, consent, [(sid, m, "bench", now, "bench") for sid in chunk for m in ("face", "fingerprint")]
                )
                await bulk(ctx, BiometricTemplate, _TEMPLATE_COLUMNS, rows)
            writing += time.perf_counter() - began
        async with write_transaction(ctx.engine):
            await bulk(ctx, GalleryVersion, ("site", "version"), [(s, 1) for s in site_ids])
        seconds["enrolment"] = time.perf_counter() - mark
        seconds["of which writing rows"] = writing
    finally:
        pool.shutdown(cancel_futures=True)
    mark = time.perf_counter()
    devices = await _terminals(ctx, site_ids, terminals, now)
    user, uri = await auth_service.create_user(ctx, UserCreateIn(username="wave_hr", password=HR_PASSWORD, roles=["hr"]), actor="bench")
    assert uri is not None, "hr needs a second factor"
    seconds["terminals and hr"] = time.perf_counter() - mark
    mark = time.perf_counter()
    punches = await month_punches(ctx, staff_site, first=month) if month else 0
    seconds["month punches"] = time.perf_counter() - mark
    if not is_sqlite(ctx.engine):
        await execute(ctx.engine, "ANALYZE")
    seconds["total"] = time.perf_counter() - started
    people = [
        Person(f"E{seeds[sid]:07d}", staff_site[sid], seeds[sid], *((placed[sid][0], placed[sid][2]) if sid in placed else ()))
        for sid in staff_ids
    ]
    return Province(people, devices, user.username, pyotp.parse_uri(uri).secret, seconds, punches)
