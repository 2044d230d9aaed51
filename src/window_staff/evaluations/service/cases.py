"""The bad-review loop (差评整改): verify, rectify by the deadline, call back, close; or void on appeal (复核).

A rating at or below the policy's ``bad_review_max_level`` opens its case in the transaction that
stores the rating (``open_case``). The deadline counts ``rectify_working_days`` working days at the
window's site (national calendar + site overrides). An appeal is decided by someone who is neither
the staff member nor their department head, so nobody clears their own or their team's record.
Each step is an append-only CaseEvent plus an audit event; the case row only carries the current
status so that queues and facts are plain queries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.columns.combination import Combinable

from window_staff.attendance.errors import CalendarYearMissing
from window_staff.attendance.service.inputs import work_calendar
from window_staff.auth import service as auth
from window_staff.common import audit
from window_staff.common.clock import DEFAULT_TIME_ZONE, as_utc
from window_staff.common.context import AppContext
from window_staff.common.dates import day_words
from window_staff.common.db import execute, is_sqlite, write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.common.principal import Principal
from window_staff.evaluations.errors import CaseNotFound, CaseReviewerNotAllowed, CaseStateConflict, EvaluationInputInvalid
from window_staff.evaluations.policy import policy_of
from window_staff.evaluations.schemas.ratings import (
    CaseAppealIn,
    CaseDecisionIn,
    CaseEventOut,
    CaseOut,
    CaseRatingOut,
    CaseStepIn,
    MyCaseOut,
)
from window_staff.evaluations.tables import BadReviewCase, CaseEvent
from window_staff.notifications import service as notifications
from window_staff.org import service as org
from window_staff.scoring import Fact

OPEN, VERIFIED, RECTIFIED, CALLED_BACK, CLOSED, APPEALED, VOIDED = (
    "open",
    "verified",
    "rectified",
    "called_back",
    "closed",
    "appealed",
    "voided",
)
FINISHED = (CLOSED, VOIDED)
# action -> (from, to): the loop runs in this order only.
STEPS: Mapping[str, tuple[str, str]] = {
    "verify": (OPEN, VERIFIED),
    "rectify": (VERIFIED, RECTIFIED),
    "call_back": (RECTIFIED, CALLED_BACK),
    "close": (CALLED_BACK, CLOSED),
}
APPEALABLE = (OPEN, VERIFIED)
STEP_ROLES = ("hr", "inspection_lead")
# Who runs the loop is told when a case opens and when an appeal is filed (their queue: /app/hr/cases).
TOLD_ROLES = ("hr", "inspection_lead")
READER_ROLES = ("hr", "inspection_lead", "approver", "auditor")
# Overdue is judged on one clock for the whole queue (the centre's), so the list can filter in SQL.
QUEUE_TIME_ZONE = DEFAULT_TIME_ZONE
# SQLite refuses statements with too many parameters; larger staff sets are filtered in Python.
MAX_IN_LIST = 5000


def local_date(at: datetime, zone: str | None) -> date:
    """The calendar day of an instant in a time zone (default Asia/Shanghai)."""
    return as_utc(at).astimezone(ZoneInfo(zone or DEFAULT_TIME_ZONE)).date()


def today(ctx: AppContext) -> date:
    """Today in the centre's time zone: the day overdue is judged on."""
    return local_date(ctx.clock.now(), QUEUE_TIME_ZONE)


async def rectify_deadline(ctx: AppContext, *, site_id: int, rated_on: date) -> date:
    """The day ``rectify_working_days`` working days after ``rated_on`` at the site (a year without calendar raises)."""
    wanted = policy_of(ctx).rectify_working_days
    # Three calendar days per working day plus three weeks covers any Chinese holiday season; reload wider if not.
    horizon = wanted * 3 + 21
    while True:
        calendar = await work_calendar(ctx, site_ids=[site_id], start=rated_on, end=rated_on + timedelta(days=horizon))
        day, left = rated_on, wanted
        for _ in range(horizon):
            day += timedelta(days=1)
            if calendar.is_working_day(day, site_id=site_id):
                left -= 1
                if left == 0:
                    return day
        horizon *= 2


