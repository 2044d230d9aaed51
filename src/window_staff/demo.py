"""The demo centre: one county centre, two township centres, departments, windows, staff, users, terminals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from window_staff.attendance.tables import CalendarOverride, SiteHours
from window_staff.auth import service as auth_service
from window_staff.auth.schemas import UserCreateIn
from window_staff.auth.tables import User
from window_staff.common.context import AppContext
from window_staff.common.db import write_transaction
from window_staff.common.pagination import PageParams
from window_staff.org import service as org
from window_staff.org.schemas import DepartmentIn, SiteIn, StaffIn, WindowIn
from window_staff.org.tables import Site
from window_staff.terminals import service as terminals
from window_staff.terminals.schemas.registry import TerminalIn

DEMO_SITE = "GY-COUNTY"
ACTOR = "system:demo"

DEPARTMENTS = [
    ("MARKET", "市场监督管理局"),
    ("TAX", "税务局"),
    ("SOCIAL", "人力资源和社会保障局"),
    ("LAND", "自然资源局"),
    ("HOUSING", "住房和城乡建设局"),
    ("PUBSEC", "公安局出入境与户政"),
    ("MEDICAL", "医疗保障局"),
    ("CIVIL", "民政局"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
]


def _demo_post(n: int, *, township: bool) -> str:
    """The demo's nth staff member's post: mostly 科员 (综合受理员 at the townships' all-in-one windows), a few leads."""
    if n % 9 == 0:
        return "首席代表"
    if n % 9 == 4:
        return "窗口负责人"
    return "综合受理员" if township or n % 3 == 2 else "科员"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """A demo account as printed for the person trying the demo."""

    username: str
    password: str
    roles: tuple[str, ...]
    totp_secret: str | None


# Fixed demo secrets so the printed logins stay valid across restarts; never used outside the demo.
DEMO_USERS: list[tuple[str, tuple[str, ...], str | None]] = [
    ("admin", ("admin",), "JBSWY3DPEHPK3PXPADMIN234"),
    ("hr", ("hr",), "JBSWY3DPEHPK3PXPHRHR2345"),
    ("approver", ("approver",), "JBSWY3DPEHPK3PXPAPPROVE2"),
    ("inspector", ("inspector",), "JBSWY3DPEHPK3PXPINSPECT2"),
    ("lead", ("inspection_lead",), "JBSWY3DPEHPK3PXPLEADLEAD"),
    ("auditor", ("auditor",), None),
    ("delegate", ("delegate",), None),
    ("staff", ("staff",), None),
]
DEMO_PASSWORD = "demo-pass-2026"
# The names the pages greet the demo's people by (the staff account is the first staff member and takes their name).
DEMO_NAMES = {
    "admin": "刘伟",
    "hr": "张敏",
    "approver": "李建国",
    "inspector": "王芳",
    "lead": "陈刚",
    "auditor": "赵丽",
    "delegate": "孙志远",
}


async def is_seeded(ctx: AppContext) -> bool:
    """True when the demo centre already exists."""
    return bool(await Site.exists().where(Site.code == DEMO_SITE))


async def seed(ctx: AppContext) -> list[DemoLogin]:
    """Create the demo centre once; returns the demo logins."""
    if not await is_seeded(ctx):
        await _seed_org(ctx)
        await _seed_inspections(ctx)
        await _seed_appraisal(ctx)
    return [DemoLogin(u, DEMO_PASSWORD, r, s) for u, r, s in DEMO_USERS]


async def _seed_org(ctx: AppContext) -> None:
    county = await org.create_site(ctx, SiteIn(code=DEMO_SITE, name="贵阳县政务服务中心", kind="county_centre"), actor=ACTOR)
    towns = [
        await org.create_site(
            ctx, SiteIn(code="GY-T01", name="城关镇便民服务中心", kind="township_centre", parent_id=county.id), actor=ACTOR
        ),
        await org.create_site(
            ctx, SiteIn(code="GY-T02", name="新场镇便民服务中心", kind="township_centre", parent_id=county.id), actor=ACTOR
        ),
    ]
    depts = [await org.create_department(ctx, DepartmentIn(code=c, name=n), actor=ACTOR) for c, n in DEPARTMENTS]
    windows = []
    for i, dept in enumerate(depts):
        for j in range(2):
            windows.append(
                await org.create_window(
                    ctx,
                    WindowIn(site_id=county.id, department_id=dept.id, number=f"A{i * 2 + j + 1:02d}", name=f"{dept.name}窗口{j + 1}"),
                    actor=ACTOR,
                )
            )
    for k, town in enumerate(towns):
        for i in range(2):
            windows.append(
                await org.create_window(
                    ctx,
                    WindowIn(site_id=town.id, department_id=depts[(k + i) % len(depts)].id, number=f"B{i + 1:02d}", name="综合窗口"),
                    actor=ACTOR,
                )
            )
    people = []
    for n in range(36):
        window = windows[n % len(windows)]
        people.append(
            StaffIn(
                employee_no=f"GY{n + 1:04d}",
                name=SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 7) % len(GIVEN)],
                department_id=window.department_id,
                window_id=window.id,
                badge_no=f"B{n + 1:04d}",
                phone=f"1380851{n:04d}",
                card_no=f"C{n + 1:06d}",
                hired_on=date(2015 + n % 10, 1 + n % 12, 1),
                post=_demo_post(n, township=n % len(windows) >= 2 * len(depts)),
            )
        )
    staff = await org.import_staff(ctx, people, actor=ACTOR)
    for username, roles, secret in DEMO_USERS:
        user, _ = await auth_service.create_user(
            ctx,
            UserCreateIn(
                username=username,
                password=DEMO_PASSWORD,
                display_name=staff[0].name if username == "staff" else DEMO_NAMES[username],
                roles=list(roles),
                staff_id=staff[0].id if username == "staff" else None,
            ),
            actor=ACTOR,
        )
        if secret:
            await auth_service.set_totp_secret(ctx, username, secret)
    for serial, site_id in (("WS-DEMO-0001", county.id), ("WS-DEMO-0002", towns[0].id)):
        t = await terminals.register(ctx, TerminalIn(serial=serial, site_id=site_id, window_id=None, name="大厅签到终端"), actor=ACTOR)
        await terminals.approve(ctx, t.id, actor=ACTOR)
    year = ctx.clock.now().year
    async with write_transaction(ctx.engine):
        for site in (county, *towns):
            # Last year's hours too: in January the demo's appraisal month is last December.
            await SiteHours.insert(
                SiteHours(
                    site=site.id,
                    name="全年作息",
                    valid_from=date(year - 1, 1, 1),
                    valid_to=date(year - 1, 12, 31),
                    am_start=time(8, 30),
                    am_end=time(12, 0),
                    pm_start=time(14, 0),
                    pm_end=time(17, 30),
                )
            )
            await SiteHours.insert(
                SiteHours(
                    site=site.id,
                    name="冬季作息",
                    valid_from=date(year, 1, 1),
                    valid_to=date(year, 4, 30),
                    am_start=time(8, 30),
                    am_end=time(12, 0),
                    pm_start=time(14, 0),
                    pm_end=time(17, 30),
                ),
                SiteHours(
                    site=site.id,
                    name="夏季作息",
                    valid_from=date(year, 5, 1),
                    valid_to=date(year, 9, 30),
                    am_start=time(8, 30),
                    am_end=time(12, 0),
                    pm_start=time(14, 30),
                    pm_end=time(18, 0),
                ),
                SiteHours(
                    site=site.id,
                    name="冬季作息",
                    valid_from=date(year, 10, 1),
                    valid_to=date(year, 12, 31),
                    am_start=time(8, 30),
                    am_end=time(12, 0),
                    pm_start=time(14, 0),
                    pm_end=time(17, 30),
                ),
            )
        await CalendarOverride.insert(CalendarOverride(site=towns[1].id, day=date(year, 12, 18), kind="closed", note="镇中心搬迁闭馆一天"))


