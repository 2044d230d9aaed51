"""Who a ZKTeco device knows by which user id (the PIN of its ATTLOG lines): HR's ids, site-wide or per device.

Many devices take digits only, while employee numbers look like ``GY0004``, so HR gives people an id on the
devices of their site (one person, one id on every device there), and may override it on one device. Without
either, a person's id is their employee number when a device can hold it (letters and digits only).

On each device, one id means one person: a device with its own ids knows a person by their override there,
else by their site-wide id, else by their employee number; HR's changes that would give two people the same
id on some device of the site are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from window_staff.common import audit
from window_staff.common.clock import as_utc
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, execute, is_sqlite, write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.org import service as org
from window_staff.terminals.errors import DeviceUserIdTaken, DeviceUserNotSet, StaffNotAtSite, TerminalNotFound, TerminalStateConflict
from window_staff.terminals.schemas.registry import DeviceRosterOut, DeviceUserIn, DeviceUserOut
from window_staff.terminals.tables import DeviceUser, Terminal

# pg_advisory_xact_lock(namespace, site id): HR's changes at one site are checked against each other one at a time.
_SITE_LOCK = 7343101


def default_device_user_id(employee_no: str) -> str | None:
    """A person's id on devices where HR set none: their employee number, when a device can hold it."""
    return employee_no if employee_no.isascii() and employee_no.isalnum() and len(employee_no) <= 32 else None


async def set_for_site(ctx: AppContext, site_id: int, staff_id: int, data: DeviceUserIn, *, actor: str) -> DeviceUserOut:
    """Set a staff member's id on every ZKTeco device of their site (replacing the one set before)."""
    await org.get_site(ctx, site_id)
    return await _set(ctx, site_id=site_id, terminal_id=None, staff_id=staff_id, value=data.device_user_id, actor=actor)


async def set_for_terminal(ctx: AppContext, terminal_id: int, staff_id: int, data: DeviceUserIn, *, actor: str) -> DeviceUserOut:
    """Set a staff member's id on one ZKTeco device, overriding their site-wide id there."""
    terminal = await _device(terminal_id)
    return await _set(ctx, site_id=terminal["site"], terminal_id=terminal_id, staff_id=staff_id, value=data.device_user_id, actor=actor)


async def remove_for_site(ctx: AppContext, site_id: int, staff_id: int, *, actor: str) -> None:
    """Remove a staff member's site-wide id (devices know them by their employee number again)."""
    await org.get_site(ctx, site_id)
    await _remove(ctx, site_id=site_id, terminal_id=None, staff_id=staff_id, actor=actor)


async def remove_for_terminal(ctx: AppContext, terminal_id: int, staff_id: int, *, actor: str) -> None:
    """Remove a staff member's id on one device (the site-wide one applies there again)."""
    terminal = await _device(terminal_id)
    await _remove(ctx, site_id=terminal["site"], terminal_id=terminal_id, staff_id=staff_id, actor=actor)


async def list_for_site(ctx: AppContext, site_id: int, params: PageParams) -> Page[DeviceUserOut]:
    """The ids HR set at a site, site-wide and per device, by staff member."""
    await org.get_site(ctx, site_id)
    rows = (
        await DeviceUser.select()
        .where(DeviceUser.site == site_id)
        .order_by(DeviceUser.staff)
        .order_by(DeviceUser.id)
        .limit(params.limit)
        .offset(params.offset)
    )
    numbers = await org.employee_nos_of([r["staff"] for r in rows])
    return page_of([_out(r, numbers) for r in rows], total=await DeviceUser.count().where(DeviceUser.site == site_id), params=params)


async def for_staff(ctx: AppContext, staff_id: int) -> list[DeviceUserOut]:
    """The ids HR set for one staff member, site-wide first."""
    rows = await DeviceUser.select().where(DeviceUser.staff == staff_id).order_by(DeviceUser.id)
    numbers = await org.employee_nos_of([staff_id])
    return sorted((_out(r, numbers) for r in rows), key=lambda o: o.terminal_id is not None)


