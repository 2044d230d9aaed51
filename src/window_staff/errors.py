"""The one place where errors become HTTP: RFC 9457 problem details, never a trace or SQL."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from window_staff.common import errors as e
from window_staff.common.db import outage_reason

log = logging.getLogger("window_staff.errors")

PROBLEM_JSON = "application/problem+json"

STATUS_OF: list[tuple[type[e.DomainError], int]] = [
    (e.InvalidInput, 422),
    (e.MalformedRequest, 400),
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.Unauthenticated, 401),
    (e.Forbidden, 403),
    (e.TooManyRequests, 429),
    (e.PayloadTooLarge, 413),
    (e.UnsupportedMediaType, 415),
    (e.Busy, 503),
    (e.Unavailable, 503),
]


def status_of(exc: e.DomainError) -> int:
    """The HTTP status for a domain error, by its base class."""
    for cls, status in STATUS_OF:
        if isinstance(exc, cls):
            return status
    return 400


def problem(
    status: int,
    *,
    title: str,
    detail: str | None = None,
    code: str | None = None,
    request: Request | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem-details response."""
    body: dict[str, Any] = {
        "type": f"urn:window-staff:problem:{code}" if code else "about:blank",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if code:
        body["code"] = code
    if request is not None:
        body["instance"] = request.url.path
        rid = request.scope.get("request_id")
        if rid:
            body["request_id"] = rid
    body.update(extra)
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers or {})


_RESERVED = frozenset({"status", "title", "detail", "code", "type", "instance", "request", "headers"})


def domain_error_handler(request: Request, exc: e.DomainError) -> Response:
    """Map a domain error to its problem response."""
    status = status_of(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, (e.TooManyRequests, e.Busy)):
        headers["Retry-After"] = str(exc.retry_after)
    # An extra named like a problem member (status, title, ...) would override it: such names are left out.
    extra = {k: v for k, v in exc.extra.items() if k not in _RESERVED and isinstance(v, (str, int, float, bool, list, dict, type(None)))}
    if status in (401, 403):
        log.info("refused %s %s: %s", request.method, request.url.path, exc.code)
    if _is_page(request):
        return _page_error(request, exc, status=status)
    return problem(status, title=exc.title, detail=exc.detail, code=exc.code, request=request, headers=headers, **extra)


def _is_page(request: Request) -> bool:
    handler = request.scope.get("route_handler")
    return bool(handler is not None and handler.opt.get("page"))


PageErrorRenderer = Callable[[Request, e.DomainError, int], Response]
_page_renderer: list[PageErrorRenderer] = []


def register_page_errors(renderer: PageErrorRenderer) -> None:
    """The web layer registers how a refused page is shown to a person (this map never imports web)."""
    _page_renderer[:] = [renderer]


def _page_error(request: Request, exc: e.DomainError, *, status: int) -> Response:
    if not _page_renderer:
        return problem(status, title=exc.title, detail=exc.detail, code=exc.code, request=request)
    return _page_renderer[0](request, exc, status)


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    """Map Litestar's own HTTP errors (routing, validation, body size) to problems."""
    status = exc.status_code
    if isinstance(exc, ValidationException):
        errors = exc.extra if isinstance(exc.extra, list) else []
        # Report where and what, not the offending value: it may be a password or a template.
        cleaned = [{k: v for k, v in err.items() if k in ("key", "message", "source")} for err in errors if isinstance(err, dict)]
        return problem(
            400, title="Invalid request", detail=_safe_detail(exc.detail), code="validation_failed", request=request, errors=cleaned
        )
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    headers = dict(exc.headers or {})
    # Stable codes for the statuses Litestar raises itself (body over the route's limit, bad framing).
    code = {400: "bad_request", 413: "payload_too_large", 415: "unsupported_media_type"}.get(status)
    return problem(
        status, title=title, detail=_safe_detail(exc.detail) if status < 500 else None, code=code, request=request, headers=headers
    )


def _safe_detail(detail: str) -> str:
    return detail[:300]


# Seconds a client (terminal, device, browser) should wait before retrying while the database is away.
DATABASE_RETRY_AFTER = 5


def _in_body_decoding(exc: BaseException) -> bool:
    """True when the exception came out of Litestar decoding a request body (msgspec itself has no Python frames)."""
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name in _DECODERS and f"{os.sep}litestar{os.sep}" in code.co_filename:
            return True
        tb = tb.tb_next
    return False


_DECODERS = frozenset({"decode_json", "decode_msgpack", "json", "msgpack"})


def _out_of_range(exc: BaseException) -> bool:
    """A number too large for its column (an id beyond 2^31 on PostgreSQL's serials, beyond 2^63 on SQLite).

    SQLite raises OverflowError; asyncpg a DataError naming the range ("value out of int32 range").
    """
    if isinstance(exc, OverflowError):
        return True
    return type(exc).__name__ == "DataError" and re.search(r"out of int\d+ range", str(exc)) is not None


def bad_input_of(exc: BaseException, *, request: Request | None = None) -> Response | None:
    """A 400 problem for input the routes' schemas cannot hold (undecodable or too deep a body, a huge number), else None."""
    if isinstance(exc, (UnicodeDecodeError, RecursionError)) and _in_body_decoding(exc):
        return problem(
            400, title="Invalid request", detail="The request body is not UTF-8 JSON of a reasonable depth.", code="body_undecodable"
        )
    if _out_of_range(exc):
        return problem(
            400, title="Invalid request", detail="A number in the request is out of range.", code="number_out_of_range", request=request
        )
    return None


def internal_error_handler(request: Request, exc: Exception) -> Response:
    """Log the failure with its request id and answer 500 without any internals (503 + Retry-After when the database is away)."""
    bad = bad_input_of(exc, request=request)
    if bad is not None:
        log.info("refused %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return bad
    reason = outage_reason(exc)
    if reason is not None:
        # Nothing was committed (every write is one transaction), so a retry is safe: say when, not 500.
        log.warning(
            "database unavailable on %s %s (request %s): %s", request.method, request.url.path, request.scope.get("request_id"), reason
        )
        return problem(
            503,
            title="Database unavailable",
            detail="The database cannot be reached; retry later.",
            code="database_unavailable",
            request=request,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
        )
    log.exception("unhandled error on %s %s (request %s)", request.method, request.url.path, request.scope.get("request_id"))
    return problem(500, title="Internal server error", request=request)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    e.DomainError: domain_error_handler,
    HTTPException: http_exception_handler,
    Exception: internal_error_handler,
}

__all__ = ["EXCEPTION_HANDLERS", "MediaType", "PROBLEM_JSON", "problem", "status_of"]
