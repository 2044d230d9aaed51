"""Card number + PIN: HR sets them; terminals check them, with a per-card lockout against guessing.

The path is for staff without biometric consent (DESIGN section 6). Its punches need a supervisor's
attestation before they count. Someone with biometric templates may use it only while HR has set
an override (a broken camera or reader), so a card cannot quietly replace face + fingerprint.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from piccolo.columns import Column

from window_staff.auth import domain as passwords
from window_staff.biometrics import service as biometrics
from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, execute, is_sqlite, write_transaction
from window_staff.org import service as org
from window_staff.terminals.errors import CardInputInvalid, CardNotSet, CardNumberTaken
from window_staff.terminals.schemas.card import CardIn, CardOut
from window_staff.terminals.tables import CardPin, CardPinFailure

log = logging.getLogger("window_staff.terminals")

LOCK_AFTER = 5  # wrong PINs per card ...
LOCK_WINDOW = timedelta(minutes=15)  # ... inside this sliding window lock the card


@dataclass(frozen=True, slots=True)
class CardOutcome:
    """What a card + PIN attempt decided: the staff member, or why not."""

    staff_id: int | None
    reason: str | None
    # The attempt's pessimistic failure row; the caller deletes it with the punch when accepted.
    failure_id: int | None = None


def _trivial(pin: str) -> bool:
    """One repeated digit or a run (1234, 9876): the first guesses of anyone."""
    return len(set(pin)) == 1 or pin in "01234567890123" or pin in "98765432109876"


async def _failures_since(card_id: int, *, since: datetime) -> int:
    return await CardPinFailure.count().where((CardPinFailure.card == card_id) & (CardPinFailure.at >= since))


def _since(row: dict[str, Any], now: datetime) -> datetime:
    # Failures before the last reset by HR do not count: a reset is how HR lifts a lock.
    return max(now - LOCK_WINDOW, row["set_at"])


async def _out(row: dict[str, Any], now: datetime) -> CardOut:
    locked = await _failures_since(row["id"], since=_since(row, now)) >= LOCK_AFTER
    return CardOut(
        staff_id=row["staff"],
        card_no=row["card_no"],
        set_at=row["set_at"],
        set_by=row["set_by"],
        biometric_override=row["biometric_override"],
        override_until=row["override_until"],
        locked=locked,
    )


async def set_card(ctx: AppContext, staff_id: int, data: CardIn, *, actor: str) -> CardOut:
    """Set or reset a staff member's card number and PIN (argon2 hash); audited without the PIN."""
    staff = await org.get_staff(ctx, staff_id)
    if staff.status != "active":
        raise CardInputInvalid("the staff member has left", code="staff_not_active")
    if _trivial(data.pin):
        raise CardInputInvalid("choose a PIN that is not one repeated digit or a run", code="pin_too_simple")
    now = ctx.clock.now()
    if data.override_until is not None:
        if data.biometric_override is None:
            raise CardInputInvalid("override_until goes with a biometric_override reason", code="override_invalid")
        if data.override_until.tzinfo is None or data.override_until <= now:
            raise CardInputInvalid("override_until must be a future time with an offset", code="override_invalid")
    card_no = data.card_no.upper()
    pin_hash = await asyncio.to_thread(passwords.hash_password, data.pin)
    values: dict[Column, Any] = {
        CardPin.card_no: card_no,
        CardPin.pin_hash: pin_hash,
        CardPin.set_at: now,
        CardPin.set_by: actor,
        CardPin.biometric_override: data.biometric_override,
        CardPin.override_until: data.override_until,
    }
    try:
        async with write_transaction(ctx.engine):
            if await CardPin.exists().where((CardPin.card_no == card_no) & (CardPin.staff != staff_id)):
                raise CardNumberTaken()
            if await CardPin.exists().where(CardPin.staff == staff_id):
                # Piccolo types update's argument as dict[Column | str, Any], invariant; it only reads it
                await CardPin.update(cast("dict[Column | str, Any]", values)).where(CardPin.staff == staff_id)
            else:
                await CardPin.insert(CardPin({**values, CardPin.staff: staff_id}))
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="terminal.card_set",
                subject_type="staff",
                subject_id=staff_id,
                data={
                    "card_no": card_no,
                    "biometric_override": data.biometric_override,
                    "override_until": data.override_until.isoformat() if data.override_until else None,
                },
            )
    except INTEGRITY_ERRORS as exc:  # a concurrent set took the number first
        raise CardNumberTaken() from exc
    return await get_card(ctx, staff_id)


