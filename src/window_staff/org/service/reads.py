"""Organisation reads other domains use: postings, labels, codes, time zones (no writes here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from window_staff.common.db import execute
from window_staff.org.tables import Department, Site, Staff, Window


async def staff_ids_by_employee_no(employee_nos: Sequence[str]) -> dict[str, int]:
    """Map employee numbers to staff ids (for imports in other domains)."""
    if not employee_nos:
        return {}
    rows = await Staff.select(Staff.id, Staff.employee_no).where(Staff.employee_no.is_in(list(employee_nos)))
    return {r["employee_no"]: r["id"] for r in rows}


async def site_of_staff(staff_id: int) -> int | None:
    """The site of a staff member's window (None without a window or when unknown)."""
    row = await Staff.select(Staff.window.site.as_alias("site")).where(Staff.id == staff_id).first()
    return row["site"] if row else None


async def active_staff_ids_at_site(site_id: int) -> list[int]:
    """Ids of active staff whose window is at ``site_id``."""
    rows = await Staff.select(Staff.id).where((Staff.window.site == site_id) & (Staff.status == "active"))
    return [r["id"] for r in rows]


async def staff_ids_at_site_between(site_id: int, *, first: date, last: date) -> list[int]:
    """Ids of staff posted at ``site_id`` and employed on some day of [first, last] (leavers included)."""
    rows = await Staff.select(Staff.id).where(
        (Staff.window.site == site_id) & (Staff.hired_on <= last) & (Staff.left_on.is_null() | (Staff.left_on >= first))
    )
    return [r["id"] for r in rows]


async def employee_nos_of(staff_ids: Sequence[int]) -> dict[int, str]:
    """Map staff ids to employee numbers (for reports in other domains)."""
    if not staff_ids:
        return {}
    rows = await Staff.select(Staff.id, Staff.employee_no).where(Staff.id.is_in(list(staff_ids)))
    return {r["id"]: r["employee_no"] for r in rows}


@dataclass(frozen=True, slots=True)
class Posting:
    """Where a staff member works, for attendance: window, site (with its zone) and dates."""

    staff_id: int
    employee_no: str
    name: str
    department_id: int
    window_id: int | None
    site_id: int | None
    timezone: str | None
    hired_on: date
    left_on: date | None
    service_start: date | None = None  # 参加工作时间, for annual leave (m0016); None: not recorded
    post: str = ""  # 职务 (m0023), for the hall's screens; "" when not set


_POSTING_COLUMNS = (
    Staff.id,
    Staff.employee_no,
    Staff.name,
    Staff.department,
    Staff.window,
    Staff.hired_on,
    Staff.left_on,
    Staff.service_start,
    Staff.post,
    Staff.window.site.as_alias("site"),
    Staff.window._.site._.timezone.as_alias("tz"),
)


def _posting(r: dict[str, Any]) -> Posting:
    return Posting(
        staff_id=r["id"],
        employee_no=r["employee_no"],
        name=r["name"],
        department_id=r["department"],
        window_id=r["window"],
        site_id=r["site"],
        timezone=r["tz"],
        hired_on=r["hired_on"],
        left_on=r["left_on"],
        service_start=r["service_start"],
        post=r["post"],
    )


# Bounded IN-lists: SQLite refuses a statement with more than 32,766 parameters.
_ID_CHUNK = 5000


async def postings_of(staff_ids: Sequence[int]) -> list[Posting]:
    """Postings of the given staff, by employee number (unknown ids are left out)."""
    ids = sorted(set(staff_ids))
    rows: list[dict[str, Any]] = []
    for i in range(0, len(ids), _ID_CHUNK):
        rows.extend(await Staff.select(*_POSTING_COLUMNS).where(Staff.id.is_in(ids[i : i + _ID_CHUNK])))
    return [_posting(r) for r in sorted(rows, key=lambda r: r["employee_no"])]


