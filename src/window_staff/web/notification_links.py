"""Where each message on the messages page leads: the page of what it is about, when the reader has one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from window_staff.appraisal import service as appraisal_service
from window_staff.appraisal.service import appeals as service_appeals
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.pagination import PageParams
from window_staff.common.principal import Principal
from window_staff.evaluations.service import cases as service_cases
from window_staff.inspections import service as inspections
from window_staff.notifications.schemas import NotificationOut

_ZONE = ZoneInfo(DEFAULT_TIME_ZONE)
# The staff month page lists a month's findings and cases; it reads this many of each, so older ones stay unlinked.
_OWN_LIMIT = 100


def _month(at: datetime) -> str:
    return at.astimezone(_ZONE).strftime("%Y-%m")


async def _own_subjects(ctx: AppContext, principal: Principal, kinds: set[str]) -> dict[tuple[str, int], str]:
    """The reader's own appraisal months, appeals, findings and cases that messages of these kinds name, with their links."""
    links: dict[tuple[str, int], str] = {}
    if principal.staff_id is None or not principal.has_any("staff"):
        return links
    if kinds & {"appraisal_shown", "appraisal_published"}:
        for period_id, month in (await appraisal_service.period_months()).items():
            links["appraisal_period", period_id] = f"/app/me/appraisal?month={month}"
    if "appraisal_appeal_decided" in kinds:
        for appeal in await service_appeals.my_appeals(ctx, principal=principal):
            links["appraisal_appeal", appeal.id] = f"/app/me/appraisal?month={appeal.month}#appeals"
    if "finding_published" in kinds:
        found = await inspections.my_findings(ctx, PageParams(limit=_OWN_LIMIT, offset=0), principal=principal)
        for f in found.items:
            links["finding", f.id] = f"/app/me?month={_month(f.observed_at)}#findings"
    if "bad_review_opened" in kinds:
        cases = await service_cases.list_my_cases(ctx, principal.staff_id, PageParams(limit=_OWN_LIMIT, offset=0))
        for c in cases.items:
            links["bad_review_case", c.id] = f"/app/me?month={_month(c.opened_at)}#cases"
    return links


async def subject_links(ctx: AppContext, principal: Principal, items: Sequence[NotificationOut]) -> dict[int, str]:
    """Each message's link by message id; a message with no page for this reader (a head told of a colleague's finding) has none."""
    own = await _own_subjects(ctx, principal, {n.kind for n in items})
    links: dict[int, str] = {}
    for n in items:
        if n.kind == "login_failures":
            links[n.id] = "/app/password"
        elif (n.subject_type, n.subject_id) in own:
            links[n.id] = own[n.subject_type, n.subject_id]
        elif n.subject_type == "bad_review_case" and principal.has_any(*service_cases.STEP_ROLES):
            # HR and the inspection lead run the loop: a case's message leads to the case itself.
            links[n.id] = f"/app/hr/cases/{n.subject_id}"
    return links
