"""Terminal registry: register (pending), approve, revoke."""

from __future__ import annotations

from typing import Any

from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.org import service as org
from window_staff.org.errors import InvalidReference
from window_staff.terminals import secrets as terminal_secrets
from window_staff.terminals.errors import TerminalNotFound, TerminalSerialTaken, TerminalStateConflict
from window_staff.terminals.schemas.registry import TerminalIn, TerminalOut
from window_staff.terminals.tables import Terminal, TerminalSecret


def _out(r: dict[str, Any]) -> TerminalOut:
    return TerminalOut(
        id=r["id"],
        serial=r["serial"],
        name=r["name"],
        kind=r["kind"],
        site_id=r["site"],
        window_id=r["window"],
        status=r["status"],
        registered_at=r["registered_at"],
        approved_at=r["approved_at"],
        revoked_at=r["revoked_at"],
    )


async def register(ctx: AppContext, data: TerminalIn, *, actor: str) -> TerminalOut:
    """Register a terminal; it cannot sign in anyone until approved."""
    now = ctx.clock.now()
    try:
        async with write_transaction(ctx.engine):
            if not await org.site_exists(data.site_id):
                raise InvalidReference(f"site {data.site_id} does not exist")
            if data.window_id is not None and not await org.window_is_at_site(data.window_id, site_id=data.site_id):
                raise InvalidReference(f"window {data.window_id} is not at site {data.site_id}")
            rows = await Terminal.insert(
                Terminal(
                    serial=data.serial,
                    name=data.name,
                    kind=data.kind,
                    site=data.site_id,
                    window=data.window_id,
                    status="pending",
                    registered_at=now,
                )
            ).returning(Terminal.id)
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="terminal.registered",
                subject_type="terminal",
                subject_id=rows[0]["id"],
                data={"serial": data.serial},
            )
    except INTEGRITY_ERRORS as exc:
        raise TerminalSerialTaken(f"serial {data.serial!r} is registered already") from exc
    return await get(ctx, rows[0]["id"])


async def get(ctx: AppContext, terminal_id: int) -> TerminalOut:
    """One terminal."""
    row = await Terminal.select().where(Terminal.id == terminal_id).first()
    if row is None:
        raise TerminalNotFound()
    return _out(row)


async def find_by_serial(ctx: AppContext, serial: str) -> TerminalOut | None:
    """The terminal registered under this serial, if any."""
    row = await Terminal.select().where(Terminal.serial == serial).first()
    return _out(row) if row else None


async def names_of(terminal_ids: list[int]) -> dict[int, str]:
    """Terminal names by id (the serial where a terminal has no name), for pages that say where a punch was made."""
    if not terminal_ids:
        return {}
    rows = await Terminal.select(Terminal.id, Terminal.name, Terminal.serial).where(Terminal.id.is_in(sorted(set(terminal_ids))))
    return {r["id"]: r["name"] or r["serial"] for r in rows}


async def list_terminals(ctx: AppContext, params: PageParams) -> Page[TerminalOut]:
    """All terminals by serial."""
    rows = await Terminal.select().order_by(Terminal.serial).limit(params.limit).offset(params.offset)
    return page_of([_out(r) for r in rows], total=await Terminal.count(), params=params)


async def _transition(ctx: AppContext, terminal_id: int, *, to: str, allowed_from: set[str], actor: str) -> TerminalOut:
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await Terminal.select(Terminal.status).where(Terminal.id == terminal_id).first()
        if row is None:
            raise TerminalNotFound()
        if row["status"] not in allowed_from:
            raise TerminalStateConflict(f"a {row['status']} terminal cannot become {to}")
        stamp = Terminal.approved_at if to == "approved" else Terminal.revoked_at
        await Terminal.update({Terminal.status: to, stamp: now}).where(Terminal.id == terminal_id)
        await audit.record(ctx.engine, at=now, actor=actor, action=f"terminal.{to}", subject_type="terminal", subject_id=terminal_id)
    return await get(ctx, terminal_id)


async def approve(ctx: AppContext, terminal_id: int, *, actor: str) -> TerminalOut:
    """Approve a pending terminal."""
    return await _transition(ctx, terminal_id, to="approved", allowed_from={"pending"}, actor=actor)


async def revoke(ctx: AppContext, terminal_id: int, *, actor: str) -> TerminalOut:
    """Revoke a terminal for good."""
    return await _transition(ctx, terminal_id, to="revoked", allowed_from={"pending", "approved"}, actor=actor)


async def issue_secret(ctx: AppContext, terminal_id: int, *, actor: str) -> tuple[str, bytes, int]:
    """A new secret for a terminal (shown once); the newest previous one stays active for rotation."""
    secret = terminal_secrets.new_secret()
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await Terminal.select(Terminal.serial, Terminal.status).where(Terminal.id == terminal_id).first()
        if row is None:
            raise TerminalNotFound()
        if row["status"] == "revoked":
            raise TerminalStateConflict("a revoked terminal gets no secret")
        active = (
            await TerminalSecret.select(TerminalSecret.id)
            .where((TerminalSecret.terminal == terminal_id) & TerminalSecret.retired_at.is_null())
            .order_by(TerminalSecret.id, ascending=False)
        )
        # Two active at most: the new one and the newest previous one.
        stale = [r["id"] for r in active[1:]]
        if stale:
            await TerminalSecret.update({TerminalSecret.retired_at: now}).where(TerminalSecret.id.is_in(stale))
        ciphertext, nonce = terminal_secrets.seal(ctx, secret, terminal_id=terminal_id)
        await TerminalSecret.insert(TerminalSecret(terminal=terminal_id, ciphertext=ciphertext, nonce=nonce, created_at=now))
        await audit.record(
            ctx.engine, at=now, actor=actor, action="terminal.secret_issued", subject_type="terminal", subject_id=terminal_id
        )
    return row["serial"], secret, min(2, len(active) + 1)


async def register_approved(ctx: AppContext, data: TerminalIn, *, actor: str) -> tuple[TerminalOut, bytes]:
    """Register and approve a terminal and issue its first secret, all or nothing (for scripts and the demo)."""
    # One transaction (the steps' own ones join it): a secret that cannot be sealed (no vault key) must not
    # leave an approved terminal without a secret behind, whose serial would then refuse the retry.
    async with write_transaction(ctx.engine):
        terminal = await register(ctx, data, actor=actor)
        terminal = await approve(ctx, terminal.id, actor=actor)
        _, secret, _ = await issue_secret(ctx, terminal.id, actor=actor)
    return terminal, secret
