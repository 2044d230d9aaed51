"""How a page is rendered and guarded: one layout, security headers, the caller and the language in every context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect, Template
from markupsafe import Markup

from window_staff.auth.errors import RoleRequired, SessionInvalid
from window_staff.common.csrf import TOKEN_FIELD, form_token, session_secret
from window_staff.common.errors import DomainError
from window_staff.common.guards import Guard, principal_of
from window_staff.common.principal import Principal
from window_staff.errors import register_page_errors, status_of
from window_staff.web.heads import head_book
from window_staff.web.i18n import LANG_COOKIE, LANG_COOKIE_AGE, LANGS, day_words, lang_of, month_words, refusal, time_words, translator
from window_staff.web.names import name_book, who

# Mark a page route: errors render as HTML pages, and a missing session redirects to the login page.
PAGE = {"page": True}
HEADERS = {
    # Scripts only from this server (htmx is vendored under /static): no inline script, no CDN.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# The pages each role starts from (title key, path), in the order the home page lists them.
START: Mapping[str, tuple[tuple[str, str], ...]] = {
    "staff": (
        ("my_month", "/app/me"),
        ("my_appraisal", "/app/me/appraisal"),
        ("my_leave", "/app/me/leave"),
        ("missed_punches", "/app/me/missed-punches"),
    ),
    "inspector": (("inspections", "/app/inspect"),),
    "inspection_lead": (("inspections", "/app/inspections"), ("board", "/board"), ("bad_review_cases", "/app/hr/cases")),
    "hr": (
        ("today", "/app/today"),
        ("appraisal_console", "/app/hr/appraisal"),
        ("staff_and_windows", "/app/hr/org"),
        ("leave_approvals", "/app/hr/leave"),
        ("missed_punch_approvals", "/app/missed-punches"),
        ("terminals_enrolment", "/app/hr/enrolment"),
        ("delegate_campaigns", "/app/hr/campaigns"),
        ("rating_codes", "/app/hr/rating-codes"),
        ("bad_review_cases", "/app/hr/cases"),
        ("service_transactions", "/app/hr/services"),
    ),
    "approver": (("today", "/app/today"), ("approvals", "/app/approver"), ("queue_figures", "/app/queues/figures")),
    "auditor": (
        ("appraisal_console", "/app/hr/appraisal"),
        ("staff_and_windows", "/app/hr/org"),
        ("queue_figures", "/app/queues/figures"),
        ("audit_log", "/app/audit"),
    ),
    "admin": (("administration", "/app/admin"), ("audit_log", "/app/audit")),
}


def csrf_field(context: Mapping[str, Any]) -> Markup:
    """Template callable ``{{ csrf_field() }}``: the hidden form-token field of this page's session (nothing without one)."""
    request = context.get("request")
    secret = session_secret(request) if request is not None else None
    if secret is None:
        return Markup("")
    return Markup('<input type="hidden" name="{}" value="{}">').format(TOKEN_FIELD, form_token(secret))


def register_template_callables(engine: Any) -> None:
    """Give every template ``csrf_field()`` and ``who(actor)`` (app.py passes this to the template engine)."""
    engine.register_template_callable("csrf_field", csrf_field)
    engine.register_template_callable("who", who)
    # Dates as people write them, in the page's language: {{ month_words(key) }}, {{ day_words(d) }}.
    engine.register_template_callable("month_words", lambda context, key: month_words(key, context.get("lang", "zh")))
    engine.register_template_callable("day_words", lambda context, day: day_words(day, context.get("lang", "zh")))


def page_roles(*allowed: str) -> Guard:
    """A page guard: no session -> the login page (via the error mapping); a session without the role -> 403 page."""

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal = await principal_of(connection)
        if allowed and not principal.has_any(*allowed):
            raise RoleRequired(f"needs one of: {', '.join(allowed)}")
        await name_book(connection.app.state.ctx).refresh()  # templates name people and cannot wait for the database
        await head_book(connection.app.state.ctx).refresh()  # and the navigation offers department heads their Today page

    guard.__name__ = f"page_roles({','.join(allowed)})"
    guard.allowed_roles = allowed  # type: ignore[attr-defined]
    return guard


async def optional_principal(request: Request) -> Principal | None:
    """The logged-in caller, or None (for pages that also serve visitors, like the login page)."""
    try:
        return await principal_of(request)
    except SessionInvalid:
        return None


