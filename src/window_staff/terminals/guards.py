"""Terminal authentication: our terminals sign every request (RFC 9421); ZKTeco devices are known serials."""

from __future__ import annotations

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from window_staff.terminals.service import checkin as service_checkin, zkteco as service_zkteco
from window_staff.terminals.signatures import SignedRequest


async def signed_terminal(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Verify the request signature and digest over the whole body; stores the terminal in the scope."""
    # guards of HTTP routes get the handler's own Request; reading the body here caches it for the handler
    request = connection if isinstance(connection, Request) else Request(connection.scope, receive=connection.receive)
    body = await request.body()
    signed = SignedRequest(method=request.method, url=str(request.url), headers=dict(request.headers))
    terminal = await service_checkin.authenticate(connection.app.state.ctx, signed, body)
    connection.scope["terminal"] = terminal  # type: ignore[typeddict-unknown-key]


async def signed_check_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """A check-in's signature and digest over the whole body, and the stored answer to its event if there is one.

    Its nonce is not burned here but with the check-in's own writes, in one transaction; the signed check-in
    (terminal, nonce, form, stored answer) is put in the scope.
    """
    request = connection if isinstance(connection, Request) else Request(connection.scope, receive=connection.receive)
    body = await request.body()
    signed = SignedRequest(method=request.method, url=str(request.url), headers=dict(request.headers))
    content_type = request.headers.get("content-type", "")
    ctx = connection.app.state.ctx
    connection.scope["check_in"] = await service_checkin.authenticate_check_in(ctx, signed, body, content_type=content_type)  # type: ignore[typeddict-unknown-key]


async def zkteco_device(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """A registered, approved serial in ``SN``; others get 403 and are never added."""
    terminal = await service_zkteco.device(connection.app.state.ctx, connection.query_params.get("SN"))
    connection.scope["terminal"] = terminal  # type: ignore[typeddict-unknown-key]