async def postings_employed_between(*, first: date, last: date) -> list[Posting]:
    """Postings of everyone employed on some day of [first, last] (leavers included), by employee number."""
    rows = (
        await Staff.select(*_POSTING_COLUMNS)
        .where((Staff.hired_on <= last) & (Staff.left_on.is_null() | (Staff.left_on >= first)))
        .order_by(Staff.employee_no)
    )
    return [_posting(r) for r in rows]


async def department_codes(department_ids: Sequence[int] | None = None) -> dict[int, tuple[str, str]]:
    """(code, name) per department id; every department when ``department_ids`` is None."""
    query = Department.select(Department.id, Department.code, Department.name)
    if department_ids is not None:
        query = query.where(Department.id.is_in(sorted(set(department_ids)) or [0]))
    return {r["id"]: (r["code"], r["name"]) for r in await query}


async def window_labels(window_ids: Sequence[int] | None = None) -> dict[int, str]:
    """A readable label per window id ("number name"); every window when ``window_ids`` is None."""
    query = Window.select(Window.id, Window.number, Window.name)
    if window_ids is not None:
        query = query.where(Window.id.is_in(sorted(set(window_ids)) or [0]))
    return {r["id"]: f"{r['number']} {r['name']}".strip() for r in await query}


async def postings_in_department(department_id: int) -> list[Posting]:
    """Postings of every staff member of a department (left ones too: a month may predate leaving)."""
    rows = await Staff.select(*_POSTING_COLUMNS).where(Staff.department == department_id).order_by(Staff.employee_no)
    return [_posting(r) for r in rows]


async def site_time_zones(site_ids: Sequence[int]) -> dict[int, str]:
    """Map site ids to their time zone names."""
    if not site_ids:
        return {}
    rows = await Site.select(Site.id, Site.timezone).where(Site.id.is_in(list(site_ids)))
    return {r["id"]: r["timezone"] for r in rows}


async def window_department(window_id: int) -> int | None:
    """The department of a window (None when there is no such window)."""
    row = await Window.select(Window.department).where(Window.id == window_id).first()
    return row["department"] if row else None


async def window_site(window_id: int) -> int | None:
    """The site of a window (None when there is no such window)."""
    row = await Window.select(Window.site).where(Window.id == window_id).first()
    return row["site"] if row else None


async def site_names() -> dict[int, str]:
    """Every site's name by id."""
    return {r["id"]: r["name"] for r in await Site.select(Site.id, Site.name)}