async def working_days_left(ctx: AppContext, due: Mapping[int, tuple[int, date]]) -> dict[int, int | None]:
    """Working days from today (exclusive) to each deadline (inclusive) at its window's site, by case id: ``{case: days}``
    from ``{case: (window_id, deadline)}``; 0 once due, None where the site's calendar does not reach the deadline."""
    on = today(ctx)
    sites = {window_id: await org.window_site(window_id) for window_id, _ in due.values()}
    out: dict[int, int | None] = {}
    for case_id, (window_id, deadline) in due.items():
        site_id = sites.get(window_id)
        if site_id is None or deadline <= on:
            out[case_id] = 0 if site_id is not None else None
            continue
        try:
            calendar = await work_calendar(ctx, site_ids=[site_id], start=on, end=deadline)
            days = [on + timedelta(days=n) for n in range(1, (deadline - on).days + 1)]
            out[case_id] = sum(calendar.is_working_day(d, site_id=site_id) for d in days)
        except CalendarYearMissing:
            out[case_id] = None
    return out


async def open_case(
    ctx: AppContext, *, rating_id: int, staff_id: int | None, window_id: int, deadline: date, at: datetime, actor: str
) -> int:
    """Open the case of a bad rating; runs inside the transaction that stores the rating. Returns the case id."""
    if ctx.engine.current_transaction.get() is None:
        raise RuntimeError("a bad-review case is opened in the transaction that stores its rating")
    rows = await BadReviewCase.insert(
        BadReviewCase(
            rating=rating_id,
            staff=staff_id,
            window=window_id,
            status=OPEN,
            opened_at=at,
            deadline=deadline,
            voided=False,
        )
    ).returning(BadReviewCase.id)
    case_id = rows[0]["id"]
    await CaseEvent.insert(
        CaseEvent(case=case_id, action="open", from_status="", to_status=OPEN, note="", actor=actor, actor_user=None, at=at)
    )
    await audit.record(
        ctx.engine,
        at=at,
        actor=actor,
        action="rating_case.opened",
        subject_type="bad_review_case",
        subject_id=case_id,
        data={"rating": rating_id, "staff": staff_id, "window": window_id, "deadline": deadline.isoformat()},
    )
    await _tell_case_opened(ctx, case_id, staff_id=staff_id, window_id=window_id, deadline=deadline)
    return case_id


async def _tell_case_opened(ctx: AppContext, case_id: int, *, staff_id: int | None, window_id: int, deadline: date) -> None:
    # The person rated and their department head must act within the deadline; a window-level rating goes to the head alone.
    texts: dict[int, str] = {}
    if staff_id is not None:
        for uid in (await auth.active_user_ids_of_staff([staff_id])).get(staff_id, []):
            texts[uid] = f"您收到一条群众差评，请于{deadline.isoformat()}前配合核实整改。"
    department = await org.window_department(window_id)
    head = (await org.department_heads([department])).get(department) if department else None
    if head is not None:
        label = (await org.window_labels([window_id])).get(window_id, "")
        for uid in (await auth.active_user_ids_of_staff([head])).get(head, []):
            texts.setdefault(uid, f"本部门{label}收到一条群众差评，整改期限{deadline.isoformat()}。")
    label = (await org.window_labels([window_id])).get(window_id, "")
    who = (await org.staff_labels([staff_id])).get(staff_id) if staff_id is not None else None
    about = f"{who[1]}（{label}）" if who else label
    for uid in await _reviewer_users():
        texts.setdefault(uid, f"{about}收到一条群众差评，已立案整改，整改期限{day_words(deadline, 'zh')}。")
    await notifications.notify(ctx, texts, kind="bad_review_opened", subject_type="bad_review_case", subject_id=case_id)


async def _reviewer_users() -> list[int]:
    """Active users of the roles that run the loop (HR, the inspection lead)."""
    found: set[int] = set()
    for role in TOLD_ROLES:
        found.update(await auth.active_user_ids_with_role(role))
    return sorted(found)


async def _tell_appeal_filed(ctx: AppContext, principal: Principal, row: Mapping[str, Any]) -> None:
    # The appeal waits for an impartial reviewer: everyone who may decide it is told, except the one who filed it.
    label = (await org.window_labels([row["window"]])).get(row["window"], "")
    who = (await org.staff_labels([row["staff"]])).get(row["staff"]) if row["staff"] is not None else None
    about = f"{who[1]}（{label}）" if who else label
    text = f"{about}的差评整改案件已申请复核，请指定非本人、非其部门负责人的人员作出复核决定。"
    texts = {uid: text for uid in await _reviewer_users() if uid != principal.user_id}
    await notifications.notify(ctx, texts, kind="bad_review_appealed", subject_type="bad_review_case", subject_id=row["id"])


