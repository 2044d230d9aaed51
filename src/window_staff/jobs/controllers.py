"""Job routes: follow a job (its address is in the 202 that queued it) and list recent ones."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import Parameter

from window_staff.common.context import AppContext
from window_staff.common.guards import provide_principal, roles
from window_staff.jobs import service
from window_staff.jobs.schemas import JobOut

# Who prepares, approves and audits months may follow their jobs.
can_follow = roles("hr", "approver", "auditor", "admin")
Lang = Annotated[Literal["zh", "en"], Parameter(description="language of the names", required=False)]


class JobController(Controller):
    """Heavy work in progress and done."""

    path = "/api/v1/jobs"
    tags = ["jobs"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/{job_id:int}", guards=[can_follow])
    async def job(self, ctx: AppContext, job_id: int, lang: Lang = "zh") -> JobOut:
        """One job: state, phase, progress, and once finished its result or why it failed."""
        return await service.get(ctx, job_id, lang=lang)

    @get("", guards=[can_follow])
    async def jobs(
        self,
        ctx: AppContext,
        subject: Annotated[str | None, Parameter(max_length=100, required=False)] = None,
        limit: Annotated[int, Parameter(ge=1, le=100, required=False)] = 20,
        lang: Lang = "zh",
    ) -> list[JobOut]:
        """The newest jobs first (optionally one subject, e.g. a month)."""
        return await service.recent(ctx, limit=limit, subject=subject, lang=lang)
