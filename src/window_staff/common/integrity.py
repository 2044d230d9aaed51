"""Keyed seals on the rows money and discipline rest on: the audit key, and each sealed row's ``row_mac``.

A domain declares which columns of its table are sealed (``Seal``) and, where it builds a row, puts
``row_mac(engine, seal, row)`` in it: an HMAC-SHA256 under the audit key over the table name and the
sealed columns' values, followed by a short keyed tag per column so a verifier can say *which* columns
changed. The key lives outside the database (settings ``audit_key`` / ``audit_key_file``, like the vault
key): someone holding only the database file can change a row but cannot make its seal match again.
``app.SEALED_TABLES`` registers the seals the verifier walks (common/tamper.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from piccolo.columns import Boolean, Column, Date, Timestamptz
from piccolo.engine.base import Engine
from piccolo.table import Table

from window_staff.common.errors import Unavailable
from window_staff.common.keys import write_key_file
from window_staff.settings import Settings

KEY_BYTES = 32
DEFAULT_KEY_NAME = "audit.key"
_ROW_CONTEXT = b"window-staff/row/v1"
_TAG_HEX = 4  # per-column tag: 16 bits, enough to name a changed column (the whole-row MAC decides)

T = TypeVar("T", bound=Table)

_KEYS: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()


class AuditKeyInvalid(Unavailable):
    """The audit key is malformed or unreadable, missing while the database holds keyed events, or not the key they were made with."""

    code = "audit_key_invalid"
    title = "Audit key is not usable"


# --- the key ------------------------------------------------------------------------------------------------------


def decode_key(text: str | bytes) -> bytes:
    """Decode a base64 key (surrounding whitespace allowed) and check it is 32 bytes."""
    raw = text.strip() if isinstance(text, bytes) else text.strip().encode()
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise AuditKeyInvalid("audit key is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise AuditKeyInvalid(f"audit key must decode to {KEY_BYTES} bytes, got {len(key)}")
    return key


def load_key(settings: Settings) -> bytes | None:
    """The configured key (``audit_key`` wins over ``audit_key_file``), else ``<data_dir>/audit.key`` if present, else None."""
    if settings.audit_key:
        return decode_key(settings.audit_key)
    if settings.audit_key_file is not None:
        try:
            text = settings.audit_key_file.read_bytes()
        except OSError as exc:
            raise AuditKeyInvalid(f"cannot read audit key file {settings.audit_key_file}: {exc.strerror}") from None
        return decode_key(text)
    default = settings.data_dir / DEFAULT_KEY_NAME
    if default.exists():
        # What ``window-staff demo`` made: other commands on the same data folder find it without a setting.
        return decode_key(default.read_bytes())
    return None


def demo_audit_key(settings: Settings) -> Settings:
    """Without a configured key, the demo uses ``<data_dir>/audit.key`` (created 0600 when missing)."""
    import msgspec

    if settings.audit_key or settings.audit_key_file is not None:
        return settings
    path = settings.data_dir / DEFAULT_KEY_NAME
    if write_key_file(path):
        print(f"created audit key {path} (keep it apart from database backups)")
    return msgspec.structs.replace(settings, audit_key_file=path)


def use_key(engine: Engine, key: bytes | None) -> None:
    """Make ``key`` the audit key of everything written through ``engine`` (the wiring point calls this)."""
    if key is None:
        _KEYS.pop(engine, None)
    else:
        _KEYS[engine] = key


def key_of(engine: Engine) -> bytes | None:
    """The audit key of ``engine``, or None when the service runs without one."""
    return _KEYS.get(engine)


def mac(key: bytes, context: bytes, message: bytes) -> str:
    """HMAC-SHA256 of ``message`` under ``key``, bound to ``context`` (hex)."""
    return hmac.digest(key, context + b"\x00" + message, "sha256").hex()


# --- sealed rows --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Seal:
    """Which columns of ``table`` are sealed; ``append_only`` tables never lose rows, so a missing one is a deletion."""

    table: type[Table]
    columns: tuple[Column, ...]
    append_only: bool = True
    # Audit events with this subject type name rows of the table by id: a named row that is gone was deleted.
    subject_type: str | None = None
    name: str = field(init=False)  # the table's name in the database
    column_names: tuple[str, ...] = field(init=False)  # the sealed columns' names in the database, in seal order
    _kinds: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Worked out once: the seal is computed per row on the check-in path.
        object.__setattr__(self, "name", self.table._meta.tablename)
        object.__setattr__(self, "column_names", tuple(c._meta.db_column_name for c in self.columns))
        object.__setattr__(self, "_kinds", tuple(_kind(c) for c in self.columns))


def _kind(column: Column) -> str:
    if isinstance(column, Timestamptz):
        return "instant"
    if isinstance(column, Date):
        return "date"
    if isinstance(column, Boolean):
        return "bool"
    return "value"


def _normal(kind: str, value: Any) -> Any:
    # One form per type whatever the driver hands back: SQLite gives 0/1 and text where PostgreSQL gives bool and datetime.
    if value is None:
        return None
    if kind == "instant":
        at = datetime.fromisoformat(value) if isinstance(value, str) else value
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return at.astimezone(UTC).isoformat(timespec="microseconds")
    if kind == "date":
        return value if isinstance(value, str) else date.isoformat(value)
    if kind == "bool":
        return bool(value)
    if isinstance(value, bool | int):
        return int(value)
    return str(value)


def _values(seal: Seal, row: Mapping[Any, Any]) -> list[Any]:
    by_name = {(k if isinstance(k, str) else k._meta.db_column_name): v for k, v in row.items()}
    values = []
    for name, kind in zip(seal.column_names, seal._kinds, strict=True):
        if name not in by_name:
            raise KeyError(f"{seal.name}.{name} is sealed but the row does not give it")
        values.append(_normal(kind, by_name[name]))
    return values


def seal_row(key: bytes, seal: Seal, row: Mapping[Any, Any]) -> str:
    """The seal of ``row`` under ``key``: the row's MAC (64 hex), a colon, and a 4-hex tag per sealed column."""
    values = _values(seal, row)
    prefix = _ROW_CONTEXT + b"|" + seal.name.encode()
    whole = mac(key, prefix, json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode())
    # Tags only name which column changed (the whole-row MAC decides), so a short keyed BLAKE2b per column is enough.
    tags = "".join(
        hashlib.blake2b(f"{seal.name}|{name}|{value!r}".encode(), key=key, digest_size=_TAG_HEX // 2).hexdigest()
        for name, value in zip(seal.column_names, values, strict=True)
    )
    return f"{whole}:{tags}"


def row_mac(engine: Engine, seal: Seal, row: Mapping[Any, Any]) -> str | None:
    """The value of ``row_mac`` for ``row`` (keys: columns or their names); None when the service runs without an audit key."""
    key = key_of(engine)
    return None if key is None else seal_row(key, seal, row)


def sealed(engine: Engine, seal: Seal, row: T) -> T:
    """``row`` (a table instance about to be inserted) with its ``row_mac`` set."""
    row.row_mac = row_mac(engine, seal, row.to_dict())  # type: ignore[attr-defined]
    return row


def changed_columns(key: bytes, seal: Seal, row: Mapping[str, Any], stored: str) -> list[str] | None:
    """None when ``stored`` seals ``row``; else the sealed columns whose tag no longer matches (empty: the seal itself was altered)."""
    expected = seal_row(key, seal, row)
    if hmac.compare_digest(expected, stored):
        return None
    whole, _, tags = stored.partition(":")
    mine = expected.partition(":")[2]
    if len(tags) != len(mine):
        return []
    return [
        name
        for i, name in enumerate(seal.column_names)
        if not hmac.compare_digest(tags[i * _TAG_HEX : (i + 1) * _TAG_HEX], mine[i * _TAG_HEX : (i + 1) * _TAG_HEX])
    ]


_REGISTRY: list[Seal] = []


def register(seals: Sequence[Seal]) -> None:
    """The sealed tables the verifier walks (``app.SEALED_TABLES``; once per process, idempotent)."""
    _REGISTRY[:] = list(seals)


def registered() -> list[Seal]:
    """The registered seals, in registration order."""
    return list(_REGISTRY)
