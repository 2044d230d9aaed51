"""The pages every user shares: log in (password and TOTP), log out, the home page, the language switch."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from window_staff.auth import service as auth
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.common.guards import PUBLIC, SESSION_COOKIE
from window_staff.common.web import client_ip, cookie_max_age, is_https
from window_staff.web.i18n import LANG_COOKIE, LANG_COOKIE_AGE, LANGS, lang_of, translator
from window_staff.web.pages import PAGE, optional_principal, page_roles, render

_FORM_LIMIT = 4096
# Whose first page is Today (where /app sends them); their other start pages stay in the navigation.
START_ON_TODAY = ("hr", "approver")


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a local path only (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/app"


class WebController(Controller):
    """Login, logout, home, language."""

    include_in_schema = False

    @get("/", opt=PUBLIC)
    async def root(self) -> Redirect:
        """The site's front door leads to the app (which asks for a login when needed)."""
        return Redirect("/app", status_code=303)

    @get("/login", opt=PUBLIC)
    async def login_form(self, request: Request) -> Template:
        """The login form."""
        return render(
            request,
            "web/login.html",
            principal=await optional_principal(request),
            next=safe_next(request.query_params.get("next")),
            message=None,
        )

    @post("/login", opt=PUBLIC, request_max_body_size=_FORM_LIMIT)
    async def login(self, ctx: AppContext, request: Request) -> Response:
        """Check password and TOTP; on success set the session cookie and go on, else show the form with the reason."""
        form = await request.form()
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        totp = str(form.get("totp", "")).strip() or None
        target = safe_next(str(form.get("next", "")))
        try:
            token, expires, _ = await auth.login(ctx, username=username, password=password, totp=totp, ip=client_ip(request))
        except DomainError as exc:
            words = translator(lang_of(request))
            message = words(f"error.{exc.code}")
            return render(
                request,
                "web/login.html",
                principal=None,
                next=target,
                status=401,
                message=message if message != f"error.{exc.code}" else (exc.detail or exc.title),
            )
        response = Redirect(target, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=is_https(request),
            max_age=cookie_max_age(expires, now=ctx.clock.now()),
            path="/",
        )
        return response

    @post("/logout", guards=[page_roles()], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def logout(self, ctx: AppContext, request: Request) -> Redirect:
        """End the session and return to the login page."""
        principal = await optional_principal(request)
        if principal is not None:
            await auth.logout(ctx, principal)
        response = Redirect("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @get("/app", guards=[page_roles()], opt=PAGE)
    async def home(self, request: Request) -> Template | Redirect:
        """The caller's start pages, by role; HR and centre management start from Today."""
        principal = await optional_principal(request)
        if principal is not None and principal.has_any(*START_ON_TODAY):
            return Redirect("/app/today", status_code=303)
        return render(request, "web/home.html", principal=principal)

    @get("/lang/{code:str}", opt=PUBLIC)
    async def language(self, request: Request, code: str) -> Redirect:
        """Switch the pages' language and come back."""
        response = Redirect(safe_next(request.query_params.get("next")), status_code=303)
        if code in LANGS:
            response.set_cookie(LANG_COOKIE, code, httponly=True, samesite="lax", path="/", max_age=LANG_COOKIE_AGE)
        return response
