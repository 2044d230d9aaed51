"""Citizen ratings (好差评): from signed window evaluator devices or a window's QR page; one per service transaction.

A rating at or below the policy's ``bad_review_max_level`` opens its bad-review case in the same
transaction. Nothing about the citizen is stored (no name, phone, IP or browser): a rating is the
window, the staff member, the transaction and what was said.

The QR page's form carries no session or cookie, so a forged cross-site post could only submit a
rating the attacker could submit anyway (CSRF does not apply); its body is limited to a few KiB.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, Literal
from urllib.parse import parse_qsl

import msgspec

from window_staff.attendance import service as attendance
from window_staff.common import audit, integrity
from window_staff.common.clock import as_utc
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, execute, is_sqlite, write_transaction
from window_staff.common.errors import MalformedRequest
from window_staff.common.pagination import PageParams
from window_staff.common.principal import Principal
from window_staff.evaluations.errors import EvaluationInputInvalid, RatingConflict, RatingDeviceRequired, RatingMonthClosed
from window_staff.evaluations.policy import policy_of
from window_staff.evaluations.schemas.ratings import (
    DeviceRatingIn,
    MyRatingsOut,
    RatingCodeOut,
    RatingOut,
    SatisfactionOut,
    SatisfactionPage,
)
from window_staff.evaluations.service import cases as service_cases
from window_staff.evaluations.service.cases import MAX_IN_LIST, local_date
from window_staff.evaluations.tables import RATING_SEAL, BadReviewCase, Rating, RatingCode, ServiceTransaction
from window_staff.org import service as org
from window_staff.scoring import Fact

MAX_SKEW = timedelta(minutes=5)
SATISFIED_LEVEL = 3  # 基本满意 and better count as satisfied
RATING_URL = "/rate/{token}"
LEVEL_LABELS = ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意"))
INDICATORS = (("level", "总体评价"), ("efficiency", "办事效率"), ("service_level", "服务水平"), ("attitude", "服务态度"))
QR_FIELDS = frozenset({"ticket", "comment", *(name for name, _ in INDICATORS)})
TICKET_MAX = 32  # with the "YYYY-MM-DD:" prefix well inside the 64 characters of a transaction ref
COMMENT_MAX = 500
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_decoder = msgspec.json.Decoder(DeviceRatingIn)


@dataclass(frozen=True, slots=True)
class RatingInput:
    """What a rating says, from either channel, before it is stored."""

    transaction_ref: str
    level: int
    efficiency: int
    service_level: int
    attitude: int
    comment: str
    rated_at: datetime


@dataclass(frozen=True, slots=True)
class QrWindow:
    """The window a QR code rates: what the page shows (name only for the person) and where the rating goes."""

    window_id: int
    title: str
    person: str | None
    staff_id: int | None
    site_id: int
    time_zone: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _out(r: dict[str, Any], case_id: int | None) -> RatingOut:
    return RatingOut(
        id=r["id"],
        window_id=r["window"],
        staff_id=r["staff"],
        transaction_ref=r["transaction_ref"],
        level=r["level"],
        efficiency=r["efficiency"],
        service_level=r["service_level"],
        attitude=r["attitude"],
        comment=r["comment"],
        source=r["source"],
        rated_at=as_utc(r["rated_at"]),
        received_at=as_utc(r["received_at"]),
        case_id=case_id,
    )


async def _stored(window_id: int, transaction_ref: str) -> dict[str, Any] | None:
    return await Rating.select().where((Rating.window == window_id) & (Rating.transaction_ref == transaction_ref)).first()


async def _answer(stored: dict[str, Any], data: RatingInput, *, staff_id: int | None, source: str) -> RatingOut:
    said = (
        stored["staff"],
        stored["level"],
        stored["efficiency"],
        stored["service_level"],
        stored["attitude"],
        stored["comment"],
        stored["source"],
    )
    same = said == (staff_id, data.level, data.efficiency, data.service_level, data.attitude, data.comment, source)
    # A device resends its own capture time; on the QR page the time is ours, so a double tap differs only there.
    if not same or (source == "device" and as_utc(stored["rated_at"]) != as_utc(data.rated_at)):
        raise RatingConflict(f"transaction {data.transaction_ref!r} at this window has already been rated")
    case = await BadReviewCase.select(BadReviewCase.id).where(BadReviewCase.rating == stored["id"]).first()
    return _out(stored, case["id"] if case else None)


async def _site_of(window_id: int) -> tuple[int, str]:
    site_id = await org.window_site(window_id)
    if site_id is None:
        raise EvaluationInputInvalid(f"window {window_id} does not exist", code="window_not_found")
    return site_id, (await org.site_time_zones([site_id])).get(site_id, "Asia/Shanghai")


async def record_rating(
    ctx: AppContext,
    data: RatingInput,
    *,
    window_id: int,
    staff_id: int | None,
    source: Literal["device", "qr"],
    device_id: int | None,
    actor: str,
) -> tuple[RatingOut, bool]:
    """Store one rating (and open its case when bad); an identical resend returns the stored one. True when new."""
    now = ctx.clock.now()
    if data.rated_at > now + MAX_SKEW:
        raise EvaluationInputInvalid("rated_at is in the future", code="rated_at_in_future")
    if staff_id is None:
        # A rating of an imported transaction names its handler, so a bad review's case names the person it is about.
        staff_id = await transaction_handler(window_id, data.transaction_ref)
    previous = await _stored(window_id, data.transaction_ref)
    if previous is not None:
        return await _answer(previous, data, staff_id=staff_id, source=source), False
    site_id, zone = await _site_of(window_id)
    # A device that was offline may send a rating weeks late: a month already closed keeps its figures.
    if await attendance.is_month_closed(ctx, site_id=site_id, at=data.rated_at):
        raise RatingMonthClosed(f"{local_date(data.rated_at, zone):%Y-%m} is closed at this site: the rating can no longer be recorded")
    deadline = None
    if data.level <= policy_of(ctx).bad_review_max_level:
        # Before the transaction: a year without a calendar is refused before anything is written.
        deadline = await service_cases.rectify_deadline(ctx, site_id=site_id, rated_on=local_date(data.rated_at, zone))
    try:
        async with write_transaction(ctx.engine):
            previous = await _stored(window_id, data.transaction_ref)  # SQLite: the IMMEDIATE lock makes this re-check exact
            if previous is None:
                rows = await Rating.insert(
                    integrity.sealed(
                        ctx.engine,
                        RATING_SEAL,
                        Rating(
                            window=window_id,
                            staff=staff_id,
                            transaction_ref=data.transaction_ref,
                            level=data.level,
                            efficiency=data.efficiency,
                            service_level=data.service_level,
                            attitude=data.attitude,
                            comment=data.comment,
                            source=source,
                            device=device_id,
                            rated_at=data.rated_at,
                            received_at=now,
                        ),
                    )
                ).returning(Rating.id)
                rating_id = rows[0]["id"]
                await audit.record(
                    ctx.engine,
                    at=now,
                    actor=actor,
                    action="rating.recorded",
                    subject_type="citizen_rating",
                    subject_id=rating_id,
                    data={
                        "window": window_id,
                        "staff": staff_id,
                        "level": data.level,
                        "source": source,
                        "transaction_ref": data.transaction_ref,
                    },
                )
                if deadline is not None:
                    await service_cases.open_case(
                        ctx, rating_id=rating_id, staff_id=staff_id, window_id=window_id, deadline=deadline, at=now, actor=actor
                    )
    except INTEGRITY_ERRORS:
        # PostgreSQL: a concurrent copy committed first (unique window + transaction); its content decides.
        previous = await _stored(window_id, data.transaction_ref)
        if previous is None:
            raise
    if previous is not None:
        return await _answer(previous, data, staff_id=staff_id, source=source), False
    stored = await Rating.select().where(Rating.id == rating_id).first()
    assert stored is not None  # inserted above; ratings are never deleted
    case = await BadReviewCase.select(BadReviewCase.id).where(BadReviewCase.rating == rating_id).first()
    return _out(stored, case["id"] if case else None), True


async def transaction_handler(window_id: int, transaction_ref: str) -> int | None:
    """The staff member who handled the imported transaction ``transaction_ref`` at this window, or None when unknown."""
    row = (
        await ServiceTransaction.select(ServiceTransaction.staff)
        .where((ServiceTransaction.external_id == transaction_ref) & (ServiceTransaction.window == window_id))
        .first()
    )
    return row["staff"] if row else None


async def _posted_staff(window_id: int) -> list[dict[str, Any]]:
    return await org.active_staff_at_window(window_id)


async def _device_staff(window_id: int, employee_no: str | None) -> int | None:
    if employee_no is not None:
        found = (await org.staff_ids_by_employee_no([employee_no])).get(employee_no)
        if found is None:
            raise EvaluationInputInvalid(f"no staff member with employee number {employee_no!r}", code="staff_not_found")
        return found
    posted = await _posted_staff(window_id)
    if len(posted) > 1:
        raise EvaluationInputInvalid("several staff are posted at this window: send staff_employee_no", code="staff_ambiguous")
    return posted[0]["id"] if posted else None


def decode_device_rating(body: bytes) -> DeviceRatingIn:
    """The device's JSON body: malformed JSON is 400, a field out of bounds or unknown is 422."""
    try:
        return _decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise EvaluationInputInvalid(str(exc)[:300], code="rating_invalid") from None
    except msgspec.DecodeError:
        raise MalformedRequest("the body is not JSON", code="malformed_json") from None


