"""Biometrics input and output schemas: consent, enrolment status, decisions. Never a template or a score."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

Modality = Literal["face", "fingerprint"]
NoticeVersion = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")]
FingerPosition = Annotated[int, msgspec.Meta(ge=0, le=10)]


class ConsentIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """HR records a staff member's signed consent for one modality."""

    modality: Modality
    notice_version: NoticeVersion


class ConsentOut(msgspec.Struct, kw_only=True):
    """One consent record (active when ``withdrawn_at`` is null)."""

    id: int
    staff_id: int
    modality: str
    notice_version: str
    granted_at: datetime
    recorded_by: str
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    active: bool


class ConsentStatusOut(msgspec.Struct, kw_only=True):
    """A staff member's consent per modality, with the history of earlier records."""

    staff_id: int
    face: ConsentOut | None
    fingerprint: ConsentOut | None
    history: list[ConsentOut]


class TemplateOut(msgspec.Struct, kw_only=True):
    """What the enrolment desk may see of a template: its metadata and quality, never its bytes."""

    id: int
    modality: str
    finger_position: int | None
    impression: int | None
    minutiae_count: int | None
    valid_cylinders: int | None
    quality: int | None
    created_at: datetime
    # Fingerprints: excellent / good / fair / poor, from the usable minutiae regions.
    grade: Literal["excellent", "good", "fair", "poor"] | None = None


class FingerEnrolmentOut(msgspec.Struct, kw_only=True):
    """One enrolled finger: its position, impressions held, and how many more are wanted."""

    position: int
    impressions: int
    wanted: int


class EnrolmentOut(msgspec.Struct, kw_only=True):
    """A staff member's enrolment: consent, counts and per-template quality."""

    staff_id: int
    face_consent: bool
    fingerprint_consent: bool
    face_count: int
    fingerprint_count: int
    templates: list[TemplateOut]
    # What a reliable enrolment still needs (settings face_enrol_photos, fingerprint_enrol_fingers/_impressions).
    faces_wanted: int = 0
    fingers: list[FingerEnrolmentOut] = []
    fingers_wanted: int = 0
    complete: bool = False


class DeletedOut(msgspec.Struct, kw_only=True):
    """How many templates were deleted."""

    deleted: int


class SummaryOut(msgspec.Struct, kw_only=True):
    """Counts shown to admins: how many people have biometric data at all."""

    staff_with_face: int
    staff_with_fingerprint: int
    active_face_consents: int
    active_fingerprint_consents: int


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    """A check-in decision: who, which modalities agreed, under which threshold, or a retry. No scores."""

    accepted: bool
    staff_id: int | None
    face_passed: bool
    fingerprint_passed: bool
    mode: Literal["identify", "verify"]  # a face shortlist at the site, or 1:1 on a claimed employee number
    policy: str
    threshold_version: str  # calibration version, target false-accept rate and gallery size: the threshold exactly
    reason: str  # "accepted" or a stable code: no_face_candidate, fingerprint_mismatch, not_confident, ambiguous, fingerprint_quality, ...
    # A probe too poor to decide: the terminal asks for another touch (not a refusal).
    retry: bool = False
    # Finger positions (ISO 1-10) enrolled by the candidates, so the terminal can ask for one of those fingers.
    enrolled_positions: tuple[int, ...] = ()
