"""The exposure board (自亮家丑): published findings the lead chose, named per the centre's policy, until expiry.

An entry is live while it is not withdrawn, its local expiry day has not passed, its finding is still
published (``store.visible_findings(None)``: the public's view) and no appeal against it was upheld.
The public sees no staff ids, no visit, no inspector, and photos only where the lead and policy allow.
It reads the headline and text the lead chose (the inspector's note is a working note and never published),
and whether the problem was rectified (整改中 / 已整改 with the day), as the lead or HR marked it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.common.principal import Principal
from window_staff.inspections import store
from window_staff.inspections.errors import ExposureConflict, ExposureEntryNotFound, ExposureInputInvalid
from window_staff.inspections.policy import InspectionPolicy, policy_of
from window_staff.inspections.schemas.publication import BoardEntryOut, BoardPage, ExposureIn, ExposureOut, ExposureWithdrawIn
from window_staff.inspections.service.publication import checklist_titles, local_date, upheld_findings
from window_staff.inspections.tables import Evidence, ExposureEntry, Finding

# The lead may pick a date up to a year ahead; the policy's exposure_days is only the default.
MAX_EXPOSURE_DAYS = 366
# Photo URLs are built here only; the evidence service serves them after re-checking the entry.
PHOTO_URL = "/api/v1/board/{entry}/photos/{index}"  # an index, not an evidence id: the public learns no ids


def display_name(name: str | None, naming: str) -> str | None:
    """How the board names a person: full name, surname + 某 (张三 -> 张某), or nobody."""
    if not name or naming == "anonymous":
        return None
    if naming == "named":
        return name
    return f"{name.strip()[:1]}某"


def _today(ctx: AppContext, zone: str | None) -> date:
    return local_date(ctx.clock.now(), zone)


def _state(row: dict[str, Any], *, today: date, upheld: bool) -> str:
    if upheld:
        return "upheld"
    if row["withdrawn_at"] is not None:
        return "withdrawn"
    return "expired" if row["expires_on"] < today else "live"


def _entry_out(row: dict[str, Any], *, today: date, upheld: bool) -> ExposureOut:
    return ExposureOut(
        id=row["id"],
        finding_id=row["finding"],
        named=row["named"],
        show_photos=row["show_photos"],
        chosen_by=row["chosen_by"],
        chosen_at=row["chosen_at"],
        expires_on=row["expires_on"],
        withdrawn_at=row["withdrawn_at"],
        state=_state(row, today=today, upheld=upheld),
        headline=row["headline"] or "",
        text=row["public_text"] or "",
        rectified_at=row["rectified_at"],
        rectified_by=row["rectified_by"],
    )


async def _entry(ctx: AppContext, entry_id: int) -> ExposureOut:
    row = (
        await ExposureEntry.select(*ExposureEntry.all_columns(), ExposureEntry.finding._.visit._.site._.timezone.as_alias("tz"))
        .where(ExposureEntry.id == entry_id)
        .first()
    )
    if row is None:
        raise ExposureEntryNotFound()
    upheld = await Finding.exists().where((Finding.id == row["finding"]) & Finding.id.is_in(upheld_findings()))
    return _entry_out(row, today=_today(ctx, row["tz"]), upheld=upheld)


async def choose(ctx: AppContext, principal: Principal, data: ExposureIn) -> ExposureOut:
    """The lead puts a published finding on the board, until ``expires_on`` (default: today + exposure_days)."""
    policy = policy_of(ctx)
    if data.show_photos and not policy.exposure_photos:
        raise ExposureInputInvalid("the centre's policy does not allow photos on the board", code="exposure_photos_not_allowed")
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        finding = await store.get_finding(principal, data.finding_id)
        if not await Finding.exists().where((Finding.id == data.finding_id) & store.visible_findings(None)):
            raise ExposureConflict("only published findings go on the board", code="finding_not_published")
        if finding["positive"]:
            raise ExposureInputInvalid("a commendation is not a failing to expose", code="finding_is_commendation")
        if await Finding.exists().where((Finding.id == data.finding_id) & Finding.id.is_in(upheld_findings())):
            raise ExposureConflict("an appeal against this finding was upheld", code="finding_appeal_upheld")
        place = await Finding.select(Finding.visit._.site._.timezone.as_alias("tz")).where(Finding.id == data.finding_id).first()
        assert place is not None  # get_finding found it above in this transaction
        tz = place["tz"]
        today = local_date(now, tz)
        expires_on = data.expires_on or today + timedelta(days=policy.exposure_days)
        if not today <= expires_on <= today + timedelta(days=MAX_EXPOSURE_DAYS):
            raise ExposureInputInvalid(f"expires_on must be between {today.isoformat()} and {MAX_EXPOSURE_DAYS} days later")
        if await ExposureEntry.exists().where(ExposureEntry.finding == data.finding_id):
            raise ExposureConflict("this finding is already on the board (or was withdrawn from it)", code="already_on_board")
        try:
            rows = await ExposureEntry.insert(
                ExposureEntry(
                    finding=data.finding_id,
                    named=not data.anonymous and policy.exposure_naming != "anonymous",
                    show_photos=data.show_photos,
                    chosen_by=principal.actor,
                    chosen_at=now,
                    expires_on=expires_on,
                    headline=data.headline.strip() or None,
                    public_text=data.text.strip() or None,
                )
            ).returning(ExposureEntry.id)
        except INTEGRITY_ERRORS as exc:  # a concurrent choice of the same finding
            raise ExposureConflict("this finding is already on the board", code="already_on_board") from exc
        entry_id = rows[0]["id"]
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="exposure.chosen",
            subject_type="exposure_entry",
            subject_id=entry_id,
            data={
                "finding": data.finding_id,
                "expires_on": expires_on.isoformat(),
                "show_photos": data.show_photos,
                "anonymous": data.anonymous,
                "headline": data.headline,
                "text": data.text,
            },
        )
    return await _entry(ctx, entry_id)


async def withdraw(ctx: AppContext, principal: Principal, entry_id: int, data: ExposureWithdrawIn) -> ExposureOut:
    """The lead takes an entry off the board (kept, with when)."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await ExposureEntry.select().where(ExposureEntry.id == entry_id).first()
        if row is None:
            raise ExposureEntryNotFound()
        if row["withdrawn_at"] is not None:
            raise ExposureConflict("the entry is already withdrawn", code="already_withdrawn")
        await ExposureEntry.update({ExposureEntry.withdrawn_at: now}).where(ExposureEntry.id == entry_id)
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="exposure.withdrawn",
            subject_type="exposure_entry",
            subject_id=entry_id,
            data={"finding": row["finding"], "reason": data.reason},
        )
    return await _entry(ctx, entry_id)


