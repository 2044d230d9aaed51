"""Account use cases: users, login with TOTP, sessions, throttling."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import NoReturn

import pyotp

from window_staff.auth import domain, totp_secrets
from window_staff.auth.errors import (
    LoginFailed,
    LoginThrottled,
    OwnAdminAccess,
    RoleRequired,
    SessionInvalid,
    TotpNotEnrolled,
    UnknownRole,
    UsernameTaken,
    UserNotFound,
    WeakPassword,
)
from window_staff.auth.schemas import MeOut, UserCreateIn, UserOut, UserUpdateIn
from window_staff.auth.service import throttle
from window_staff.auth.tables import USER_ROLE_SEAL, LoginAttempt, User, UserRole, UserSession
from window_staff.common import audit, integrity
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.common.principal import Principal
from window_staff.org import service as org
from window_staff.settings import Settings

ISSUER = "window-staff"


def _check_roles(roles: list[str]) -> list[str]:
    unknown = sorted(set(roles) - set(domain.ROLES))
    if unknown:
        raise UnknownRole(f"unknown role(s): {', '.join(unknown)}; known: {', '.join(domain.ROLES)}")
    return sorted(set(roles))


def totp_uri(secret: str, *, username: str) -> str:
    """The otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


async def _roles_of(user_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {uid: [] for uid in user_ids}
    if user_ids:
        for row in await UserRole.select(UserRole.user, UserRole.role).where(UserRole.user.is_in(user_ids)):
            out[row["user"]].append(row["role"])
    return {uid: sorted(r) for uid, r in out.items()}


def _user_out(row: dict, roles: list[str]) -> UserOut:
    return UserOut(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        roles=roles,
        active=row["active"],
        staff_id=row["staff"],
        mfa=row["totp_secret"] is not None,
        created_at=row["created_at"],
    )


async def create_user(ctx: AppContext, data: UserCreateIn, *, actor: str) -> tuple[UserOut, str | None]:
    """Create a user; returns it and the TOTP URI (once) when its roles need a second factor."""
    roles = _check_roles(data.roles)
    if len(data.password) < domain.MIN_PASSWORD_LENGTH:
        raise WeakPassword()
    if data.staff_id is not None and not await org.staff_exists(data.staff_id):
        raise UserNotFound(f"staff {data.staff_id} does not exist", code="staff_not_found")
    password_hash = await asyncio.to_thread(domain.hash_password, data.password)
    secret = pyotp.random_base32() if domain.needs_mfa(roles) else None
    stored = totp_secrets.seal(ctx, secret, username=data.username) if secret else None
    now = ctx.clock.now()
    try:
        async with write_transaction(ctx.engine):
            rows = await User.insert(
                User(
                    username=data.username,
                    display_name=data.display_name,
                    password_hash=password_hash,
                    totp_secret=stored,
                    staff=data.staff_id,
                    created_at=now,
                )
            ).returning(User.id)
            user_id = rows[0]["id"]
            if roles:
                await UserRole.insert(*[integrity.sealed(ctx.engine, USER_ROLE_SEAL, UserRole(user=user_id, role=r)) for r in roles])
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="user.created",
                subject_type="user",
                subject_id=user_id,
                data={"username": data.username, "roles": roles},
            )
    except INTEGRITY_ERRORS as exc:
        raise UsernameTaken(f"username {data.username!r} is taken") from exc
    user = await get_user(ctx, user_id)
    return user, (totp_uri(secret, username=data.username) if secret else None)


async def get_user(ctx: AppContext, user_id: int) -> UserOut:
    """One user by id."""
    row = await User.select().where(User.id == user_id).first()
    if row is None:
        raise UserNotFound()
    return _user_out(row, (await _roles_of([user_id]))[user_id])


async def display_names(user_ids: list[int]) -> dict[int, str]:
    """How a person is named on forms and pages: the display name, else the user name (never the audit actor)."""
    if not user_ids:
        return {}
    rows = await User.select(User.id, User.display_name, User.username).where(User.id.is_in(sorted(set(user_ids))))
    return {r["id"]: r["display_name"] or r["username"] for r in rows}


