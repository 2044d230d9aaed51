"""Terminal registry."""

from piccolo.columns import Bytea, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from window_staff.org.tables import Site, Staff, Window


class Terminal(Table, tablename="terminal"):
    """A desk terminal (签到终端): our signed API or a ZKTeco push device."""

    serial = Varchar(length=64, unique=True)
    name = Varchar(length=100, default="")
    kind = Varchar(length=16, default="signed")
    site = ForeignKey(Site)
    window = ForeignKey(Window, null=True)
    status = Varchar(length=16, default="pending")
    registered_at = Timestamptz(default=TimestamptzNow())
    approved_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class TerminalSecret(Table, tablename="terminal_secret"):
    """An HMAC secret of a terminal, sealed with the vault key; two may be active during rotation."""

    terminal = ForeignKey(Terminal)
    ciphertext = Bytea()
    nonce = Bytea()
    created_at = Timestamptz()
    retired_at = Timestamptz(null=True, default=None)


class TerminalNonce(Table, tablename="terminal_nonce"):
    """A signature nonce seen recently; a second use inside the window is a replay."""

    terminal = ForeignKey(Terminal)
    nonce = Varchar(length=128)
    seen_at = Timestamptz()


class CheckInEvent(Table, tablename="check_in_event"):
    """The stored answer to one terminal event, so a retry gets the same bytes back."""

    terminal = ForeignKey(Terminal)
    event_id = Varchar(length=64)
    body_sha256 = Varchar(length=64)
    status_code = Integer()
    response = Text()
    created_at = Timestamptz()


class CheckInRejection(Table, tablename="check_in_rejection"):
    """A refused check-in, kept for audit and fraud review (never an image or a template)."""

    terminal = ForeignKey(Terminal)
    event_id = Varchar(length=64)
    reason = Varchar(length=64)
    claimed_employee_no = Varchar(length=32, null=True, default=None)
    captured_at = Timestamptz(null=True, default=None)
    received_at = Timestamptz()


class TerminalCommand(Table, tablename="terminal_command"):
    """A command queued for a ZKTeco device (``C:<id>:<command>``) and what it returned."""

    terminal = ForeignKey(Terminal)
    command = Varchar(length=500)
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    returned_at = Timestamptz(null=True, default=None)
    return_code = Varchar(length=32, null=True, default=None)


class CardPin(Table, tablename="card_pin"):
    """A staff member's terminal card and PIN (argon2 hash) for the card + PIN path without biometrics."""

    staff = ForeignKey(Staff, unique=True)
    pin_hash = Varchar(length=200)
    set_at = Timestamptz()
    # Added by migration 0005 (nullable, so SQLite can add them); card_no has a unique index there.
    card_no = Varchar(length=32, null=True, default=None)
    set_by = Varchar(length=120, null=True, default=None)
    # HR's reason to let a biometrically enrolled person use the card (e.g. a broken camera), and until when.
    biometric_override = Varchar(length=200, null=True, default=None)
    override_until = Timestamptz(null=True, default=None)


class CardPinFailure(Table, tablename="card_pin_failure"):
    """A wrong PIN (or an attempt still being checked) at a terminal: the lockout counts these."""

    card = ForeignKey(CardPin)
    terminal = ForeignKey(Terminal)
    at = Timestamptz()


class DeviceUser(Table, tablename="device_user"):
    """A staff member's user id on ZKTeco devices (the PIN of ATTLOG lines): site-wide, or for one device (``terminal`` set)."""

    site = ForeignKey(Site)
    # Null: every device of the site; set: that device only, overriding the site-wide id (migration 0010's indexes).
    terminal = ForeignKey(Terminal, null=True)
    staff = ForeignKey(Staff)
    device_user_id = Varchar(length=32)
    set_by = Varchar(length=120)
    set_at = Timestamptz()


SIGNATURE_TABLES = [TerminalSecret, TerminalNonce, CheckInEvent, CheckInRejection, TerminalCommand, CardPin]


TABLES = [Terminal]
