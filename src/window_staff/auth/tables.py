"""Accounts: users, their roles, sessions and login attempts."""

from piccolo.columns import BigInt, Boolean, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from window_staff.common.integrity import Seal
from window_staff.org.tables import Staff


class User(Table, tablename="app_user"):
    """Someone who logs in; a staff user links to its Staff record."""

    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=100, default="")
    password_hash = Varchar(length=200)
    # Sealed with a key derived from the vault key (auth/totp_secrets.py); in clear only without one.
    totp_secret = Varchar(length=200, null=True, default=None)
    # The last accepted TOTP time step: a code is good once, never replayed.
    totp_last_step = BigInt(null=True, default=None)
    active = Boolean(default=True)
    staff = ForeignKey(Staff, null=True)
    locale = Varchar(length=8, default="zh-CN")
    created_at = Timestamptz(default=TimestamptzNow())


class UserRole(Table, tablename="user_role"):
    """One role held by a user (unique per user and role)."""

    user = ForeignKey(User)
    role = Varchar(length=32)
    row_mac = Text(null=True, default=None)  # the keyed seal of user and role (common/integrity.py)


# Roles are replaced when a user's roles change, so a missing row is not by itself a deletion.
USER_ROLE_SEAL = Seal(UserRole, (UserRole.user, UserRole.role), append_only=False)


class UserSession(Table, tablename="user_session"):
    """A login session; only the SHA-256 of its token is stored."""

    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    ip = Varchar(length=64, default="")


class LoginAttempt(Table, tablename="login_attempt"):
    """A login try, kept for throttling and review."""

    username = Varchar(length=64)
    ip = Varchar(length=64, default="")
    at = Timestamptz(default=TimestamptzNow())
    success = Boolean(default=False)


class PasswordReset(Table, tablename="password_reset"):
    """A one-time password-reset link an administrator issued; only the SHA-256 of its token is stored."""

    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User)
    created_by = Varchar(length=200)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


TABLES = [User, UserRole, UserSession, LoginAttempt]
