"""Queue devices (排号机/叫号机): registered terminals of kind ``queue`` push batches of events, signed like check-ins."""

from __future__ import annotations

from litestar import Controller, Request, post

from window_staff.common.context import AppContext
from window_staff.queues.schemas import ImportOut
from window_staff.queues.service import events as service_events
from window_staff.terminals.guards import signed_terminal

DEVICE_BODY_LIMIT = 2 * 1024 * 1024


class QueueDeviceController(Controller):
    """A queue device's pushed events: idempotent by event id, so a buffered batch replayed after an outage counts once."""

    path = "/api/v1/queues"
    tags = ["terminal protocol"]

    @post("/events", guards=[signed_terminal], status_code=200, request_max_body_size=DEVICE_BODY_LIMIT)
    async def events(self, ctx: AppContext, request: Request) -> ImportOut:
        """Store a JSON list of events at the device's site: every event or none; resent ones are skipped, a different
        event under a used id is 409."""
        # The guard has read and verified the whole body; it is cached on the request.
        terminal = request.scope["terminal"]  # type: ignore[typeddict-item]
        return await service_events.record_device_events(ctx, terminal, await request.body())
