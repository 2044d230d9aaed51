"""Login throttling that slows guessing without locking the rightful user out.

Per account: after ``login_max_failures`` failures in a row (since its last successful login, within a
day) each further failure opens a short window, doubling from ``login_backoff_base_seconds`` up to
``login_backoff_max_seconds``, in which the account answers 429 without looking at the password. After the
window a correct password (and code) logs in. Per address: failures (unknown usernames, wrong passwords or
codes) within ``login_window_seconds`` beyond 4x ``login_max_failures`` make that address's *failing*
attempts answer 429; a correct login from it still succeeds, so colleagues behind one proxy or NAT are not
shut out by one sprayer. Every count is rows in ``login_attempt``: all processes share it.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from window_staff.auth import domain
from window_staff.auth.tables import LoginAttempt
from window_staff.common.context import AppContext
from window_staff.common.db import write_transaction

# Failures older than this no longer count towards an account's wait.
HORIZON = timedelta(days=1)
# The address limit is this many times the per-account one.
ADDRESS_FACTOR = 4

# Told (inside the transaction that records the failure) of an account's every ``login_max_failures``-th failure in a row.
FailureListener = Callable[[AppContext, int, int], Awaitable[None]]
_listeners: list[FailureListener] = []


def on_repeated_failures(listener: FailureListener) -> None:
    """Register ``listener(ctx, user_id, failures_in_a_row)`` (idempotent): the notifications domain tells the holder."""
    if listener not in _listeners:
        _listeners.append(listener)


@dataclass(frozen=True)
class AccountFailures:
    """An account's failed logins in a row and the latest one's time."""

    count: int
    last_at: datetime | None


async def account_failures(username: str, *, now: datetime) -> AccountFailures:
    """Failures for ``username`` since its last successful login (by row order, not time: a fixed clock ties) within the horizon."""
    recent = (LoginAttempt.username == username) & (LoginAttempt.at > now - HORIZON)
    succeeded = LoginAttempt.success == True  # noqa: E712 (Piccolo builds SQL from the comparison)
    last_ok = await LoginAttempt.select(LoginAttempt.id).where(recent & succeeded).order_by(LoginAttempt.id, ascending=False).first()
    failing = recent & (LoginAttempt.success == False)  # noqa: E712
    if last_ok is not None:
        failing &= LoginAttempt.id > last_ok["id"]
    rows = await LoginAttempt.select(LoginAttempt.at).where(failing).order_by(LoginAttempt.id)
    return AccountFailures(count=len(rows), last_at=rows[-1]["at"] if rows else None)


def account_wait(ctx: AppContext, failures: AccountFailures, *, now: datetime) -> int | None:
    """Seconds the account must still wait before its password is looked at again, or None."""
    s = ctx.settings
    delay = domain.backoff_seconds(
        failures.count, free=s.login_max_failures, base=s.login_backoff_base_seconds, cap=s.login_backoff_max_seconds
    )
    if not delay or failures.last_at is None:
        return None
    left = (failures.last_at + timedelta(seconds=delay) - now).total_seconds()
    return max(1, math.ceil(left)) if left > 0 else None


async def address_wait(ctx: AppContext, ip: str, *, now: datetime) -> int | None:
    """Seconds until a failing attempt from ``ip`` is answered 401 again rather than 429, or None."""
    if not ip:
        return None
    window = timedelta(seconds=ctx.settings.login_window_seconds)
    rows = await LoginAttempt.select(LoginAttempt.at).where(
        (LoginAttempt.ip == ip) & (LoginAttempt.at > now - window) & (LoginAttempt.success == False)  # noqa: E712
    )
    limit = ctx.settings.login_max_failures * ADDRESS_FACTOR
    return domain.retry_after([r["at"] for r in rows], now=now, max_failures=limit, window=window)


async def record_failure(ctx: AppContext, *, username: str, ip: str, now: datetime, user_id: int | None) -> int:
    """Store a failed attempt and tell the holder of an existing account at each threshold; its failures in a row."""
    async with write_transaction(ctx.engine):
        await LoginAttempt.insert(LoginAttempt(username=username, ip=ip, at=now, success=False))
        failures = await account_failures(username, now=now)
        if user_id is not None and failures.count % ctx.settings.login_max_failures == 0:
            for listener in _listeners:
                await listener(ctx, user_id, failures.count)
    return failures.count
