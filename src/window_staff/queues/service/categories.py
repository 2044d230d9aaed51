"""HR's mapping of the machines' service categories to departments and windows, and the exception list."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, chunks, execute, write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.org import service as org
from window_staff.queues.errors import CategoryConflict, CategoryNotFound, QueueExceptionNotFound, QueueInputInvalid
from window_staff.queues.schemas import CategoryIn, CategoryOut, ExceptionGroupOut, ExceptionOut, ResolveGroupIn, ResolveIn
from window_staff.queues.tables import QueueCategory, QueueException

_CODE_MAX, _NAME_MAX, _NOTE_MAX = 32, 100, 500
# The note on the events a new mapping settles (both languages: the note is stored once and read by anyone).
MAPPED_NOTE = "已建立业务类型对应关系 / category mapped"


def _out(r: dict[str, Any]) -> CategoryOut:
    return CategoryOut(
        id=r["id"],
        site_id=r["site"],
        code=r["code"],
        name=r["name"],
        department_id=r["department"],
        window_ids=json.loads(r["windows"]),
        updated_by=r["updated_by"],
        updated_at=r["updated_at"],
    )


async def _checked(data: CategoryIn) -> tuple[str, str, list[int]]:
    code, name = data.code.strip(), data.name.strip()
    # Each refusal has its own code, so a page can say which field to fix in its own words.
    if not code or len(code) > _CODE_MAX:
        raise QueueInputInvalid(f"code: 1 to {_CODE_MAX} characters", code="queue_category_code_invalid")
    if not name or len(name) > _NAME_MAX:
        raise QueueInputInvalid(f"name: 1 to {_NAME_MAX} characters", code="queue_category_name_invalid")
    if not await org.site_exists(data.site_id):
        raise QueueInputInvalid(f"site_id: no site {data.site_id}", code="queue_category_site_unknown")
    if await org.department_codes([data.department_id]) == {}:
        raise QueueInputInvalid(f"department_id: no department {data.department_id}", code="queue_category_department_unknown")
    windows = sorted(set(data.window_ids))
    for w in windows:
        if not await org.window_is_at_site(w, site_id=data.site_id):
            raise QueueInputInvalid(f"window_ids: window {w} is not at site {data.site_id}", code="queue_category_window_elsewhere")
    return code, name, windows


async def create_category(ctx: AppContext, data: CategoryIn, *, actor: str) -> CategoryOut:
    """Map a new category of a site (409 when the site already has the code)."""
    code, name, windows = await _checked(data)
    now = ctx.clock.now()
    try:
        async with write_transaction(ctx.engine):
            row = await QueueCategory.insert(
                QueueCategory(
                    site=data.site_id,
                    code=code,
                    name=name,
                    department=data.department_id,
                    windows=json.dumps(windows),
                    updated_by=actor,
                    updated_at=now,
                )
            ).returning(QueueCategory.id)
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="queue_category.created",
                subject_type="queue_category",
                subject_id=row[0]["id"],
                data={"site": data.site_id, "code": code, "department": data.department_id, "windows": windows},
            )
            settled = await _settle_open(data.site_id, code, actor=actor, note=MAPPED_NOTE, now=now)
            if settled:
                await audit.record(
                    ctx.engine,
                    at=now,
                    actor=actor,
                    action="queue_exception.resolved_by_mapping",
                    subject_type="queue_category",
                    subject_id=row[0]["id"],
                    data={"site": data.site_id, "code": code, "exceptions": settled, "note": MAPPED_NOTE},
                )
    except INTEGRITY_ERRORS:
        raise CategoryConflict(f"site {data.site_id} already has a category {code!r}") from None
    out = await get_category(ctx, row[0]["id"])
    out.resolved_exceptions = settled
    return out


async def get_category(ctx: AppContext, category_id: int) -> CategoryOut:
    """One category mapping."""
    row = await QueueCategory.select().where(QueueCategory.id == category_id).first()
    if row is None:
        raise CategoryNotFound(f"no category {category_id}")
    return _out(row)


async def list_categories(ctx: AppContext, params: PageParams, *, site_id: int | None = None) -> Page[CategoryOut]:
    """The mapping, by site and code."""
    where = QueueCategory.site == site_id if site_id is not None else None
    query = QueueCategory.select().order_by(QueueCategory.site).order_by(QueueCategory.code)
    count = QueueCategory.count()
    if where is not None:
        query, count = query.where(where), count.where(where)
    rows = await query.limit(params.limit).offset(params.offset)
    return page_of([_out(r) for r in rows], total=await count, params=params)


async def update_category(ctx: AppContext, category_id: int, data: CategoryIn, *, actor: str) -> CategoryOut:
    """Change a mapping (its name, department or windows; the code and site stay)."""
    old = await get_category(ctx, category_id)
    if (data.site_id, data.code.strip()) != (old.site_id, old.code):
        raise QueueInputInvalid(
            "the site and code of a category do not change: map a new category instead", code="queue_category_code_fixed"
        )
    _, name, windows = await _checked(data)
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        await QueueCategory.update(
            {
                QueueCategory.name: name,
                QueueCategory.department: data.department_id,
                QueueCategory.windows: json.dumps(windows),
                QueueCategory.updated_by: actor,
                QueueCategory.updated_at: now,
            }
        ).where(QueueCategory.id == category_id)
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="queue_category.updated",
            subject_type="queue_category",
            subject_id=category_id,
            data={"department": data.department_id, "windows": windows},
        )
    return await get_category(ctx, category_id)


async def delete_category(ctx: AppContext, category_id: int, *, actor: str) -> None:
    """Remove a mapping (its events stay; new ones of the category go to the exception list)."""
    await get_category(ctx, category_id)
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        await QueueCategory.delete().where(QueueCategory.id == category_id)
        await audit.record(
            ctx.engine, at=now, actor=actor, action="queue_category.deleted", subject_type="queue_category", subject_id=category_id, data={}
        )


async def window_categories(site_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """The categories each window serves, by window id."""
    out: dict[int, set[str]] = {}
    if not site_ids:
        return {}
    for r in await QueueCategory.select(QueueCategory.code, QueueCategory.windows).where(QueueCategory.site.is_in(list(site_ids))):
        for w in json.loads(r["windows"]):
            out.setdefault(int(w), set()).add(r["code"])
    return {w: frozenset(codes) for w, codes in out.items()}


async def category_names(site_id: int) -> dict[str, str]:
    """A site's category codes and the names people read."""
    rows = await QueueCategory.select(QueueCategory.code, QueueCategory.name).where(QueueCategory.site == site_id)
    return {r["code"]: r["name"] for r in rows}


