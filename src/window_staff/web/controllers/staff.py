"""Staff pages (phone first): my month (attendance, findings, ratings, biometric consent) and my appraisal with its appeals."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from window_staff.appraisal import service as appraisal_service
from window_staff.appraisal.errors import AppealConflict, AppraisalInputInvalid, MonthInvalid
from window_staff.appraisal.schemas import AppealIn, SheetOut
from window_staff.appraisal.service import appeals as service_appeals, reports as service_reports
from window_staff.attendance import views as attendance_views
from window_staff.attendance.leave_rules import KINDS, canonical_kind
from window_staff.attendance.schemas import DayRecordOut
from window_staff.attendance.service import missed_punches
from window_staff.attendance.service.inputs import leave_rules_of
from window_staff.biometrics import service as biometrics
from window_staff.biometrics.schemas import ConsentOut, ConsentStatusOut
from window_staff.common import periods
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError, Forbidden
from window_staff.common.guards import principal_of
from window_staff.common.pagination import PageParams
from window_staff.common.principal import Principal
from window_staff.errors import status_of
from window_staff.evaluations.service import cases as service_cases, ratings as service_ratings
from window_staff.inspections import service as inspections
from window_staff.scoring.rules import rules_of
from window_staff.terminals import service as terminals
from window_staff.web import leave_words, month_punches  # noqa: F401 (leave_words registers the leave kinds' words)
from window_staff.web.appraisal_text import appeal_facts, computed_words, restored_words
from window_staff.web.i18n import add_words, lang_of, time_words, translator
from window_staff.web.pages import PAGE, page_roles, refusal_of, render

_FORM_LIMIT = 16384  # rule id + a reason of up to 2000 characters, form-encoded
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_ZONE = ZoneInfo(DEFAULT_TIME_ZONE)

add_words(
    {
        "me.month_title": {"zh": "我的本月考勤", "en": "My month"},
        "me.month_of": {"zh": "月份", "en": "Month"},
        "me.show": {"zh": "查看", "en": "Show"},
        "me.calendar": {"zh": "考勤日历", "en": "Attendance calendar"},
        "me.day": {"zh": "日期", "en": "Day"},
        "me.am": {"zh": "上午", "en": "Morning"},
        "me.pm": {"zh": "下午", "en": "Afternoon"},
        "me.no_record": {"zh": "—", "en": "—"},
        "me.totals": {"zh": "本月合计", "en": "Month totals"},
        "me.st.present": {"zh": "出勤", "en": "Present"},
        "me.st.late": {"zh": "迟到 {n} 分钟", "en": "Late {n} min"},
        "me.st.early_leave": {"zh": "早退 {n} 分钟", "en": "Left {n} min early"},
        "me.st.absent": {"zh": "旷工", "en": "Absent"},
        "me.st.missing_sign_in": {"zh": "缺签到", "en": "No sign-in"},
        "me.st.missing_sign_out": {"zh": "缺签退", "en": "No sign-out"},
        "me.corrected": {"zh": "已更正", "en": "corrected"},
        "me.t.present": {"zh": "出勤(次)", "en": "Present"},
        "me.t.late": {"zh": "迟到(次/分)", "en": "Late (times/min)"},
        "me.t.early": {"zh": "早退(次/分)", "en": "Early (times/min)"},
        "me.t.absent": {"zh": "旷工(半天)", "en": "Absent (half days)"},
        "me.t.missing": {"zh": "缺卡(次)", "en": "Missing punches"},
        "me.findings": {"zh": "本月检查发现", "en": "Inspection findings this month"},
        "me.no_findings": {"zh": "本月没有已公布的检查发现。", "en": "No published findings this month."},
        "me.positive": {"zh": "表扬", "en": "Commendation"},
        "me.cases": {"zh": "群众评价与差评整改", "en": "Citizen ratings and bad-review cases"},
        "me.no_cases": {"zh": "本月没有差评整改事项。", "en": "No bad-review cases this month."},
        "me.case_deadline": {"zh": "整改期限", "en": "Deadline"},
        "me.overdue": {"zh": "已逾期 {n} 天", "en": "{n} days overdue"},
        "me.ratings_summary": {
            "zh": "本月有效评价 {n} 次，满意 {s} 次，满意率 {r}%",
            "en": "{n} valid ratings this month, {s} satisfied: {r}%",
        },
        "me.no_ratings": {"zh": "本月暂无群众评价。", "en": "No citizen ratings this month."},
        "me.level.5": {"zh": "非常满意", "en": "Very satisfied"},
        "me.level.4": {"zh": "满意", "en": "Satisfied"},
        "me.level.3": {"zh": "基本满意", "en": "Fairly satisfied"},
        "me.level.2": {"zh": "不满意", "en": "Dissatisfied"},
        "me.level.1": {"zh": "非常不满意", "en": "Very dissatisfied"},
        "me.severity.minor": {"zh": "一般", "en": "minor"},
        "me.severity.major": {"zh": "较重", "en": "major"},
        "me.severity.serious": {"zh": "严重", "en": "serious"},
        "me.case.open": {"zh": "待核实", "en": "open"},
        "me.case.verified": {"zh": "已核实", "en": "verified"},
        "me.case.rectified": {"zh": "已整改", "en": "rectified"},
        "me.case.called_back": {"zh": "已回访", "en": "called back"},
        "me.case.closed": {"zh": "已办结", "en": "closed"},
        "me.case.appealed": {"zh": "复核中", "en": "under review"},
        "me.case.voided": {"zh": "已撤销（复核成立）", "en": "voided on review"},
        "me.rating": {"zh": "评价", "en": "Rating"},
        "me.consent": {"zh": "生物特征采集同意", "en": "Biometric consent"},
        "me.face": {"zh": "人脸", "en": "Face"},
        "me.fingerprint": {"zh": "指纹", "en": "Fingerprint"},
        "me.consent_given": {"zh": "已同意（{at}）", "en": "Given ({at})"},
        "me.consent_withdrawn": {"zh": "已撤回（{at}）", "en": "Withdrawn ({at})"},
        "me.consent_none": {"zh": "未同意", "en": "Not given"},
        "me.to_appraisal": {"zh": "查看我的考核表", "en": "Open my appraisal sheet"},
        "me.appraisal_title": {"zh": "我的月度考核", "en": "My monthly appraisal"},
        "me.no_sheet": {"zh": "尚无已公布给本人的考核。", "en": "No appraisal has been shown to you yet."},
        "me.total": {"zh": "总分", "en": "Total"},
        "me.grade": {"zh": "等次", "en": "Grade"},
        "me.veto": {"zh": "一票否决", "en": "Veto"},
        "me.categories": {"zh": "分项得分", "en": "Categories"},
        "me.lines": {"zh": "加扣分明细", "en": "Points added and deducted"},
        "me.occurrences": {"zh": "次数", "en": "Times"},
        "me.points": {"zh": "分值", "en": "Points"},
        "me.appeals": {"zh": "我的申诉", "en": "My appeals"},
        "me.no_appeals": {"zh": "本月没有申诉。", "en": "No appeals this month."},
        "me.appeal_fact": {"zh": "申诉", "en": "Appeal"},
        "me.appeal_reason": {"zh": "申诉理由", "en": "Reason"},
        "me.appeal_send": {"zh": "提交申诉", "en": "Send the appeal"},
        "me.appeal_filed": {"zh": "申诉已提交，等待审核。", "en": "Your appeal was filed and awaits a decision."},
        "me.appeal_window": {"zh": "申诉截止", "en": "Appeals until"},
        "me.appeal_closed": {"zh": "申诉期未开放或已结束。", "en": "The appeal window is not open."},
        "me.appeal_twice": {"zh": "您已对此条记录提出过申诉。", "en": "You have already appealed this."},
        "me.appeal_reason_short": {"zh": "请填写申诉理由（2至2000字）。", "en": "Please give a reason (2 to 2000 characters)."},
        "me.appeal_no_line": {"zh": "您的考核表中没有可申诉的此条记录。", "en": "Your sheet has no such record to appeal."},
        "me.appealed": {"zh": "已申诉", "en": "Appealed"},
        "me.status": {"zh": "状态", "en": "Status"},
        "me.pending": {"zh": "待审核", "en": "Pending"},
        "me.upheld": {"zh": "已支持", "en": "Upheld"},
        "me.rejected": {"zh": "已驳回", "en": "Rejected"},
        "me.decision": {"zh": "处理意见", "en": "Decision"},
        "me.filed_at": {"zh": "提交时间", "en": "Filed"},
        "me.item": {"zh": "申诉事项", "en": "What was appealed"},
        "me.not_linked": {"zh": "此账号未关联工作人员。", "en": "This account is not linked to a staff member."},
    }
)

_WEEKDAYS = {"zh": "一二三四五六日", "en": ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")}


def _local(at: datetime | None, lang: str) -> str:
    return time_words(at, lang, zone=_ZONE.key)


def _this_month(ctx: AppContext) -> str:
    today = appraisal_service.local_today(ctx)
    return f"{today.year:04d}-{today.month:02d}"


def _finding_words(items: dict[str, Any], finding: Any, lang: str) -> str:
    item = items.get(finding.item)
    return item.wording(lang) if item is not None else (finding.title_en if lang == "en" else finding.title_zh)


def _asked_month(request: Request) -> str | None:
    month = request.query_params.get("month")
    if month is None or month == "":
        return None
    if not _MONTH.match(month):
        raise MonthInvalid(f"{month!r} is not a month (YYYY-MM)")
    return month


async def _staff(request: Request) -> tuple[Principal, int]:
    principal = await principal_of(request)
    if principal.staff_id is None:
        raise Forbidden(translator(lang_of(request))("me.not_linked"))
    return principal, principal.staff_id


# --- my month ------------------------------------------------------------------------------------------------------------


def session_text(record: DayRecordOut, words: Callable[[str], str]) -> str:
    """What happened in one session, in words: 出勤, 迟到 22 分钟, 旷工, 请假 ..."""
    status = record.status
    if status == "on_leave":
        kind = canonical_kind(record.leave_kind or "leave")
        return words(f"me.st.{kind}" if kind in KINDS else "me.st.personal")
    if status == "late":
        return words("me.st.late").format(n=record.late_minutes)
    if status == "early_leave":
        return words("me.st.early_leave").format(n=record.early_minutes)
    if status == "late_and_early_leave":
        return words("me.st.late").format(n=record.late_minutes) + "，" + words("me.st.early_leave").format(n=record.early_minutes)
    return words(f"me.st.{status}")


def _tone(status: str) -> str:
    return {"present": "pos", "on_leave": "muted"}.get(status, "neg")


def calendar_rows(
    month: str, records: list[DayRecordOut], *, lang: str, missed_ids: frozenset[int] = frozenset()
) -> tuple[list[str], list[dict[str, Any]]]:
    """One row a day of the month: the day, its weekday and a cell per session (am, pm, then others); a 补卡 cell says so."""
    words = translator(lang)
    year, mon = int(month[:4]), int(month[5:])
    sessions: list[str] = ["am", "pm"]
    for r in records:
        if r.session not in sessions:
            sessions.append(r.session)
    by_day: dict[date, dict[str, DayRecordOut]] = {}
    for r in records:
        by_day.setdefault(r.day, {})[r.session] = r
    rows = []
    for d in range(1, calendar.monthrange(year, mon)[1] + 1):
        day = date(year, mon, d)
        cells = []
        for s in sessions:
            cell = by_day.get(day, {}).get(s)
            if cell is None:
                cells.append({"text": words("me.no_record"), "tone": "muted", "corrected": False, "missed": False, "ask": False})
            else:
                rests_on = {cell.sign_in_punch_id, cell.sign_out_punch_id}
                cells.append(
                    {
                        "text": session_text(cell, words),
                        "tone": _tone(cell.status),
                        "corrected": cell.correction is not None,
                        "missed": bool(rests_on & missed_ids),
                        "ask": cell.status in ("missing_sign_in", "missing_sign_out", "absent"),
                    }
                )
        rows.append(
            {
                "day": day,
                "weekday": _WEEKDAYS["en" if lang == "en" else "zh"][day.weekday()],
                "cells": cells,
                "weekend": day.weekday() >= 5 and day not in by_day,
            }
        )
    heads = [words(f"me.{s}") if s in ("am", "pm") else s for s in sessions]
    return heads, rows


def _in_month(at: datetime, month: str) -> bool:
    return at.astimezone(_ZONE).strftime("%Y-%m") == month


def consent_rows(status: ConsentStatusOut, *, lang: str) -> list[tuple[str, str, bool]]:
    """Per modality: its name, given/withdrawn (with when) or not given, and whether it is active."""
    words = translator(lang)
    out = []
    for modality in ("face", "fingerprint"):
        active: ConsentOut | None = getattr(status, modality)
        if active is not None:
            out.append((words(f"me.{modality}"), words("me.consent_given").format(at=_local(active.granted_at, lang)), True))
            continue
        withdrawn = [c for c in status.history if c.modality == modality and c.withdrawn_at is not None]
        if withdrawn:
            out.append((words(f"me.{modality}"), words("me.consent_withdrawn").format(at=_local(withdrawn[-1].withdrawn_at, lang)), False))
        else:
            out.append((words(f"me.{modality}"), words("me.consent_none"), False))
    return out


# --- my appraisal --------------------------------------------------------------------------------------------------------


async def _appraisal_page(
    ctx: AppContext,
    request: Request,
    principal: Principal,
    month: str | None,
    *,
    message: str | None = None,
    notice: str | None = None,
    status: int = 200,
    reasons: Mapping[str, str] | None = None,
) -> Template:
    lang = lang_of(request)
    words = translator(lang)
    month = month or await appraisal_service.latest_staff_visible_month()
    if month is None:
        return render(
            request,
            "staff/appraisal.html",
            principal=principal,
            sheet=None,
            month=None,
            message=message or words("me.no_sheet"),
            notice=notice,
            status=status,
        )
    sheet: SheetOut = await service_reports.sheet(ctx, month, principal.staff_id or -1, principal=principal, lang=lang)
    appeal_until = await appraisal_service.open_appeal_window(ctx, sheet.month)
    window_open = appeal_until is not None
    # A fact is appealed once; a whole-line appeal (filed through the API) covers every fact of its line.
    appealed: dict[str, set[str] | None] = {}
    for a in sheet.appeals:
        covered = appealed.get(a.rule_id, set())
        appealed[a.rule_id] = None if covered is None or not a.facts else covered | set(a.facts)
    titles = {ln.rule_id: (ln.title_en if lang == "en" else ln.title_zh) for ln in sheet.lines}
    lines = []
    for ln in sheet.lines:
        covered = appealed.get(ln.rule_id, set())
        facts = []
        for item in ln.items:
            done = covered is None or item.fact_id in covered
            facts.append({"item": item, "appealed": done, "can_appeal": window_open and not done and item.points < 0})
        lines.append({"line": ln, "title": titles[ln.rule_id], "facts": facts})
    appeals = [
        {
            "appeal": a,
            "title": titles.get(a.rule_id, ""),
            "facts": appeal_facts(a, sheet.lines),
            "restored": restored_words(a.points, words=words) if a.outcome == "upheld" else "",
            "filed_at": _local(a.filed_at, lang),
            "decided_at": _local(a.decided_at, lang),
            "status": words(f"me.{a.outcome}") if a.outcome else words("me.pending"),
        }
        for a in sheet.appeals
    ]
    return render(
        request,
        "staff/appraisal.html",
        principal=principal,
        sheet=sheet,
        month=sheet.month,
        lines=lines,
        appeals=appeals,
        window_open=window_open,
        appeal_until=_local(appeal_until, lang) if appeal_until else "",
        message=message,
        notice=notice,
        status=status,
        reasons=reasons or {},
        computed=computed_words(sheet.computation, sheet.computed_at, lang=lang, words=words),
    )


class StaffPagesController(Controller):
    """The staff member's own pages."""

    include_in_schema = False

    @get("/app/me", guards=[page_roles("staff")], opt=PAGE)
    async def my_month(self, ctx: AppContext, request: Request) -> Template:
        """The month's attendance calendar, findings, bad-review cases, consent status and a link to the appraisal."""
        principal, staff_id = await _staff(request)
        lang = lang_of(request)
        month = _asked_month(request) or _this_month(ctx)
        attendance = await attendance_views.staff_month(ctx, staff_id, month=month, only_staff_id=staff_id)
        punches = await missed_punches.month_punches(ctx, staff_id, month=attendance.month, only_staff_id=staff_id)
        missed_ids = frozenset(p.id for p in punches if p.source == month_punches.MISSED)
        heads, rows = calendar_rows(attendance.month, attendance.records, lang=lang, missed_ids=missed_ids)
        terminal_names = await terminals.names_of([p.terminal_id for p in punches if p.terminal_id is not None])
        prev_month, next_month = month_punches.neighbours(attendance.month, this_month=_this_month(ctx))
        found = await inspections.my_findings(ctx, PageParams(limit=100, offset=0), principal=principal)
        # A finding reads as the problem found (未佩戴工作牌), not as the standard it broke (统一戴牌上岗).
        items = {i.id: i for i in rules_of(ctx).checklist}
        findings = [
            {
                "f": f,
                "title": items[f.item].wording(lang) if f.item in items else (f.title_en if lang == "en" else f.title_zh),
                "at": _local(f.observed_at, lang),
            }
            for f in found.items
            if _in_month(f.observed_at, attendance.month)
        ]
        cases_page = await service_cases.list_my_cases(ctx, staff_id, PageParams(limit=100, offset=0))
        cases = [
            {"c": c, "opened_at": _local(c.opened_at, lang), "rated_at": _local(c.rating.rated_at, lang)}
            for c in cases_page.items
            if _in_month(c.opened_at, attendance.month) or _in_month(c.rating.rated_at, attendance.month)
        ]
        consent = consent_rows(await biometrics.consent_status(ctx, staff_id, only_staff_id=staff_id), lang=lang)
        ratings = await service_ratings.my_month_ratings(ctx, staff_id, month=periods.parse_month(attendance.month))
        latest = await appraisal_service.latest_staff_visible_month()
        return render(
            request,
            "staff/month.html",
            principal=principal,
            attendance=attendance,
            month=attendance.month,
            heads=heads,
            rows=rows,
            findings=findings,
            cases=cases,
            ratings=ratings,
            consent=consent,
            latest_sheet=latest,
            punch_days=month_punches.punch_days(punches, terminals=terminal_names, zone=_ZONE.key, lang=lang),
            leave_split=month_punches.leave_split(
                attendance.totals.leave_by_kind,
                counting=frozenset(k for k, r in leave_rules_of(ctx).kinds.items() if r.counts_against_attendance),
            ),
            prev_month=prev_month,
            next_month=next_month,
        )

    @get("/app/me/appraisal", guards=[page_roles("staff")], opt=PAGE)
    async def my_appraisal(self, ctx: AppContext, request: Request) -> Template:
        """My sheet (the latest month shown to staff, or ``?month=``): totals, each line with its facts in sentences, appeals."""
        principal, _ = await _staff(request)
        words = translator(lang_of(request))
        notice = words("me.appeal_filed") if request.query_params.get("appealed") else None
        return await _appraisal_page(ctx, request, principal, _asked_month(request), notice=notice)

    @post("/app/me/appraisal/{month:str}/appeals", guards=[page_roles("staff")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def appeal(self, ctx: AppContext, request: Request, month: str) -> Response:
        """Appeal one fact of a line (or, without ``fact``, the line); back to the sheet with a notice, or the sheet again with why not."""
        principal, _ = await _staff(request)
        if not _MONTH.match(month):
            raise MonthInvalid(f"{month!r} is not a month (YYYY-MM)")
        words = translator(lang_of(request))
        form = await request.form()
        rule_id, reason = str(form.get("rule_id", "")), str(form.get("reason", "")).strip()
        facts = [str(f) for f in form.getall("fact")] if "fact" in form else []
        # The reason typed is kept under the fact (or line) it was for, so a refusal re-opens that form with it.
        reasons = {(facts[0] if facts else rule_id): reason}
        try:
            data = msgspec.convert({"rule_id": rule_id, "reason": reason, "facts": facts or None}, AppealIn)
        except msgspec.ValidationError:
            return await _appraisal_page(
                ctx, request, principal, month, message=words("me.appeal_reason_short"), status=422, reasons=reasons
            )
        try:
            await service_appeals.file_appeal(ctx, month, principal=principal, data=data)
        except AppealConflict as exc:
            mine = await service_appeals.my_appeals(ctx, principal=principal, month=month)
            twice = any(a.rule_id == rule_id and (not a.facts or not facts or set(a.facts) & set(facts)) for a in mine)
            message = words("me.appeal_twice") if twice else words("me.appeal_closed")
            return await _appraisal_page(ctx, request, principal, month, message=message, status=status_of(exc))
        except AppraisalInputInvalid as exc:
            return await _appraisal_page(ctx, request, principal, month, message=words("me.appeal_no_line"), status=status_of(exc))
        except DomainError as exc:
            return await _appraisal_page(
                ctx, request, principal, month, message=refusal_of(request, exc), status=status_of(exc), reasons=reasons
            )
        key = periods.month_key(periods.parse_month(month))
        return Redirect(f"/app/me/appraisal?month={key}&appealed={quote(rule_id)}#appeals", status_code=303)
