"""The queue at a site now (reads only): today's events in the site's own day, read as the hall and Today show them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.org import service as org
from window_staff.queues.domain import Event, build_tickets
from window_staff.queues.live import QueueNow, queue_now
from window_staff.queues.service.categories import window_categories
from window_staff.queues.tables import QueueEvent


async def queue_now_at(ctx: AppContext, *, site_id: int) -> QueueNow:
    """Who waits for which category and for how long, and the ticket at each window, at the injected clock's now."""
    zone = ZoneInfo((await org.site_time_zones([site_id])).get(site_id) or DEFAULT_TIME_ZONE)
    now = ctx.clock.now()
    midnight = datetime.combine(now.astimezone(zone).date(), time(), tzinfo=zone).astimezone(UTC)
    rows = await QueueEvent.select().where(
        (QueueEvent.site == site_id) & (QueueEvent.at >= midnight) & (QueueEvent.at < midnight + timedelta(days=1))
    )
    events = [
        Event(
            r["id"],
            r["site"],
            r["kind"],
            r["at"] if r["at"].tzinfo else r["at"].replace(tzinfo=UTC),
            r["ticket"],
            r["category"],
            r["window"],
            r["staff"],
            r["to_window"],
        )
        for r in rows
        if (r["at"] if r["at"].tzinfo else r["at"].replace(tzinfo=UTC)) <= now
    ]
    return queue_now(build_tickets(events), now=now, window_categories=await window_categories([site_id]))
