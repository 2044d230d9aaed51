"""Cross-site request forgery: what a cookie-carrying browser request must show besides its cookie.

SameSite cookies alone are not enough (older browsers, same-site subdomains, top-level POSTs under ``lax``).
One app-wide guard (``csrf_guard``) checks every unsafe request (POST, PUT, PATCH, DELETE):

1. **Origin.** A browser names the page a request comes from in ``Origin`` (else ``Sec-Fetch-Site``). When
   present it must be this service: the request's own scheme and host (the scheme as trusted proxies report
   it, ``common.web.origin``; the host as the client asked for it) or ``WINDOW_STAFF_PUBLIC_URL``.
   ``Sec-Fetch-Site`` must be ``same-origin`` (or ``none``: typed by the user). A request with neither is not
   from a browser page (terminals, scripts) and passes this step.
2. **Form token.** A page form posted with a session cookie carries ``csrf_token``: an HMAC of the session
   token keyed by nothing else, so it is per session, the same on every process, and useless without the
   HttpOnly cookie it derives from (which it does not reveal). Pages add it with ``{{ csrf_field() }}``.
3. **JSON.** A route that reads a JSON body takes ``application/json`` only (415 ``json_required``): a
   cross-site form can send ``text/plain``, never ``application/json`` without a CORS preflight (refused).

Not cookie-borne, so not checked for Origin or token: requests with ``Authorization: Bearer`` (a page on
another site cannot set that header) and signed terminal requests (RFC 9421 signatures and ZKTeco pushes carry
no cookie; they pass step 1 because devices send no Origin). Step 3 applies to every JSON route.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from window_staff.common.errors import Forbidden, UnsupportedMediaType
from window_staff.common.form import first_text_part, text_field
from window_staff.common.guards import SESSION_COOKIE
from window_staff.common.web import origin

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TOKEN_FIELD = "csrf_token"
# A multipart page form declares the token among its fields (its reader refuses unknown ones).
TOKEN_PART = {TOKEN_FIELD: text_field()}
# A route opt naming another session cookie its pages run on (the delegates' own session).
SESSION_COOKIE_OPT = "session_cookie"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_JSON_TYPES = ("application/json",)


class CrossOriginRefused(Forbidden):
    """An unsafe request from a page of another site (Origin or Sec-Fetch-Site)."""

    code = "cross_origin_refused"
    title = "Requests from other sites are refused"


class FormTokenInvalid(Forbidden):
    """A page form posted with a session cookie but without this session's form token."""

    code = "form_token_invalid"
    title = "The form is out of date or not from this service"


class JsonRequired(UnsupportedMediaType):
    """A JSON route was sent another content type."""

    code = "json_required"
    title = "Send application/json"


def form_token(session_token: str) -> str:
    """The form token of a session: HMAC-SHA256 keyed by the session token (per session, no server state)."""
    return hmac.new(session_token.encode(), b"window-staff form token", hashlib.sha256).hexdigest()


def session_secret(connection: ASGIConnection) -> str | None:
    """The session cookie this request is authenticated with (the staff session, or the route's own), if any."""
    token = connection.cookies.get(SESSION_COOKIE)
    if token:
        return token
    handler = connection.scope.get("route_handler")
    name = handler.opt.get(SESSION_COOKIE_OPT) if handler is not None else None
    return connection.cookies.get(name) if name else None


def normalise_origin(text: str) -> str | None:
    """``scheme://host[:port]`` in lower case without a default port; None when it is not an http(s) origin."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" if port in (None, _DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


def allowed_origins(request: Request) -> set[str]:
    """This service's origins: the request's own (scheme through trusted proxies, host as asked) and the public URL."""
    allowed = set()
    host = request.headers.get("host", "")
    if host:
        own = normalise_origin(f"{origin(request).scheme}://{host}")
        if own:
            allowed.add(own)
    public = normalise_origin(request.app.state.ctx.settings.public_url or "")
    if public:
        allowed.add(public)
    return allowed


def check_origin(request: Request) -> None:
    """Refuse a request a browser says comes from another site (Origin, else Sec-Fetch-Site)."""
    sent = request.headers.get("origin")
    if sent is not None:
        if normalise_origin(sent) not in allowed_origins(request):  # "null" (sandboxed, file://) normalises to None
            raise CrossOriginRefused(f"requests from {sent[:100]!r} are not accepted")
        return
    site = request.headers.get("sec-fetch-site")
    if site is not None and site.lower() not in ("same-origin", "none"):
        raise CrossOriginRefused(f"requests from a {site[:20]!r} page are not accepted")


def _bearer(connection: ASGIConnection) -> bool:
    return connection.headers.get("authorization", "")[:7].lower() == "bearer "


def _media_type(connection: ASGIConnection) -> str:
    return connection.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _reads_json(handler: BaseRouteHandler) -> bool:
    data = getattr(handler, "parsed_data_field", None)
    if data is None:
        return False
    body = data.kwarg_definition
    media = getattr(body, "media_type", None)
    return media is None or str(getattr(media, "value", media)) == "application/json"


async def _posted_token(request: Request) -> str | None:
    media = _media_type(request)
    if media == "application/x-www-form-urlencoded":
        value = (await request.form()).get(TOKEN_FIELD)
        return value if isinstance(value, str) else None
    if media == "multipart/form-data":
        return first_text_part(await request.body(), request.headers.get("content-type", ""), name=TOKEN_FIELD)
    return None


async def csrf_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """App-wide: Origin on unsafe requests, the form token on cookie-borne page forms, JSON on JSON routes."""
    request = connection if isinstance(connection, Request) else None
    if request is None or request.method not in UNSAFE:
        return
    media = _media_type(request)
    has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    if _reads_json(handler) and has_body and media not in _JSON_TYPES and not media.endswith("+json"):
        raise JsonRequired(f"this route reads JSON: send Content-Type application/json, not {media or 'none'!r}")
    if _bearer(request):
        return  # not cookie-borne: a page on another site cannot set Authorization
    check_origin(request)
    secret = session_secret(request)
    if secret is None or not (handler.opt.get("page") or handler.opt.get(SESSION_COOKIE_OPT)):
        return
    posted = await _posted_token(request)
    if posted is None or not hmac.compare_digest(posted, form_token(secret)):
        raise FormTokenInvalid("the form token is missing or belongs to another session: reload the page and send it again")