async def record_device_rating(ctx: AppContext, terminal: dict[str, Any], body: bytes) -> tuple[RatingOut, bool]:
    """A rating from a signed evaluator device at its window; the staff member is named or the one posted there."""
    if terminal.get("kind", "signed") != "signed":
        raise RatingDeviceRequired(f"terminal {terminal.get('serial', '')} is not a window's evaluator device")
    if terminal["window"] is None:
        raise EvaluationInputInvalid("this device is not assigned to a window", code="device_without_window")
    data = decode_device_rating(body)
    # Named by the device, else the imported transaction's handler, else the one person posted at the window.
    handler = None if data.staff_employee_no else await transaction_handler(terminal["window"], data.transaction_ref)
    staff_id = handler or await _device_staff(terminal["window"], data.staff_employee_no)
    rating = RatingInput(
        transaction_ref=data.transaction_ref,
        level=data.level,
        efficiency=data.efficiency,
        service_level=data.service_level,
        attitude=data.attitude,
        comment=data.comment,
        rated_at=data.rated_at,
    )
    return await record_rating(
        ctx,
        rating,
        window_id=terminal["window"],
        staff_id=staff_id,
        source="device",
        device_id=terminal["id"],
        actor=f"terminal:{terminal['serial']}",
    )


# --- QR codes and the citizen page ---


