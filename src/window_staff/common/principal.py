"""Who is calling (resolved from a session by auth) and the staff member that caller is."""

from __future__ import annotations

from dataclasses import dataclass

from window_staff.common.errors import DomainError


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: resolved from a session on every request."""

    user_id: int
    username: str
    roles: frozenset[str]
    staff_id: int | None
    session_id: int | None = None
    name: str = ""  # the display name people read (the username is what the person types, never shown as a name)

    @property
    def shown_name(self) -> str:
        """The name a page greets the caller by."""
        return self.name or self.username

    @property
    def actor(self) -> str:
        """How the audit chain names this caller."""
        return f"user:{self.user_id}:{self.username}"

    def has_any(self, *roles: str) -> bool:
        """True when the caller holds at least one of the roles."""
        return bool(self.roles.intersection(roles))


def own_staff_id(principal: Principal, *, missing: type[DomainError]) -> int:
    """The staff member this caller is; ``missing`` (the domain's own not-found error) when the account has none."""
    if principal.staff_id is None:
        raise missing("this account is not linked to a staff member")
    return principal.staff_id
