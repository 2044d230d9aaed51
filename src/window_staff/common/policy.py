"""Policy files under rules/: a flat TOML table read into a frozen dataclass, every key required and checked.

A check takes a value and returns ``None`` when it is acceptable, else what the value must be
(e.g. ``"an integer 1..60"``); the error then reads ``"<file>: key 'x' must be an integer 1..60, got 0"``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")  # a policy schema is a dataclass (its fields are read)
Check = Callable[[Any], str | None]


def int_between(low: int, high: int) -> Check:
    """A check for an integer in low..high (a TOML boolean is not an integer here)."""
    expected = f"an integer {low}..{high}"
    return lambda value: None if type(value) is int and low <= value <= high else expected


def positive_int() -> Check:
    """A check for an integer above zero."""
    return lambda value: None if type(value) is int and value > 0 else "a positive integer"


def boolean() -> Check:
    """A check for true or false."""
    return lambda value: None if type(value) is bool else "true or false"


def one_of(*choices: str) -> Check:
    """A check for one of the given words."""
    expected = " | ".join(choices)
    return lambda value: None if isinstance(value, str) and value in choices else expected


def policy_from_mapping(
    data: Mapping[str, Any], *, schema: type[T], checks: Mapping[str, Check], error: type[DomainError], source: str
) -> T:
    """Build ``schema`` from a parsed table; the first unknown, missing or failing key raises ``error`` naming it."""
    known = [f.name for f in fields(schema)]
    if set(checks) != set(known):  # a field without a check would accept anything: a programming error
        raise TypeError(f"{schema.__name__}: checks {sorted(checks)} do not match fields {sorted(known)}")
    for key in sorted(data):
        if key not in checks:
            raise error(f"{source}: unknown key {key!r}", key=key)
    for key in known:
        if key not in data:
            raise error(f"{source}: missing key {key!r}", key=key)
        expected = checks[key](data[key])
        if expected is not None:
            raise error(f"{source}: key {key!r} must be {expected}, got {data[key]!r}", key=key)
    return schema(**{key: data[key] for key in known})


def load_policy(path: Path, *, schema: type[T], checks: Mapping[str, Check], error: type[DomainError], name: str) -> T:
    """Read and validate the policy file at ``path``; errors name the file and the key (``"file"`` when unreadable)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: {name} file is missing", key="file") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise error(f"{path}: not valid UTF-8 TOML: {exc}", key="file") from exc
    return policy_from_mapping(data, schema=schema, checks=checks, error=error, source=str(path))


def cached(ctx: AppContext, key: str, loader: Callable[[], T]) -> T:
    """``ctx.resources[key]``, filled by ``loader()`` on first use (policies are read once per process)."""
    found = ctx.resources.get(key)
    if found is None:
        found = ctx.resources[key] = loader()
    return found
