"""The month's payroll files: the bonus with everything a payroll clerk needs to read, check and file it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from window_staff.appraisal import store
from window_staff.appraisal.domain import STATE_NAMES
from window_staff.appraisal.service.close import bonus
from window_staff.appraisal.service.lifecycle import local_today
from window_staff.auth import service as auth
from window_staff.bonuses.domain import BonusResult
from window_staff.bonuses.export import PayrollHeading, bonus_csv, bonus_xlsx
from window_staff.common import periods
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.org import service as org
from window_staff.scoring.rules import rules_of


async def payroll_file(ctx: AppContext, month: str, *, file: str = "xlsx", lang: str = "zh") -> bytes:
    """The month's bonus as the XLSX form or the CSV import, in ``lang`` (zh or en); approved figures only."""
    key = periods.month_key(periods.parse_month(month))
    result = await bonus(ctx, key)  # refuses a month not yet approved
    heading = await payroll_heading(ctx, key, result=result, lang=lang)
    return bonus_csv(result, heading=heading) if file == "csv" else bonus_xlsx(result, heading=heading)


async def payroll_heading(ctx: AppContext, month: str, *, result: BonusResult, lang: str = "zh") -> PayrollHeading:
    """The names, approver and dates a payroll file shows, in the reader's language."""
    lang = lang if lang in STATE_NAMES else "zh"
    period = await store.period_or_404(month)
    employee_nos = [line.employee_no for line in result.lines]
    staff_ids = await org.staff_ids_by_employee_no(employee_nos)
    postings = await org.postings_of(list(staff_ids.values()))
    places = await org.window_places([p.window_id for p in postings if p.window_id is not None])
    approver, approved_at = await _approval(period)
    return PayrollHeading(
        month=periods.parse_month(month),
        unit=await org.centre_name([p.site_id for p in postings if p.site_id is not None]),
        state=STATE_NAMES[lang].get(period["state"], ""),
        approver=approver,
        approved_on=approved_at.astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).date() if approved_at else None,
        made_on=local_today(ctx),
        departments={code: name for code, name in (await org.department_codes()).values()},
        windows={p.employee_no: places[p.window_id] for p in postings if p.window_id is not None},
        grades={g.code: g.title_en if lang == "en" else g.title_zh for g in rules_of(ctx).grades},
        lang=lang,
    )


async def _approval(period: dict) -> tuple[str, datetime | None]:
    """Who approved the figures now standing and when: the latest approval in the period's trail, by display name."""
    approvals = [e for e in await store.events_of(period["id"]) if e["action"] == "approve"]
    if not approvals or period["approved_at"] is None:
        return "", None
    last = approvals[-1]
    names = await auth.display_names([last["actor_user"]] if last["actor_user"] else [])
    # Without a user id (an approval from the command line), the actor's user name, never "user:N:name".
    return names.get(last["actor_user"]) or str(last["actor"]).rsplit(":", 1)[-1], last["at"]