def _exception_out(r: dict[str, Any]) -> ExceptionOut:
    return ExceptionOut(
        id=r["id"],
        reason=r["reason"],
        detail=r["detail"],
        event_id=r["event"],
        site_id=r["event.site"],
        kind=r["event.kind"],
        at=r["event.at"],
        ticket=r["event.ticket"],
        category=r["event.category"],
        created_at=r["created_at"],
        resolved_by=r["resolved_by"],
        resolved_at=r["resolved_at"],
        note=r["note"],
    )


_EXCEPTION_COLUMNS = (
    QueueException.id,
    QueueException.reason,
    QueueException.detail,
    QueueException.event,
    QueueException.event.site,
    QueueException.event.kind,
    QueueException.event.at,
    QueueException.event.ticket,
    QueueException.event.category,
    QueueException.created_at,
    QueueException.resolved_by,
    QueueException.resolved_at,
    QueueException.note,
)


async def list_exceptions(ctx: AppContext, params: PageParams, *, open_only: bool = True) -> Page[ExceptionOut]:
    """HR's exception list (events of unmapped categories), oldest first."""
    query = QueueException.select(*_EXCEPTION_COLUMNS).order_by(QueueException.id)
    count = QueueException.count()
    if open_only:
        query, count = query.where(QueueException.resolved_at.is_null()), count.where(QueueException.resolved_at.is_null())
    rows = await query.limit(params.limit).offset(params.offset)
    return page_of([_exception_out(r) for r in rows], total=await count, params=params)


