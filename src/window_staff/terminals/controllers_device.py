"""Routes that terminals call: the signed check-in API and the ZKTeco push protocol."""

from __future__ import annotations

from litestar import Controller, MediaType, Request, Response, get, post

from window_staff.common.context import AppContext
from window_staff.terminals import service_checkin, service_zkteco, zkteco
from window_staff.terminals.guards import signed_terminal, zkteco_device

CHECK_IN_LIMIT = 12 * 1024 * 1024
MAX_PARTS = 16


class TerminalCheckInController(Controller):
    """Our own desk terminals."""

    path = "/api/v1/terminal"
    tags = ["terminal protocol"]

    @post("/check-ins", guards=[signed_terminal], request_max_body_size=CHECK_IN_LIMIT, status_code=200,
          response_description="A CheckInOut JSON object (stored bytes, replayed verbatim on retry)")
    async def check_in(self, ctx: AppContext, request: Request) -> Response[bytes]:
        """Decide a face + fingerprint check-in (multipart); retries of an event id get the stored answer."""
        form = await _form(request)
        status, body = await service_checkin.check_in(ctx, request.scope["terminal"], form)  # type: ignore[typeddict-item]
        return Response(body, status_code=status, media_type=MediaType.JSON)


async def _form(request: Request) -> dict[str, list[object]]:
    from window_staff.terminals.errors import CheckInInvalid

    if not request.content_type[0].startswith("multipart/form-data"):
        raise CheckInInvalid("send multipart/form-data", code="content_type_unsupported")
    parsed = await request.form()
    out: dict[str, list[object]] = {}
    count = 0
    for name, value in parsed.multi_items():
        count += 1
        if count > MAX_PARTS:
            raise CheckInInvalid(f"more than {MAX_PARTS} parts", code="too_many_parts")
        if hasattr(value, "read"):
            value = await value.read()
        out.setdefault(name, []).append(value)
    return out


def _text(body: str, status: int = 200) -> Response[str]:
    return Response(body, status_code=status, media_type=MediaType.TEXT)


class IclockController(Controller):
    """ZKTeco ADMS push protocol; the ``.aspx`` paths are the same handlers."""

    path = "/iclock"
    tags = ["terminal protocol"]
    guards = [zkteco_device]

    @get(["/cdata", "/cdata.aspx"])
    async def handshake(self, ctx: AppContext, request: Request) -> Response[str]:
        """Options for the device (first contact and periodic refresh)."""
        terminal = request.scope["terminal"]  # type: ignore[typeddict-item]
        return _text(zkteco.handshake(terminal["serial"]))

    @post(["/cdata", "/cdata.aspx"], request_max_body_size=4 * 1024 * 1024, status_code=200)
    async def upload(self, ctx: AppContext, request: Request) -> Response[str]:
        """ATTLOG lines become punches (committed before ``OK``); other tables are acknowledged."""
        terminal = request.scope["terminal"]  # type: ignore[typeddict-item]
        table = request.query_params.get("table", "")
        body = await request.body()
        if table == "ATTLOG":
            stored, _, _ = await service_zkteco.receive_attlog(ctx, terminal, body)
            return _text(f"OK: {stored}")
        return _text("OK")

    @get(["/getrequest", "/getrequest.aspx"])
    async def get_request(self, ctx: AppContext, request: Request) -> Response[str]:
        """Queued commands, or ``OK``."""
        return _text(await service_zkteco.next_commands(ctx, request.scope["terminal"]))  # type: ignore[typeddict-item]

    @post(["/devicecmd", "/devicecmd.aspx"], request_max_body_size=256 * 1024, status_code=200)
    async def device_cmd(self, ctx: AppContext, request: Request) -> Response[str]:
        """Results of executed commands."""
        await service_zkteco.command_results(ctx, request.scope["terminal"], await request.body())  # type: ignore[typeddict-item]
        return _text("OK")

