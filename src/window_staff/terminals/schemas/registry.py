"""Terminal registry schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec


class TerminalIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Register a terminal (it starts pending)."""

    serial: Annotated[str, msgspec.Meta(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    site_id: int
    window_id: int | None = None
    name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    kind: Literal["signed", "zkteco", "queue"] = "signed"


class TerminalOut(msgspec.Struct, kw_only=True):
    """A terminal as HR and admin see it (never its secrets)."""

    id: int
    serial: str
    name: str
    kind: str
    site_id: int
    window_id: int | None
    status: str
    registered_at: datetime
    approved_at: datetime | None
    revoked_at: datetime | None


class CheckInOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A terminal's answer: accepted with who and what it means today, rejected with why, or retry. Never a score.

    ``retry``: the capture was too poor to decide (no face, several faces, a face too small, too little
    fingerprint detail); nothing is recorded against anyone, and the terminal asks for another capture,
    naming the fingers the candidates enrolled (``fingers``: ISO positions, ``finger_names``: in words).
    """

    event_id: str
    result: Literal["accepted", "rejected", "retry"]
    recorded_at: str
    reason: str | None = None
    employee_no: str | None = None
    name: str | None = None
    session: str | None = None
    status: str | None = None
    minutes: int | None = None
    # Card + PIN check-ins: accepted, but counted only once a supervisor attests them.
    pending_attestation: bool | None = None
    fingers: list[int] | None = None
    finger_names: list[str] | None = None


class TerminalSecretOut(msgspec.Struct, kw_only=True):
    """A new terminal secret, base64, shown once; the previous one stays valid until the next rotation."""

    serial: str
    secret: str
    active_secrets: int


class TerminalCommandIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A command for a ZKTeco device, e.g. ``INFO``, ``REBOOT`` or ``DATA UPDATE USERINFO PIN=..\\tName=..``.

    Tabs separate a command's fields; a line break would smuggle a second ``C:`` line, so none is allowed.
    """

    command: Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"^[^\r\n\x00-\x08\x0b-\x1f\x7f]+$")]


class TerminalCommandOut(msgspec.Struct, kw_only=True):
    """A queued device command and what the device answered."""

    id: int
    terminal_id: int
    command: str
    created_at: datetime
    sent_at: datetime | None
    returned_at: datetime | None
    return_code: str | None


# ASCII letters and digits: many ZKTeco devices take digits only, and no device takes punctuation.
DeviceUserId = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9]+$")]


class DeviceUserIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """HR sets a staff member's user id on ZKTeco devices (the PIN the device writes in its ATTLOG lines)."""

    device_user_id: DeviceUserId


class DeviceUserOut(msgspec.Struct, kw_only=True):
    """A user id HR set: for every device of the site, or for one device (``terminal_id``) overriding it."""

    site_id: int
    terminal_id: int | None
    staff_id: int
    employee_no: str
    device_user_id: str
    set_by: str
    set_at: datetime


class DeviceRosterOut(msgspec.Struct, kw_only=True):
    """Who one device knows by which user id, and where that id comes from (``none``: set one, the employee number cannot be it)."""

    staff_id: int
    employee_no: str
    name: str
    device_user_id: str | None
    source: Literal["terminal", "site", "employee_no", "none"]
