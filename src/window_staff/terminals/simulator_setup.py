"""Provisioning for the terminal simulator: enrol simulated staff and register terminals through the service layer.

Runs in-process with the server's settings (same database, same vault key) and writes a credentials
file (mode 0600: it holds terminal secrets) that ``simulator.simulate`` reads.
"""

from __future__ import annotations

import asyncio
import logging
import os
import zlib
from pathlib import Path
from typing import Literal

import msgspec
import numpy as np

from window_staff.biometrics import service as biometrics
from window_staff.biometrics.schemas import ConsentIn
from window_staff.biometrics.synthetic import synthetic_face_encoding, synthetic_record
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.org import service as org
from window_staff.org.schemas import DepartmentIn, SiteIn, StaffIn, WindowIn
from window_staff.terminals import service as terminals
from window_staff.terminals.schemas.registry import TerminalIn

log = logging.getLogger("window_staff.terminals.simulator")
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}
NOTICE = "simulator"


class SimTerminal(msgspec.Struct, frozen=True):
    """A provisioned terminal: its serial, HMAC secret (empty for ZKTeco) and kind."""

    serial: str
    secret: bytes
    kind: Literal["signed", "zkteco"]


class SimStaff(msgspec.Struct, frozen=True):
    """A simulated staff member: what their terminal captures (enrolled encoding, ISO record, face images)."""

    employee_no: str
    face_encoding: bytes
    fingerprint: bytes
    images: list[str] = []


class Credentials(msgspec.Struct, frozen=True):
    """Everything the driving step needs; bytes are base64 in the JSON file."""

    site: str
    timezone: str
    terminals: list[SimTerminal]
    staff: list[SimStaff]


