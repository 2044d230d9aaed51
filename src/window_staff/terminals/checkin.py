"""Reading a check-in request: the multipart fields, validated before anything is matched (pure)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from window_staff.terminals.errors import CheckInInvalid

EVENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
EMPLOYEE_NO = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class CheckInInput:
    """A validated check-in: one face part and one fingerprint part."""

    event_id: str
    captured_at: dt.datetime
    face_image: bytes | None
    face_encoding: bytes | None
    fingerprint_record: bytes | None
    fingerprint_image: bytes | None
    dpi: int | None
    employee_no: str | None


def _one(form: dict[str, list[object]], name: str) -> object | None:
    values = form.get(name) or []
    if len(values) > 1:
        raise CheckInInvalid(f"field {name!r} given {len(values)} times", code="field_repeated")
    return values[0] if values else None


def _text(value: object | None, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise CheckInInvalid(f"field {name!r} is not UTF-8 text") from None
    return str(value)


def parse(form: dict[str, list[object]], *, allowed: set[str]) -> CheckInInput:
    """Validate the fields of a check-in form (values are str for text parts, bytes for files)."""
    unknown = sorted(set(form) - allowed)
    if unknown:
        raise CheckInInvalid(f"unknown field(s): {', '.join(unknown)}", code="unknown_field")
    event_id = _text(_one(form, "event_id"), "event_id")
    if not event_id or not EVENT_ID.match(event_id):
        raise CheckInInvalid("event_id is required: 1-64 characters of letters, digits and _.:-", code="event_id_invalid")
    raw_time = _text(_one(form, "captured_at"), "captured_at")
    if not raw_time:
        raise CheckInInvalid("captured_at is required (ISO 8601 with offset)", code="captured_at_invalid")
    try:
        captured = dt.datetime.fromisoformat(raw_time)
    except ValueError:
        raise CheckInInvalid("captured_at is not ISO 8601", code="captured_at_invalid") from None
    if captured.tzinfo is None:
        raise CheckInInvalid("captured_at needs a UTC offset (the device's clock zone)", code="captured_at_invalid")
    face, encoding = _file(form, "face"), _file(form, "face_encoding")
    if (face is None) == (encoding is None):
        raise CheckInInvalid("send exactly one of face (image) or face_encoding (512 bytes)", code="face_missing")
    record, image = _file(form, "fingerprint"), _file(form, "fingerprint_image")
    if (record is None) == (image is None):
        raise CheckInInvalid("send exactly one of fingerprint (ISO 19794-2) or fingerprint_image", code="fingerprint_missing")
    dpi: int | None = None
    raw_dpi = _text(_one(form, "dpi"), "dpi")
    if image is not None:
        if raw_dpi is None or not raw_dpi.isdigit() or not 250 <= int(raw_dpi) <= 1000:
            raise CheckInInvalid("fingerprint_image needs dpi between 250 and 1000", code="dpi_invalid")
        dpi = int(raw_dpi)
    employee_no = _text(_one(form, "employee_no"), "employee_no")
    if employee_no is not None and not EMPLOYEE_NO.match(employee_no):
        raise CheckInInvalid("employee_no is malformed", code="employee_no_invalid")
    return CheckInInput(event_id=event_id, captured_at=captured.astimezone(dt.UTC), face_image=face, face_encoding=encoding,
                        fingerprint_record=record, fingerprint_image=image, dpi=dpi, employee_no=employee_no or None)


def _file(form: dict[str, list[object]], name: str) -> bytes | None:
    value = _one(form, name)
    if value is None:
        return None
    if isinstance(value, str):
        # A text part where a file was expected: take its bytes (terminals may omit a filename).
        value = value.encode("latin-1", errors="strict") if value.isascii() else value.encode()
    if not isinstance(value, bytes) or not value:
        raise CheckInInvalid(f"{name} is empty", code="part_empty")
    return value


def is_future(captured_at: dt.datetime, *, received_at: dt.datetime) -> bool:
    """True when the device's capture time is ahead of the server by more than the tolerance."""
    return captured_at - received_at > FUTURE_TOLERANCE
