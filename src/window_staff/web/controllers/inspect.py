"""The inspection pages: the inspector's visits and finding form (phone first), the lead's review, plan and board choices."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from window_staff.auth import service as auth_service
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.csrf import TOKEN_PART
from window_staff.common.errors import DomainError
from window_staff.common.form import TEXT_TYPES, Field, read_multipart, text_field
from window_staff.common.guards import principal_of
from window_staff.common.pagination import PageParams
from window_staff.common.principal import Principal
from window_staff.common.web import read_body
from window_staff.inspections import service
from window_staff.inspections.errors import EvidenceTooLarge, InspectionInputInvalid
from window_staff.inspections.evidence import PHOTO_TYPES, clean_photo
from window_staff.inspections.policy import policy_of
from window_staff.inspections.schemas.publication import ExposureIn
from window_staff.inspections.schemas.visits import FindingIn, FindingOut, FindingRejectIn, VisitIn
from window_staff.inspections.service import board as service_board, evidence as service_evidence, review as service_review
from window_staff.org import service as org
from window_staff.scoring.rules import rules_of
from window_staff.web.i18n import add_words, lang_of, translator
from window_staff.web.pages import HEADERS, PAGE, page_roles, refusal_of, render

add_words(
    {
        "insp.my_visits": {"zh": "我的检查任务", "en": "My visits"},
        "insp.no_visits": {"zh": "暂无待进行的检查", "en": "No visits to carry out"},
        "insp.visit": {"zh": "检查", "en": "Visit"},
        "insp.site": {"zh": "地点", "en": "Site"},
        "insp.planned_at": {"zh": "计划时间", "en": "Planned for"},
        "insp.status": {"zh": "状态", "en": "Status"},
        "insp.kind": {"zh": "方式", "en": "Kind"},
        "insp.kind.open": {"zh": "公开检查", "en": "Open"},
        "insp.kind.undercover": {"zh": "暗访", "en": "Undercover"},
        "insp.status.planned": {"zh": "待开始", "en": "Planned"},
        "insp.status.in_progress": {"zh": "进行中", "en": "In progress"},
        "insp.status.done": {"zh": "已结束", "en": "Ended"},
        "insp.status.cancelled": {"zh": "已取消", "en": "Cancelled"},
        "insp.status.draft": {"zh": "待审核", "en": "Draft"},
        "insp.status.rejected": {"zh": "已驳回", "en": "Rejected"},
        "insp.status.published": {"zh": "已发布", "en": "Published"},
        "insp.open": {"zh": "打开", "en": "Open"},
        "insp.start": {"zh": "开始检查", "en": "Start the visit"},
        "insp.end": {"zh": "结束检查", "en": "End the visit"},
        "insp.window": {"zh": "窗口", "en": "Window"},
        "insp.person": {"zh": "工作人员", "en": "Staff member"},
        "insp.person_unknown": {"zh": "（不确定）", "en": "(not known)"},
        "insp.items": {"zh": "检查项目", "en": "Checklist"},
        "insp.commendation": {"zh": "表扬", "en": "commendation"},
        "insp.severity": {"zh": "严重程度", "en": "Severity"},
        "insp.severity.minor": {"zh": "一般", "en": "Minor"},
        "insp.severity.major": {"zh": "较重", "en": "Major"},
        "insp.severity.serious": {"zh": "严重", "en": "Serious"},
        "insp.note": {"zh": "情况说明", "en": "Note"},
        "insp.photos": {"zh": "现场照片", "en": "Photos"},
        "insp.submit": {"zh": "提交记录", "en": "Log the findings"},
        "insp.draft_saved": {"zh": "草稿已保存", "en": "Draft saved"},
        "insp.draft_restored": {"zh": "已恢复草稿", "en": "Draft restored"},
        "insp.submitted": {"zh": "已记录，草稿已清除", "en": "Logged; the draft was cleared"},
        "insp.findings": {"zh": "检查记录", "en": "Findings"},
        "insp.no_findings": {"zh": "暂无记录", "en": "No findings yet"},
        "insp.item": {"zh": "项目", "en": "Item"},
        "insp.observed_at": {"zh": "发现时间", "en": "Observed"},
        "insp.tick_one": {"zh": "请至少勾选一个检查项目", "en": "Tick at least one checklist item"},
        "insp.not_started": {"zh": "检查开始后才能记录", "en": "Findings are logged once the visit has started"},
        "insp.too_many_photos": {"zh": "照片过多", "en": "Too many photos"},
        # The lead's page.
        "insp.review": {"zh": "待审核记录", "en": "Findings to review"},
        "insp.no_drafts": {"zh": "没有待审核的记录", "en": "Nothing to review"},
        "insp.publish": {"zh": "发布", "en": "Publish"},
        "insp.reject": {"zh": "驳回", "en": "Reject"},
        "insp.reason": {"zh": "理由", "en": "Reason"},
        "insp.plan": {"zh": "安排检查（暗访）", "en": "Plan a visit (undercover)"},
        "insp.inspectors": {"zh": "检查人员", "en": "Inspectors"},
        "insp.windows": {"zh": "检查窗口", "en": "Windows"},
        "insp.plan_submit": {"zh": "安排", "en": "Plan"},
        "insp.planned": {"zh": "已安排检查", "en": "Visit planned"},
        "insp.published": {"zh": "已发布记录", "en": "Published findings"},
        "insp.no_published": {"zh": "暂无已发布记录", "en": "No published findings"},
        "insp.to_board": {"zh": "上曝光台", "en": "Show on the board"},
        "insp.anonymous": {"zh": "不显示姓名", "en": "Hide the name"},
        "insp.on_board": {"zh": "已上曝光台", "en": "On the board"},
        "insp.done": {"zh": "已完成", "en": "Done"},
        "insp.visits": {"zh": "检查安排", "en": "Visits"},
        "insp.offline": {
            "zh": "当前离线：显示的是上次打开时保存的页面，恢复网络后再提交",
            "en": "Offline: this is the page as last opened; submit once the network is back",
        },
    }
)

_LIST = PageParams(limit=200, offset=0)
_FORM_LIMIT = 65_536
# Photos per submit: each is checked, stripped and stored once, then attached to every finding of the submit.
MAX_PHOTOS = 6
MAX_ITEMS = 40
MULTIPART_OVERHEAD = 64 * 1024
BODY_CEILING = 64 * 1024 * 1024
NOTE_FIELD = Field(8192, TEXT_TYPES)
# The offline worker (see its header): served from this folder so that it may control /app/inspect and the visits.
WORKER_SCRIPT = (Path(__file__).parents[1] / "static" / "inspect-sw.js").read_bytes()
WORKER_HEADERS = {**HEADERS, "Service-Worker-Allowed": "/app/inspect"}


def _item_titles(ctx: AppContext, lang: str) -> dict[str, str]:
    return {i.id: (i.title_en if lang == "en" else i.title_zh) for i in rules_of(ctx).checklist}


def _checklist_groups(ctx: AppContext, lang: str) -> list[tuple[str, list[Any]]]:
    """Checklist items grouped by category, in the rules' order, with the category's title in the page language."""
    rules = rules_of(ctx)
    groups: dict[str, list[Any]] = {}
    for item in rules.checklist:
        groups.setdefault(item.category, []).append(item)
    out = []
    for code, items in groups.items():
        try:
            spec = rules.category(code)
            title = spec.title_en if lang == "en" else spec.title_zh
        except KeyError:
            title = code
        out.append((title, items))
    return out


def when(value: datetime | None) -> str:
    """A moment as the centre reads it (local time, to the minute)."""
    return value.astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).strftime("%Y-%m-%d %H:%M") if value else ""


async def _staff_names(staff_ids: Sequence[int]) -> dict[int, str]:
    return {p.staff_id: p.name for p in await org.postings_of([s for s in staff_ids if s])}


def _one(form: dict[str, list[bytes]], name: str) -> str:
    values = form.get(name) or [b""]
    return values[0].decode("utf-8", "replace").strip()


def _int_or_none(text: str, *, field: str) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise InspectionInputInvalid(f"{field} is not a number", field=field)
    return int(text)


async def _read_finding_form(ctx: AppContext, request: Request) -> dict[str, list[bytes]]:
    limit = service_evidence.upload_limit(ctx)
    ceiling = MAX_PHOTOS * limit + MULTIPART_OVERHEAD
    body = await read_body(
        request, limit=ceiling, too_large=lambda: EvidenceTooLarge(f"the photos are over {MAX_PHOTOS} x {limit} bytes", limit_bytes=limit)
    )
    fields = {
        "window_id": text_field(),
        "staff_id": text_field(),
        "item": text_field(),
        "severity": text_field(),
        "note": NOTE_FIELD,
        "photo": Field(limit, PHOTO_TYPES),
        **TOKEN_PART,
    }
    try:
        return read_multipart(body, request.headers.get("content-type", ""), fields=fields, max_parts=MAX_ITEMS + MAX_PHOTOS + 7)
    except DomainError as exc:
        raise InspectionInputInvalid(exc.detail, code=exc.code) from None


class InspectorPages(Controller):
    """The inspector's pages: my visits, one visit's finding form (with photos and an offline draft), start and end."""

    include_in_schema = False
    path = "/app/inspect"

    @get("", guards=[page_roles("inspector")], opt=PAGE)
    async def my_visits(self, ctx: AppContext, request: Request) -> Template:
        """My planned and running visits, each with its start or open button."""
        principal = await principal_of(request)
        visits = [v for v in (await service.list_visits(ctx, _LIST, principal=principal)).items if v.status in ("planned", "in_progress")]
        return render(request, "inspect/visits.html", principal=principal, visits=visits, sites=await org.site_names(), when=when)

    @get("/sw.js", guards=[page_roles("inspector")], opt=PAGE)
    async def worker(self) -> Response[bytes]:
        """The offline worker of the inspector's pages, with the page headers and leave to control all of /app/inspect."""
        return Response(WORKER_SCRIPT, media_type="application/javascript", headers=WORKER_HEADERS)

    async def _visit_page(
        self,
        ctx: AppContext,
        request: Request,
        principal: Principal,
        visit_id: int,
        *,
        message: str | None = None,
        status: int = 200,
        submitted: int = 0,
    ) -> Template:
        lang = lang_of(request)
        visit = await service.get_visit(ctx, visit_id, principal=principal)
        findings = (await service.list_findings(ctx, _LIST, principal=principal, visit_id=visit_id)).items
        windows = await org.window_labels(visit.window_ids)
        people = await org.people_at(visit.window_ids)
        names = await _staff_names([f.staff_id for f in findings if f.staff_id])
        return render(
            request,
            "inspect/visit.html",
            principal=principal,
            status=status,
            visit=visit,
            findings=findings,
            windows=windows,
            people=people,
            names=names,
            groups=_checklist_groups(ctx, lang),
            titles=_item_titles(ctx, lang),
            sites=await org.site_names(),
            message=message,
            submitted=submitted,
            max_photos=MAX_PHOTOS,
            when=when,
        )

    @get("/visits/{visit_id:int}", guards=[page_roles("inspector")], opt=PAGE)
    async def visit(self, ctx: AppContext, request: Request, visit_id: int) -> Template:
        """One visit: the finding form while it runs, its findings always."""
        submitted = request.query_params.get("submitted", "")
        return await self._visit_page(
            ctx, request, await principal_of(request), visit_id, submitted=int(submitted) if submitted.isdigit() else 0
        )

    @post("/visits/{visit_id:int}/start", guards=[page_roles("inspector")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def start(self, ctx: AppContext, request: Request, visit_id: int) -> Redirect:
        """Start the visit and open it."""
        await service.move_visit(ctx, visit_id, action="start", principal=await principal_of(request))
        return Redirect(f"/app/inspect/visits/{visit_id}", status_code=303)

    @post("/visits/{visit_id:int}/end", guards=[page_roles("inspector")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def end(self, ctx: AppContext, request: Request, visit_id: int) -> Redirect:
        """End the visit and go back to my visits."""
        await service.move_visit(ctx, visit_id, action="end", principal=await principal_of(request))
        return Redirect("/app/inspect", status_code=303)

    @post("/visits/{visit_id:int}/findings", guards=[page_roles("inspector")], opt=PAGE, request_max_body_size=BODY_CEILING)
    async def log(self, ctx: AppContext, request: Request, visit_id: int) -> Template | Redirect:
        """One finding per ticked item, observed now; the photos are checked first, then attached to each finding."""
        principal = await principal_of(request)
        words = _words(request)
        try:
            form = await _read_finding_form(ctx, request)
            items = [v.decode("utf-8", "replace").strip() for v in form.get("item", []) if v.strip()]
            if not items:
                raise InspectionInputInvalid(words("insp.tick_one"), field="item")
            window_id = _int_or_none(_one(form, "window_id"), field="window_id")
            staff_id = _int_or_none(_one(form, "staff_id"), field="staff_id")
            if window_id is None and staff_id is not None:
                postings = await org.postings_of([staff_id])
                window_id = postings[0].window_id if postings else None
            if window_id is None:
                raise InspectionInputInvalid("pick a window", field="window_id")
            severity = _one(form, "severity") or "minor"
            if severity not in ("minor", "major", "serious"):
                raise InspectionInputInvalid(f"severity {severity!r} is unknown", field="severity")
            note = _one(form, "note")
            photos = [p for p in form.get("photo", []) if p]
            if len(photos) > MAX_PHOTOS:
                raise InspectionInputInvalid(f"{words('insp.too_many_photos')} (> {MAX_PHOTOS})", field="photo")
            policy = policy_of(ctx)
            for data in photos:  # refuse a bad photo before anything is logged
                await asyncio.to_thread(clean_photo, data, max_bytes=policy.evidence_max_bytes, max_pixels=policy.evidence_max_pixels)
            now = ctx.clock.now()
            logged: list[FindingOut] = []
            for item in items:
                data_in = FindingIn(window_id=window_id, staff_id=staff_id, item=item, observed_at=now, severity=severity, note=note)  # type: ignore[arg-type]
                logged.append(await service.log_finding(ctx, visit_id, data_in, principal=principal))
            for finding in logged:
                for data in photos:
                    await service_evidence.upload(ctx, principal, finding.id, data)
        except DomainError as exc:
            return await self._visit_page(ctx, request, principal, visit_id, message=refusal_of(request, exc), status=422)
        return Redirect(f"/app/inspect/visits/{visit_id}?submitted={len(logged)}", status_code=303)


def _words(request: Request) -> Callable[[str], str]:
    return translator(lang_of(request))


def _local_input(value: str, zone: str) -> datetime:
    """A ``datetime-local`` field read in the site's time zone."""
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise InspectionInputInvalid("the planned time is not a date and time", field="planned_at") from None
    return naive.replace(tzinfo=ZoneInfo(zone)) if naive.tzinfo is None else naive


class LeadPages(Controller):
    """The inspection lead's page: drafts to review, plan a visit, published findings to put on the board."""

    include_in_schema = False
    path = "/app/inspections"

    async def _page(
        self,
        ctx: AppContext,
        request: Request,
        principal: Principal,
        *,
        message: str | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> Template:
        lang = lang_of(request)
        drafts = (await service.list_findings(ctx, _LIST, principal=principal, status="draft")).items
        published = (await service.list_findings(ctx, _LIST, principal=principal, status="published")).items
        entries = (await service_board.list_entries(ctx, _LIST)).items
        on_board = {e.finding_id: e.state for e in entries if e.state == "live"}
        windows_page = await org.list_windows(ctx, _LIST)
        sites = await org.site_names()
        users = (await auth_service.list_users(ctx, _LIST)).items
        inspectors = [u for u in users if u.active and "inspector" in u.roles]
        visits = [v for v in (await service.list_visits(ctx, _LIST, principal=principal)).items if v.status in ("planned", "in_progress")]
        return render(
            request,
            "inspect/lead.html",
            principal=principal,
            status=status,
            drafts=drafts,
            published=published,
            on_board=on_board,
            windows=windows_page.items,
            window_names=await org.window_labels(),
            sites=sites,
            inspectors=inspectors,
            visits=visits,
            titles=_item_titles(ctx, lang),
            names=await _staff_names([f.staff_id for f in [*drafts, *published] if f.staff_id]),
            message=message,
            notice=notice,
            when=when,
        )

    @get("", guards=[page_roles("inspection_lead")], opt=PAGE)
    async def lead(self, ctx: AppContext, request: Request) -> Template:
        """The lead's page."""
        done = request.query_params.get("done", "")
        notice = _words(request)("insp.done") if done else None
        return await self._page(ctx, request, await principal_of(request), notice=notice)

    async def _act(self, ctx: AppContext, request: Request, action: Any) -> Template | Redirect:
        principal = await principal_of(request)
        try:
            form = await request.form()
            await action(principal, form)
        except DomainError as exc:
            return await self._page(ctx, request, principal, message=refusal_of(request, exc), status=422)
        return Redirect("/app/inspections?done=1", status_code=303)

    @post("/findings/{finding_id:int}/publish", guards=[page_roles("inspection_lead")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def publish(self, ctx: AppContext, request: Request, finding_id: int) -> Template | Redirect:
        """Publish a draft finding."""

        async def act(principal: Principal, form: Any) -> None:
            await service_review.publish_finding(ctx, finding_id, principal=principal)

        return await self._act(ctx, request, act)

    @post("/findings/{finding_id:int}/reject", guards=[page_roles("inspection_lead")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def reject(self, ctx: AppContext, request: Request, finding_id: int) -> Template | Redirect:
        """Reject a draft finding, with a reason."""

        async def act(principal: Principal, form: Any) -> None:
            reason = str(form.get("reason", "")).strip()
            if not 2 <= len(reason) <= 1000:
                raise InspectionInputInvalid("give a reason (2 to 1000 characters)", field="reason")
            await service_review.reject_finding(ctx, finding_id, FindingRejectIn(reason=reason), principal=principal)

        return await self._act(ctx, request, act)

    @post("/findings/{finding_id:int}/board", guards=[page_roles("inspection_lead")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def board(self, ctx: AppContext, request: Request, finding_id: int) -> Template | Redirect:
        """Put a published finding on the exposure board (until the policy's default expiry)."""

        async def act(principal: Principal, form: Any) -> None:
            await service_board.choose(ctx, principal, ExposureIn(finding_id=finding_id, anonymous=form.get("anonymous") == "1"))

        return await self._act(ctx, request, act)

    @post("/visits", guards=[page_roles("inspection_lead")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def plan(self, ctx: AppContext, request: Request) -> Template | Redirect:
        """Plan a visit: kind, site, local time, inspectors and windows."""

        async def act(principal: Principal, form: Any) -> None:
            site = _int_or_none(str(form.get("site_id", "")), field="site_id")
            if site is None:
                raise InspectionInputInvalid("pick a site", field="site_id")
            zone = (await org.site_time_zones([site])).get(site, "Asia/Shanghai")
            kind = str(form.get("kind", "undercover"))
            if kind not in ("open", "undercover"):
                raise InspectionInputInvalid(f"kind {kind!r} is unknown", field="kind")
            inspector_ids = [int(v) for v in form.getall("inspector_ids", []) if str(v).isdigit()]
            window_ids = [int(v) for v in form.getall("window_ids", []) if str(v).isdigit()]
            if not inspector_ids or not window_ids:
                raise InspectionInputInvalid("pick at least one inspector and one window", field="inspector_ids")
            data = VisitIn(
                kind=kind,  # type: ignore[arg-type]
                site_id=site,
                planned_at=_local_input(str(form.get("planned_at", "")), zone),
                inspector_ids=inspector_ids,
                window_ids=window_ids,
                note=str(form.get("note", ""))[:2000],
            )
            await service.plan_visit(ctx, data, principal=principal)

        return await self._act(ctx, request, act)
