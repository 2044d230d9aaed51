"""Reading a check-in request: the multipart fields, validated before anything is matched (pure)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from window_staff.biometrics.face import ENCODING_BYTES
from window_staff.common.form import BINARY_TYPES, FACE_IMAGE_TYPES, IMAGE_TYPES, Field, text_field
from window_staff.terminals.errors import CheckInInvalid

EVENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
EMPLOYEE_NO = re.compile(r"[A-Za-z0-9_-]{1,32}")
CARD_NO = re.compile(r"[A-Za-z0-9]{4,32}")
PIN = re.compile(r"[0-9]{4,12}")
DPI = re.compile(r"[0-9]{1,4}")
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
# Capture times outside this range are garbage, not clock skew (and far years overflow astimezone).
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
MIN_DPI, MAX_DPI = 250, 1000
# An ISO 19794-2 record of one view is at most 24 + 4 + 255 * 6 + 2 bytes plus extended data.
FINGERPRINT_RECORD_LIMIT = 64 * 1024
MAX_PARTS = 16


def fields(*, upload_limit: int, face_limit: int) -> dict[str, Field]:
    """Every field a check-in may carry, with its size cap and accepted declared types."""
    return {
        "event_id": text_field(),
        "captured_at": text_field(),
        "dpi": text_field(),
        "employee_no": text_field(),
        "card_no": text_field(),
        "pin": text_field(),
        "face": Field(face_limit, FACE_IMAGE_TYPES),
        "fingerprint_image": Field(upload_limit, IMAGE_TYPES),
        "face_encoding": Field(ENCODING_BYTES * 2, BINARY_TYPES),
        "fingerprint": Field(FINGERPRINT_RECORD_LIMIT, BINARY_TYPES),
    }


@dataclass(frozen=True, slots=True)
class CheckInInput:
    """A validated check-in: face + fingerprint, or card number + PIN (never both)."""

    event_id: str
    captured_at: dt.datetime
    face_image: bytes | None = None
    face_encoding: bytes | None = None
    fingerprint_record: bytes | None = None
    fingerprint_image: bytes | None = None
    dpi: int | None = None
    employee_no: str | None = None
    card_no: str | None = None
    pin: str | None = None

    @property
    def by_card(self) -> bool:
        """True for the card + PIN path."""
        return self.card_no is not None


Form = dict[str, list[bytes]] | dict[str, list[bytes | str]]


def _one(form: Form, name: str) -> bytes | None:
    values = form.get(name) or []
    if len(values) > 1:
        raise CheckInInvalid(f"field {name!r} given {len(values)} times", code="field_repeated")
    if not values:
        return None
    value = values[0]
    return value.encode() if isinstance(value, str) else bytes(value)


def _text(form: Form, name: str) -> str | None:
    value = _one(form, name)
    if value is None:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise CheckInInvalid(f"field {name!r} is not UTF-8 text", code="field_not_text") from None


def _file(form: Form, name: str) -> bytes | None:
    value = _one(form, name)
    if value is not None and not value:
        raise CheckInInvalid(f"{name} is empty", code="part_empty")
    return value


def event_id_of(form: Form) -> str:
    """The event id of a form when it is well formed, else "" (to look up a stored answer before the full check)."""
    values = form.get("event_id") or []
    value = values[0] if len(values) == 1 else b""
    text = value if isinstance(value, str) else bytes(value).decode("utf-8", "replace")
    return text if EVENT_ID.fullmatch(text) else ""


def parse(form: Form, *, allowed: set[str] | None = None) -> CheckInInput:
    """Validate the fields of a check-in form (values are the parts' bytes; str is taken as UTF-8)."""
    unknown = sorted(set(form) - (allowed if allowed is not None else set(fields(upload_limit=0, face_limit=0))))
    if unknown:
        raise CheckInInvalid(f"unknown field(s): {', '.join(unknown)}", code="unknown_field")
    event_id = _text(form, "event_id")
    # fullmatch: with match and $, "e-1\n" would pass (a $ also matches before a final newline).
    if not event_id or not EVENT_ID.fullmatch(event_id):
        raise CheckInInvalid("event_id is required: 1-64 characters of letters, digits and _.:-", code="event_id_invalid")
    captured = _captured_at(_text(form, "captured_at"))
    card_no, pin = _text(form, "card_no"), _text(form, "pin")
    biometric = [name for name in ("face", "face_encoding", "fingerprint", "fingerprint_image", "dpi", "employee_no") if name in form]
    if card_no is not None or pin is not None:
        if biometric:
            raise CheckInInvalid("send card_no + pin or face + fingerprint, not both", code="credentials_mixed")
        if card_no is None or not CARD_NO.fullmatch(card_no):
            raise CheckInInvalid("card_no must be 4-32 letters or digits", code="card_no_invalid")
        if pin is None or not PIN.fullmatch(pin):
            raise CheckInInvalid("pin must be 4-12 digits", code="pin_invalid")
        return CheckInInput(event_id=event_id, captured_at=captured, card_no=card_no.upper(), pin=pin)
    face, encoding = _file(form, "face"), _file(form, "face_encoding")
    if (face is None) == (encoding is None):
        raise CheckInInvalid(f"send exactly one of face (image) or face_encoding ({ENCODING_BYTES} bytes)", code="face_missing")
    if encoding is not None and len(encoding) != ENCODING_BYTES:
        raise CheckInInvalid(f"face_encoding must be {ENCODING_BYTES} bytes", code="face_encoding_invalid")
    record, image = _file(form, "fingerprint"), _file(form, "fingerprint_image")
    if (record is None) == (image is None):
        raise CheckInInvalid("send exactly one of fingerprint (ISO 19794-2) or fingerprint_image", code="fingerprint_missing")
    raw_dpi = _text(form, "dpi")
    dpi: int | None = None
    if image is not None:
        # A regex, not str.isdigit(): "²".isdigit() is True and int("²") raises.
        if raw_dpi is None or not DPI.fullmatch(raw_dpi) or not MIN_DPI <= int(raw_dpi) <= MAX_DPI:
            raise CheckInInvalid(f"fingerprint_image needs dpi between {MIN_DPI} and {MAX_DPI}", code="dpi_invalid")
        dpi = int(raw_dpi)
    elif raw_dpi is not None:
        raise CheckInInvalid("dpi goes with fingerprint_image only", code="dpi_invalid")
    employee_no = _text(form, "employee_no")
    if employee_no is not None and not EMPLOYEE_NO.fullmatch(employee_no):
        raise CheckInInvalid("employee_no is malformed", code="employee_no_invalid")
    return CheckInInput(
        event_id=event_id,
        captured_at=captured,
        face_image=face,
        face_encoding=encoding,
        fingerprint_record=record,
        fingerprint_image=image,
        dpi=dpi,
        employee_no=employee_no or None,
    )


def _captured_at(raw: str | None) -> dt.datetime:
    if not raw:
        raise CheckInInvalid("captured_at is required (ISO 8601 with offset)", code="captured_at_invalid")
    if len(raw) > 40:
        raise CheckInInvalid("captured_at is too long", code="captured_at_invalid")
    try:
        captured = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise CheckInInvalid("captured_at is not ISO 8601", code="captured_at_invalid") from None
    if captured.tzinfo is None:
        raise CheckInInvalid("captured_at needs a UTC offset (the device's clock zone)", code="captured_at_invalid")
    try:
        utc = captured.astimezone(dt.UTC)
    except OverflowError:
        raise CheckInInvalid("captured_at is out of range", code="captured_at_invalid") from None
    if not EARLIEST <= utc < LATEST:
        raise CheckInInvalid("captured_at is out of range", code="captured_at_invalid")
    return utc


def is_future(captured_at: dt.datetime, *, received_at: dt.datetime) -> bool:
    """True when the device's capture time is ahead of the server by more than the tolerance."""
    return captured_at - received_at > FUTURE_TOLERANCE