async def roster(ctx: AppContext, terminal_id: int, params: PageParams) -> Page[DeviceRosterOut]:
    """Everyone working at the device's site, by employee number, with the id this device knows them by."""
    terminal = await _device(terminal_id)
    ids = await org.active_staff_ids_at_site(terminal["site"])
    postings = (await org.postings_of(ids))[params.offset : params.offset + params.limit]
    rows = await DeviceUser.select(DeviceUser.staff, DeviceUser.terminal, DeviceUser.device_user_id).where(
        (DeviceUser.site == terminal["site"])
        & (DeviceUser.terminal.is_null() | (DeviceUser.terminal == terminal_id))
        & DeviceUser.staff.is_in([p.staff_id for p in postings] or [0])
    )
    own = {r["staff"]: r["device_user_id"] for r in rows if r["terminal"] is not None}
    site = {r["staff"]: r["device_user_id"] for r in rows if r["terminal"] is None}
    items = []
    for p in postings:
        default = default_device_user_id(p.employee_no)
        value, source = (
            (own[p.staff_id], "terminal")
            if p.staff_id in own
            else (site[p.staff_id], "site")
            if p.staff_id in site
            else (default, "employee_no")
            if default
            else (None, "none")
        )
        items.append(DeviceRosterOut(staff_id=p.staff_id, employee_no=p.employee_no, name=p.name, device_user_id=value, source=source))  # type: ignore[arg-type]
    return page_of(items, total=len(ids), params=params)


async def staff_for_device_ids(terminal: dict[str, Any], device_user_ids: Sequence[str]) -> dict[str, int]:
    """Map the ids in an ATTLOG upload to staff ids, as this device knows people (ids it does not know are left out)."""
    wanted = sorted(set(device_user_ids))
    found: dict[str, int] = {}
    # Bounded IN-lists: SQLite refuses a statement with more than 32,766 parameters.
    for i in range(0, len(wanted), 5000):
        found.update(await _staff_for(terminal, wanted[i : i + 5000]))
    return found


async def _staff_for(terminal: dict[str, Any], wanted: list[str]) -> dict[str, int]:
    site_id, terminal_id = terminal["site"], terminal["id"]
    here = (DeviceUser.site == site_id) & (DeviceUser.terminal.is_null() | (DeviceUser.terminal == terminal_id))
    rows = await DeviceUser.select(DeviceUser.staff, DeviceUser.terminal, DeviceUser.device_user_id).where(
        here & DeviceUser.device_user_id.is_in(wanted)
    )
    site_staff = [r["staff"] for r in rows if r["terminal"] is None]
    # A person with an id of this device's own is not known here by their site-wide one.
    overridden = (
        {
            r["staff"]
            for r in await DeviceUser.select(DeviceUser.staff).where(
                (DeviceUser.terminal == terminal_id) & DeviceUser.staff.is_in(site_staff)
            )
        }
        if site_staff
        else set()
    )
    found = {r["device_user_id"]: r["staff"] for r in rows if r["terminal"] is None and r["staff"] not in overridden}
    found.update({r["device_user_id"]: r["staff"] for r in rows if r["terminal"] is not None})
    by_number = await org.staff_ids_by_employee_no([v for v in wanted if v not in found])
    if by_number:
        # An employee number is a person's id only where HR set them none.
        mapped = {
            r["staff"] for r in await DeviceUser.select(DeviceUser.staff).where(here & DeviceUser.staff.is_in(list(by_number.values())))
        }
        found.update({number: staff for number, staff in by_number.items() if staff not in mapped})
    return found


# --- changes ----------------------------------------------------------------------------------


async def _set(ctx: AppContext, *, site_id: int, terminal_id: int | None, staff_id: int, value: str, actor: str) -> DeviceUserOut:
    person = await org.get_staff(ctx, staff_id)
    if person.status != "active" or await org.site_of_staff(staff_id) != site_id:
        raise StaffNotAtSite(f"staff {staff_id} does not work at site {site_id}")
    now = ctx.clock.now()
    try:
        async with write_transaction(ctx.engine):
            rows = await _site_rows(ctx, site_id)
            before = next((r for r in rows if r["terminal"] == terminal_id and r["staff"] == staff_id), None)
            after = [r for r in rows if r is not before] + [{"terminal": terminal_id, "staff": staff_id, "device_user_id": value}]
            holder = _holder(
                after, staff_id=staff_id, default=default_device_user_id(person.employee_no), scopes=_scopes(after, terminal_id)
            )
            if holder is None:
                holder = await _number_holder(value, staff_id=staff_id, rows=after)
            if holder is not None:
                raise DeviceUserIdTaken(f"device user id {value!r} belongs to staff {holder} at site {site_id}", staff_id=holder)
            if before is None:
                await DeviceUser.insert(
                    DeviceUser(site=site_id, terminal=terminal_id, staff=staff_id, device_user_id=value, set_by=actor, set_at=now)
                )
            else:
                await DeviceUser.update({DeviceUser.device_user_id: value, DeviceUser.set_by: actor, DeviceUser.set_at: now}).where(
                    DeviceUser.id == before["id"]
                )
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="device_user.set",
                subject_type="staff",
                subject_id=staff_id,
                data={
                    "site": site_id,
                    "terminal": terminal_id,
                    "device_user_id": value,
                    "previous": before["device_user_id"] if before else None,
                },
            )
    except INTEGRITY_ERRORS as exc:
        # Two HR changes at once: the unique indexes refuse the second one.
        raise DeviceUserIdTaken(f"device user id {value!r} is taken at site {site_id}") from exc
    row = await DeviceUser.select().where(_key(site_id, terminal_id, staff_id)).first()
    if row is None:  # removed by a concurrent change since the transaction above
        raise DeviceUserNotSet()
    return _out(row, {staff_id: person.employee_no})


