"""Small helpers shared by controllers: the context dependency and paging parameters."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response
from litestar.di import Provide
from litestar.params import Parameter

from window_staff.common.context import AppContext
from window_staff.common.errors import InvalidInput
from window_staff.common.pagination import PageParams


def provide_ctx(request: Request) -> AppContext:
    """Dependency: the application context built in ``create_app``."""
    return request.app.state.ctx


def provide_page(
    request: Request,
    limit: Annotated[int, Parameter(ge=1, required=False)] = 50,
    offset: Annotated[int, Parameter(ge=0, required=False)] = 0,
) -> PageParams:
    """Dependency: ``limit`` (capped by settings) and ``offset`` from the query string."""
    cap = request.app.state.ctx.settings.page_size_max
    if limit > cap:
        raise InvalidInput(f"limit may be at most {cap}", code="page_size_too_large")
    return PageParams(limit=limit, offset=offset)


def client_ip(request: Request) -> str:
    """The peer address (proxies are not trusted for throttling)."""
    return request.client.host if request.client else ""


def accepted(job: Any) -> Response[Any]:
    """202 Accepted for queued work, with the job's address in ``Location`` (any struct with an ``href``)."""
    return Response(job, status_code=202, headers={"Location": job.href})


PAGE = Provide(provide_page, sync_to_thread=False)
