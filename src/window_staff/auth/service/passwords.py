"""Passwords: the holder changes their own (old password, plus a code for MFA accounts); an administrator issues a one-time reset link."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from window_staff.auth import domain, totp_secrets
from window_staff.auth.errors import LoginThrottled, PasswordNotConfirmed, ResetLinkInvalid, SessionInvalid, UserNotFound, WeakPassword
from window_staff.auth.schemas import PasswordResetIssuedOut
from window_staff.auth.service import throttle
from window_staff.auth.service.accounts import accepted_step, revoke_sessions
from window_staff.auth.tables import PasswordReset, User
from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import write_transaction
from window_staff.common.principal import Principal

RESET_LIFETIME = timedelta(hours=24)
RESET_PATH = "/password-reset"


def _check_policy(password: str) -> None:
    if len(password) < domain.MIN_PASSWORD_LENGTH:
        raise WeakPassword()


async def change_password(ctx: AppContext, principal: Principal, *, old: str, new: str, totp: str | None, ip: str) -> None:
    """Change the caller's password: the old one and, for accounts with a second factor, a fresh code; other sessions end."""
    _check_policy(new)
    now = ctx.clock.now()
    # A stolen session must not turn into unlimited guesses at the password: the login's wait applies.
    wait = throttle.account_wait(ctx, await throttle.account_failures(principal.username, now=now), now=now)
    if wait is not None:
        raise LoginThrottled(retry_after=wait)
    row = await User.select().where(User.id == principal.user_id).first()
    if row is None or not row["active"]:
        raise SessionInvalid()
    ok = await asyncio.to_thread(domain.verify_password, row["password_hash"], old)
    step: int | None = None
    if ok and row["totp_secret"] is not None:
        secret = totp_secrets.reveal(ctx, row["totp_secret"], username=row["username"])
        step = accepted_step(secret, totp, now=now, last_step=row["totp_last_step"]) if totp else None
        ok = step is not None
    if not ok:
        await throttle.record_failure(ctx, username=row["username"], ip=ip, now=now, user_id=row["id"])
        raise PasswordNotConfirmed()
    password_hash = await asyncio.to_thread(domain.hash_password, new)
    async with write_transaction(ctx.engine):
        where = User.id == row["id"]
        changes: dict = {User.password_hash: password_hash}
        if step is not None:
            # The code is spent like a login's: conditional, so it cannot serve twice.
            changes[User.totp_last_step] = step
            where &= User.totp_last_step.is_null() | (User.totp_last_step < step)
        if not await User.update(changes).where(where).returning(User.id):
            raise PasswordNotConfirmed()
        await revoke_sessions(row["id"], now=now, keep=principal.session_id)
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="user.password_changed",
            subject_type="user",
            subject_id=row["id"],
            data={"ip": ip},
        )


async def issue_reset(ctx: AppContext, user_id: int, *, actor: str) -> PasswordResetIssuedOut:
    """A one-time link (24 h) for the user to set a new password; earlier unused links of theirs stop working."""
    token, digest = domain.new_token()
    now = ctx.clock.now()
    expires = now + RESET_LIFETIME
    async with write_transaction(ctx.engine):
        row = await User.select(User.id, User.active).where(User.id == user_id).first()
        if row is None:
            raise UserNotFound()
        await PasswordReset.update({PasswordReset.used_at: now}).where((PasswordReset.user == user_id) & PasswordReset.used_at.is_null())
        await PasswordReset.insert(PasswordReset(token_hash=digest, user=user_id, created_by=actor, created_at=now, expires_at=expires))
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="user.password_reset_issued",
            subject_type="user",
            subject_id=user_id,
            data={"expires_at": expires.isoformat()},
        )
    url = f"{ctx.settings.public_url.rstrip('/')}{RESET_PATH}?token={token}"
    return PasswordResetIssuedOut(url=url, token=token, expires_at=expires)


async def _open_reset(token: str, *, now: datetime) -> dict:
    row = (
        await PasswordReset.select(
            PasswordReset.id,
            PasswordReset.expires_at,
            PasswordReset.used_at,
            PasswordReset.user.id.as_alias("user_id"),
            PasswordReset.user.active.as_alias("active"),
            PasswordReset.user.username.as_alias("username"),
        )
        .where(PasswordReset.token_hash == domain.token_digest(token))
        .first()
    )
    if row is None or row["used_at"] is not None or row["expires_at"] <= now or not row["active"]:
        raise ResetLinkInvalid()
    return row


async def check_reset(ctx: AppContext, token: str) -> None:
    """Refuse a reset link that is unknown, used, expired or for a disabled account (before showing its form)."""
    await _open_reset(token, now=ctx.clock.now())


async def reset_password(ctx: AppContext, token: str, *, new: str, ip: str) -> None:
    """Set a new password through a reset link (once); every session of the user ends."""
    _check_policy(new)
    now = ctx.clock.now()
    row = await _open_reset(token, now=now)
    password_hash = await asyncio.to_thread(domain.hash_password, new)
    async with write_transaction(ctx.engine):
        # Conditional: two submissions of one link cannot both set a password.
        used = (
            await PasswordReset.update({PasswordReset.used_at: now})
            .where((PasswordReset.id == row["id"]) & PasswordReset.used_at.is_null())
            .returning(PasswordReset.id)
        )
        if not used:
            raise ResetLinkInvalid()
        await User.update({User.password_hash: password_hash}).where(User.id == row["user_id"])
        await revoke_sessions(row["user_id"], now=now)
        await audit.record(
            ctx.engine,
            at=now,
            actor=f"user:{row['user_id']}:{row['username']}",
            action="user.password_reset",
            subject_type="user",
            subject_id=row["user_id"],
            data={"ip": ip, "reset_id": row["id"]},
        )