# --- reading ---

_COLUMNS = (
    *BadReviewCase.all_columns(),
    BadReviewCase.rating.level.as_alias("level"),
    BadReviewCase.rating.efficiency.as_alias("efficiency"),
    BadReviewCase.rating.service_level.as_alias("service_level"),
    BadReviewCase.rating.attitude.as_alias("attitude"),
    BadReviewCase.rating.comment.as_alias("comment"),
    BadReviewCase.rating.rated_at.as_alias("rated_at"),
    BadReviewCase.rating.transaction_ref.as_alias("transaction_ref"),
    BadReviewCase.staff.name.as_alias("staff_name"),
    BadReviewCase.window.department.as_alias("department"),
)


def days_overdue(row: Mapping[str, Any], *, on: date) -> int:
    """Calendar days past the deadline of an unfinished case (0 when finished or not yet due)."""
    if row["status"] in FINISHED:
        return 0
    return max(0, (on - row["deadline"]).days)


def _rating(r: Mapping[str, Any]) -> CaseRatingOut:
    return CaseRatingOut(
        window_id=r["window"],
        level=r["level"],
        efficiency=r["efficiency"],
        service_level=r["service_level"],
        attitude=r["attitude"],
        comment=r["comment"],
        rated_at=as_utc(r["rated_at"]),
    )


def _opt(at: datetime | None) -> datetime | None:
    return as_utc(at) if at is not None else None


async def _events(case_ids: Sequence[int], *, with_actor: bool) -> dict[int, list[CaseEventOut]]:
    out: dict[int, list[CaseEventOut]] = {i: [] for i in case_ids}
    if case_ids:
        for e in await CaseEvent.select().where(CaseEvent.case.is_in(list(case_ids))).order_by(CaseEvent.id):
            out[e["case"]].append(
                CaseEventOut(
                    action=e["action"],
                    from_status=e["from_status"],
                    to_status=e["to_status"],
                    note=e["note"],
                    at=as_utc(e["at"]),
                    actor=e["actor"] if with_actor else None,
                )
            )
    return out


async def _case_outs(rows: list[dict[str, Any]], *, on: date) -> list[CaseOut]:
    events = await _events([r["id"] for r in rows], with_actor=True)
    return [
        CaseOut(
            id=r["id"],
            rating_id=r["rating"],
            staff_id=r["staff"],
            staff_name=r["staff_name"],
            window_id=r["window"],
            department_id=r["department"],
            transaction_ref=r["transaction_ref"],
            status=r["status"],
            deadline=r["deadline"],
            opened_at=as_utc(r["opened_at"]),
            rectified_at=_opt(r["rectified_at"]),
            closed_at=_opt(r["closed_at"]),
            voided=bool(r["voided"]),
            overdue=days_overdue(r, on=on) > 0,
            days_overdue=days_overdue(r, on=on),
            rating=_rating(r),
            events=events[r["id"]],
        )
        for r in rows
    ]


async def _my_outs(rows: list[dict[str, Any]], *, on: date) -> list[MyCaseOut]:
    events = await _events([r["id"] for r in rows], with_actor=False)
    return [
        MyCaseOut(
            id=r["id"],
            status=r["status"],
            deadline=r["deadline"],
            opened_at=as_utc(r["opened_at"]),
            rectified_at=_opt(r["rectified_at"]),
            closed_at=_opt(r["closed_at"]),
            voided=bool(r["voided"]),
            overdue=days_overdue(r, on=on) > 0,
            days_overdue=days_overdue(r, on=on),
            rating=_rating(r),
            events=events[r["id"]],
        )
        for r in rows
    ]


async def get_case(ctx: AppContext, case_id: int) -> CaseOut:
    """One case with its steps, for reviewers."""
    row = await BadReviewCase.select(*_COLUMNS).where(BadReviewCase.id == case_id).first()
    if row is None:
        raise CaseNotFound()
    return (await _case_outs([row], on=today(ctx)))[0]


