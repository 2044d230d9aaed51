"""Heavy work on the pages: the panel that follows a queued job until it has finished.

A page that queues a job shows this panel; htmx asks for it every two seconds and, once the job has finished,
the answer sends the browser back to the page (``?job=N`` there shows how it ended). Without scripts the panel
refreshes the page itself.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get
from litestar.response import Template

from window_staff.common.context import AppContext
from window_staff.common.guards import principal_of
from window_staff.jobs import service as jobs
from window_staff.jobs.schemas import JobOut
from window_staff.web.i18n import add_words, lang_of, refusal
from window_staff.web.pages import PAGE, page_roles, render

followers = page_roles("hr", "approver", "auditor", "admin")

add_words(
    {
        "job.step": {"zh": "第 {done}/{total} 步", "en": "step {done} of {total}"},
        "job.waiting": {"zh": "已提交，等待执行", "en": "Submitted, waiting to start"},
        "job.working": {"zh": "正在处理，请稍候。可离开本页，完成后回来查看结果", "en": "Working; you may leave this page and come back"},
        "job.done": {"zh": "已完成", "en": "Done"},
        "job.failed": {"zh": "未能完成", "en": "Could not be completed"},
        "job.result.compute": {
            "zh": "共 {staff} 人，其中 {changed} 份考核表有变化",
            "en": "{staff} staff; {changed} sheets changed",
        },
        "job.result.records": {"zh": "已保存 {records} 条每日考勤记录", "en": "{records} day records stored"},
    }
)


def back_of(request: Request) -> str:
    """Where the panel sends the browser once the job has finished: a page of this site, never another host."""
    back = request.query_params.get("back", "")
    return back if back.startswith("/app/") and "//" not in back and "\\" not in back else "/app"


async def panel(ctx: AppContext, request: Request, *, kinds: list[str], subject: str | None = None) -> JobOut | None:
    """The job a page should show: the one running (on its subject, when given), or the finished one the address names
    (``?job=``)."""
    lang = lang_of(request)
    latest = await jobs.recent(ctx, subject=subject, kinds=kinds, limit=1, lang=lang)
    if latest and latest[0].state in ("queued", "running"):
        return latest[0]
    named = request.query_params.get("job", "")
    if named.isdigit():
        for job in await jobs.recent(ctx, subject=subject, kinds=kinds, limit=10, lang=lang):
            if job.id == int(named):
                return job
    return None


def outcome(job: JobOut, lang: str) -> str:
    """How a finished job ended, in people's words (a failure in the refusal's own words)."""
    if job.problem is not None:
        return refusal(lang, code=job.problem.code, detail=job.problem.detail, status=409)
    return ""


def job_context(job: JobOut | None, *, back: str, lang: str) -> dict[str, Any]:
    """What ``web/_job.html`` needs."""
    return {"job": job, "job_back": quote(back, safe=""), "job_outcome": outcome(job, lang) if job else ""}


class JobPages(Controller):
    """The job panel's own address (htmx polls it)."""

    path = "/app/jobs"
    include_in_schema = False

    @get("/{job_id:int}", guards=[followers], opt=PAGE)
    async def job(self, ctx: AppContext, request: Request, job_id: int) -> Template:
        """The panel of one job; once it has finished, htmx is told to go back to the page that queued it."""
        job = await jobs.get(ctx, job_id, lang=lang_of(request))
        back = back_of(request)
        page = render(
            request,
            "web/_job.html",
            principal=await principal_of(request),
            **job_context(job, back=back, lang=lang_of(request)),
        )
        if job.state not in ("queued", "running"):
            joiner = "&" if "?" in back else "?"
            page.headers["HX-Redirect"] = f"{back}{joiner}job={job.id}"
        return page
