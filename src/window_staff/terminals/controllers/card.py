"""HR sets a staff member's terminal card and PIN (the path for staff without biometric consent).

It lives in the terminals domain, under the staff URL: the card and PIN are a terminal credential,
checked only by terminals and stored beside the other terminal tables, and org never sees a PIN.
"""

from __future__ import annotations

from litestar import Controller, delete, get, put
from litestar.di import Provide

from window_staff.common.context import AppContext
from window_staff.common.guards import provide_principal, roles
from window_staff.common.principal import Principal
from window_staff.terminals.schemas.card import CardIn, CardOut
from window_staff.terminals.service import card as service_card


class StaffCardController(Controller):
    """Set, read and remove a staff member's card number + PIN (HR and admin)."""

    path = "/api/v1/staff/{staff_id:int}/card"
    tags = ["terminals"]
    guards = [roles("hr", "admin")]
    dependencies = {"principal": Provide(provide_principal)}

    @put("/", request_max_body_size=4096)
    async def set_card(self, ctx: AppContext, principal: Principal, staff_id: int, data: CardIn) -> CardOut:
        """Set or reset the card number and PIN; a reset also lifts a lockout. The PIN is never returned."""
        return await service_card.set_card(ctx, staff_id, data, actor=principal.actor)

    @get("/")
    async def get_card(self, ctx: AppContext, staff_id: int) -> CardOut:
        """The card number, override and lock state (never the PIN)."""
        return await service_card.get_card(ctx, staff_id)

    @delete("/", status_code=204)
    async def delete_card(self, ctx: AppContext, principal: Principal, staff_id: int) -> None:
        """Remove the card and PIN."""
        await service_card.delete_card(ctx, staff_id, actor=principal.actor)