async def create_rating_code(ctx: AppContext, principal: Principal, window_id: int) -> RatingCodeOut:
    """A new QR secret for the window (returned once, only its hash kept); the window's previous code is revoked."""
    await org.get_window(ctx, window_id)  # 404 for an unknown window
    token = secrets.token_urlsafe(24)
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        if not is_sqlite(ctx.engine):
            # Two HR clicks at once must still leave exactly one live code for the window.
            await execute(ctx.engine, "SELECT id FROM service_window WHERE id = {} FOR UPDATE", window_id)
        await RatingCode.update({RatingCode.revoked_at: now}).where((RatingCode.window == window_id) & RatingCode.revoked_at.is_null())
        rows = await RatingCode.insert(
            RatingCode(window=window_id, token_hash=_hash(token), created_by=principal.actor, created_at=now)
        ).returning(RatingCode.id)
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="rating_code.created",
            subject_type="window_rating_code",
            subject_id=rows[0]["id"],
            data={"window": window_id},
        )
    return RatingCodeOut(window_id=window_id, token=token, url=RATING_URL.format(token=token), created_at=now)


async def revoke_rating_code(ctx: AppContext, principal: Principal, window_id: int) -> None:
    """Stop the window's QR code (e.g. a photo of it went round); idempotent."""
    await org.get_window(ctx, window_id)
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        live = await RatingCode.select(RatingCode.id).where((RatingCode.window == window_id) & RatingCode.revoked_at.is_null())
        if live:
            await RatingCode.update({RatingCode.revoked_at: now}).where(RatingCode.id.is_in([r["id"] for r in live]))
            await audit.record(
                ctx.engine,
                at=now,
                actor=principal.actor,
                action="rating_code.revoked",
                subject_type="service_window",
                subject_id=window_id,
                data={"codes": [r["id"] for r in live]},
            )


async def live_codes(window_ids: Sequence[int]) -> dict[int, datetime]:
    """When each window's live QR code was made (windows without one are left out)."""
    if not window_ids:
        return {}
    rows = await RatingCode.select(RatingCode.window, RatingCode.created_at).where(
        RatingCode.window.is_in(list(window_ids)) & RatingCode.revoked_at.is_null()
    )
    return {r["window"]: as_utc(r["created_at"]) for r in rows}


