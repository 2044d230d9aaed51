"""HR uploads the service transactions' CSV on a page: the import runs as a job (evaluations/jobs.py); the page follows it and
then reports how it ended, each bad line with its number and the reason in words."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from window_staff.common.context import AppContext
from window_staff.common.csrf import TOKEN_PART
from window_staff.common.errors import DomainError, InvalidInput
from window_staff.common.form import Field, UnknownField, read_multipart
from window_staff.common.guards import principal_of
from window_staff.common.pagination import PageParams
from window_staff.errors import status_of
from window_staff.evaluations import jobs as evaluation_jobs
from window_staff.evaluations.schemas.metrics import CSV_TYPES, FILE_LIMIT, MULTIPART_OVERHEAD
from window_staff.evaluations.service import metrics as service
from window_staff.jobs.schemas import JobOut
from window_staff.org import service as org
from window_staff.web.controllers.jobs import job_context, panel
from window_staff.web.i18n import lang_of, translator
from window_staff.web.import_words import column_words, report_lines
from window_staff.web.pages import PAGE, page_roles, refusal_of, render
from window_staff.web.words_cases import CASE_STATUSES  # noqa: F401 (registers this page's words)

_hr = page_roles("hr")
HERE = "/app/hr/services"
_RECENT = 20


def report(job: JobOut | None, *, lang: str, line_codes: frozenset[str] = frozenset({"import_rejected"})) -> dict[str, Any] | None:
    """How a finished import ended: the counts, or each bad line in words (for a problem of ``line_codes``)."""
    if job is None or job.state in ("queued", "running"):
        return None
    if job.problem is not None and job.problem.code in line_codes:
        ext = job.problem.extensions or {}
        return rejected(ext.get("errors") or [], count=int(ext.get("error_count") or 0), lang=lang)
    if job.result is not None:
        return {"ok": True, **job.result}
    return None


async def uploaded_file(request: Request, *, limit: int, types: frozenset[str | None]) -> bytes:
    """The one file an upload form sent (part ``file`` beside the form token); InvalidInput when there is none."""
    try:
        parts = read_multipart(
            await request.body(), request.headers.get("content-type", ""), fields={"file": Field(limit, types), **TOKEN_PART}, max_parts=3
        )
    except UnknownField as exc:
        raise InvalidInput(exc.detail, code="tx_file_missing") from None
    files = parts.get("file", [])
    if len(files) != 1 or not files[0]:
        raise InvalidInput("choose a file", code="tx_file_missing")
    return files[0]


def rejected(errors: list[Any], *, count: int, lang: str) -> dict[str, Any]:
    """A refused file's report: every listed bad line in words and how many problems there were in all."""
    lines = report_lines(errors, lang)
    return {"ok": False, "lines": lines, "count": max(count, len(lines)), "listed": len(lines)}


class HrServicePages(Controller):
    """The upload form, the running import, its report, and the latest transactions."""

    include_in_schema = False
    path = HERE

    async def _page(
        self, ctx: AppContext, request: Request, *, found: dict[str, Any] | None = None, message: str | None = None, status: int = 200
    ) -> Template:
        lang = lang_of(request)
        job = await panel(ctx, request, kinds=[evaluation_jobs.IMPORT])
        recent = (await service.list_transactions(ctx, PageParams(limit=_RECENT, offset=0))).items
        people = {p.staff_id: p.name for p in await org.postings_of(sorted({t.staff_id for t in recent}))}
        labels = await org.window_labels(sorted({t.window_id for t in recent}))
        context = job_context(job, back=HERE, lang=lang)
        said = found or report(job, lang=lang)
        if job is not None and job.state == "failed" and said is not None:
            context["job_outcome"] = translator(lang)("tx.see_below")
        return render(
            request,
            "hr/evaluations/services.html",
            principal=await principal_of(request),
            status=status,
            message=message,
            report=said,
            columns=[(c, column_words(c, lang)) for c in evaluation_jobs.CSV_COLUMNS],
            header=",".join(evaluation_jobs.CSV_COLUMNS),
            recent=[{"t": t, "who": people.get(t.staff_id, ""), "window": labels.get(t.window_id, "")} for t in recent],
            **context,
        )

    @get("", guards=[_hr], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Template:
        """The upload form, the import under way or how the last one ended, and the latest transactions."""
        return await self._page(ctx, request)

    @post("", guards=[_hr], opt=PAGE, request_max_body_size=FILE_LIMIT + MULTIPART_OVERHEAD)
    async def upload(self, ctx: AppContext, request: Request) -> Template | Redirect:
        """Queue the import of the uploaded file; a file that cannot be read at all is reported at once."""
        principal = await principal_of(request)
        try:
            data = await uploaded_file(request, limit=FILE_LIMIT, types=CSV_TYPES)
            job = await evaluation_jobs.request_csv_import(ctx, data, principal=principal)
        except DomainError as exc:
            if exc.code == "import_rejected":
                found = rejected(exc.extra.get("errors") or [], count=int(exc.extra.get("error_count") or 0), lang=lang_of(request))
                return await self._page(ctx, request, found=found, status=status_of(exc))
            return await self._page(ctx, request, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect(f"{HERE}?job={job.id}", status_code=303)