# A department head (a staff member recorded as one, whatever their roles) also starts from Today.
HEAD_START = (("today", "/app/today"),)


def links_for(principal: Principal | None, *, heads: frozenset[int] = frozenset()) -> list[tuple[str, str]]:
    """The start pages of the caller's roles (and of a department head), without repeats."""
    if principal is None:
        return []
    seen: list[tuple[str, str]] = []
    for role in START:
        if role in principal.roles:
            seen.extend(link for link in START[role] if link not in seen)
    if principal.staff_id is not None and principal.staff_id in heads:
        seen.extend(link for link in HEAD_START if link not in seen)
    return seen


def render(request: Request, template: str, *, principal: Principal | None, status: int = 200, **context: Any) -> Template:
    """A page from ``templates/web`` (or a domain's folder) with the layout's context: caller, language, links."""
    lang = lang_of(request)
    # A language asked for in the address sticks (as the switch does), so the redirect after a form keeps it.
    asked = request.query_params.get("lang")
    cookies = (
        [Cookie(key=LANG_COOKIE, value=asked, httponly=True, samesite="lax", path="/", max_age=LANG_COOKIE_AGE)]
        if asked in LANGS and asked != request.cookies.get(LANG_COOKIE)
        else []
    )
    return Template(
        template_name=template,
        status_code=status,
        headers=HEADERS,
        media_type="text/html",
        cookies=cookies,
        context={
            "principal": principal,
            "lang": lang,
            "_": translator(lang),
            "links": links_for(principal, heads=head_book(request.app.state.ctx).staff_ids),
            "path": request.url.path,
            **context,
            # Every page writes stored times the same way, in its own language.
            "local_time": lambda at: time_words(at, lang),
        },
    )


def refusal_of(request: Request, exc: DomainError) -> str:
    """A domain error as the page says it: in the page's language, with the service's reason where no words exist."""
    return refusal(lang_of(request), code=exc.code, detail=exc.detail, status=status_of(exc))


def is_fragment(request: Request, target: str) -> bool:
    """True when htmx asks for one section of a page (its id), not for a whole page or a history restore."""
    htmx = getattr(request, "htmx", None)  # set by Litestar's HTMXPlugin (app.py)
    if not htmx:
        return False
    return htmx.target == target and not htmx.history_restore_request


def offset_of(request: Request) -> int:
    """The list offset asked for in the address (``?offset=``); 0 when absent, negative or not a number."""
    try:
        return max(int(request.query_params.get("offset", "0")), 0)
    except ValueError:
        return 0


def login_redirect(request: Request) -> Redirect:
    """The login page, coming back to this page after logging in."""
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/login?next={quote(back, safe='/')}", status_code=303)


def page_error(request: Request, exc: DomainError, status: int) -> Response:
    """How a refused page is shown: no session -> the login page; anything else -> a readable page in its language."""
    if status == 401:
        if request.headers.get("hx-request") == "true":
            # htmx would swap the login page into the section it refreshes (a wall screen whose session ended): it
            # follows HX-Redirect with the whole window instead.
            shown = urlsplit(request.headers.get("hx-current-url", ""))
            target = (shown.path + (f"?{shown.query}" if shown.query else "")) if shown.path.startswith("/app") else "/app"
            return Response(content=b"", status_code=200, headers={**HEADERS, "HX-Redirect": f"/login?next={quote(target, safe='/')}"})
        return login_redirect(request)
    lang = lang_of(request)
    cached = request.scope.get("principal")  # set by principal_of when the session resolved
    principal = cached if isinstance(cached, Principal) else None
    words = translator(lang)
    detail = refusal(lang, code=exc.code, detail=exc.detail, status=status)
    state, action = exc.extra.get("state"), exc.extra.get("action")
    if exc.code == "period_state_conflict" and state and action:
        # The month's step refused in its own words: which stage the month is at and what cannot be done there.
        detail = words("error.month_stage").format(state=words(f"hr.state.{state}"), action=words(f"step.{action}"))
    # Back one level (the month page behind its export, the person behind their form), never off this site.
    up = request.url.path.rstrip("/").rsplit("/", 1)[0]
    return render(
        request,
        "web/error.html",
        principal=principal,
        status=status,
        title=words("error"),
        detail=detail,
        up=up if up.startswith("/app/") and up != "/app" else None,
    )


register_page_errors(page_error)
