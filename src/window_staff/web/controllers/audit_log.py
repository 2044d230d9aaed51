"""The audit log on a page, for the auditor and the administrator: every event filtered by who, what, which kind
of record and when, in words, with the chain's state and the newest signed checkpoint; the same as a CSV file."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get
from litestar.response import Template

from window_staff.common import audit, audit_log
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.guards import principal_of
from window_staff.common.spreadsheet import csv_bytes
from window_staff.web import audit_words as words
from window_staff.web.i18n import add_words, lang_of, translator
from window_staff.web.names import name_book
from window_staff.web.pages import HEADERS, PAGE, offset_of, page_roles, render

PER_PAGE = 50
READERS = page_roles("auditor", "admin")
# Kinds of actor the filter offers as one choice each (every terminal, the system), beside each person.
ACTOR_KINDS = ("terminal:", "system")

add_words(
    {
        "audit.title": {"zh": "审计日志", "en": "Audit log"},
        "audit.chain": {"zh": "审计链状态", "en": "State of the audit chain"},
        "audit.chain_ok": {"zh": "完整", "en": "Intact"},
        "audit.chain_checked": {"zh": "条记录逐条校验无误", "en": "records checked, each one holds"},
        "audit.chain_broken": {"zh": "审计链在以下记录处断裂，请立即报告", "en": "The chain is broken at this record; report it at once"},
        "audit.checkpoint": {"zh": "最近一次签名存证", "en": "Newest signed checkpoint"},
        "audit.checkpoint_none": {"zh": "尚无签名存证（系统每天自动生成一次）", "en": "No signed checkpoint yet (one is made each day)"},
        "audit.checkpoint_holds": {"zh": "存证时的记录至今未被改动或删除", "en": "The records it signed are unchanged and all there"},
        "audit.checkpoint_broken": {
            "zh": "存证时的记录已被改动或删除，请立即报告",
            "en": "Records it signed were changed or deleted; report it at once",
        },
        "audit.checkpoint_events": {"zh": "条记录", "en": "records"},
        "audit.filters": {"zh": "筛选", "en": "Filter"},
        "audit.actor": {"zh": "操作人", "en": "Done by"},
        "audit.action": {"zh": "操作", "en": "Action"},
        "audit.subject": {"zh": "对象", "en": "Record"},
        "audit.from": {"zh": "起始日期", "en": "From"},
        "audit.to": {"zh": "截止日期", "en": "To"},
        "audit.all": {"zh": "全部", "en": "All"},
        "audit.show": {"zh": "查询", "en": "Show"},
        "audit.export": {"zh": "导出CSV", "en": "Export CSV"},
        "audit.when": {"zh": "时间", "en": "When"},
        "audit.changed": {"zh": "内容", "en": "What changed"},
        "audit.raw": {"zh": "原始记录（供技术核查）", "en": "The record as stored (for technical review)"},
        "audit.total": {"zh": "共{n}条", "en": "{n} in all"},
        "audit.none": {"zh": "没有符合条件的记录", "en": "No record matches"},
        "audit.prev": {"zh": "上一页", "en": "Previous"},
        "audit.next": {"zh": "下一页", "en": "Next"},
        "audit.bad_date": {"zh": "日期格式不正确，已忽略", "en": "A date was not valid and was ignored"},
        "audit.all_terminals": {"zh": "全部考勤终端", "en": "Every terminal"},
        "audit.system": {"zh": "系统", "en": "System"},
    }
)


def _day(text: str | None) -> tuple[date | None, bool]:
    """A ``YYYY-MM-DD`` field: the day, and whether it was given but not valid."""
    if not text:
        return None, False
    try:
        return date.fromisoformat(text.strip()), False
    except ValueError:
        return None, True


def _filter(request: Request) -> tuple[audit_log.EventFilter, dict[str, str], bool]:
    """The filter asked for in the address (days are the centre's local days), the fields as given, and whether a date was bad."""
    q = request.query_params
    given = {k: (q.get(k) or "").strip()[:120] for k in ("actor", "action", "subject", "from", "to")}
    zone = ZoneInfo(DEFAULT_TIME_ZONE)
    first, bad_first = _day(given["from"])
    last, bad_last = _day(given["to"])
    since = datetime.combine(first, datetime.min.time(), zone) if first else None
    until = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone) if last else None
    where = audit_log.EventFilter(actor=given["actor"], action=given["action"], subject_type=given["subject"], since=since, until=until)
    return where, given, bad_first or bad_last


def _rows(ctx: AppContext, events: list[audit_log.Event], lang: str) -> list[dict[str, Any]]:
    role = translator(lang)
    book = name_book(ctx)
    return [
        {
            "when": words.when(e.at, lang),
            "who": book.who(e.actor, lang),
            "action": words.action_words(e.action, lang),
            "subject": words.subject_words(e.subject_type, lang),
            "changes": words.changes(e.data, lang, role_words=lambda r: role(f"admin.role.{r}")),
            "raw": e,
        }
        for e in events
    ]


class AuditLogPages(Controller):
    """The audit log for the auditor and the administrator."""

    include_in_schema = False
    path = "/app/audit"

    @get("", guards=[READERS], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Template:
        """Events newest first, filtered; the chain's state and the newest checkpoint above them."""
        lang = lang_of(request)
        where, given, bad = _filter(request)
        offset = offset_of(request)
        events, total = await audit_log.events(ctx.engine, where, limit=PER_PAGE, offset=offset)
        actors, actions, subjects = await audit_log.kinds(ctx.engine)
        book = name_book(ctx)
        people = sorted({a: book.who(a, lang) for a in actors if a.startswith("user:")}.items(), key=lambda kv: kv[1])
        keep = urlencode({k: v for k, v in given.items() if v})
        return render(
            request,
            "audit/index.html",
            principal=await principal_of(request),
            chain=await audit.verify(ctx.engine),
            checkpoint=await audit_log.last_checkpoint(ctx),
            rows=_rows(ctx, events, lang),
            total=total,
            offset=offset,
            per_page=PER_PAGE,
            keep=keep,
            given=given,
            message=translator(lang)("audit.bad_date") if bad else None,
            people=people,
            actor_kinds=[k for k in ACTOR_KINDS if any(a.startswith(k) for a in actors)],
            actions=sorted(((a, words.action_words(a, lang)) for a in actions), key=lambda kv: kv[1]),
            subjects=sorted(((s, words.subject_words(s, lang)) for s in subjects), key=lambda kv: kv[1]),
            checkpoint_when=lambda made_at: words.when(made_at, lang),
        )

    @get("/export.csv", guards=[READERS], opt=PAGE)
    async def export(self, ctx: AppContext, request: Request) -> Response[bytes]:
        """The filtered events as a CSV file in words (at most 50,000, newest first)."""
        lang = lang_of(request)
        where, _, _ = _filter(request)
        events, _ = await audit_log.events(ctx.engine, where, limit=audit_log.EXPORT_LIMIT)
        say = translator(lang)
        head = [say("audit.when"), say("audit.actor"), say("audit.action"), say("audit.subject"), say("audit.changed")]
        body = [
            [r["when"], r["who"], r["action"], r["subject"], "；".join(f"{label}：{value}" for label, value in r["changes"])]
            for r in _rows(ctx, events, lang)
        ]
        return Response(
            csv_bytes([head, *body]),
            media_type="text/csv; charset=utf-8",
            headers={**HEADERS, "Content-Disposition": 'attachment; filename="audit-log.csv"'},
        )
