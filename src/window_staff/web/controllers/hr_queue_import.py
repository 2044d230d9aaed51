"""HR uploads a queue machine's CSV export on a page: the import runs as a job (queues/jobs.py); the page follows it and
then says how it ended, each bad line with its number and the reason in words."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.common.guards import principal_of
from window_staff.errors import status_of
from window_staff.queues import jobs as queue_jobs
from window_staff.queues.errors import QueueEventConflict, QueueImportRejected
from window_staff.queues.schemas import CSV_TYPES, MULTIPART_OVERHEAD
from window_staff.queues.service.events import MAX_FILE_BYTES
from window_staff.web.controllers.hr_services import rejected, report, uploaded_file
from window_staff.web.controllers.jobs import job_context, panel
from window_staff.web.i18n import lang_of, translator
from window_staff.web.import_words import column_words
from window_staff.web.pages import PAGE, page_roles, refusal_of, render
from window_staff.web.words_queues import EVENT_KINDS

_hr = page_roles("hr")
HERE = "/app/hr/queues/import"
# The problems a job can end with that list bad lines.
_LINES = frozenset({QueueImportRejected.code, QueueEventConflict.code})


class HrQueueImportPages(Controller):
    """The upload form, the running import and how it ended."""

    include_in_schema = False
    path = HERE

    async def _page(
        self, ctx: AppContext, request: Request, *, found: dict[str, Any] | None = None, message: str | None = None, status: int = 200
    ) -> Template:
        lang = lang_of(request)
        job = await panel(ctx, request, kinds=[queue_jobs.IMPORT])
        context = job_context(job, back=HERE, lang=lang)
        said = found or report(job, lang=lang, line_codes=_LINES)
        if job is not None and job.state == "failed" and said is not None:
            context["job_outcome"] = translator(lang)("tx.see_below")
        return render(
            request,
            "hr/queues/import.html",
            principal=await principal_of(request),
            status=status,
            message=message,
            report=said,
            columns=[(column_words(c, lang), c in queue_jobs.CSV_OPTIONAL) for c in queue_jobs.CSV_COLUMNS],
            header=",".join(queue_jobs.CSV_COLUMNS),
            kinds=EVENT_KINDS,
            **context,
        )

    @get("", guards=[_hr], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Template:
        """The upload form, the import under way or how the last one ended."""
        return await self._page(ctx, request)

    @post("", guards=[_hr], opt=PAGE, request_max_body_size=MAX_FILE_BYTES + MULTIPART_OVERHEAD)
    async def upload(self, ctx: AppContext, request: Request) -> Template | Redirect:
        """Queue the import of the uploaded file; a file that cannot be read at all is reported at once."""
        principal = await principal_of(request)
        try:
            data = await uploaded_file(request, limit=MAX_FILE_BYTES, types=CSV_TYPES)
            job = await queue_jobs.request_csv_import(ctx, data, principal=principal)
        except DomainError as exc:
            if exc.code in _LINES:
                found = rejected(exc.extra.get("errors") or [], count=int(exc.extra.get("error_count") or 0), lang=lang_of(request))
                return await self._page(ctx, request, found=found, status=status_of(exc))
            return await self._page(ctx, request, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect(f"{HERE}?job={job.id}", status_code=303)
