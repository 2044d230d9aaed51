"""The ONE visibility rule of inspections (the embargo) and the lookups built on it.

Every query of visits, findings or anything hanging off a finding (evidence, appeals, notifications,
the board) that runs for a caller filters with ``visible_visits`` / ``visible_findings``; an object
that fails the predicate answers exactly like one that does not exist (404).

Who sees what:
- the inspection lead: every visit and every finding, in any state;
- an inspector: the visits they are assigned to, and every finding of those visits;
- HR, admin, auditor: open visits and published undercover visits; published findings only;
- the approver: published findings only (they approve months built on them);
- a staff member: published findings about themselves only; no visits;
- anyone else (delegates, anonymous): nothing. The public board applies its own choice on top of
  ``visible_findings(None)``, which is published findings only.

Drafts and rejected findings of OPEN visits are seen only by the inspection roles too: a finding
means nothing to HR or to its staff member until the lead has reviewed and published it.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns.combination import Where
from piccolo.query.methods.select import Select

from window_staff.common.principal import Principal
from window_staff.inspections.errors import FindingNotFound, VisitNotFound
from window_staff.inspections.tables import Finding, Visit, VisitInspector

LEAD = "inspection_lead"
INSPECTOR = "inspector"
INSPECTION_ROLES = frozenset({LEAD, INSPECTOR})
# Roles that see open visits and published undercover ones.
VISIT_READERS = frozenset({"hr", "admin", "auditor"})
# Roles that see every published finding (but never a draft or rejected one).
FINDING_READERS = frozenset({"hr", "admin", "auditor", "approver"})

PUBLISHED = "published"

Predicate = Any  # a Piccolo Where / And / Or


def _visits_of_inspector(user_id: int) -> Select:
    return VisitInspector.select(VisitInspector.visit).where(VisitInspector.inspector == user_id)


def is_lead(principal: Principal | None) -> bool:
    """True for the inspection lead (sees everything)."""
    return principal is not None and principal.has_any(LEAD)


def visible_visits(principal: Principal | None) -> Predicate:
    """The where-clause of the visits ``principal`` may see (None: anonymous, sees none)."""
    if principal is None:
        return Visit.id.is_null()  # never true: no visit for the public
    if is_lead(principal):
        return Visit.id.is_not_null()
    clauses: list[Predicate] = []
    if principal.has_any(INSPECTOR):
        clauses.append(Visit.id.is_in(_visits_of_inspector(principal.user_id)))
    if principal.has_any(*VISIT_READERS):
        clauses.append((Visit.kind == "open") | Visit.published_at.is_not_null())
    return _any_of(clauses, none=Visit.id.is_null())


def visible_findings(principal: Principal | None) -> Predicate:
    """The where-clause of the findings ``principal`` may see (None: the public, published only)."""
    published = (Finding.status == PUBLISHED) & Finding.published_at.is_not_null()
    if principal is None:
        return published
    if is_lead(principal):
        return Finding.id.is_not_null()
    clauses: list[Predicate] = []
    if principal.has_any(INSPECTOR):
        clauses.append(Finding.visit.is_in(_visits_of_inspector(principal.user_id)))
    if principal.has_any(*FINDING_READERS):
        clauses.append(published)
    elif principal.staff_id is not None:
        # A staff account reads only published findings about itself.
        clauses.append(published & (Finding.staff == principal.staff_id))
    return _any_of(clauses, none=Finding.id.is_null())


def visible_finding_ids(principal: Principal | None) -> Select:
    """A sub-select of visible finding ids, for ``Evidence.finding.is_in(...)`` and the like."""
    return Finding.select(Finding.id).where(visible_findings(principal))


def _any_of(clauses: list[Predicate], *, none: Where) -> Predicate:
    if not clauses:
        return none
    combined = clauses[0]
    for clause in clauses[1:]:
        combined = combined | clause
    return combined


async def get_visit(principal: Principal | None, visit_id: int) -> dict[str, Any]:
    """The visit row if ``principal`` may see it, else VisitNotFound (same answer as a missing id)."""
    row = await Visit.select().where((Visit.id == visit_id) & visible_visits(principal)).first()
    if row is None:
        raise VisitNotFound()
    return row


async def get_finding(principal: Principal | None, finding_id: int) -> dict[str, Any]:
    """The finding row if ``principal`` may see it, else FindingNotFound (same answer as a missing id)."""
    row = await Finding.select().where((Finding.id == finding_id) & visible_findings(principal)).first()
    if row is None:
        raise FindingNotFound()
    return row


async def is_on_visit(visit_id: int, user_id: int) -> bool:
    """True when the user is assigned to the visit as an inspector."""
    return await VisitInspector.exists().where((VisitInspector.visit == visit_id) & (VisitInspector.inspector == user_id))


async def inspectors_of(visit_ids: list[int]) -> dict[int, list[int]]:
    """Inspector user ids per visit."""
    if not visit_ids:
        return {}
    rows = await VisitInspector.select(VisitInspector.visit, VisitInspector.inspector).where(VisitInspector.visit.is_in(visit_ids))
    out: dict[int, list[int]] = {v: [] for v in visit_ids}
    for r in rows:
        out[r["visit"]].append(r["inspector"])
    return {k: sorted(v) for k, v in out.items()}