async def resolve_exception(ctx: AppContext, exception_id: int, data: ResolveIn, *, actor: str) -> ExceptionOut:
    """Close an open exception with HR's note (the event is kept as it is)."""
    note = data.note.strip()
    if not note or len(note) > _NOTE_MAX:
        raise QueueInputInvalid(f"note: 1 to {_NOTE_MAX} characters", code="queue_note_invalid")
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        done = (
            await QueueException.update({QueueException.resolved_by: actor, QueueException.resolved_at: now, QueueException.note: note})
            .where((QueueException.id == exception_id) & QueueException.resolved_at.is_null())
            .returning(QueueException.id)
        )
        if not done:
            raise QueueExceptionNotFound(f"no open exception {exception_id}")
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="queue_exception.resolved",
            subject_type="queue_exception",
            subject_id=exception_id,
            data={"note": note},
        )
    row = await QueueException.select(*_EXCEPTION_COLUMNS).where(QueueException.id == exception_id).first()
    assert row is not None
    return _exception_out(row)


async def _settle_open(site_id: int, code: str, *, actor: str, note: str, now: datetime, through_id: int | None = None) -> int:
    """Resolve the open exceptions of a site's category code (up to ``through_id``) inside the caller's transaction; the count."""
    where = QueueException.resolved_at.is_null() & (QueueException.event.site == site_id) & (QueueException.event.category == code)
    if through_id is not None:
        where &= QueueException.id <= through_id
    ids = [r["id"] for r in await QueueException.select(QueueException.id).where(where)]
    for part in chunks(ids, 1000):
        await QueueException.update({QueueException.resolved_by: actor, QueueException.resolved_at: now, QueueException.note: note}).where(
            QueueException.id.is_in(part)
        )
    return len(ids)


_GROUPS = (
    "SELECT e.site AS site, e.category AS category, COUNT(*) AS n, MIN(e.at) AS first_at, MAX(e.at) AS last_at,"
    " MAX(x.id) AS through_id FROM queue_exception x JOIN queue_event e ON e.id = x.event"
    " WHERE x.resolved_at IS NULL GROUP BY e.site, e.category ORDER BY e.site, e.category"
)


def _instant(value: datetime | str) -> datetime:
    # SQLite hands MIN()/MAX() of a timestamp back as text
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


async def exception_groups(ctx: AppContext) -> list[ExceptionGroupOut]:
    """The open exceptions by site and category code, with how many events and when the first and last happened."""
    return [
        ExceptionGroupOut(
            site_id=r["site"],
            category=r["category"],
            events=int(r["n"]),
            first_at=_instant(r["first_at"]),
            last_at=_instant(r["last_at"]),
            through_id=int(r["through_id"]),
        )
        for r in await execute(ctx.engine, _GROUPS)
    ]


async def open_exception_count(ctx: AppContext, *, site_id: int | None = None) -> int:
    """How many exceptions are open (at one site when given)."""
    if site_id is None:
        return int(await QueueException.count().where(QueueException.resolved_at.is_null()))
    rows = await execute(
        ctx.engine,
        "SELECT COUNT(*) AS n FROM queue_exception x JOIN queue_event e ON e.id = x.event WHERE x.resolved_at IS NULL AND e.site = {}",
        site_id,
    )
    return int(rows[0]["n"])


async def resolve_group(ctx: AppContext, data: ResolveGroupIn, *, actor: str) -> int:
    """Close the open exceptions of a site's category code up to ``through_id`` with HR's note (the events stay); the count."""
    note = data.note.strip()
    if not note or len(note) > _NOTE_MAX:
        raise QueueInputInvalid(f"note: 1 to {_NOTE_MAX} characters", code="queue_note_invalid")
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        done = await _settle_open(data.site_id, data.category, actor=actor, note=note, now=now, through_id=data.through_id)
        if not done:
            raise QueueExceptionNotFound(f"no open exception of category {data.category!r} at site {data.site_id}")
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="queue_exception.group_resolved",
            subject_type="site",
            subject_id=data.site_id,
            data={"code": data.category, "exceptions": done, "note": note},
        )
    return done
