"""Batch enrolment from a manifest (``window-staff enroll``): per-person outcome and quality report."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from window_staff.biometrics import service
from window_staff.biometrics.errors import FaceDuplicate
from window_staff.biometrics.manifest import ManifestEntry
from window_staff.biometrics.pool import EncoderPool
from window_staff.biometrics.schemas import ConsentIn
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.org import service as org


@dataclass
class PersonReport:
    """What happened to one person of the manifest."""

    employee_no: str
    staff_id: int | None = None
    faces_listed: int = 0
    faces_enrolled: int = 0
    minutiae: list[int] = field(default_factory=list)  # per enrolled fingerprint view
    fingerprints_listed: int = 0
    duplicate_of: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Everything listed was enrolled and nothing was flagged."""
        return not self.problems and not self.duplicate_of


def _problem(where: str, exc: DomainError) -> str:
    return f"{where}: {exc.code} ({exc.detail})"


async def _ensure_consent(ctx: AppContext, staff_id: int, modality: str, notice: str, *, actor: str, report: PersonReport) -> None:
    status = await service.consent_status(ctx, staff_id)
    current = getattr(status, modality)
    if current is None:
        await service.grant_consent(ctx, staff_id, ConsentIn(modality=modality, notice_version=notice), actor=actor)  # type: ignore[arg-type]
    elif current.notice_version != notice:
        report.problems.append(f"{modality}: active consent is for notice {current.notice_version}, manifest says {notice} (kept)")


async def _faces(ctx: AppContext, entry: ManifestEntry, staff_id: int, *, actor: str, report: PersonReport) -> None:
    pool: EncoderPool = ctx.resources[service.POOL]
    limits = service.face_limits(ctx)
    images = []
    for path in entry.faces:
        try:
            images.append((path, path.read_bytes()))
        except OSError as exc:
            report.problems.append(f"{path.name}: cannot read ({exc.strerror})")
    # Encode a person's photos side by side in the pool, then enrol them one by one (duplicate check).
    for start in range(0, len(images), pool.max_queue):
        chunk = images[start : start + pool.max_queue]
        results = await asyncio.gather(*(pool.encode(data, **limits) for _, data in chunk), return_exceptions=True)
        for (path, _), result in zip(chunk, results, strict=True):
            if isinstance(result, DomainError):
                report.problems.append(_problem(path.name, result))
                continue
            if isinstance(result, BaseException):
                raise result
            try:
                await service.enrol_face_encoding(ctx, staff_id, encoding=result, actor=actor)
                report.faces_enrolled += 1
            except FaceDuplicate as exc:
                other = (await org.employee_nos_of([exc.extra["matched_staff_id"]])).get(exc.extra["matched_staff_id"], "?")
                report.duplicate_of.append(f"{path.name} matches {other}")
            except DomainError as exc:
                report.problems.append(_problem(path.name, exc))


async def _fingers(ctx: AppContext, entry: ManifestEntry, staff_id: int, *, actor: str, report: PersonReport) -> None:
    for capture in entry.fingerprints:
        try:
            data = capture.path.read_bytes()
        except OSError as exc:
            report.problems.append(f"{capture.path.name}: cannot read ({exc.strerror})")
            continue
        try:
            added = await service.enrol_fingerprint(ctx, staff_id, data=data, dpi=capture.dpi, position=capture.position, actor=actor)
        except DomainError as exc:
            report.problems.append(_problem(capture.path.name, exc))
            continue
        report.minutiae.extend(t.minutiae_count or 0 for t in added)


async def enrol_person(ctx: AppContext, entry: ManifestEntry, staff_id: int | None, *, actor: str) -> PersonReport:
    """Record consent for the listed modalities and enrol every capture; problems are reported, not raised."""
    report = PersonReport(
        employee_no=entry.employee_no, staff_id=staff_id, faces_listed=len(entry.faces), fingerprints_listed=len(entry.fingerprints)
    )
    if staff_id is None:
        report.problems.append("unknown employee number")
        return report
    try:
        for modality, wanted in (("face", entry.faces), ("fingerprint", entry.fingerprints)):
            if wanted:
                await _ensure_consent(ctx, staff_id, modality, entry.notice_version, actor=actor, report=report)
        if entry.faces:
            await _faces(ctx, entry, staff_id, actor=actor, report=report)
        if entry.fingerprints:
            await _fingers(ctx, entry, staff_id, actor=actor, report=report)
    except DomainError as exc:
        report.problems.append(_problem("person", exc))
    return report


async def enrol_manifest(
    ctx: AppContext, entries: Iterable[ManifestEntry], *, actor: str, progress: Callable[[str], None] | None = None
) -> list[PersonReport]:
    """Enrol every person of a manifest in order; ``progress`` is told after each person."""
    entries = list(entries)
    ids = await org.staff_ids_by_employee_no([e.employee_no for e in entries])
    reports = []
    for entry in entries:
        reports.append(await enrol_person(ctx, entry, ids.get(entry.employee_no), actor=actor))
        if progress is not None:
            progress(entry.employee_no)
    return reports


def format_report(reports: list[PersonReport]) -> str:
    """A plain-text quality report, one line per person plus indented notes."""
    lines = [f"{'employee_no':<12} {'faces':>7} {'fingerprints (minutiae)':<32} status"]
    for r in reports:
        fingers = f"{len(r.minutiae)}/{r.fingerprints_listed} ({', '.join(map(str, r.minutiae)) or '-'})" if r.fingerprints_listed else "-"
        faces = f"{r.faces_enrolled}/{r.faces_listed}" if r.faces_listed else "-"
        status = "ok" if r.ok else ("DUPLICATE" if r.duplicate_of else "CHECK")
        lines.append(f"{r.employee_no:<12} {faces:>7} {fingers:<32} {status}")
        lines.extend(f"    duplicate: {d}" for d in r.duplicate_of)
        lines.extend(f"    {p}" for p in r.problems)
    done = sum(r.ok for r in reports)
    lines.append(f"{done} of {len(reports)} people enrolled without remarks")
    return "\n".join(lines)
