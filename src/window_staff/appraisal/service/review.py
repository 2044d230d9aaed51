"""What an approver checks before approving (changes since a baseline, decided appeals, bonus by department) and which lifecycle
steps the month's state allows now, with the reason when it does not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from window_staff.appraisal import domain, store
from window_staff.appraisal.schemas import DecidedAppealOut, DepartmentBonusOut, LineChangeOut, PersonChangeOut, ReviewOut
from window_staff.appraisal.service.close import _bonus_inputs, bonus as frozen_bonus
from window_staff.appraisal.service.lifecycle import local_today, preparers
from window_staff.bonuses.domain import BonusResult, compute_bonuses
from window_staff.bonuses.rules import bonus_rules_of
from window_staff.common import periods
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.common.principal import Principal
from window_staff.org import service as org
from window_staff.scoring.rules import rules_of

# The trail actions after which an approver has seen the month's figures (and decided on them).
_DECIDED_ON = {"approve": "approval", "return": "return"}


def baseline_of(computations: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]]) -> tuple[int | None, str, datetime | None]:
    """The computation an approver compares the current one with: (number or None, kind, when it was seen).

    An approver needs what changed since someone last decided on these figures: the computation in force at the latest
    approval or return (a returned or reopened month comes back with its corrections). A month never decided on is compared
    with what staff were shown when appeals opened, so the approver sees exactly what appeals and recomputes changed.
    Without either, the computation before the current one; the first computation has nothing to compare with.
    Times are those of the writing transactions: a computation is in force at an event when written at or before it.
    """

    def number_at(at: datetime) -> int | None:
        return max((c["number"] for c in computations if c["at"] <= at), default=None)

    for kinds in (_DECIDED_ON, {"open_appeals": "appeals"}):
        seen = [e for e in events if e["action"] in kinds]
        if seen:
            last = seen[-1]
            return number_at(last["at"]), kinds[last["action"]], last["at"]
    current = max((c["number"] for c in computations), default=0)
    return (current - 1, "previous", None) if current > 1 else (None, "none", None)


def _titled(lines_json: str | None) -> dict[str, Mapping[str, Any]]:
    return {ln["rule_id"]: ln for ln in msgspec.json.decode(lines_json)} if lines_json else {}


def line_changes(before: str | None, after: str) -> list[LineChangeOut]:
    """Every rule whose points differ between two stored sheets' lines, with its titles, in the after sheet's order."""
    old, new = _titled(before), _titled(after)
    changed = []
    for rule_id in [*new, *(r for r in old if r not in new)]:
        was, now = old.get(rule_id), new.get(rule_id)
        points_before = Decimal(was["points"]) if was else None
        points_after = Decimal(now["points"]) if now else None
        if points_before != points_after:
            line = now or was
            assert line is not None  # the rule id came from one of the two
            changed.append(
                LineChangeOut(
                    rule_id=rule_id, title_zh=line["title_zh"], title_en=line["title_en"], before=points_before, after=points_after
                )
            )
    return changed


async def _people(staff_ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
    """(employee no, name, department name) per staff id."""
    postings = await org.postings_of(staff_ids)
    departments = await org.department_codes([p.department_id for p in postings])
    return {p.staff_id: (p.employee_no, p.name, departments.get(p.department_id, ("", ""))[1]) for p in postings}


async def _changes(period_id: int, *, since: int) -> list[PersonChangeOut]:
    rows = await store.changed_since(period_id, computation=since)
    people = await _people([r["staff"] for r in rows])
    changes = [
        PersonChangeOut(
            staff_id=r["staff"],
            employee_no=people[r["staff"]][0],
            name=people[r["staff"]][1],
            department=people[r["staff"]][2],
            before=domain.cents(r["prev_total_cents"]) if r["prev_total_cents"] is not None else None,
            after=domain.cents(r["total_cents"]),
            before_grade=r["prev_grade"],
            after_grade=r["grade"],
            lines=line_changes(r["prev_lines"], r["lines"]),
        )
        for r in rows
    ]
    return sorted(changes, key=lambda c: (c.department, c.employee_no))


async def _decided_appeals(ctx: AppContext, period_id: int) -> list[DecidedAppealOut]:
    rows = [r for r in await store.appeals(period_id=period_id) if r["outcome"] is not None]
    people = await _people([r["staff"] for r in rows])
    rules = {r.id: r for r in rules_of(ctx).rules}
    decided = []
    for r in rows:
        rule = rules.get(r["rule_id"])
        # A rule since retired keeps the titles it had on the person's sheet.
        line = _titled(await store.current_lines(period_id, staff_id=r["staff"])).get(r["rule_id"], {}) if rule is None else {}
        decided.append(
            DecidedAppealOut(
                id=r["id"],
                employee_no=people[r["staff"]][0],
                name=people[r["staff"]][1],
                department=people[r["staff"]][2],
                rule_id=r["rule_id"],
                title_zh=rule.title_zh if rule else line.get("title_zh", ""),
                title_en=rule.title_en if rule else line.get("title_en", ""),
                line_points=Decimal(r["line_points"]),
                outcome=r["outcome"],
                points=Decimal(r["points"]),
                decision_reason=r["decision_reason"] or "",
                reviewer=r["reviewer"] or "",
                reviewer_user=r["reviewer_user"],
                decided_at=r["decided_at"],
            )
        )
    return decided


async def _bonus(ctx: AppContext, period: Mapping[str, Any]) -> BonusResult:
    # Approved or later: the payroll figures (frozen once closed). Before: what approving these sheets would pay.
    if period["state"] in domain.BONUS_READY:
        return await frozen_bonus(ctx, period["month"])
    _, results = await _bonus_inputs(period["id"])
    return compute_bonuses(results, rules=bonus_rules_of(ctx))


async def review(ctx: AppContext, month: str) -> ReviewOut:
    """The approver's view of a computed month: changes since the baseline, the decided appeals, the bonus by department."""
    period = await store.period_or_404(periods.month_key(periods.parse_month(month)))
    since, kind, seen_at = baseline_of(await store.computations_of(period["id"]), await store.events_of(period["id"]))
    out = ReviewOut(
        month=period["month"],
        current=period["computation"],
        baseline=since,
        baseline_kind=kind,
        baseline_at=seen_at,
        changes=await _changes(period["id"], since=since) if since is not None else [],
        appeals=await _decided_appeals(ctx, period["id"]),
        bonus=[],
        bonus_total=None,
    )
    try:
        result = await _bonus(ctx, period)
    except DomainError as exc:  # bonus rules that do not fit the grades: the page says so instead of failing
        out.bonus_error = exc.detail
        return out
    names = {code: name for code, name in (await org.department_codes()).values()}
    out.bonus = [
        DepartmentBonusOut(department=names.get(d.department, d.department), headcount=d.headcount, total=d.total)
        for d in result.departments
    ]
    out.bonus_total = result.total
    return out


