"""Authentication and account errors."""

from window_staff.common.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthenticated, Unavailable
from window_staff.common.guards import RoleRequired, SessionInvalid  # noqa: F401 (raised by auth too; declared with the guards)


class LoginFailed(Unauthenticated):
    """Wrong username, password or one-time code (never says which: not even that the password was right)."""

    code = "login_failed"
    title = "Wrong username, password or one-time code"


class TotpNotEnrolled(Forbidden):
    """A privileged role without a TOTP secret cannot log in."""

    code = "totp_enrolment_required"
    title = "This account must have a second factor before it can log in"


class LoginThrottled(TooManyRequests):
    """Too many failed logins for this user or address."""

    code = "login_throttled"
    title = "Too many failed logins; try again later"


class OwnAdminAccess(Forbidden):
    """An administrator cannot disable themselves or drop their own admin role (another administrator must)."""

    code = "own_admin_access"
    title = "You cannot remove your own administrator access"


class UserNotFound(NotFound):
    """No such user."""

    code = "user_not_found"


class UsernameTaken(Conflict):
    """Another user has that username."""

    code = "username_taken"
    title = "Username already taken"


class UnknownRole(InvalidInput):
    """A role name that does not exist."""

    code = "unknown_role"
    title = "Unknown role"


class WeakPassword(InvalidInput):
    """A password below the minimum length."""

    code = "weak_password"
    title = "Password too short (at least 10 characters)"


class TotpSecretUnreadable(Unavailable):
    """A sealed TOTP secret cannot be opened: the vault key is missing, malformed or not the one it was sealed with."""

    code = "totp_key_unavailable"
    title = "Second factors cannot be checked: the vault key is missing or wrong"


class PasswordNotConfirmed(Forbidden):
    """Changing a password needs the current one (and a fresh code for an account with a second factor)."""

    code = "password_not_confirmed"
    title = "The current password or the one-time code is wrong"


class ResetLinkInvalid(NotFound):
    """A password-reset link that is unknown, already used, expired, or for a disabled account."""

    code = "reset_link_invalid"
    title = "This password-reset link is not valid (used, expired or unknown)"


class StaffAlreadyLinked(Conflict):
    """A staff record belongs to one account: another active account is already linked to it."""

    code = "staff_already_linked"
    title = "Another account is already linked to this staff member"
