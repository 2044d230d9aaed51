"""Terminal registry routes (HR and admin)."""

from __future__ import annotations

import base64

from litestar import Controller, get, post
from litestar.di import Provide

from window_staff.common.context import AppContext
from window_staff.common.guards import provide_principal, roles
from window_staff.common.pagination import Page, PageParams
from window_staff.common.principal import Principal
from window_staff.common.web import PAGE
from window_staff.terminals import service
from window_staff.terminals.schemas.registry import TerminalCommandIn, TerminalCommandOut, TerminalIn, TerminalOut, TerminalSecretOut
from window_staff.terminals.service import zkteco as service_zkteco


class TerminalController(Controller):
    """Register, approve and revoke terminals."""

    path = "/api/v1/terminals"
    tags = ["terminals"]
    guards = [roles("hr", "admin")]
    dependencies = {"principal": Provide(provide_principal), "page": PAGE}

    @get("/")
    async def list_terminals(self, ctx: AppContext, page: PageParams) -> Page[TerminalOut]:
        """All terminals."""
        return await service.list_terminals(ctx, page)

    @post("/", request_max_body_size=4096)
    async def register(self, ctx: AppContext, principal: Principal, data: TerminalIn) -> TerminalOut:
        """Register a terminal (pending until approved)."""
        return await service.register(ctx, data, actor=principal.actor)

    @get("/{terminal_id:int}")
    async def get_terminal(self, ctx: AppContext, terminal_id: int) -> TerminalOut:
        """One terminal."""
        return await service.get(ctx, terminal_id)

    @post("/{terminal_id:int}/approve", status_code=200)
    async def approve(self, ctx: AppContext, principal: Principal, terminal_id: int) -> TerminalOut:
        """Approve a pending terminal."""
        return await service.approve(ctx, terminal_id, actor=principal.actor)

    @post("/{terminal_id:int}/revoke", status_code=200)
    async def revoke(self, ctx: AppContext, principal: Principal, terminal_id: int) -> TerminalOut:
        """Revoke a terminal."""
        return await service.revoke(ctx, terminal_id, actor=principal.actor)

    @post("/{terminal_id:int}/secrets", status_code=201)
    async def issue_secret(self, ctx: AppContext, principal: Principal, terminal_id: int) -> TerminalSecretOut:
        """A new signing secret, shown once; the newest previous one stays valid so the device can switch over."""
        serial, secret, active = await service.issue_secret(ctx, terminal_id, actor=principal.actor)
        return TerminalSecretOut(serial=serial, secret=base64.b64encode(secret).decode(), active_secrets=active)

    @post("/{terminal_id:int}/commands", status_code=201, request_max_body_size=4096)
    async def queue_command(self, ctx: AppContext, principal: Principal, terminal_id: int, data: TerminalCommandIn) -> TerminalCommandOut:
        """Queue a command for a ZKTeco device; it is handed over on the device's next ``/iclock/getrequest``."""
        return await service_zkteco.queue_command(ctx, terminal_id, data.command, actor=principal.actor)

    @get("/{terminal_id:int}/commands")
    async def list_commands(self, ctx: AppContext, terminal_id: int) -> list[TerminalCommandOut]:
        """A device's latest 100 commands, newest first, with what each returned."""
        return await service_zkteco.list_commands(ctx, terminal_id)
