"""Pure account rules: roles, MFA, password hashing, tokens, throttling."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ROLES = ("staff", "inspector", "inspection_lead", "hr", "approver", "delegate", "auditor", "admin")
MFA_ROLES = frozenset({"hr", "approver", "inspector", "inspection_lead", "admin"})
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps timing equal for unknown names.
_DUMMY_HASH = _hasher.hash("window-staff-dummy-password")


def needs_mfa(roles: Iterable[str]) -> bool:
    """True when any of the roles requires a TOTP second factor."""
    return any(role in MFA_ROLES for role in roles)


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches the hash (constant work when there is no hash)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token() -> tuple[str, str]:
    """A fresh session token and the SHA-256 hex digest that is stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def retry_after(failures: Iterable[datetime], *, now: datetime, max_failures: int, window: timedelta) -> int | None:
    """Seconds until another login may be tried, or None when not throttled.

    Throttled while ``max_failures`` or more failures fall inside the sliding ``window``.
    """
    recent = sorted(f for f in failures if now - f < window)
    if len(recent) < max_failures:
        return None
    # The oldest failure that keeps the count at the limit must age out first.
    frees_at = recent[len(recent) - max_failures] + window
    return max(1, int((frees_at - now).total_seconds()) + 1)


def backoff_seconds(failures: int, *, free: int, base: int, cap: int) -> int:
    """How long an account waits after its latest failure, given its failures in a row.

    The first ``free - 1`` cost nothing (typos); from the ``free``-th on the wait doubles from ``base`` up to ``cap``:
    guessing slows to one try per ``cap`` seconds, while the rightful user is never locked out for longer.
    """
    if failures < free:
        return 0
    return min(cap, base * 2 ** min(failures - free, 30))