async def blocked_steps(ctx: AppContext, month: str, *, principal: Principal) -> dict[str, str]:
    """Why a lifecycle step of the month cannot be taken now, by page action name; a step not named is allowed or off-state.

    Reasons: ``month_not_begun``, ``month_not_ended``, ``window_runs``, ``appeals_pending``, ``not_decided``, ``prepared_by_you``,
    ``reopen_pending``, ``reopen_not_asked``, ``reopen_asked_by_you``. The service checks each step again when it is taken.
    """
    first = periods.parse_month(month)
    period = await store.find_period(periods.month_key(first))
    if period is None:
        return {"compute": "month_not_begun"} if first > local_today(ctx) else {}
    state, blocks = period["state"], {}
    if state == domain.COMPUTED and local_today(ctx) < periods.next_month(periods.parse_month(period["month"])):
        blocks["open-appeals"] = "month_not_ended"
    if state == domain.APPEALS:
        until = period["appeal_until"]
        if until is not None and ctx.clock.now() < until:
            blocks["end-appeals"] = "window_runs"
        elif await store.pending_appeals(period["id"]):
            blocks["end-appeals"] = "appeals_pending"
    if state in (domain.COMPUTED, domain.APPEALS):
        blocks["approve"] = "not_decided"
    elif state == domain.DECIDED and principal.user_id in await preparers(period["id"]):
        blocks["approve"] = "prepared_by_you"
    if state == domain.CLOSED:
        request = await store.pending_reopen(period["id"], close_number=period["closes"])
        if request is not None:
            blocks["reopen"] = "reopen_pending"
            if request["requested_user"] == principal.user_id:
                blocks["reopen-confirm"] = "reopen_asked_by_you"
        else:
            blocks["reopen-confirm"] = "reopen_not_asked"
    return blocks


async def reopen_request(month: str) -> tuple[str, str] | None:
    """(who asked, their reason) of the closed month's pending request to reopen, or None."""
    period = await store.find_period(periods.month_key(periods.parse_month(month)))
    if period is None or period["state"] != domain.CLOSED:
        return None
    request = await store.pending_reopen(period["id"], close_number=period["closes"])
    return (request["requested_by"], request["reason"]) if request else None