async def _seed_inspections(ctx: AppContext) -> None:
    """Department heads, and one open visit with a published finding on the exposure board and a commendation."""
    from datetime import timedelta

    from window_staff.app import load_rules_at_start
    from window_staff.common.principal import Principal
    from window_staff.inspections import service as inspections
    from window_staff.inspections.schemas.publication import ExposureIn
    from window_staff.inspections.schemas.visits import FindingIn, VisitIn
    from window_staff.inspections.service import board as service_board, review as service_review
    from window_staff.org.schemas import DepartmentHeadIn
    from window_staff.org.tables import Staff, Window

    load_rules_at_start(ctx)
    staff = await Staff.select(Staff.id, Staff.department, Staff.window).where(Staff.window._.site._.code == DEMO_SITE).order_by(Staff.id)
    heads: dict[int, int] = {}
    for row in staff:
        heads.setdefault(row["department"], row["id"])
    for department, head in heads.items():
        await org.set_department_head(ctx, department, DepartmentHeadIn(staff_id=head), actor=ACTOR)
    users = {r["username"]: r["id"] for r in await User.select(User.id, User.username).where(User.username.is_in(["lead", "inspector"]))}
    lead = Principal(user_id=users["lead"], username="lead", roles=frozenset({"inspection_lead"}), staff_id=None)
    inspector = Principal(user_id=users["inspector"], username="inspector", roles=frozenset({"inspector"}), staff_id=None)
    # The inspected staff member is not a department head, so the head's notification shows too.
    seen = next(r for r in staff if r["id"] not in heads.values())
    window = await Window.select(Window.site).where(Window.id == seen["window"]).first()
    assert window is not None  # a staff member's window (foreign key)
    now = ctx.clock.now()
    visit = await inspections.plan_visit(
        ctx,
        VisitIn(
            kind="open",
            site_id=window["site"],
            planned_at=now - timedelta(hours=2),
            inspector_ids=[inspector.user_id],
            window_ids=[seen["window"]],
        ),
        principal=lead,
    )
    await inspections.move_visit(ctx, visit.id, action="start", principal=inspector)
    lapse = await inspections.log_finding(
        ctx,
        visit.id,
        FindingIn(window_id=seen["window"], staff_id=seen["id"], item="badge_worn", observed_at=ctx.clock.now(), note="上岗未佩戴工作牌"),
        principal=inspector,
    )
    praise = await inspections.log_finding(
        ctx,
        visit.id,
        FindingIn(window_id=seen["window"], staff_id=seen["id"], item="praise_letter", observed_at=ctx.clock.now(), note="群众来信表扬"),
        principal=inspector,
    )
    await inspections.move_visit(ctx, visit.id, action="end", principal=inspector)
    for finding in (lapse, praise):
        await service_review.publish_finding(ctx, finding.id, principal=lead)
    public = "检查发现，窗口工作人员上岗时未佩戴工作牌，已责令所在单位限期整改。"  # the lead's words, not the inspector's note
    await service_board.choose(ctx, lead, ExposureIn(finding_id=lapse.id, headline="未佩戴工作牌", text=public))


