"""HR's monthly appraisal console (auditors read it without the action buttons): months, lifecycle, charts, sheets, appeals, payroll
files."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from window_staff.appraisal import domain, jobs as appraisal_jobs, service
from window_staff.appraisal.errors import AppraisalInputInvalid, PeriodNotFound
from window_staff.appraisal.schemas import AppealDecisionIn, PeriodOut, RankingOut, TrendPointOut
from window_staff.appraisal.service import (
    appeals as service_appeals,
    payroll as service_payroll,
    reports as service_reports,
    review as service_review,
)
from window_staff.common import periods
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.common.guards import principal_of
from window_staff.common.pagination import PageParams
from window_staff.errors import status_of
from window_staff.jobs.schemas import JobOut
from window_staff.org import service as org
from window_staff.scoring.rules import rules_of
from window_staff.web.appraisal_text import computed_words, evidence_items
from window_staff.web.confirm import CONFIRM_FIELD, confirmed, reasons
from window_staff.web.controllers.jobs import job_context, panel
from window_staff.web.i18n import add_words, lang_of, time_words, translator
from window_staff.web.pages import HEADERS, PAGE, is_fragment, offset_of, page_roles, refusal_of, render

_FORM_LIMIT = 16384  # a reason of up to 2000 characters, form-encoded
_SHEETS_PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

readers = page_roles("hr", "auditor")
preparers = page_roles("hr")

add_words(
    {
        "hr.months": {"zh": "考核月份", "en": "Appraisal months"},
        "hr.month": {"zh": "月份", "en": "Month"},
        "hr.state": {"zh": "状态", "en": "State"},
        "hr.computation": {"zh": "计算版本", "en": "Computation"},
        "hr.staff": {"zh": "人数", "en": "Staff"},
        "hr.pending_appeals": {"zh": "待处理申诉", "en": "Pending appeals"},
        "hr.open_month": {"zh": "打开月份", "en": "Open month"},
        "hr.no_months": {"zh": "尚无考核月份", "en": "No appraisal months yet"},
        "hr.not_computed": {"zh": "本月尚未计算", "en": "This month has not been computed"},
        "hr.read_only": {"zh": "只读（审计）", "en": "Read only (audit)"},
        "hr.appeal_until": {"zh": "申诉截止", "en": "Appeals until"},
        "hr.approved_by": {"zh": "批准人", "en": "Approved by"},
        "hr.actions": {"zh": "操作", "en": "Actions"},
        "hr.action.compute": {"zh": "计算", "en": "Compute"},
        "hr.action.recompute": {"zh": "重新计算", "en": "Recompute"},
        "hr.action.open-appeals": {"zh": "开放申诉", "en": "Open appeals"},
        "hr.action.end-appeals": {"zh": "结束申诉", "en": "End appeals"},
        "hr.action.publish": {"zh": "公布", "en": "Publish"},
        "hr.action.close": {"zh": "结账归档", "en": "Close"},
        "hr.done.compute": {"zh": "已计算", "en": "Computed"},
        "hr.done.open-appeals": {"zh": "申诉已开放", "en": "Appeals are open"},
        "hr.done.end-appeals": {"zh": "申诉已结束", "en": "Appeals have ended"},
        "hr.done.publish": {"zh": "已公布", "en": "Published"},
        "hr.done.close": {"zh": "已结账", "en": "Closed"},
        "hr.done.decision": {"zh": "申诉已处理", "en": "The appeal was decided"},
        "hr.distribution": {"zh": "等级分布", "en": "Grade distribution"},
        "hr.dept_ranking": {"zh": "部门排名", "en": "Department ranking"},
        "hr.window_ranking": {"zh": "窗口排名", "en": "Window ranking"},
        "hr.rank": {"zh": "名次", "en": "Rank"},
        "hr.group": {"zh": "名称", "en": "Name"},
        "hr.headcount": {"zh": "人数", "en": "Headcount"},
        "hr.average": {"zh": "平均分", "en": "Average"},
        "hr.best": {"zh": "最高", "en": "Best"},
        "hr.worst": {"zh": "最低", "en": "Worst"},
        "hr.small_group": {
            "zh": "人数少于 {n} 人的部门或窗口只显示人数，不显示分数和名次（以免显示个人考核结果）",
            "en": "Departments or windows of fewer than {n} people show their headcount only, no scores or rank "
            "(so that no one's own result is shown)",
        },
        "hr.trend": {"zh": "趋势", "en": "Trend"},
        "hr.sheets": {"zh": "考核表", "en": "Sheets"},
        "hr.find": {"zh": "查找人员", "en": "Find staff"},
        "hr.find_hint": {"zh": "姓名、拼音首字母或工号", "en": "Name, pinyin initials or employee no."},
        "hr.find_go": {"zh": "查找", "en": "Find"},
        "hr.find_none": {"zh": "没有找到符合条件的人员", "en": "No staff member matches"},
        "hr.employee_no": {"zh": "工号", "en": "Employee no."},
        "hr.name": {"zh": "姓名", "en": "Name"},
        "hr.department": {"zh": "部门", "en": "Department"},
        "hr.window": {"zh": "窗口", "en": "Window"},
        "hr.total": {"zh": "总分", "en": "Total"},
        "hr.grade": {"zh": "等级", "en": "Grade"},
        "hr.veto": {"zh": "一票否决", "en": "Veto"},
        "hr.previous": {"zh": "上一页", "en": "Previous"},
        "hr.next": {"zh": "下一页", "en": "Next"},
        "hr.appeals": {"zh": "申诉", "en": "Appeals"},
        "hr.no_pending": {"zh": "没有待处理的申诉", "en": "No appeal awaits a decision"},
        "hr.points": {"zh": "分值", "en": "Points"},
        "hr.reason": {"zh": "理由", "en": "Reason"},
        "hr.upheld": {"zh": "支持", "en": "Upheld"},
        "hr.rejected": {"zh": "驳回", "en": "Rejected"},
        "hr.points_optional": {"zh": "恢复分值（可选）", "en": "Points restored (optional)"},
        "hr.decide": {"zh": "提交决定", "en": "Decide"},
        "hr.bonus": {"zh": "绩效奖金导出", "en": "Bonus export"},
        "hr.bonus_later": {"zh": "批准后可导出", "en": "Available once approved"},
        "hr.trail": {"zh": "流转记录", "en": "Trail"},
        "hr.actor": {"zh": "操作人", "en": "By"},
        "hr.at": {"zh": "时间", "en": "At"},
        "hr.back": {"zh": "返回", "en": "Back"},
        "hr.lines": {"zh": "扣加分明细", "en": "Points added and deducted"},
        "hr.categories": {"zh": "分项", "en": "Categories"},
        "hr.occurrences": {"zh": "次数", "en": "Times"},
        "hr.facts": {"zh": "事实", "en": "Facts"},
        "hr.dept_trend": {"zh": "部门月度平均分趋势", "en": "Department monthly average"},
        "hr.show": {"zh": "显示", "en": "Show"},
        "hr.no_data": {"zh": "暂无数据", "en": "No data"},
        "hr.invalid_points": {"zh": "分值必须是数字", "en": "Points must be a number"},
        "hr.state.open": {"zh": "未计算", "en": "Not computed"},
        "hr.state.computed": {"zh": "已计算", "en": "Computed"},
        "hr.state.appeals": {"zh": "申诉期", "en": "Appeal period"},
        "hr.state.decided": {"zh": "申诉已结束", "en": "Appeals ended"},
        "hr.state.approved": {"zh": "已批准", "en": "Approved"},
        "hr.state.published": {"zh": "已公布", "en": "Published"},
        "hr.state.closed": {"zh": "已结账", "en": "Closed"},
        # The trail's steps (the appraisal's transitions), as a record says what was done.
        "hr.did.compute": {"zh": "计算考核结果", "en": "Computed"},
        "hr.did.open_appeals": {"zh": "开放申诉", "en": "Opened appeals"},
        "hr.did.end_appeals": {"zh": "结束申诉", "en": "Ended appeals"},
        "hr.did.approve": {"zh": "批准", "en": "Approved"},
        "hr.did.return": {"zh": "退回修改", "en": "Returned for changes"},
        "hr.did.publish": {"zh": "公布结果", "en": "Published"},
        "hr.did.close": {"zh": "结账", "en": "Closed"},
        "hr.did.reopen": {"zh": "重新开放", "en": "Reopened"},
        "hr.did.reopen_requested": {"zh": "申请重新开放", "en": "Asked to reopen"},
    }
)

# The lifecycle buttons by state (the service still checks each one).
ACTIONS: dict[str, tuple[str, ...]] = {
    domain.OPEN: ("compute",),
    domain.COMPUTED: ("compute", "open-appeals"),
    domain.APPEALS: ("compute", "end-appeals"),
    domain.DECIDED: ("compute",),
    domain.APPROVED: ("publish",),
    domain.PUBLISHED: ("close",),
    domain.CLOSED: (),
}
_CALLS = {
    "compute": lambda ctx, month, p: appraisal_jobs.request_compute(ctx, month, principal=p),
    "open-appeals": lambda ctx, month, p: service.open_appeals(ctx, month, principal=p),
    "end-appeals": lambda ctx, month, p: service.end_appeals(ctx, month, principal=p),
    "publish": lambda ctx, month, p: service.publish(ctx, month, principal=p),
    "close": lambda ctx, month, p: appraisal_jobs.request_close(ctx, month, principal=p),
}
# Steps that cannot be undone go through a confirmation step (a recompute can: it keeps every earlier computation).
CONFIRMED = frozenset({"open-appeals", "end-appeals", "publish", "close"})

# The charts' drawing box (SVG user units).
CHART_W, CHART_H, PAD = 560, 220, 32


def bar_chart(counts: list[tuple[str, int]]) -> dict[str, Any]:
    """Bars (label, count, x, y, width, height) scaled into the chart box."""
    top = max((c for _, c in counts), default=0) or 1
    slot = (CHART_W - 2 * PAD) / max(len(counts), 1)
    inner = CHART_H - 2 * PAD
    bars = []
    for i, (label, count) in enumerate(counts):
        height = round(inner * count / top, 1)
        bars.append(
            {
                "label": label,
                "count": count,
                "x": round(PAD + i * slot + slot * 0.15, 1),
                "w": round(slot * 0.7, 1),
                "y": round(CHART_H - PAD - height, 1),
                "h": height,
                "cx": round(PAD + i * slot + slot / 2, 1),
            }
        )
    return {"width": CHART_W, "height": CHART_H, "base": CHART_H - PAD, "bars": bars}


def line_chart(points: list[TrendPointOut]) -> dict[str, Any]:
    """A polyline of monthly averages (0-100 scaled to the box when in range, else to the data)."""
    values = [float(p.average) for p in points]
    low = min([0.0, *values]) if values else 0.0
    high = max([100.0, *values]) if values else 100.0
    span = (high - low) or 1.0
    step = (CHART_W - 2 * PAD) / max(len(points) - 1, 1)
    inner = CHART_H - 2 * PAD
    dots = [
        {"x": round(PAD + i * step, 1), "y": round(CHART_H - PAD - inner * (v - low) / span, 1), "month": p.month, "average": p.average}
        for i, (p, v) in enumerate(zip(points, values, strict=True))
    ]
    return {
        "width": CHART_W,
        "height": CHART_H,
        "base": CHART_H - PAD,
        "dots": dots,
        "polyline": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "low": low,
        "high": high,
    }


def grade_counts(ctx: AppContext, ranking: RankingOut) -> list[tuple[str, int]]:
    """Staff per grade over the whole month (the ranking counts everyone once, small groups too)."""
    totals = dict.fromkeys((g.code for g in rules_of(ctx).grades), 0)
    for code, count in ranking.grades.items():
        totals[code] = totals.get(code, 0) + count
    return list(totals.items())


def grade_titles(ctx: AppContext, lang: str) -> dict[str, str]:
    """Each grade's title in the page's language, by its code."""
    return {g.code: (g.title_en if lang == "en" else g.title_zh) for g in rules_of(ctx).grades}


def _per_page(request: Request) -> int:
    try:
        return min(max(int(request.query_params.get("limit", _SHEETS_PER_PAGE)), 10), 200)
    except ValueError:
        return _SHEETS_PER_PAGE


async def _month_page(ctx: AppContext, request: Request, month: str, *, message: str | None = None, status: int = 200) -> Template:
    principal = await principal_of(request)
    key = periods.month_key(periods.parse_month(month))
    # The job first: a job read as finished has committed its work, so the period read after it shows the outcome
    # (read the other way round, a job finishing in between showed "done" beside the state it had just replaced).
    job = await panel(ctx, request, subject=key, kinds=[appraisal_jobs.COMPUTE, appraisal_jobs.CLOSE])
    try:
        period: PeriodOut | None = await service.get_period(ctx, key)
    except PeriodNotFound:
        period = None
    context: dict[str, Any] = {
        "month": key,
        "period": period,
        "message": message,
        "can_act": principal.has_any("hr"),
        "done": request.query_params.get("done"),
        "chart": None,
        "departments": [],
        "windows": [],
        "sheets": None,
        "pending": [],
        "trail": [],
        "bonus_ready": False,
        "offset": 0,
        "grade_title": {},
    }
    if period is not None and period.computation:
        departments = await service_reports.ranking(ctx, key, by="department", principal=principal)
        windows = await service_reports.ranking(ctx, key, by="window", principal=principal)
        offset, per_page = offset_of(request), _per_page(request)
        titles = context["grade_title"] = grade_titles(ctx, lang_of(request))
        context.update(
            chart=bar_chart([(titles.get(code, code), count) for code, count in grade_counts(ctx, departments)]),
            departments=departments.groups,
            windows=windows.groups,
            min_group=departments.min_group,
            offset=offset,
            sheets=await service_reports.list_sheets(ctx, key, PageParams(limit=per_page, offset=offset), search_text=_found_by(request)),
            found_by=_found_by(request),
            pending=await service_appeals.review_queue(ctx, key, pending_only=True, lang=lang_of(request), principal=principal),
            bonus_ready=period.state in domain.BONUS_READY,
            per_page=per_page,
        )
    if period is not None:
        context["trail"] = await service.trail(ctx, key)
    context.update(job_context(job, back=f"/app/hr/appraisal/{key}", lang=lang_of(request)))
    running = job is not None and job.state in ("queued", "running")
    # While the month's job runs, no step is offered: the job decides the next state.
    context["actions"] = ACTIONS.get(period.state if period else domain.OPEN, ()) if context["can_act"] and not running else ()
    words = translator(lang_of(request))
    context["evidence"] = lambda found: evidence_items(found, words=words)
    blocks = await service_review.blocked_steps(ctx, key, principal=principal) if context["actions"] else {}
    context["blocked"] = reasons(
        blocks,
        translator(lang_of(request)),
        until=time_words(period.appeal_until if period else None, lang_of(request)),
        n=period.pending_appeals if period else 0,
    )
    context["confirm"] = request.query_params.get("confirm")
    return render(request, "hr/month.html", principal=principal, status=status, **context)


def _found_by(request: Request) -> str:
    """The sheet list's find box: part of a name, pinyin initials or an employee number."""
    return (request.query_params.get("q") or "").strip()[:40]


