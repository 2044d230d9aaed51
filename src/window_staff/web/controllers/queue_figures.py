"""The month's queue figures on a page: per window or per staff member, tickets served, waiting and service times, missed
calls, paused minutes and 空岗, for HR, centre management and auditors (the API's figures, in words)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from window_staff.appraisal.service import lifecycle as appraisal_lifecycle
from window_staff.common import periods
from window_staff.common.context import AppContext
from window_staff.common.guards import principal_of
from window_staff.common.pagination import PageParams
from window_staff.org import service as org
from window_staff.queues.schemas import FiguresOut
from window_staff.queues.service import figures as queue_figures
from window_staff.web.i18n import lang_of, translator
from window_staff.web.month_punches import neighbours
from window_staff.web.pages import PAGE, page_roles, render
from window_staff.web.words_queues import EVENT_KINDS  # noqa: F401 (registers this page's words)

HERE = "/app/queues/figures"
_readers = page_roles("hr", "approver", "auditor")
_ALL = PageParams(limit=100_000, offset=0)


def _minutes(value: Decimal | None, words: Any) -> str:
    if value is None:
        return words("qf.no_data")
    shown = value.quantize(Decimal("0.1")).normalize()
    return words("qf.minutes").format(n=f"{shown:f}")


async def _rows(items: list[FiguresOut], *, by: str, words: Any) -> list[dict[str, Any]]:
    """Each row with the window or person named, in the order people look for them."""
    if by == "window":
        labels = await org.window_labels([f.id for f in items])
        named = [(labels.get(f.id, ""), "", f) for f in items]
    else:
        postings = {p.staff_id: p for p in await org.postings_of([f.id for f in items])}
        labels = await org.window_labels([p.window_id for p in postings.values() if p.window_id is not None])
        named = [
            (postings[f.id].name, labels.get(postings[f.id].window_id or 0, ""), f) if f.id in postings else ("", "", f) for f in items
        ]
    return [
        {
            "name": name,
            "where": where,
            "served": f.served,
            "wait_median": _minutes(f.wait_median_minutes, words),
            "wait_p90": _minutes(f.wait_p90_minutes, words),
            "service_median": _minutes(f.service_median_minutes, words),
            "missed": f.missed,
            "paused": f.paused_minutes,
            "vacant": f.vacant,
        }
        for name, where, f in sorted(named, key=lambda n: (n[0], n[1]))
    ]


class QueueFigurePages(Controller):
    """``/app/queues/figures?month=YYYY-MM&by=window|staff``."""

    include_in_schema = False
    path = HERE

    @get("", guards=[_readers], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Template:
        """A month's figures per window (or per staff member), this month unless another is asked for."""
        today = appraisal_lifecycle.local_today(ctx)
        this_month = periods.month_key(today.replace(day=1))
        asked = request.query_params.get("month", "")
        month = asked if asked and _is_month(asked) and asked <= this_month else this_month
        by = "staff" if request.query_params.get("by") == "staff" else "window"
        sites = await org.site_names()
        asked_site = request.query_params.get("site", "")
        site_id = int(asked_site) if asked_site.isdigit() and int(asked_site) in sites else (min(sites) if sites else None)
        words = translator(lang_of(request))
        items = (await queue_figures.figures(ctx, _ALL, month=month, by=by, site_id=site_id)).items if site_id is not None else []
        prev_month, next_month = neighbours(month, this_month=this_month)
        return render(
            request,
            "queues/figures.html",
            principal=await principal_of(request),
            month=month,
            by=by,
            rows=await _rows(items, by=by, words=words),
            prev_month=prev_month,
            next_month=next_month,
            sites=sorted(sites.items()),
            site_id=site_id,
            can_import="hr" in (await principal_of(request)).roles,
        )


def _is_month(text: str) -> bool:
    try:
        periods.parse_month(text)
    except ValueError:
        return False
    return True