async def _seed_appraisal(ctx: AppContext) -> None:
    """Last month's punches for every posted staff member (a few late, one absent morning) and its appraisal, open for appeals."""
    from datetime import timedelta

    from window_staff.appraisal import service as appraisal
    from window_staff.attendance.service.inputs import work_calendar
    from window_staff.attendance.tables import PUNCH_SEAL, Punch
    from window_staff.common import integrity
    from window_staff.common.db import insert_rows
    from window_staff.common.principal import Principal
    from window_staff.org.tables import Staff
    from window_staff.terminals.tables import Terminal

    today = appraisal.local_today(ctx)
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    staff = await Staff.select(Staff.id, Staff.window.site.as_alias("site")).where(Staff.window.is_not_null()).order_by(Staff.id)
    # each site's hall terminal: the staff month page says where every punch was made
    terminal_of = {r["site"]: r["id"] for r in await Terminal.select(Terminal.id, Terminal.site).order_by(Terminal.id)}
    calendar = await work_calendar(ctx, site_ids=[r["site"] for r in staff], start=first, end=last)
    rows = []
    now = ctx.clock.now()
    for n, person in enumerate(staff):
        day = first
        while day <= last:
            for session in calendar.sessions_on(day, site_id=person["site"]):
                # Some people (the demo staff login's GY0001 among them) are late now and then, one misses a morning: a month to explain.
                if n == 5 and day.day == 10 and session.session == "am":
                    continue
                late = (
                    timedelta(minutes=12 + day.day % 20)
                    if n % 7 in (0, 3) and day.day % 6 == 0 and session.session == "am"
                    else timedelta(minutes=-9)
                )
                for at in (session.start + late, session.end + timedelta(minutes=4)):
                    key = f"demo:{person['id']}:{at.isoformat()}"
                    rows.append((person["id"], terminal_of.get(person["site"]), at, now, "any", "demo", "face+fingerprint", key))
            day += timedelta(days=1)
    async with write_transaction(ctx.engine):
        # Written directly for speed, so sealed here as attendance seals the punches it records.
        blank = {
            "verified_on_device": False,
            "needs_attestation": False,
            "future_capture": False,
            "threshold_version": None,
        }
        names = ("staff", "terminal", "captured_at", "received_at", "kind", "source", "verify_mode", "event_key")
        await insert_rows(
            ctx.engine,
            Punch,
            [
                Punch.staff,
                Punch.terminal,
                Punch.captured_at,
                Punch.received_at,
                Punch.kind,
                Punch.source,
                Punch.verify_mode,
                Punch.event_key,
                Punch.row_mac,
            ],
            [(*row, integrity.row_mac(ctx.engine, PUNCH_SEAL, {**blank, **dict(zip(names, row, strict=True))})) for row in rows],
        )
    await _seed_queues(ctx, calendar=calendar, first=first, last=last)
    hr = await User.select(User.id).where(User.username == "hr").first()
    assert hr is not None  # created by _seed_org
    preparer = Principal(user_id=hr["id"], username="hr", roles=frozenset({"hr"}), staff_id=None)
    month = f"{first:%Y-%m}"
    await appraisal.compute(ctx, month, principal=preparer)
    await appraisal.open_appeals(ctx, month, principal=preparer)


