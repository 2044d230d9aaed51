"""Route guards: every route has one of these, or is marked public with ``PUBLIC``.

The guards live in common so that every domain can protect its routes without importing auth; auth
provides the one function that turns a session token into a principal, and the app wires it into
``app.state.resolve_principal`` at start.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from window_staff.common.errors import Forbidden, Unauthenticated
from window_staff.common.principal import Principal

# Mark a route that anyone may call: ``@get(..., opt=PUBLIC)``.
PUBLIC = {"public": True}
SESSION_COOKIE = "ws_session"


class SessionInvalid(Unauthenticated):
    """The session token is missing, expired or revoked."""

    code = "session_invalid"
    title = "Authentication required"


class RoleRequired(Forbidden):
    """The user lacks every role the route accepts."""

    code = "role_required"
    title = "Your roles do not allow this"


Guard = Callable[[ASGIConnection, BaseRouteHandler], Coroutine[Any, Any, None]]


def _token(connection: ASGIConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return connection.cookies.get(SESSION_COOKIE)


async def principal_of(connection: ASGIConnection) -> Principal:
    """The caller's principal, resolved once per request and cached in the scope."""
    cached = connection.scope.get("principal")
    if isinstance(cached, Principal):
        return cached
    token = _token(connection)
    if not token:
        raise SessionInvalid()
    principal = await connection.app.state.resolve_principal(connection.app.state.ctx, token)
    connection.scope["principal"] = principal  # type: ignore[typeddict-unknown-key]
    return principal


async def authenticated(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Any logged-in user."""
    await principal_of(connection)


def roles(*allowed: str) -> Guard:
    """Any logged-in user holding at least one of ``allowed``."""

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal = await principal_of(connection)
        if not principal.has_any(*allowed):
            raise RoleRequired(f"needs one of: {', '.join(allowed)}")

    guard.__name__ = f"roles({','.join(allowed)})"
    guard.allowed_roles = allowed  # type: ignore[attr-defined]
    return guard


async def provide_principal(request: ASGIConnection) -> Principal:
    """Dependency: the caller (guards have already resolved it)."""
    return await principal_of(request)
