"""Routes that terminals call: the signed check-in API and the ZKTeco push protocol."""

from __future__ import annotations

import logging

from litestar import Controller, MediaType, Request, Response, get, post

from window_staff.common.context import AppContext
from window_staff.settings import FACE_IMAGE_LIMIT_MAX
from window_staff.terminals import zkteco
from window_staff.terminals.guards import signed_check_in, zkteco_device
from window_staff.terminals.service import checkin as service_checkin, zkteco as service_zkteco

log = logging.getLogger("window_staff.terminals.zkteco")
# A face photo at the largest face image limit, plus room for a fingerprint image and the text fields;
# each part is further held to its own cap by read_multipart.
CHECK_IN_LIMIT = FACE_IMAGE_LIMIT_MAX + 4 * 1024 * 1024


class TerminalCheckInController(Controller):
    """Our own desk terminals."""

    path = "/api/v1/terminal"
    tags = ["terminal protocol"]

    @post(
        "/check-ins",
        guards=[signed_check_in],
        request_max_body_size=CHECK_IN_LIMIT,
        status_code=200,
        response_description="A CheckInOut JSON object (stored bytes, replayed verbatim on retry)",
    )
    async def check_in(self, ctx: AppContext, request: Request) -> Response[bytes]:
        """Decide a check-in (multipart: face + fingerprint, or card_no + pin); retries of an event id get the stored answer."""
        # The guard has verified the signature and read the form (limits: terminals.checkin.fields).
        status, body = await service_checkin.check_in(ctx, request.scope["check_in"])  # type: ignore[typeddict-item]
        return Response(body, status_code=status, media_type=MediaType.JSON)


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
        return _text(zkteco.handshake(terminal["serial"], time_zone=service_zkteco.time_zone_of(terminal), at=ctx.clock.now()))

    @post(["/cdata", "/cdata.aspx"], request_max_body_size=4 * 1024 * 1024, status_code=200)
    async def upload(self, ctx: AppContext, request: Request) -> Response[str]:
        """ATTLOG lines become punches (committed before ``OK: <n>``); OPERLOG is counted and logged; other tables acknowledged."""
        terminal = request.scope["terminal"]  # type: ignore[typeddict-item]
        table = request.query_params.get("table", "")
        body = await request.body()
        if table == "ATTLOG":
            result = await service_zkteco.receive_attlog(ctx, terminal, body)
            return _text(f"OK: {result.accepted}")
        if table == "OPERLOG":
            return _text(f"OK: {service_zkteco.receive_operlog(terminal, body)}")
        log.info("iclock %s: table %r (%d bytes) acknowledged, not stored", terminal["serial"], table[:32], len(body))
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