async def list_cases(ctx: AppContext, params: PageParams, *, status: str | None = None, overdue: bool = False) -> Page[CaseOut]:
    """Cases for reviewers, the nearest deadline first; ``overdue`` keeps unfinished cases past their deadline."""
    on = today(ctx)
    where: Combinable = BadReviewCase.id > 0
    if status is not None:
        where &= BadReviewCase.status == status
    if overdue:
        where &= BadReviewCase.status.not_in(list(FINISHED)) & (BadReviewCase.deadline < on)
    rows = (
        await BadReviewCase.select(*_COLUMNS)
        .where(where)
        .order_by(BadReviewCase.deadline, BadReviewCase.id)
        .limit(params.limit)
        .offset(params.offset)
    )
    return page_of(await _case_outs(rows, on=on), total=await BadReviewCase.count().where(where), params=params)


async def list_my_cases(ctx: AppContext, staff_id: int, params: PageParams) -> Page[MyCaseOut]:
    """A staff member's own cases, newest first."""
    mine = BadReviewCase.staff == staff_id
    rows = (
        await BadReviewCase.select(*_COLUMNS)
        .where(mine)
        .order_by(BadReviewCase.id, ascending=False)
        .limit(params.limit)
        .offset(params.offset)
    )
    return page_of(await _my_outs(rows, on=today(ctx)), total=await BadReviewCase.count().where(mine), params=params)


async def get_my_case(ctx: AppContext, staff_id: int, case_id: int) -> MyCaseOut:
    """One of the staff member's own cases (anyone else's answers 404)."""
    row = await BadReviewCase.select(*_COLUMNS).where((BadReviewCase.id == case_id) & (BadReviewCase.staff == staff_id)).first()
    if row is None:
        raise CaseNotFound()
    return (await _my_outs([row], on=today(ctx)))[0]


# --- steps ---


async def _lock(ctx: AppContext, case_id: int) -> dict[str, Any]:
    # PostgreSQL serialises steps on the case row; SQLite's IMMEDIATE write transaction already does.
    if not is_sqlite(ctx.engine):
        await execute(ctx.engine, "SELECT id FROM bad_review_case WHERE id = {} FOR UPDATE", case_id)
    row = (
        await BadReviewCase.select(*BadReviewCase.all_columns(), BadReviewCase.staff.department.as_alias("staff_department"))
        .where(BadReviewCase.id == case_id)
        .first()
    )
    if row is None:
        raise CaseNotFound()
    return row


async def _move(
    ctx: AppContext,
    principal: Principal,
    row: Mapping[str, Any],
    *,
    action: str,
    to: str,
    note: str,
    now: datetime,
    changes: Mapping[Any, Any] | None = None,
) -> None:
    await BadReviewCase.update({BadReviewCase.status: to, **(changes or {})}).where(BadReviewCase.id == row["id"])
    await CaseEvent.insert(
        CaseEvent(
            case=row["id"],
            action=action,
            from_status=row["status"],
            to_status=to,
            note=note,
            actor=principal.actor,
            actor_user=principal.user_id,
            at=now,
        )
    )
    await audit.record(
        ctx.engine,
        at=now,
        actor=principal.actor,
        action=f"rating_case.{action}",
        subject_type="bad_review_case",
        subject_id=row["id"],
        data={"from": row["status"], "to": to, "staff": row["staff"], "note": note},
    )


async def step(ctx: AppContext, principal: Principal, case_id: int, *, action: str, data: CaseStepIn) -> CaseOut:
    """Run one step of the loop (verify, rectify, call_back, close) in order; another order is a conflict."""
    if action not in STEPS:
        raise EvaluationInputInvalid(f"unknown step {action!r}", code="case_step_unknown")
    before, after = STEPS[action]
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await _lock(ctx, case_id)
        if row["status"] != before:
            raise CaseStateConflict(f"{action} needs a {before} case; this one is {row['status']}", case_status=row["status"])
        changes = {BadReviewCase.rectified_at: now} if action == "rectify" else {BadReviewCase.closed_at: now} if action == "close" else {}
        await _move(ctx, principal, row, action=action, to=after, note=data.note, now=now, changes=changes)
    return await get_case(ctx, case_id)