async def _sheet_list(ctx: AppContext, request: Request, month: str) -> Template:
    # htmx paging asks for the sheet list alone: one query instead of the month page's rankings and charts.
    key = periods.month_key(periods.parse_month(month))
    offset, per_page = offset_of(request), _per_page(request)
    sheets = await service_reports.list_sheets(ctx, key, PageParams(limit=per_page, offset=offset), search_text=_found_by(request))
    return render(
        request,
        "hr/_sheets.html",
        principal=await principal_of(request),
        month=key,
        found_by=_found_by(request),
        sheets=sheets,
        offset=offset,
        per_page=per_page,
        grade_title=grade_titles(ctx, lang_of(request)),
    )


def _attachment(body: bytes, *, media_type: str, filename: str) -> Response[bytes]:
    return Response(body, media_type=media_type, headers={**HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'})


class HrAppraisalPageController(Controller):
    """The appraisal console pages under /app/hr."""

    path = "/app/hr"
    include_in_schema = False

    @get("/appraisal", guards=[readers], opt=PAGE)
    async def months(self, ctx: AppContext, request: Request) -> Response:
        """Every month with its state, and a picker to open any month (``?month=YYYY-MM`` goes there)."""
        picked = request.query_params.get("month")
        if picked:
            return Redirect(f"/app/hr/appraisal/{periods.month_key(periods.parse_month(picked))}", status_code=303)
        principal = await principal_of(request)
        departments = sorted((await org.department_codes()).items(), key=lambda kv: kv[1][0])
        today = service.local_today(ctx)
        return render(
            request,
            "hr/months.html",
            principal=principal,
            periods=await service.list_periods(ctx),
            this_month=periods.month_key(today.replace(day=1)),
            departments=departments,
        )

    @get("/appraisal/{month:str}", guards=[readers], opt=PAGE)
    async def month(self, ctx: AppContext, request: Request, month: str) -> Template:
        """One month: state, lifecycle buttons, grade chart, rankings, sheets, pending appeals, payroll files, trail."""
        if is_fragment(request, "sheet-list"):
            return await _sheet_list(ctx, request, month)
        return await _month_page(ctx, request, month)

    @post("/appraisal/{month:str}/{action:str}", guards=[preparers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def act(self, ctx: AppContext, request: Request, month: str, action: str) -> Response:
        """Run one lifecycle step and come back (PRG); a refusal is shown on the month's page."""
        form = await request.form()
        call = _CALLS.get(action)
        if call is None:
            raise AppraisalInputInvalid(f"unknown action {action!r}", key="action")
        key = periods.month_key(periods.parse_month(month))
        if action in CONFIRMED and not confirmed(form):  # sent without its confirmation step: open the step instead
            return Redirect(f"/app/hr/appraisal/{key}?confirm={action}#confirm-{action}", status_code=303)
        try:
            outcome = await call(ctx, key, await principal_of(request))
        except DomainError as exc:
            return await _month_page(ctx, request, key, message=refusal_of(request, exc), status=status_of(exc))
        if isinstance(outcome, JobOut):  # queued: the month's page follows the job
            return Redirect(f"/app/hr/appraisal/{key}?job={outcome.id}", status_code=303)
        return Redirect(f"/app/hr/appraisal/{key}?done={action}", status_code=303)

    @post("/appraisal/{month:str}/appeals/{appeal_id:int}/decision", guards=[preparers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def decide(self, ctx: AppContext, request: Request, month: str, appeal_id: int) -> Response:
        """Uphold (optionally restoring part of the line) or reject one appeal, then back to the month."""
        form = await request.form()
        key = periods.month_key(periods.parse_month(month))
        if form.get(CONFIRM_FIELD) != "yes":  # a decision sent without its confirmation step changes nothing
            return Redirect(f"/app/hr/appraisal/{key}?confirm=decide-{appeal_id}#appeal-{appeal_id}", status_code=303)
        raw_points = str(form.get("points", "")).strip()
        try:
            try:
                points = Decimal(raw_points) if raw_points else None
            except InvalidOperation:
                raise AppraisalInputInvalid("points must be a number", key="points") from None
            try:
                data = msgspec.convert(
                    {"outcome": str(form.get("outcome", "")), "reason": str(form.get("reason", "")).strip(), "points": points},
                    AppealDecisionIn,
                )
            except msgspec.ValidationError as exc:
                raise AppraisalInputInvalid(str(exc), key="decision") from None
            await service_appeals.decide_appeal(ctx, appeal_id, principal=await principal_of(request), data=data)
        except DomainError as exc:
            return await _month_page(ctx, request, key, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect(f"/app/hr/appraisal/{key}?done=decision", status_code=303)

    @get("/appraisal/{month:str}/sheets/{staff_id:int}", guards=[readers], opt=PAGE)
    async def sheet(self, ctx: AppContext, request: Request, month: str, staff_id: int) -> Template:
        """One person's sheet: categories, every line with its facts, the explanation."""
        principal = await principal_of(request)
        lang = lang_of(request)
        found = await service_reports.sheet(ctx, month, staff_id, principal=principal, lang=lang)
        computed = computed_words(found.computation, found.computed_at, lang=lang, words=translator(lang))
        return render(request, "hr/sheet.html", principal=principal, sheet=found, computed=computed)

    @get("/appraisal/{month:str}/bonus.xlsx", guards=[readers], opt=PAGE)
    async def bonus_xlsx(self, ctx: AppContext, request: Request, month: str) -> Response[bytes]:
        """The month's bonus for payroll as a printable XLSX form in the page's language (an error page until approved)."""
        key = periods.month_key(periods.parse_month(month))
        body = await service_payroll.payroll_file(ctx, key, file="xlsx", lang=lang_of(request))
        return _attachment(body, media_type=XLSX, filename=f"bonus-{key}.xlsx")

    @get("/appraisal/{month:str}/bonus.csv", guards=[readers], opt=PAGE)
    async def bonus_csv(self, ctx: AppContext, request: Request, month: str) -> Response[bytes]:
        """The month's bonus for payroll's import as CSV in the page's language (an error page until approved)."""
        key = periods.month_key(periods.parse_month(month))
        body = await service_payroll.payroll_file(ctx, key, file="csv", lang=lang_of(request))
        return _attachment(body, media_type=CSV, filename=f"bonus-{key}.csv")

    @get("/trend", guards=[readers], opt=PAGE)
    async def trend(self, ctx: AppContext, request: Request) -> Template:
        """A department's monthly averages as a line chart (pick the department)."""
        principal = await principal_of(request)
        departments = sorted((await org.department_codes()).items(), key=lambda kv: kv[1][0])
        raw = request.query_params.get("department_id")
        chosen = int(raw) if raw and raw.isdigit() and int(raw) in dict(departments) else (departments[0][0] if departments else None)
        points = (await service_reports.trend(ctx, principal=principal, department_id=chosen, months=12)).points if chosen else []
        return render(
            request,
            "hr/trend.html",
            principal=principal,
            departments=departments,
            chosen=chosen,
            points=points,
            chart=line_chart(points) if points else None,
        )