def save_credentials(path: Path, creds: Credentials) -> None:
    """Write the credentials file readable by its owner only (it holds terminal secrets)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its old mode through O_CREAT
    with os.fdopen(fd, "wb") as fh:
        fh.write(msgspec.json.format(msgspec.json.encode(creds)))


def load_credentials(path: Path) -> Credentials:
    """Read a credentials file written by ``save_credentials``."""
    return msgspec.json.decode(path.read_bytes(), type=Credentials)


def people_in(folder: Path) -> list[list[Path]]:
    """Images per person: each folder holding images is one person; a flat folder is one person per image."""
    groups = []
    for directory in sorted({p.parent for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES}):
        images = sorted(p for p in directory.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        groups.extend([images] if directory != folder else [[p] for p in images])
    return groups


async def _encode_person(ctx: AppContext, images: list[Path]) -> tuple[bytes, list[str]] | None:
    """The first image that holds exactly one usable face is enrolled; every usable image is a probe."""
    from window_staff.biometrics.face import encode_face, encoding_to_bytes

    limits = biometrics.face_limits(ctx)
    enrolled: bytes | None = None
    probes: list[str] = []
    for path in images:
        try:
            encoding = await asyncio.to_thread(encode_face, path.read_bytes(), **limits)
        except DomainError as exc:
            log.warning("simulator: %s skipped (%s)", path, exc.code)
            continue
        enrolled = enrolled or encoding_to_bytes(encoding)
        probes.append(str(path.resolve()))
    return (enrolled, probes) if enrolled else None


async def _place(ctx: AppContext, *, site_code: str, prefix: str, actor: str) -> tuple[int, int, int, str]:
    """The site (created when missing), a simulator department and window there: (site, department, window, zone)."""
    site_id = await org.site_id_by_code(site_code)
    if site_id is None:
        site_id = (
            await org.create_site(ctx, SiteIn(code=site_code, name=f"Simulated centre {site_code}", kind="county_centre"), actor=actor)
        ).id
    dept_id = await org.department_id_by_code(f"{prefix}-DEPT")
    if dept_id is None:
        dept_id = (await org.create_department(ctx, DepartmentIn(code=f"{prefix}-DEPT", name="Simulated staff"), actor=actor)).id
    window_id = await org.window_id_by_number(site_id, prefix[:16])
    if window_id is None:
        window_id = (
            await org.create_window(
                ctx, WindowIn(site_id=site_id, department_id=dept_id, number=prefix[:16], name="simulator"), actor=actor
            )
        ).id
    return site_id, dept_id, window_id, (await org.site_time_zones([site_id])).get(site_id) or "Asia/Shanghai"


async def _enrol(ctx: AppContext, staff_id: int, *, face: bytes, finger: bytes, actor: str) -> None:
    """Consent and enrol one face encoding and one finger, unless already enrolled (re-provisioning)."""
    from window_staff.biometrics.iso19794 import parse_record

    status = await biometrics.consent_status(ctx, staff_id)
    for modality, consent in (("face", status.face), ("fingerprint", status.fingerprint)):
        if consent is None or not consent.active:
            await biometrics.grant_consent(ctx, staff_id, ConsentIn(modality=modality, notice_version=NOTICE), actor=actor)  # type: ignore[arg-type]
    enrolled = await biometrics.enrolment(ctx, staff_id)
    if not enrolled.face_count:
        await biometrics.enrol_face_encoding(ctx, staff_id, encoding=np.frombuffer(face, dtype="<f4"), actor=actor)
    if not enrolled.fingerprint_count:
        await biometrics.enrol_fingerprint_record(ctx, staff_id, record=parse_record(finger), position=2, actor=actor)


async def _terminal(ctx: AppContext, serial: str, *, kind: str, site_id: int, window_id: int, actor: str) -> SimTerminal:
    """Register and approve a terminal, or issue a fresh secret to one provisioned before."""
    known = await terminals.find_by_serial(ctx, serial)
    if known is None:
        _, secret = await terminals.register_approved(
            ctx,
            TerminalIn(serial=serial, site_id=site_id, window_id=window_id, name="simulator", kind=kind),  # type: ignore[arg-type]
            actor=actor,
        )
    else:
        _, secret, _ = await terminals.issue_secret(ctx, known.id, actor=actor)
    return SimTerminal(serial=serial, secret=secret if kind == "signed" else b"", kind=kind)  # type: ignore[arg-type]


async def provision(
    ctx: AppContext,
    *,
    terminals_per_kind: int = 10,
    kinds: tuple[str, ...] = ("signed",),
    staff: int = 20,
    site_code: str = "SIM",
    prefix: str = "SIM",
    faces: Path | None = None,
    actor: str = "cli:simulate",
) -> Credentials:
    """Enrol ``staff`` simulated people at a site and register approved terminals there; re-runnable."""
    if not prefix.isalnum() or len(prefix) > 12:
        # Employee numbers double as ZKTeco PINs, which must be alphanumeric.
        raise ValueError("prefix must be 1-12 letters or digits")
    site_id, dept_id, window_id, zone = await _place(ctx, site_code=site_code, prefix=prefix, actor=actor)
    people = [p for p in [await _encode_person(ctx, imgs) for imgs in people_in(faces)[:staff]] if p] if faces else []
    roster: list[SimStaff] = []
    for i in range(staff):
        employee_no = f"{prefix}{i + 1:04d}"
        seed = zlib.crc32(f"{prefix}:{i}".encode())
        face, images = people[i] if i < len(people) else (synthetic_face_encoding(seed), [])
        finger = synthetic_record(seed)
        staff_id = (await org.staff_ids_by_employee_no([employee_no])).get(employee_no) or (
            await org.create_staff(
                ctx,
                StaffIn(
                    employee_no=employee_no,
                    name=f"模拟员工{i + 1}",
                    department_id=dept_id,
                    window_id=window_id,
                    hired_on=ctx.clock.now().date(),
                ),
                actor=actor,
            )
        ).id
        await _enrol(ctx, staff_id, face=face, finger=finger, actor=actor)
        roster.append(SimStaff(employee_no=employee_no, face_encoding=face, fingerprint=finger, images=images))
    devices = []
    for kind in kinds:
        letter = "T" if kind == "signed" else "Z"
        for n in range(terminals_per_kind):
            devices.append(
                await _terminal(ctx, f"{prefix}-{letter}{n + 1:03d}", kind=kind, site_id=site_id, window_id=window_id, actor=actor)
            )
    return Credentials(site=site_code, timezone=zone, terminals=devices, staff=roster)