async def qr_window(ctx: AppContext, token: str) -> QrWindow | None:
    """The window of a live QR token, or None (unknown, revoked, or an inactive window: one answer for all)."""
    if not 16 <= len(token) <= 64 or not set(token) <= _TOKEN_CHARS:
        return None
    code = (
        await RatingCode.select(
            RatingCode.window,
            RatingCode.window.number.as_alias("number"),
            RatingCode.window.name.as_alias("name"),
            RatingCode.window.active.as_alias("active"),
            RatingCode.window.site.as_alias("site"),
            RatingCode.window._.site._.timezone.as_alias("tz"),
            RatingCode.window._.department._.name.as_alias("department"),
        )
        .where((RatingCode.token_hash == _hash(token)) & RatingCode.revoked_at.is_null())
        .first()
    )
    if code is None or not code["active"]:
        return None
    posted = await _posted_staff(code["window"])
    # Several people at one window: the page names nobody and the rating counts for the window and department.
    person = posted[0] if len(posted) == 1 else None
    title = " ".join(p for p in (code["department"], f"{code['number']}号窗口", code["name"]) if p)
    return QrWindow(
        window_id=code["window"],
        title=title,
        person=person["name"] if person else None,
        staff_id=person["id"] if person else None,
        site_id=code["site"],
        time_zone=code["tz"] or "Asia/Shanghai",
    )


@dataclass(frozen=True, slots=True)
class QrForm:
    """The citizen's form after checking: the values to show again, the clean fields, and messages per field."""

    values: dict[str, str]
    errors: dict[str, str]
    ticket: str = ""
    levels: tuple[int, int, int, int] = (0, 0, 0, 0)
    comment: str = ""