async def list_users(ctx: AppContext, params: PageParams) -> Page[UserOut]:
    """All users, by username."""
    total = await User.count()
    rows = await User.select().order_by(User.username).limit(params.limit).offset(params.offset)
    roles = await _roles_of([r["id"] for r in rows])
    return page_of([_user_out(r, roles[r["id"]]) for r in rows], total=total, params=params)


async def update_user(ctx: AppContext, user_id: int, data: UserUpdateIn, *, actor: str, actor_user_id: int | None = None) -> UserOut:
    """Change a user's roles, display name or activity; disabling ends every session; nobody locks themselves out."""
    if actor_user_id == user_id and (data.active is False or (data.roles is not None and "admin" not in data.roles)):
        # The last administrator could otherwise leave the centre with nobody able to manage accounts.
        raise OwnAdminAccess("another administrator must disable you or take away your admin role")
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await User.select(User.id, User.totp_secret).where(User.id == user_id).first()
        if row is None:
            raise UserNotFound()
        changes: dict[str, object] = {}
        if data.display_name is not None:
            await User.update({User.display_name: data.display_name}).where(User.id == user_id)
            changes["display_name"] = data.display_name
        if data.roles is not None:
            roles = _check_roles(data.roles)
            await UserRole.delete().where(UserRole.user == user_id)
            await UserRole.insert(*[integrity.sealed(ctx.engine, USER_ROLE_SEAL, UserRole(user=user_id, role=r)) for r in roles])
            if domain.needs_mfa(roles) and row["totp_secret"] is None:
                changes["totp_pending"] = True
            changes["roles"] = roles
        if data.active is not None:
            await User.update({User.active: data.active}).where(User.id == user_id)
            if not data.active:
                await revoke_sessions(user_id, now=now)
            changes["active"] = data.active
        await audit.record(ctx.engine, at=now, actor=actor, action="user.updated", subject_type="user", subject_id=user_id, data=changes)
    return await get_user(ctx, user_id)


async def reset_totp(ctx: AppContext, user_id: int, *, actor: str) -> str:
    """Give a user a new TOTP secret (ending their sessions); returns the URI once."""
    secret = pyotp.random_base32()
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await User.select(User.username).where(User.id == user_id).first()
        if row is None:
            raise UserNotFound()
        stored = totp_secrets.seal(ctx, secret, username=row["username"])
        await User.update({User.totp_secret: stored, User.totp_last_step: None}).where(User.id == user_id)
        await revoke_sessions(user_id, now=now)
        await audit.record(ctx.engine, at=now, actor=actor, action="user.totp_reset", subject_type="user", subject_id=user_id)
    return totp_uri(secret, username=row["username"])


async def revoke_sessions(user_id: int, *, now: datetime, keep: int | None = None) -> None:
    """End every open session of the user (but ``keep``), inside the caller's transaction."""
    where = (UserSession.user == user_id) & UserSession.revoked_at.is_null()
    if keep is not None:
        where &= UserSession.id != keep
    await UserSession.update({UserSession.revoked_at: now}).where(where)


