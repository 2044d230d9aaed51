"""Auth input and output schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

Username = Annotated[str, msgspec.Meta(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class LoginIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Credentials; ``totp`` is the 6-digit code for accounts with a second factor."""

    username: Username
    password: Password
    totp: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{6}$")] | None = None


class LoginOut(msgspec.Struct, kw_only=True):
    """A new session."""

    token: str
    expires_at: datetime
    user: MeOut


class MeOut(msgspec.Struct, kw_only=True):
    """The logged-in user as they see themselves."""

    id: int
    username: str
    display_name: str
    roles: list[str]
    staff_id: int | None
    locale: str
    mfa: bool


class UserCreateIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An admin creates a user."""

    username: Username
    password: Annotated[str, msgspec.Meta(min_length=10, max_length=256)]
    display_name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    roles: Annotated[list[str], msgspec.Meta(min_length=1, max_length=8)]
    staff_id: int | None = None


class UserUpdateIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An admin changes roles, activity or display name; omitted fields stay."""

    display_name: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    roles: Annotated[list[str], msgspec.Meta(min_length=1, max_length=8)] | None = None
    active: bool | None = None


class StaffLinkIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An admin links an account to a staff record (``null`` unlinks it)."""

    staff_id: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)] | None


class UserOut(msgspec.Struct, kw_only=True):
    """A user as the admin sees it (never the hash or the TOTP secret)."""

    id: int
    username: str
    display_name: str
    roles: list[str]
    active: bool
    staff_id: int | None
    mfa: bool
    created_at: datetime


class UserCreatedOut(msgspec.Struct, kw_only=True):
    """A new user; ``totp_uri`` is shown once for the authenticator app when the roles need it."""

    user: UserOut
    totp_uri: str | None


class TotpResetOut(msgspec.Struct, kw_only=True):
    """A fresh TOTP secret, shown once."""

    totp_uri: str


NewPassword = Annotated[str, msgspec.Meta(min_length=10, max_length=256)]


class PasswordChangeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The holder changes their password: the current one, the new one, and a code when the account has a second factor."""

    old_password: Password
    new_password: NewPassword
    totp: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{6}$")] | None = None


class PasswordResetIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new password set through a one-time reset link."""

    token: Annotated[str, msgspec.Meta(min_length=10, max_length=100)]
    new_password: NewPassword


class PasswordResetIssuedOut(msgspec.Struct, kw_only=True):
    """A one-time reset link for the user (shown once to the administrator, who hands it over)."""

    url: str
    token: str
    expires_at: datetime