async def _seed_queues(ctx: AppContext, *, calendar: Any, first: date, last: date) -> None:
    """The county centre's queue machine over last month: one service category a department (its two windows call
    it), the simulated day's tickets on every working day, called only while the window's staff were checked in."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from window_staff.queues import simulator
    from window_staff.queues.schemas import CategoryIn, EventIn
    from window_staff.queues.service import categories, events
    from window_staff.queues.simulator_drive import QueueDevice, desks_of

    site_id = await org.site_id_by_code(DEMO_SITE)
    assert site_id is not None  # created by _seed_org
    zone = (await org.site_time_zones([site_id]))[site_id]
    windows = (await org.list_windows(ctx, PageParams(limit=500, offset=0), site_id=site_id)).items
    names = await org.department_codes(sorted({w.department_id for w in windows}))
    calls: dict[str, list[str]] = {}
    for i, department_id in enumerate(sorted(names)):
        code, mine = chr(ord("A") + i), [w for w in windows if w.department_id == department_id]
        data = CategoryIn(
            site_id=site_id, code=code, name=f"{names[department_id][1]}业务", department_id=department_id, window_ids=[w.id for w in mine]
        )
        await categories.create_category(ctx, data, actor=ACTOR)
        for w in mine:
            calls.setdefault(w.number, []).append(code)
    machine = QueueDevice(serial="", secret=b"", site=DEMO_SITE, timezone=zone, windows=calls)
    day = first
    while day <= last:
        sessions = calendar.sessions_on(day, site_id=site_id)
        if sessions:
            local = tuple((s.start.astimezone(ZoneInfo(zone)).time(), s.end.astimezone(ZoneInfo(zone)).time()) for s in sessions)
            # Busier on Mondays; short pauses (a month's pauses stay near the rules' 120-minute limit, not far over it).
            busy = 400.0 + 120 * (day.weekday() == 0)
            plan = simulator.DayPlan(day, zone=zone, sessions=local, tickets=busy, pause_minutes=(2.0, 8.0), missed=0.025, seed=7)
            made = simulator.generate(plan, await desks_of(ctx, machine, day=day))
            items = [EventIn(site_code=DEMO_SITE, **e.row(zone=zone)) for e in made]
            if items:
                await events.record_events(ctx, items, source="demo", actor=ACTOR)
        day += timedelta(days=1)
