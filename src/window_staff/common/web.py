"""Small helpers shared by controllers: the context dependency, paging parameters, the client's address."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any

from litestar import Request, Response
from litestar.di import Provide
from litestar.params import Parameter

from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError, InvalidInput
from window_staff.common.forwarded import Network, Origin, parse_networks, resolve
from window_staff.common.pagination import PageParams


def provide_ctx(request: Request) -> AppContext:
    """Dependency: the application context built in ``create_app``."""
    return request.app.state.ctx


def provide_page(
    request: Request,
    limit: Annotated[int, Parameter(ge=1, required=False)] = 50,
    offset: Annotated[int, Parameter(ge=0, le=2**63 - 1, required=False)] = 0,
) -> PageParams:
    """Dependency: ``limit`` (capped by settings) and ``offset`` from the query string."""
    cap = request.app.state.ctx.settings.page_size_max
    if limit > cap:
        raise InvalidInput(f"limit may be at most {cap}", code="page_size_too_large")
    return PageParams(limit=limit, offset=offset)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def origin(request: Request) -> Origin:
    """Client address and scheme: the TCP peer's, or what trusted proxies say (``settings.trusted_proxies``)."""
    peer = request.client.host if request.client else ""
    trusted = _networks(request.app.state.ctx.settings.trusted_proxies)
    if not trusted:
        return Origin(address=peer, scheme=request.scope["scheme"])
    headers = ((name.decode("latin-1"), value.decode("latin-1")) for name, value in request.scope["headers"])
    return resolve(peer, scheme=request.scope["scheme"], headers=headers, trusted=trusted)


def client_ip(request: Request) -> str:
    """The client's address, for login throttling and session records (see ``origin``)."""
    return origin(request).address


def is_https(request: Request) -> bool:
    """True when the client reached us over HTTPS (directly, or as a trusted proxy reports): cookies are then Secure."""
    return origin(request).scheme == "https"


async def read_body(request: Request, *, limit: int, too_large: Callable[[], DomainError]) -> bytes:
    """The body, read chunk by chunk and refused (``too_large()``) as soon as it passes ``limit`` bytes.

    An announced Content-Length over the limit is refused before reading; a chunked body announces none,
    so the count is kept while it arrives and reading stops at the limit instead of holding the route's ceiling.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def cookie_max_age(expires: datetime, *, now: datetime) -> int:
    """Seconds a session cookie lives, as long as its session (an int ``expires`` is read as seconds from now, not a time)."""
    return max(0, int((expires - now).total_seconds()))


def accepted(job: Any) -> Response[Any]:
    """202 Accepted for queued work, with the job's address in ``Location`` (any struct with an ``href``)."""
    return Response(job, status_code=202, headers={"Location": job.href})


PAGE = Provide(provide_page, sync_to_thread=False)