async def login(ctx: AppContext, *, username: str, password: str, totp: str | None, ip: str) -> tuple[str, datetime, MeOut]:
    """Check the password (and TOTP where required) and open a session; returns token, expiry, user.

    Every failure before the code is accepted (unknown user, wrong password, missing, wrong or replayed
    code) answers the same ``login_failed``: the answer never tells that the password was right.
    """
    now = ctx.clock.now()
    wait = throttle.account_wait(ctx, await throttle.account_failures(username, now=now), now=now)
    if wait is not None:
        raise LoginThrottled(retry_after=wait)
    row = await User.select().where(User.username == username).first()
    ok = await asyncio.to_thread(domain.verify_password, row["password_hash"] if row else None, password)
    if row is None or not ok or not row["active"]:
        await _refuse(ctx, username=username, ip=ip, now=now, user_id=row["id"] if row else None)
    assert row is not None  # refused above
    roles = (await _roles_of([row["id"]]))[row["id"]]
    step: int | None = None
    if row["totp_secret"] is not None:
        secret = totp_secrets.reveal(ctx, row["totp_secret"], username=username)
        step = accepted_step(secret, totp, now=now, last_step=row["totp_last_step"]) if totp else None
        if step is None:
            await _refuse(ctx, username=username, ip=ip, now=now, user_id=row["id"])
    elif domain.needs_mfa(roles):
        raise TotpNotEnrolled()
    token, digest = domain.new_token()
    expires = now + timedelta(hours=ctx.settings.session_ttl_hours)
    try:
        async with write_transaction(ctx.engine):
            if step is not None:
                # Conditional update: two logins racing with one code cannot both succeed.
                claimed = (
                    await User.update({User.totp_last_step: step})
                    .where((User.id == row["id"]) & ((User.totp_last_step.is_null()) | (User.totp_last_step < step)))
                    .returning(User.id)
                )
                if not claimed:
                    raise _CodeAlreadyUsed()
            if step is not None and not totp_secrets.is_sealed(row["totp_secret"]) and totp_secrets.aead(ctx) is not None:
                # Stored in clear before a vault key was configured: sealed now that one is.
                sealed = totp_secrets.seal(ctx, secret, username=username)
                await User.update({User.totp_secret: sealed}).where(User.id == row["id"])
            await UserSession.insert(UserSession(token_hash=digest, user=row["id"], created_at=now, expires_at=expires, ip=ip))
            await LoginAttempt.insert(LoginAttempt(username=username, ip=ip, at=now, success=True))
            await audit.record(
                ctx.engine,
                at=now,
                actor=f"user:{row['id']}:{username}",
                action="auth.login",
                subject_type="user",
                subject_id=row["id"],
                data={"ip": ip},
            )
    except _CodeAlreadyUsed:
        await _refuse(ctx, username=username, ip=ip, now=now, user_id=row["id"])
    me = MeOut(
        id=row["id"],
        username=username,
        display_name=row["display_name"],
        roles=roles,
        staff_id=row["staff"],
        locale=row["locale"],
        mfa=row["totp_secret"] is not None,
    )
    return token, expires, me


class _CodeAlreadyUsed(Exception):
    """Another login took this code's time step first (rolls the session back)."""


async def _refuse(ctx: AppContext, *, username: str, ip: str, now: datetime, user_id: int | None) -> NoReturn:
    # The address limit is judged on the failures before this one; it turns only failing answers into 429.
    wait = await throttle.address_wait(ctx, ip, now=now)
    await throttle.record_failure(ctx, username=username, ip=ip, now=now, user_id=user_id)
    if wait is not None:
        raise LoginThrottled(retry_after=wait)
    raise LoginFailed()


def accepted_step(secret: str, code: str, *, now: datetime, last_step: int | None) -> int | None:
    """The time step a code belongs to (now, or one step either way), if it is right and newer than the last used one."""
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // totp.interval
    for step in (current, current - 1, current + 1):  # one step of clock drift either way
        if totp.generate_otp(step) == code and (last_step is None or step > last_step):
            return step
    return None


async def logout(ctx: AppContext, principal: Principal) -> None:
    """End the caller's current session."""
    if principal.session_id is None:
        return
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        await UserSession.update({UserSession.revoked_at: now}).where(UserSession.id == principal.session_id)


async def resolve_session(ctx: AppContext, token: str) -> Principal:
    """The principal behind a session token, or SessionInvalid."""
    now = ctx.clock.now()
    row = (
        await UserSession.select(
            UserSession.id,
            UserSession.expires_at,
            UserSession.revoked_at,
            UserSession.user.id.as_alias("user_id"),
            UserSession.user.username.as_alias("username"),
            UserSession.user.display_name.as_alias("display_name"),
            UserSession.user.active.as_alias("active"),
            UserSession.user.staff.as_alias("staff_id"),
        )
        .where(UserSession.token_hash == domain.token_digest(token))
        .first()
    )
    if row is None or row["revoked_at"] is not None or row["expires_at"] <= now or not row["active"]:
        raise SessionInvalid()
    roles = (await _roles_of([row["user_id"]]))[row["user_id"]]
    return Principal(
        user_id=row["user_id"],
        username=row["username"],
        roles=frozenset(roles),
        staff_id=row["staff_id"],
        session_id=row["id"],
        name=row["display_name"],
    )