async def mark_rectified(ctx: AppContext, principal: Principal, entry_id: int) -> ExposureOut:
    """The lead or HR records that the problem on a board entry was rectified (已整改, today); once only."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await ExposureEntry.select(ExposureEntry.finding, ExposureEntry.rectified_at).where(ExposureEntry.id == entry_id).first()
        if row is None:
            raise ExposureEntryNotFound()
        if row["rectified_at"] is not None:
            raise ExposureConflict("the entry is already marked rectified", code="already_rectified")
        await ExposureEntry.update({ExposureEntry.rectified_at: now, ExposureEntry.rectified_by: principal.actor}).where(
            ExposureEntry.id == entry_id
        )
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="exposure.rectified",
            subject_type="exposure_entry",
            subject_id=entry_id,
            data={"finding": row["finding"]},
        )
    return await _entry(ctx, entry_id)


def suggested_text(*, problem: str, observed_on: date, window: str) -> str:
    """A public text for the lead to accept or edit: what was found, when and where, and that rectification was ordered."""
    where = f"{window}窗口" if window else "窗口"
    return f"{observed_on.year}年{observed_on.month}月{observed_on.day}日检查发现，{where}工作人员存在“{problem}”问题，已责令限期整改。"


async def list_entries(ctx: AppContext, params: PageParams) -> Page[ExposureOut]:
    """Every board entry with its state, newest first (for the lead)."""
    rows = (
        await ExposureEntry.select(*ExposureEntry.all_columns(), ExposureEntry.finding._.visit._.site._.timezone.as_alias("tz"))
        .order_by(ExposureEntry.id, ascending=False)
        .limit(params.limit)
        .offset(params.offset)
    )
    ids = [r["finding"] for r in rows]
    upheld = {r["id"] for r in await Finding.select(Finding.id).where(Finding.id.is_in(ids or [-1]) & Finding.id.is_in(upheld_findings()))}
    items = [_entry_out(r, today=_today(ctx, r["tz"]), upheld=r["finding"] in upheld) for r in rows]
    return page_of(items, total=await ExposureEntry.count(), params=params)


_BOARD_COLUMNS = (
    ExposureEntry.id,
    ExposureEntry.finding,
    ExposureEntry.named,
    ExposureEntry.show_photos,
    ExposureEntry.expires_on,
    ExposureEntry.headline,
    ExposureEntry.public_text,
    ExposureEntry.rectified_at,
    ExposureEntry.finding.item.as_alias("item"),
    ExposureEntry.finding.category.as_alias("category"),
    ExposureEntry.finding.severity.as_alias("severity"),
    ExposureEntry.finding.observed_at.as_alias("observed_at"),
    ExposureEntry.finding._.staff._.name.as_alias("staff_name"),
    ExposureEntry.finding._.staff._.department._.name.as_alias("staff_department"),
    ExposureEntry.finding._.window._.number.as_alias("window_number"),
    ExposureEntry.finding._.window._.name.as_alias("window_name"),
    ExposureEntry.finding._.window._.department._.name.as_alias("window_department"),
    ExposureEntry.finding._.visit._.site._.name.as_alias("site"),
    ExposureEntry.finding._.visit._.site._.timezone.as_alias("tz"),
)


def _board_out(r: dict[str, Any], *, policy: InspectionPolicy, titles: dict[str, str], photo_ids: list[int]) -> BoardEntryOut:
    naming = policy.exposure_naming if r["named"] else "anonymous"
    window = r["window_number"] and (f"{r['window_number']} {r['window_name']}".strip())
    # Photos need both the lead's choice for this entry and the centre's policy as it is now.
    shown = photo_ids if (r["show_photos"] and policy.exposure_photos) else []
    return BoardEntryOut(
        id=r["id"],
        item=r["headline"] or titles.get(r["item"], r["item"]),
        category=r["category"],
        severity=r["severity"],
        observed_on=local_date(r["observed_at"], r["tz"]),
        site=r["site"] or "",
        department=r["window_department"] or r["staff_department"] or "",
        window=window or None,
        person=display_name(r["staff_name"], naming),
        text=r["public_text"] or "",
        rectification="rectified" if r["rectified_at"] else "in_progress",
        rectified_on=local_date(r["rectified_at"], r["tz"]) if r["rectified_at"] else None,
        expires_on=r["expires_on"],
        photos=[PHOTO_URL.format(entry=r["id"], index=i) for i in range(len(shown))],
    )


async def live_entry_rows(ctx: AppContext) -> list[dict[str, Any]]:
    """Rows of the live entries, newest first (expiry is checked on each site's local day)."""
    # A local day is never more than one day behind the UTC day: a safe prefilter before the per-site check.
    earliest = local_date(ctx.clock.now(), "UTC") - timedelta(days=1)
    rows = (
        await ExposureEntry.select(*_BOARD_COLUMNS)
        .where(
            ExposureEntry.withdrawn_at.is_null()
            & (ExposureEntry.expires_on >= earliest)
            & ExposureEntry.finding.is_in(store.visible_finding_ids(None))
            & ExposureEntry.finding.not_in(upheld_findings())
        )
        .order_by(ExposureEntry.id, ascending=False)
    )
    return [r for r in rows if r["expires_on"] >= _today(ctx, r["tz"])]


async def is_live_with_photos(ctx: AppContext, entry_id: int) -> int | None:
    """The finding id of a live entry whose photos may be shown, else None (for the evidence service)."""
    if not policy_of(ctx).exposure_photos:
        return None
    for r in await live_entry_rows(ctx):
        if r["id"] == entry_id and r["show_photos"]:
            return r["finding"]
    return None


async def _photo_ids(rows: list[dict[str, Any]], policy: InspectionPolicy) -> dict[int, list[int]]:
    findings = [r["finding"] for r in rows if r["show_photos"]] if policy.exposure_photos else []
    out: dict[int, list[int]] = {}
    if findings:
        for e in (
            await Evidence.select(Evidence.id, Evidence.finding)
            .where(Evidence.finding.is_in(findings) & Evidence.removed_at.is_null())
            .order_by(Evidence.id)
        ):
            out.setdefault(e["finding"], []).append(e["id"])
    return out


async def board(ctx: AppContext, params: PageParams) -> BoardPage:
    """The public board: live entries, newest first."""
    rows = await live_entry_rows(ctx)
    policy, titles = policy_of(ctx), checklist_titles(ctx)
    part = rows[params.offset : params.offset + params.limit]
    photos = await _photo_ids(part, policy)
    items = [_board_out(r, policy=policy, titles=titles, photo_ids=photos.get(r["finding"], [])) for r in part]
    page = page_of(items, total=len(rows), params=params)
    return BoardPage(items=page.items, total=page.total, limit=page.limit, offset=page.offset, next_offset=page.next_offset)
