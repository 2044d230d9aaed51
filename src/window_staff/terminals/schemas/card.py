"""Terminal card + PIN schemas: HR sets them; the PIN and its hash are never returned."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec


class CardIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """HR sets or resets a staff member's card number and PIN (a reset also lifts a lockout)."""

    card_no: Annotated[str, msgspec.Meta(min_length=4, max_length=32, pattern=r"^[A-Za-z0-9]+$")]
    pin: Annotated[str, msgspec.Meta(min_length=4, max_length=12, pattern=r"^[0-9]+$")]
    # Lets someone with biometric templates use the card (e.g. "camera at window 3 broken").
    biometric_override: Annotated[str, msgspec.Meta(min_length=3, max_length=200)] | None = None
    override_until: datetime | None = None


class CardOut(msgspec.Struct, kw_only=True):
    """A staff member's terminal card as HR sees it (never the PIN or its hash)."""

    staff_id: int
    card_no: str | None
    set_at: datetime
    set_by: str | None
    biometric_override: str | None
    override_until: datetime | None
    locked: bool