def me(principal: Principal, *, display_name: str = "", locale: str = "zh-CN", mfa: bool = False) -> MeOut:
    """The caller's own view."""
    return MeOut(
        id=principal.user_id,
        username=principal.username,
        display_name=display_name,
        roles=sorted(principal.roles),
        staff_id=principal.staff_id,
        locale=locale,
        mfa=mfa,
    )


async def get_me(ctx: AppContext, principal: Principal) -> MeOut:
    """The caller's own account."""
    row = await User.select().where(User.id == principal.user_id).first()
    if row is None:
        raise SessionInvalid()
    return me(principal, display_name=row["display_name"], locale=row["locale"], mfa=row["totp_secret"] is not None)


async def active_user_ids_of_staff(staff_ids: list[int]) -> dict[int, list[int]]:
    """Active user ids linked to each staff member (for notifications about them)."""
    out: dict[int, list[int]] = {s: [] for s in staff_ids}
    if staff_ids:
        active = User.active == True  # noqa: E712 (Piccolo builds SQL from the comparison)
        for row in await User.select(User.id, User.staff).where(User.staff.is_in(list(staff_ids)) & active).order_by(User.id):
            out[row["staff"]].append(row["id"])
    return out


async def active_user_ids_with_role(role: str) -> list[int]:
    """Active user ids holding ``role``."""
    rows = await UserRole.select(UserRole.user).where((UserRole.role == role) & (UserRole.user.active == True)).order_by(UserRole.user)  # noqa: E712
    return sorted({r["user"] for r in rows})


async def principal_for(username: str) -> Principal:
    """The principal of an active user by username (CLI commands act as that person); UserNotFound otherwise."""
    row = await User.select(User.id, User.username, User.display_name, User.active, User.staff).where(User.username == username).first()
    if row is None or not row["active"]:
        raise UserNotFound(f"no active user {username!r}")
    roles = (await _roles_of([row["id"]]))[row["id"]]
    return Principal(user_id=row["id"], username=row["username"], roles=frozenset(roles), staff_id=row["staff"], name=row["display_name"])


async def importer_for(username: str | None, *, role: str) -> tuple[Principal, str | None]:
    """Who a CLI import acts as: the named active user, who must hold ``role`` (RoleRequired), or with no name an
    operator the trail calls "cli"; the second value is the trail's actor when it is not the principal's."""
    if not username:
        return Principal(user_id=0, username="cli", roles=frozenset({role}), staff_id=None), "cli"
    principal = await principal_for(username)
    if not principal.has_any(role):
        raise RoleRequired(f"user {principal.username!r} does not hold the role {role!r} that importing needs")
    return principal, None


async def user_names() -> dict[int, str]:
    """Every user's display name by id (the pages name people, never accounts); the username where none was given."""
    rows = await User.select(User.id, User.username, User.display_name)
    return {r["id"]: r["display_name"] or r["username"] for r in rows}


async def totp_secret_of(ctx: AppContext, username: str) -> str | None:
    """A user's TOTP secret in clear (the demo's code printer only), or None."""
    row = await User.select(User.totp_secret).where(User.username == username).first()
    if row is None or row["totp_secret"] is None:
        return None
    return totp_secrets.reveal(ctx, row["totp_secret"], username=username)


async def set_totp_secret(ctx: AppContext, username: str, secret: str) -> None:
    """Give a user a known TOTP secret (the demo's fixed secrets), sealed like any other."""
    async with write_transaction(ctx.engine):
        await User.update({User.totp_secret: totp_secrets.seal(ctx, secret, username=username)}).where(User.username == username)


async def seal_clear_totp_secrets(settings: Settings) -> int:
    """Seal every TOTP secret still stored in clear, when a vault key is configured (the migration); how many."""
    cipher = totp_secrets.aead_of_settings(settings)
    if cipher is None:
        return 0
    sealed = 0
    for row in await User.select(User.id, User.username, User.totp_secret).where(User.totp_secret.is_not_null()):
        if not totp_secrets.is_sealed(row["totp_secret"]):
            value = totp_secrets.seal_with(cipher, row["totp_secret"], username=row["username"])
            await User.update({User.totp_secret: value}).where((User.id == row["id"]) & (User.totp_secret == row["totp_secret"]))
            sealed += 1
    return sealed