def parse_qr_form(body: bytes) -> QrForm:
    """Check the urlencoded form; every problem gets a Chinese message the citizen can act on."""
    broken = {"form": "提交的内容无法识别，请刷新页面后重新填写。"}
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=len(QR_FIELDS) + 2, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return QrForm(values={}, errors=broken)
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, value in pairs:
        if name not in QR_FIELDS or name in values:
            errors.update(broken)
            continue
        values[name] = value
    ticket = values.get("ticket", "").strip().upper()
    if not ticket:
        errors["ticket"] = "请填写业务号码（取号单上的号码）。"
    elif len(ticket) > TICKET_MAX or any(ord(c) < 32 or ord(c) == 127 for c in ticket):
        errors["ticket"] = f"业务号码不正确：最多{TICKET_MAX}个字符，请照取号单填写。"
    levels: list[int] = []
    for name, title in INDICATORS:
        raw = values.get(name, "")
        if raw not in {"1", "2", "3", "4", "5"}:
            errors[name] = f"请选择“{title}”的评价。"
            levels.append(0)
        else:
            levels.append(int(raw))
    comment = values.get("comment", "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = f"意见建议最多{COMMENT_MAX}字，现在是{len(comment)}字。"
    if errors:
        return QrForm(values=values, errors=errors)
    return QrForm(values=values, errors={}, ticket=ticket, levels=(levels[0], levels[1], levels[2], levels[3]), comment=comment)


async def record_qr_rating(ctx: AppContext, window: QrWindow, form: QrForm) -> RatingOut:
    """Store a checked QR form; ticket numbers restart each day, so the ref is the local date plus the ticket."""
    now = ctx.clock.now()
    ref = f"{local_date(now, window.time_zone).isoformat()}:{form.ticket}"
    level, efficiency, service_level, attitude = form.levels
    data = RatingInput(
        transaction_ref=ref,
        level=level,
        efficiency=efficiency,
        service_level=service_level,
        attitude=attitude,
        comment=form.comment,
        rated_at=now,
    )
    # The ticket may be the transaction's own number: then its handler is the person rated, not whoever is posted there.
    staff_id = await transaction_handler(window.window_id, form.ticket) or window.staff_id
    out, _ = await record_rating(ctx, data, window_id=window.window_id, staff_id=staff_id, source="qr", device_id=None, actor="citizen:qr")
    return out


# --- the month: facts and the satisfaction report ---


def satisfaction_rate(satisfied: int, total: int) -> Decimal:
    """100 x satisfied / total, truncated to 0.01."""
    # Truncated like the service metrics' rates: 100.00 only when every rating was satisfied.
    return (Decimal(100) * satisfied / total).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


async def _month_ratings(first: date, last: date, *, staff_ids: set[int] | None) -> list[dict[str, Any]]:
    # Local months differ from UTC ones by under a day: read a day either side, then keep the site's local month.
    lo = datetime.combine(first - timedelta(days=1), time(), tzinfo=UTC)
    hi = datetime.combine(last + timedelta(days=2), time(), tzinfo=UTC)
    voided = BadReviewCase.select(BadReviewCase.rating).where((BadReviewCase.voided == True) & BadReviewCase.rating.is_not_null())  # noqa: E712
    where = (Rating.rated_at >= lo) & (Rating.rated_at < hi) & Rating.id.not_in(voided)
    if staff_ids is not None:
        where &= Rating.staff.is_in(sorted(staff_ids) or [0])
    rows = (
        await Rating.select(
            Rating.id,
            Rating.staff,
            Rating.window,
            Rating.level,
            Rating.rated_at,
            Rating.window.department.as_alias("department"),
            Rating.window._.site._.timezone.as_alias("tz"),
        )
        .where(where)
        .order_by(Rating.id)
    )
    out = []
    for r in rows:
        r["day"] = local_date(r["rated_at"], r["tz"])
        if first <= r["day"] <= last:
            out.append(r)
    return out


async def month_facts(ctx: AppContext, *, staff_ids: Sequence[int], month: date) -> dict[int, list[Fact]]:
    """Per staff member: a rating.citizen fact per valid rating, their bad-review cases due in the month, and the satisfaction rate."""
    wanted = set(staff_ids)
    if not wanted:
        return {}
    first = month.replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    rows = await _month_ratings(first, last, staff_ids=wanted if len(wanted) <= MAX_IN_LIST else None)
    out: dict[int, list[Fact]] = {}
    counts: dict[int, list[int]] = {}
    for r in rows:
        staff = r["staff"]
        if staff not in wanted:
            continue
        out.setdefault(staff, []).append(
            Fact(id=f"rating.citizen:{r['id']}", kind="rating.citizen", staff_id=staff, occurred_on=r["day"], fields={"level": r["level"]})
        )
        tally = counts.setdefault(staff, [0, 0])
        tally[0] += r["level"] >= SATISFIED_LEVEL
        tally[1] += 1
    key = f"{first.year:04d}-{first.month:02d}"
    for staff, (satisfied, total) in counts.items():
        out[staff].append(
            Fact(
                id=f"service.satisfaction_rate:{key}",
                kind="service.satisfaction_rate",
                staff_id=staff,
                occurred_on=last,
                fields={"rate": satisfaction_rate(satisfied, total), "transactions": total},
            )
        )
    for staff, facts in (await service_cases.month_case_facts(staff_ids=sorted(wanted), first=first, last=last)).items():
        out.setdefault(staff, []).extend(facts)
    return out


async def _labels(by: str, ids: list[int]) -> dict[int, str]:
    if by == "window":
        return await org.window_labels(ids)
    if by == "department":
        return {i: name for i, (_, name) in (await org.department_codes(ids)).items()}
    return {sid: f"{employee_no} {name}" for sid, (employee_no, name) in (await org.staff_labels(ids)).items()}


async def my_month_ratings(ctx: AppContext, staff_id: int, *, month: date) -> MyRatingsOut:
    """The staff member's valid ratings of the month by level, satisfied and the rate (voided ones left out)."""
    first = month.replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    rows = await _month_ratings(first, last, staff_ids={staff_id})
    levels = dict.fromkeys(range(1, 6), 0)
    for r in rows:
        levels[r["level"]] += 1
    satisfied = sum(r["level"] >= SATISFIED_LEVEL for r in rows)
    return MyRatingsOut(
        month=f"{first.year:04d}-{first.month:02d}",
        ratings=len(rows),
        satisfied=satisfied,
        rate=satisfaction_rate(satisfied, len(rows)) if rows else None,
        levels=levels,
    )


async def satisfaction_report(
    ctx: AppContext, *, month: date, by: Literal["staff", "window", "department"], params: PageParams
) -> SatisfactionPage:
    """Valid ratings of the month per staff member, window or department: count, satisfied, rate; by id."""
    first = month.replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    counts: dict[int, list[int]] = {}
    for r in await _month_ratings(first, last, staff_ids=None):
        group = r[by]
        if group is None:  # a rating that names nobody counts for its window and department only
            continue
        tally = counts.setdefault(group, [0, 0])
        tally[0] += r["level"] >= SATISFIED_LEVEL
        tally[1] += 1
    ids = sorted(counts)
    part = ids[params.offset : params.offset + params.limit]
    labels = await _labels(by, part)
    items = [
        SatisfactionOut(
            group_id=i,
            label=labels.get(i, str(i)),
            ratings=counts[i][1],
            satisfied=counts[i][0],
            rate=satisfaction_rate(counts[i][0], counts[i][1]),
        )
        for i in part
    ]
    nxt = params.offset + len(items)
    return SatisfactionPage(
        month=f"{first.year:04d}-{first.month:02d}",
        by=by,
        items=items,
        total=len(ids),
        limit=params.limit,
        offset=params.offset,
        next_offset=nxt if nxt < len(ids) else None,
    )
