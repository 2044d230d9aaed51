"""System routes: health, and the audit chain for auditors and admins."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, get

from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import execute
from window_staff.common.guards import PUBLIC, roles


class HealthOut(msgspec.Struct, kw_only=True):
    """Liveness and database reachability."""

    status: str
    database: str
    time: datetime


class AuditStatusOut(msgspec.Struct, kw_only=True):
    """The verifier's verdict over the whole chain."""

    ok: bool
    checked: int
    broken_id: int | None
    reason: str


class SystemController(Controller):
    """Health and audit status."""

    path = "/"
    tags = ["system"]

    @get("/health", opt=PUBLIC)
    async def health(self, ctx: AppContext) -> HealthOut:
        """OK when the process is up and the database answers."""
        await execute(ctx.engine, "SELECT 1 AS one")
        return HealthOut(status="ok", database=ctx.engine.engine_type, time=ctx.clock.now())

    @get("/api/v1/audit/status", guards=[roles("auditor", "admin")])
    async def audit_status(self, ctx: AppContext) -> AuditStatusOut:
        """Verify the audit chain end to end."""
        result = await audit.verify(ctx.engine)
        return AuditStatusOut(ok=result.ok, checked=result.checked, broken_id=result.broken_id, reason=result.reason)