async def people_at(window_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Staff posted at the windows and not left (id, name, employee_no, window), by window then employee number."""
    if not window_ids:
        return []
    rows = (
        await Staff.select(Staff.id, Staff.name, Staff.employee_no, Staff.window)
        .where(Staff.window.is_in(list(window_ids)) & Staff.left_on.is_null())
        .order_by(Staff.window)
        .order_by(Staff.employee_no)
    )
    return list(rows)


async def staff_exists(staff_id: int) -> bool:
    """True when a staff member with this id exists (left or not)."""
    return bool(await Staff.exists().where(Staff.id == staff_id))


async def site_id_by_code(code: str) -> int | None:
    """The id of the site with this code."""
    row = await Site.select(Site.id).where(Site.code == code).first()
    return row["id"] if row else None


async def site_exists(site_id: int) -> bool:
    """True when the site exists."""
    return bool(await Site.exists().where(Site.id == site_id))


async def window_is_at_site(window_id: int, *, site_id: int) -> bool:
    """True when the window exists and belongs to the site."""
    return bool(await Window.exists().where((Window.id == window_id) & (Window.site == site_id)))


async def department_id_by_code(code: str) -> int | None:
    """The id of the department with this code."""
    row = await Department.select(Department.id).where(Department.code == code).first()
    return row["id"] if row else None


async def window_id_by_number(site_id: int, number: str) -> int | None:
    """The id of the site's window with this number."""
    row = await Window.select(Window.id).where((Window.site == site_id) & (Window.number == number)).first()
    return row["id"] if row else None


async def active_staff_at_window(window_id: int) -> list[dict[str, Any]]:
    """Active staff posted at the window (id, name), by id."""
    return list(await Staff.select(Staff.id, Staff.name).where((Staff.window == window_id) & (Staff.status == "active")).order_by(Staff.id))


async def staff_labels(staff_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """(employee number, name) of each staff member, by id."""
    ids = sorted(set(staff_ids))
    out: dict[int, tuple[str, str]] = {}
    for i in range(0, len(ids), _ID_CHUNK):
        for r in await Staff.select(Staff.id, Staff.employee_no, Staff.name).where(Staff.id.is_in(ids[i : i + _ID_CHUNK])):
            out[r["id"]] = (r["employee_no"], r["name"])
    return out


@dataclass(frozen=True, slots=True)
class CheckInPerson:
    """What a terminal's answer shows of the person it recognised, and the terminal's site time zone."""

    staff_id: int
    employee_no: str
    name: str
    site_timezone: str | None


async def check_in_person(staff_id: int, *, site_id: int) -> CheckInPerson | None:
    """The recognised person's number and name with the site's time zone, in one read (a check-in's only org read)."""
    rows = await execute(
        Staff._meta.db,
        "SELECT s.id, s.employee_no, s.name, (SELECT timezone FROM site WHERE id = {}) AS tz FROM staff s WHERE s.id = {}",
        site_id,
        staff_id,
    )
    if not rows:
        return None
    r = rows[0]
    return CheckInPerson(staff_id=r["id"], employee_no=r["employee_no"], name=r["name"], site_timezone=r["tz"])


async def centre_name(site_ids: Sequence[int] = ()) -> str:
    """The unit a form is issued by: the top-level centre above the given sites (every top-level centre when none given).

    A township centre or village point belongs to its county centre, so a form about its staff names the county centre.
    """
    rows = {r["id"]: r for r in await Site.select(Site.id, Site.name, Site.parent)}

    def top(site_id: int) -> int:
        seen: set[int] = set()
        while rows[site_id]["parent"] is not None and site_id not in seen:  # a loop in the data must not hang
            seen.add(site_id)
            site_id = rows[site_id]["parent"]
        return site_id

    tops = sorted({top(i) for i in site_ids if i in rows}) or sorted(i for i, r in rows.items() if r["parent"] is None)
    return "、".join(rows[i]["name"] for i in tops)


async def window_places(window_ids: Sequence[int]) -> dict[int, str]:
    """A label per window a reader can tell apart: "number name", with the site's name when two sites share a label."""
    if not window_ids:
        return {}
    rows = await Window.select(Window.id, Window.number, Window.name, Window.site.name.as_alias("site")).where(
        Window.id.is_in(sorted(set(window_ids)))
    )
    labels = {r["id"]: f"{r['number']} {r['name']}".strip() for r in rows}
    sites_of: dict[str, set[str]] = {}
    for r in rows:
        sites_of.setdefault(labels[r["id"]], set()).add(r["site"])
    return {r["id"]: f"{r['site']} {labels[r['id']]}" if len(sites_of[labels[r["id"]]]) > 1 else labels[r["id"]] for r in rows}


async def postings_at_site(site_id: int, *, first: date, last: date, department_ids: Sequence[int] | None = None) -> list[Posting]:
    """Postings of everyone posted at a window of the site and employed on some day of [first, last], by employee number."""
    where = (Staff.window.site == site_id) & (Staff.hired_on <= last) & (Staff.left_on.is_null() | (Staff.left_on >= first))
    if department_ids is not None:
        where &= Staff.department.is_in(sorted(set(department_ids)) or [0])
    rows = await Staff.select(*_POSTING_COLUMNS).where(where).order_by(Staff.employee_no)
    return [_posting(r) for r in rows]


async def windows_at_site(site_id: int, *, department_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """The site's active windows (id, number, name, department), by number; only the departments' when given."""
    where = (Window.site == site_id) & (Window.active == True)  # noqa: E712
    if department_ids is not None:
        where &= Window.department.is_in(sorted(set(department_ids)) or [0])
    rows = await Window.select(Window.id, Window.number, Window.name, Window.department).where(where)
    return sorted(rows, key=lambda r: (len(r["number"]), r["number"]))