async def _remove(ctx: AppContext, *, site_id: int, terminal_id: int | None, staff_id: int, actor: str) -> None:
    person = await org.get_staff(ctx, staff_id)
    posted = person.status == "active" and await org.site_of_staff(staff_id) == site_id
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        rows = await _site_rows(ctx, site_id)
        before = next((r for r in rows if r["terminal"] == terminal_id and r["staff"] == staff_id), None)
        if before is None:
            raise DeviceUserNotSet()
        after = [r for r in rows if r is not before]
        # Someone still working here falls back to another id, which must not be someone else's (a leaver's frees theirs).
        holder = (
            _holder(after, staff_id=staff_id, default=default_device_user_id(person.employee_no), scopes=_scopes(after, terminal_id))
            if posted
            else None
        )
        if holder is not None:
            raise DeviceUserIdTaken(
                f"without it, staff {staff_id} would share an id with staff {holder} at site {site_id}: set another id instead",
                staff_id=holder,
            )
        await DeviceUser.delete().where(DeviceUser.id == before["id"])
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="device_user.removed",
            subject_type="staff",
            subject_id=staff_id,
            data={"site": site_id, "terminal": terminal_id, "device_user_id": before["device_user_id"]},
        )


async def _site_rows(ctx: AppContext, site_id: int) -> list[dict[str, Any]]:
    if not is_sqlite(ctx.engine):
        await execute(ctx.engine, "SELECT pg_advisory_xact_lock({}, {})", _SITE_LOCK, site_id)
    return list(
        await DeviceUser.select(DeviceUser.id, DeviceUser.terminal, DeviceUser.staff, DeviceUser.device_user_id).where(
            DeviceUser.site == site_id
        )
    )


def _scopes(rows: list[dict[str, Any]], terminal_id: int | None) -> set[int | None]:
    """The devices a change can affect: one device for its own id; for a site-wide id, any device (with or without ids of its own)."""
    if terminal_id is not None:
        return {terminal_id}
    return {None} | {r["terminal"] for r in rows if r["terminal"] is not None}


def _holder(rows: list[dict[str, Any]], *, staff_id: int, default: str | None, scopes: set[int | None]) -> int | None:
    """Another staff member some device in ``scopes`` would know by the same id as ``staff_id``, or None."""
    for scope in scopes:
        known = {r["staff"]: r["device_user_id"] for r in rows if r["terminal"] is None}
        known.update({r["staff"]: r["device_user_id"] for r in rows if scope is not None and r["terminal"] == scope})
        mine = known.get(staff_id, default)
        other = next((s for s, v in known.items() if s != staff_id and v == mine), None) if mine else None
        if other is not None:
            return other
    return None


async def _number_holder(value: str, *, staff_id: int, rows: list[dict[str, Any]]) -> int | None:
    """The staff member whose employee number is ``value`` and who has no site-wide id here (devices would know them by it)."""
    other = (await org.staff_ids_by_employee_no([value])).get(value)
    if other is None or other == staff_id or any(r["staff"] == other and r["terminal"] is None for r in rows):
        return None
    return other


async def _device(terminal_id: int) -> dict[str, Any]:
    row = await Terminal.select(Terminal.id, Terminal.site, Terminal.kind).where(Terminal.id == terminal_id).first()
    if row is None:
        raise TerminalNotFound()
    if row["kind"] != "zkteco":
        raise TerminalStateConflict("device user ids are for ZKTeco devices; signed terminals match people themselves")
    return row


def _key(site_id: int, terminal_id: int | None, staff_id: int) -> Any:
    scope = DeviceUser.terminal.is_null() if terminal_id is None else DeviceUser.terminal == terminal_id
    return (DeviceUser.site == site_id) & scope & (DeviceUser.staff == staff_id)


def _out(r: dict[str, Any], numbers: dict[int, str]) -> DeviceUserOut:
    return DeviceUserOut(
        site_id=r["site"],
        terminal_id=r["terminal"],
        staff_id=r["staff"],
        employee_no=numbers.get(r["staff"], ""),
        device_user_id=r["device_user_id"],
        set_by=r["set_by"],
        set_at=as_utc(r["set_at"]),
    )
