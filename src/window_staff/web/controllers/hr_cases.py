"""The bad-review cases (差评整改) on pages, for HR and the inspection lead: the queue by deadline (in working days), one case with
its steps, and the next step with its note: verify, rectify, call back, close (after asking); an appeal and its decision."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.common.guards import principal_of
from window_staff.common.pagination import PageParams
from window_staff.errors import status_of
from window_staff.evaluations.errors import EvaluationInputInvalid
from window_staff.evaluations.schemas.ratings import CaseAppealIn, CaseDecisionIn, CaseOut, CaseStepIn
from window_staff.evaluations.service import cases as service
from window_staff.org import service as org
from window_staff.web.confirm import confirmed
from window_staff.web.i18n import lang_of
from window_staff.web.pages import PAGE, offset_of, page_roles, refusal_of, render
from window_staff.web.words_cases import CASE_STATUSES

_reviewers = page_roles(*service.STEP_ROLES)
_FORM_LIMIT = 16_384
_PAGE = 50
HERE = "/app/hr/cases"
# The next step from each state, as the page offers it.
NEXT = {"open": "verify", "verified": "rectify", "rectified": "call_back", "called_back": "close"}
STEP_PATHS = {"verify": "verify", "rectify": "rectify", "call-back": "call_back", "close": "close"}


async def _rows(ctx: AppContext, cases: list[CaseOut]) -> list[dict[str, Any]]:
    labels = await org.window_labels(sorted({c.window_id for c in cases}))
    left = await service.working_days_left(
        ctx, {c.id: (c.window_id, c.deadline) for c in cases if c.status not in service.FINISHED and not c.overdue}
    )
    return [{"c": c, "window": labels.get(c.window_id, ""), "left": left.get(c.id)} for c in cases]


def _note(form: Any, field: str = "note") -> str:
    return str(form.get(field, "")).strip()


def _convert(values: dict[str, Any], schema: type[Any]) -> Any:
    try:
        return msgspec.convert(values, schema)
    except msgspec.ValidationError:
        raise EvaluationInputInvalid("a note is required", code="case_note_required") from None


class HrCasePages(Controller):
    """The queue and one case; each step from its own form with the note it needs."""

    include_in_schema = False
    path = HERE

    @get("", guards=[_reviewers], opt=PAGE)
    async def queue(self, ctx: AppContext, request: Request) -> Template:
        """Cases by nearest deadline, filtered by state or overdue."""
        q = request.query_params
        status = q.get("status") if q.get("status") in CASE_STATUSES else None
        overdue = q.get("overdue") == "1"
        offset = offset_of(request)
        found = await service.list_cases(ctx, PageParams(limit=_PAGE, offset=offset), status=status, overdue=overdue)
        return render(
            request,
            "hr/evaluations/cases.html",
            principal=await principal_of(request),
            rows=await _rows(ctx, found.items),
            total=found.total,
            next_offset=found.next_offset,
            offset=offset,
            statuses=CASE_STATUSES,
            asked_status=status or "",
            overdue=overdue,
        )

    async def _case(self, ctx: AppContext, request: Request, case_id: int, *, message: str | None = None, status: int = 200) -> Template:
        principal = await principal_of(request)
        case = await service.get_case(ctx, case_id)
        [row] = await _rows(ctx, [case])
        done = request.query_params.get("done")
        appealed = any(e.action == "appeal" for e in case.events)
        return render(
            request,
            "hr/evaluations/case.html",
            principal=principal,
            status=status,
            message=message,
            notice=f"cs.done.{done}" if done in NEXT.values() or done in ("appeal", "decide") else None,
            row=row,
            case=case,
            next_step=NEXT.get(case.status),
            can_appeal=principal.has_any("hr") and case.status in service.APPEALABLE and not appealed,
            appealed_before=appealed,
            here=f"{HERE}/{case_id}",
            confirm=request.query_params.get("confirm"),
            lang=lang_of(request),
        )

    @get("/{case_id:int}", guards=[_reviewers], opt=PAGE)
    async def case(self, ctx: AppContext, request: Request, case_id: int) -> Template:
        """One case: the rating, its steps with notes, and what can be done now."""
        return await self._case(ctx, request, case_id)

    @post("/{case_id:int}/{step:str}", guards=[_reviewers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def act(self, ctx: AppContext, request: Request, case_id: int, step: str) -> Template | Redirect:
        """Verify, rectify, call back or close (close from the confirmation step), each with its note; or appeal and decide."""
        principal = await principal_of(request)
        form = await request.form()
        try:
            if step in STEP_PATHS:
                action = STEP_PATHS[step]
                if action == "close" and not confirmed(form):
                    return Redirect(f"{HERE}/{case_id}?confirm=case-close#confirm-case-close", status_code=303)
                await service.step(ctx, principal, case_id, action=action, data=_convert({"note": _note(form)}, CaseStepIn))
                done = action
            elif step == "appeal":
                if not principal.has_any("hr"):
                    raise EvaluationInputInvalid("HR files appeals", code="case_appeal_hr_only")
                await service.file_appeal(ctx, principal, case_id, _convert({"reason": _note(form, "reason")}, CaseAppealIn))
                done = "appeal"
            elif step == "decide":
                if not confirmed(form):
                    return Redirect(f"{HERE}/{case_id}?confirm=case-decide#confirm-case-decide", status_code=303)
                data = _convert({"outcome": str(form.get("outcome", "")), "note": _note(form)}, CaseDecisionIn)
                await service.decide_appeal(ctx, principal, case_id, data)
                done = "decide"
            else:
                raise EvaluationInputInvalid(f"unknown step {step!r}", code="case_step_unknown")
        except DomainError as exc:
            return await self._case(ctx, request, case_id, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect(f"{HERE}/{case_id}?done={done}", status_code=303)