async def get_card(ctx: AppContext, staff_id: int) -> CardOut:
    """A staff member's card (404 when none is set)."""
    await org.get_staff(ctx, staff_id)
    row = await CardPin.select().where(CardPin.staff == staff_id).first()
    if row is None:
        raise CardNotSet()
    return await _out(row, ctx.clock.now())


async def delete_card(ctx: AppContext, staff_id: int, *, actor: str) -> None:
    """Remove a staff member's card and PIN; past failures go with it (rejections stay)."""
    await org.get_staff(ctx, staff_id)
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await CardPin.select(CardPin.id, CardPin.card_no).where(CardPin.staff == staff_id).first()
        if row is None:
            raise CardNotSet()
        await CardPinFailure.delete().where(CardPinFailure.card == row["id"])
        await CardPin.delete().where(CardPin.id == row["id"])
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="terminal.card_removed",
            subject_type="staff",
            subject_id=staff_id,
            data={"card_no": row["card_no"]},
        )


def _override_active(row: dict[str, Any], now: datetime) -> bool:
    return row["biometric_override"] is not None and (row["override_until"] is None or row["override_until"] > now)


async def check(ctx: AppContext, terminal: dict[str, Any], *, card_no: str, pin: str, now: datetime) -> CardOutcome:
    """Decide a card + PIN attempt at a terminal; wrong PINs are counted per card and lock it."""
    serial = terminal["serial"]
    row = await CardPin.select().where(CardPin.card_no == card_no).first()
    if row is None:
        # The same argon2 work as a known card, so timing does not tell which numbers exist.
        await asyncio.to_thread(passwords.verify_password, None, pin)
        log.info("card check-in refused at %s: unknown card", serial)
        return CardOutcome(staff_id=None, reason="card_not_recognised")
    staff_id = row["staff"]
    staff = await org.get_staff(ctx, staff_id)
    if staff.status != "active" or await org.site_of_staff(staff_id) != terminal["site"]:
        log.info("card check-in refused at %s: staff %s has left or works at another site", serial, staff_id)
        return CardOutcome(staff_id=None, reason="card_not_recognised")
    enrolled = await biometrics.enrolment(ctx, staff_id)
    if (enrolled.face_count or enrolled.fingerprint_count) and not _override_active(row, now):
        log.info("card check-in refused at %s: staff %s has biometric templates and no override", serial, staff_id)
        return CardOutcome(staff_id=None, reason="card_not_allowed")
    async with write_transaction(ctx.engine):
        if not is_sqlite(ctx.engine):
            # Serialise attempts on this card (SQLite's BEGIN IMMEDIATE already serialises writers).
            await execute(ctx.engine, "SELECT id FROM card_pin WHERE id = {} FOR UPDATE", row["id"])
        row = await CardPin.select().where(CardPin.id == row["id"]).first()
        if row is None:
            return CardOutcome(staff_id=None, reason="card_not_recognised")
        if await _failures_since(row["id"], since=_since(row, now)) >= LOCK_AFTER:
            log.warning("card check-in refused at %s: card of staff %s is locked", serial, staff_id)
            return CardOutcome(staff_id=None, reason="card_locked")
        # Counted as a failure before the (slow) hash check, so concurrent guesses cannot pass the limit.
        rows = await CardPinFailure.insert(CardPinFailure(card=row["id"], terminal=terminal["id"], at=now)).returning(CardPinFailure.id)
    if not await asyncio.to_thread(passwords.verify_password, row["pin_hash"], pin):
        log.warning("card check-in refused at %s: wrong PIN for the card of staff %s", serial, staff_id)
        return CardOutcome(staff_id=None, reason="pin_not_matched")
    return CardOutcome(staff_id=staff_id, reason=None, failure_id=rows[0]["id"])


async def clear_failure(failure_id: int) -> None:
    """Inside the caller's transaction: an accepted attempt was not a failure after all."""
    await CardPinFailure.delete().where(CardPinFailure.id == failure_id)