async def file_appeal(
    ctx: AppContext, principal: Principal, case_id: int, data: CaseAppealIn, *, own_staff_id: int | None = None
) -> CaseOut:
    """Appeal (复核) an open or verified case; with ``own_staff_id`` only a case about that staff member (else 404). Once per case."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await _lock(ctx, case_id)
        if own_staff_id is not None and row["staff"] != own_staff_id:
            raise CaseNotFound()
        if row["status"] not in APPEALABLE:
            raise CaseStateConflict(
                f"only an open or verified case can be appealed; this one is {row['status']}", case_status=row["status"]
            )
        # One appeal per case: an upheld review cannot be stalled by appealing it again and again.
        if await CaseEvent.exists().where((CaseEvent.case == case_id) & (CaseEvent.action == "appeal")):
            raise CaseStateConflict("this case was appealed already", code="case_already_appealed")
        await _move(ctx, principal, row, action="appeal", to=APPEALED, note=data.reason, now=now)
        await _tell_appeal_filed(ctx, principal, row)
    return await get_case(ctx, case_id)


async def decide_appeal(ctx: AppContext, principal: Principal, case_id: int, data: CaseDecisionIn) -> CaseOut:
    """Void the review (the rating stops counting) or uphold it (back to verified); never by the staff member or their department head."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await _lock(ctx, case_id)
        if principal.staff_id is not None:
            if principal.staff_id == row["staff"]:
                raise CaseReviewerNotAllowed("nobody decides an appeal about themselves")
            department = row["staff_department"]
            if department is not None and (await org.department_heads([department])).get(department) == principal.staff_id:
                raise CaseReviewerNotAllowed("the staff member's department head may not decide this appeal")
        if row["status"] != APPEALED:
            raise CaseStateConflict(f"there is no pending appeal; the case is {row['status']}", case_status=row["status"])
        if data.outcome == "void":
            await _move(ctx, principal, row, action="appeal_void", to=VOIDED, note=data.note, now=now, changes={BadReviewCase.voided: True})
        else:
            await _move(ctx, principal, row, action="appeal_uphold", to=VERIFIED, note=data.note, now=now)
    return await get_case(ctx, case_id)


# --- facts ---


async def month_case_facts(*, staff_ids: Sequence[int], first: date, last: date) -> dict[int, list[Fact]]:
    """One ``rating.bad_review_case`` fact per case of the staff whose deadline falls in [first, last]."""
    wanted = set(staff_ids)
    where = (BadReviewCase.deadline >= first) & (BadReviewCase.deadline <= last) & BadReviewCase.staff.is_not_null()
    if len(wanted) <= MAX_IN_LIST:
        where &= BadReviewCase.staff.is_in(sorted(wanted) or [0])
    rows = (
        await BadReviewCase.select(
            BadReviewCase.id,
            BadReviewCase.staff,
            BadReviewCase.deadline,
            BadReviewCase.rectified_at,
            BadReviewCase.voided,
            BadReviewCase.window._.site._.timezone.as_alias("tz"),
        )
        .where(where)
        .order_by(BadReviewCase.id)
    )
    out: dict[int, list[Fact]] = {}
    for r in rows:
        if r["staff"] not in wanted:
            continue
        on_time = r["rectified_at"] is not None and local_date(r["rectified_at"], r["tz"]) <= r["deadline"]
        out.setdefault(r["staff"], []).append(
            Fact(
                id=f"rating.bad_review_case:{r['id']}",
                kind="rating.bad_review_case",
                staff_id=r["staff"],
                occurred_on=r["deadline"],
                fields={"rectified_on_time": on_time, "voided": bool(r["voided"])},
            )
        )
    return out


async def cases_near_deadline(ctx: AppContext, *, window_ids: Sequence[int], within_days: int = 2) -> list[CaseOut]:
    """Unfinished cases of the windows due within ``within_days`` days or past due, the nearest deadline first."""
    if not window_ids:
        return []
    on = today(ctx)
    where = (
        BadReviewCase.window.is_in(sorted(set(window_ids)))
        & BadReviewCase.status.not_in(list(FINISHED))
        & (BadReviewCase.deadline <= on + timedelta(days=within_days))
    )
    rows = await BadReviewCase.select(*_COLUMNS).where(where).order_by(BadReviewCase.deadline, BadReviewCase.id)
    return await _case_outs(rows, on=on)
