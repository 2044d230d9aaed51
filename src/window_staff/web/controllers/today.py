"""Today: who is at which window of a site now, who is late, absent or on leave, which open windows are empty (空岗),
with the month so far. HR and centre management (approvers) see the whole site, a department head their departments.
The live part is a fragment htmx asks for again every 30 seconds; nothing else on the page reloads."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from window_staff.appraisal.service import queues as appraisal_queues
from window_staff.attendance import live
from window_staff.attendance.service import today as attendance_today
from window_staff.auth.errors import RoleRequired
from window_staff.common.context import AppContext
from window_staff.common.guards import principal_of
from window_staff.common.pagination import PageParams
from window_staff.common.principal import Principal
from window_staff.evaluations.service import cases as evaluation_cases, ratings as evaluation_ratings
from window_staff.org import service as org
from window_staff.queues import service as queues
from window_staff.terminals.service import health as terminal_health
from window_staff.web.controllers.hr import bar_chart
from window_staff.web.controllers.today_words import WORDS
from window_staff.web.i18n import add_words, lang_of, time_words, translator
from window_staff.web.pages import PAGE, page_roles, render

add_words(WORDS)

WHOLE_SITE = ("hr", "approver")
REFRESH_SECONDS = 30
# How near a bad-review case's deadline must be to be shown (calendar days; past-due ones always are).
DUE_WITHIN_DAYS = 2


async def scope_of(principal: Principal) -> list[int] | None:
    """The departments the caller sees: None for the whole site (HR, centre management), a head's own departments."""
    if principal.has_any(*WHOLE_SITE):
        return None
    heads = await org.departments_headed_by(principal.staff_id) if principal.staff_id is not None else []
    if not heads:
        raise RoleRequired("needs hr, approver, or a department head")
    return heads


async def _sites(departments: list[int] | None) -> list[tuple[int, str]]:
    names = await org.site_names()
    out = []
    for site_id in sorted(names):
        if departments is None or await org.windows_at_site(site_id, department_ids=departments):
            out.append((site_id, names[site_id]))
    return out


def _asked_site(request: Request, sites: list[tuple[int, str]]) -> int | None:
    ids = [s for s, _ in sites]
    try:
        asked = int(request.query_params.get("site", ""))
    except ValueError:
        asked = None
    return asked if asked in ids else (ids[0] if ids else None)


def _every(request: Request) -> int:
    # a wall screen may ask for a slower refresh; never faster than every 5 s
    try:
        return min(max(int(request.query_params.get("every", REFRESH_SECONDS)), 5), 300)
    except ValueError:
        return REFRESH_SECONDS


def _person(today: attendance_today.Today, seen: live.Seen, windows: dict[int, dict[str, Any]]) -> dict[str, Any]:
    posting = today.postings.get(seen.staff_id)
    window = windows.get(seen.window_id) if seen.window_id is not None else None
    return {
        "name": posting.name if posting else "",
        "window": window["label"] if window else "",
        "session": seen.session,
        "minutes": seen.late_minutes,
        "presence": seen.presence.value,
    }


