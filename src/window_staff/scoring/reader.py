"""Typed reads from TOML tables that record every problem (file, entry id, key) instead of raising."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from window_staff.scoring.errors import RuleError

DECIMAL = re.compile(r"[+-]?\d+(\.\d+)?")
ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")
MISSING = object()


@dataclass
class Errors:
    """The error list shared by every reader during one load."""

    items: list[RuleError] = field(default_factory=list)

    def add(self, file: str, entry: str | None, key: str | None, message: str) -> None:
        """Record one problem."""
        self.items.append(RuleError(file, entry, key, message))


class Reader:
    """Reads typed values from one TOML table; each problem is recorded, never raised."""

    def __init__(self, data: object, *, file: str, entry: str | None, prefix: str, errors: Errors, keys: tuple[str, ...]) -> None:
        self.file, self.entry, self.prefix, self.errors = file, entry, prefix, errors
        self.ok = isinstance(data, dict)
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        if not self.ok:
            self.fail(None, f"must be a table, got {toml_type(data)}")
        for key in self.data:
            if key not in keys:
                self.fail(key, f"unknown key (allowed: {', '.join(keys)})")

    def path(self, key: str | None) -> str | None:
        """The dotted key path for messages."""
        if key is None:
            return self.prefix or None
        return f"{self.prefix}.{key}" if self.prefix else key

    def fail(self, key: str | None, message: str) -> None:
        """Record a problem at ``key``."""
        self.errors.add(self.file, self.entry, self.path(key), message)

    def raw(self, key: str, *, required: bool) -> Any:
        """The raw value, or MISSING (recording an error when required)."""
        if key in self.data:
            return self.data[key]
        if required and self.ok:
            self.fail(key, "required key is missing")
        return MISSING

    def text(self, key: str, *, required: bool = True, pattern: re.Pattern[str] | None = None) -> str | None:
        """A non-empty string."""
        value = self.raw(key, required=required)
        if value is MISSING:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"must be a non-empty string, got {toml_type(value)}")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.fail(key, f"{value!r} is not a valid id (lower case letters, digits, '_', dot-separated)")
            return None
        return value

    def decimal(self, key: str, *, required: bool = True) -> Decimal | None:
        """Points or money: an integer or a decimal string such as "-0.5"; a TOML float is an error."""
        value = self.raw(key, required=required)
        if value is MISSING:
            return None
        parsed, problem = parse_decimal(value)
        if problem:
            self.fail(key, problem)
        return parsed

    def integer(self, key: str, *, required: bool = True, minimum: int | None = None) -> int | None:
        """A TOML integer, optionally bounded below."""
        value = self.raw(key, required=required)
        if value is MISSING:
            return None
        if type(value) is not int:
            self.fail(key, f"must be an integer, got {toml_type(value)}")
            return None
        if minimum is not None and value < minimum:
            self.fail(key, f"must be >= {minimum}, got {value}")
            return None
        return value

    def boolean(self, key: str, *, default: bool | None = None) -> bool | None:
        """A TOML boolean (required when there is no default)."""
        value = self.raw(key, required=default is None)
        if value is MISSING:
            return default
        if type(value) is not bool:
            self.fail(key, f"must be true or false, got {toml_type(value)}")
            return default
        return value

    def day(self, key: str) -> date | None:
        """An optional TOML local date (2025-01-01, unquoted)."""
        value = self.raw(key, required=False)
        if value is MISSING:
            return None
        if type(value) is not date:
            self.fail(key, f"must be a TOML date like 2025-01-01 (unquoted), got {toml_type(value)}")
            return None
        return value

    def child(self, value: object, *, prefix: str, keys: tuple[str, ...]) -> Reader:
        """A reader for a nested table."""
        return Reader(value, file=self.file, entry=self.entry, prefix=self.path(prefix) or prefix, errors=self.errors, keys=keys)


def toml_type(value: object) -> str:
    """The TOML name of a parsed value's type, for messages."""
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array", dict: "table", date: "date"}
    return names.get(type(value), type(value).__name__)


def parse_decimal(value: object) -> tuple[Decimal | None, str | None]:
    """(Decimal, None) for an integer or decimal string; (None, why) otherwise."""
    if type(value) is int:
        return Decimal(value), None
    if type(value) is float:
        return None, f'TOML float {value!r} is not allowed for points or amounts: write a decimal string ("{value}") or an integer'
    if isinstance(value, str) and DECIMAL.fullmatch(value):
        return Decimal(value), None
    return None, f'must be an integer or a decimal string like "-0.5", got {toml_type(value)} {value!r}'


def array_of(file: str, key: str, data: object, *, errors: Errors) -> list[object]:
    """The array under ``key``, or [] with an error when it is not one."""
    if not isinstance(data, list):
        errors.add(file, None, key, f"must be an array of tables ([[{key}]]), got {toml_type(data)}")
        return []
    return data