async def live_context(ctx: AppContext, *, site_id: int, departments: list[int] | None) -> dict[str, Any]:
    """The live fragment's figures: windows with who is at each, the empty open ones, and today's lists."""
    rows = await org.windows_at_site(site_id, department_ids=departments)
    names = await org.department_codes([r["department"] for r in rows])
    windows = {
        r["id"]: {"id": r["id"], "label": f"{r['number']} {r['name']}".strip(), "department": names.get(r["department"], ("", ""))[1]}
        for r in rows
    }
    today = await attendance_today.today_at(ctx, site_id=site_id, department_ids=departments, windows=list(windows))
    board = today.board
    cards = []
    for window_id, window in windows.items():
        here = [today.postings[s].name for s in board.at_window.get(window_id, []) if s in today.postings]
        state = "staffed" if here else "vacant" if window_id in board.vacant else "closed"
        cards.append({**window, "people": here, "state": state})
    present = sum(len(v) for v in board.at_window.values())
    queue = await queues.queue_now_at(ctx, site_id=site_id)
    served = await queues.window_categories([site_id])
    in_scope = set().union(*(served.get(w, frozenset()) for w in windows)) if departments is not None else None
    category_words = await queues.category_names(site_id)
    shown = [c for c in queue.categories if in_scope is None or c.category in in_scope]
    waiting = [
        {"name": category_words.get(c.category), "waiting": c.waiting, "longest": int(c.longest.total_seconds() // 60)} for c in shown
    ]
    for card in cards:
        card["queue"] = queue.waiting_for_window.get(card["id"])
        card["serving"] = queue.serving.get(card["id"])
    return {
        "queue": waiting,
        "queue_unstaffed": [c for c in cards if c["queue"] and not c["people"]],
        "site_id": site_id,
        "local_now": today.local_now,
        "day": today.day,
        "cards": cards,
        "late": [_person(today, s, windows) for s in board.late],
        "absent": [_person(today, s, windows) for s in board.absent],
        "on_leave": [_person(today, s, windows) for s in board.on_leave],
        "counts": {
            "present": present,
            "late": len(board.late),
            "absent": len(board.absent),
            "on_leave": len(board.on_leave),
            "vacant": len(board.vacant),
            "open": len(board.open_windows),
        },
    }


def hbars(items: list[tuple[str, float, str]], *, top: float | None = None) -> dict[str, Any]:
    """Horizontal bars (label, value, the value as shown), one row each: long window and department names stay readable."""
    # a narrow box: on a phone the SVG is drawn near its own size, so its text stays readable
    row, label_w, width = 26, 150, 380
    high = top or max((v for _, v, _ in items), default=0) or 1
    inner = width - label_w - 64
    bars = [
        {"label": label, "shown": shown, "y": i * row + 4, "w": round(inner * value / high, 1), "ty": i * row + 18}
        for i, (label, value, shown) in enumerate(items)
    ]
    return {"width": width, "height": max(len(items), 1) * row + 8, "x": label_w, "bars": bars}


async def month_context(ctx: AppContext, *, site_id: int, departments: list[int] | None, principal: Principal, lang: str) -> dict[str, Any]:
    """The month so far at the site: counts with the page behind each, and the three charts."""
    month = await attendance_today.month_so_far(ctx, site_id=site_id, department_ids=departments)
    zone = str((await attendance_today.local_now(ctx, site_id=site_id)).tzinfo)
    staff_ids = list(month.postings)
    rows = await org.windows_at_site(site_id, department_ids=departments)
    window_ids = [r["id"] for r in rows]
    dept_of = {p.staff_id: p.department_id for p in month.postings.values()}
    names = await org.department_codes(sorted(set(dept_of.values())))
    late_by_dept = live.late_minutes_by(month.records, group_of=dept_of)
    by_day = live.rate_by_day(month.records)
    satisfaction = await evaluation_ratings.satisfaction_report(
        ctx, month=month.first, by="window", params=PageParams(limit=100_000, offset=0)
    )
    mine = set(window_ids)
    sat = [s for s in satisfaction.items if s.group_id in mine]
    appeals = await appraisal_queues.undecided_appeals(staff_ids=staff_ids)  # the site's (or the head's) people
    cases = await evaluation_cases.cases_near_deadline(ctx, window_ids=window_ids, within_days=DUE_WITHIN_DAYS)
    quiet = await terminal_health.quiet_terminals(ctx, site_id=site_id) if departments is None else []
    labels = {r["id"]: f"{r['number']} {r['name']}".strip() for r in rows}
    month_key = f"{month.first.year:04d}-{month.first.month:02d}"
    rate = live.attendance_rate(month.records)
    is_hr = principal.has_any("hr")
    appeal_link = None
    if appeals:
        first_month = appeals[0][0]
        appeal_link = (
            f"/app/hr/appraisal/{first_month}" if is_hr else f"/app/approver/{first_month}" if principal.has_any("approver") else None
        )
    return {
        "month": month_key,
        "rate": rate,
        "late_minutes": sum(r.late_minutes for r in month.records if r.status.value != "absent"),
        "pending_leave": await attendance_today.pending_leave(staff_ids),
        "leave_link": "/app/hr/leave" if is_hr else None,
        # HR's to-do: events of ticket codes nobody has mapped yet (shown only when there are some)
        "queue_pending": await queues.open_exception_count(ctx, site_id=site_id) if is_hr and departments is None else 0,
        "appeals": sum(n for _, n in appeals),
        "appeal_link": appeal_link,
        "cases": [
            {
                "window": labels.get(c.window_id, ""),
                "name": c.staff_name or "",
                "deadline": c.deadline,
                "overdue": c.days_overdue,
                "status": c.status,
            }
            for c in cases
        ],
        "quiet": [
            {"name": q.name or q.serial, "window": labels.get(q.window_id or 0, ""), "last": time_words(q.last_heard, lang, zone=zone)}
            for q in quiet
        ],
        "show_terminals": departments is None,
        "terminal_link": "/app/hr/enrolment" if is_hr else None,
        "chart_late": hbars(sorted(((names.get(d, ("", ""))[1], float(m), str(m)) for d, m in late_by_dept.items()), key=lambda t: -t[1])),
        "chart_days": bar_chart([(str(d.day), int(r)) for d, r in by_day]) if by_day else None,
        "chart_sat": hbars([(s.label, float(s.rate), f"{s.rate}%") for s in sat], top=100.0) if sat else None,
    }


readers = page_roles()


class TodayPages(Controller):
    """The Today page and its live fragment."""

    path = "/app/today"
    include_in_schema = False

    @get("", guards=[readers], opt=PAGE)
    async def page(self, ctx: AppContext, request: Request) -> Template:
        """The whole page: the site picker, the live board (refreshed by htmx), the month so far and its charts."""
        principal = await principal_of(request)
        departments = await scope_of(principal)
        sites = await _sites(departments)
        site_id = _asked_site(request, sites)
        words = translator(lang_of(request))
        context: dict[str, Any] = {"sites": sites, "site_id": site_id, "every": _every(request), "departments": None}
        if departments is not None:
            names = await org.department_codes(departments)
            context["departments"] = "、".join(names[d][1] for d in departments if d in names)
        if site_id is not None:
            context["live"] = await live_context(ctx, site_id=site_id, departments=departments)
            context["m"] = await month_context(ctx, site_id=site_id, departments=departments, principal=principal, lang=lang_of(request))
        return render(request, "today/index.html", principal=principal, title=words("today.title"), **context)

    @get("/live", guards=[readers], opt=PAGE)
    async def fragment(self, ctx: AppContext, request: Request) -> Template:
        """The live board alone (what htmx asks for every 30 seconds)."""
        principal = await principal_of(request)
        departments = await scope_of(principal)
        sites = await _sites(departments)
        site_id = _asked_site(request, sites)
        context: dict[str, Any] = {"site_id": site_id, "every": _every(request)}
        if site_id is not None:
            context["live"] = await live_context(ctx, site_id=site_id, departments=departments)
        return render(request, "today/_live.html", principal=principal, **context)
