"""HR sets who ZKTeco devices know by which user id: site-wide, or on one device."""

from __future__ import annotations

from litestar import Controller, delete, get, put
from litestar.di import Provide

from window_staff.common.context import AppContext
from window_staff.common.guards import provide_principal, roles
from window_staff.common.pagination import Page, PageParams
from window_staff.common.principal import Principal
from window_staff.common.web import PAGE
from window_staff.terminals.schemas.registry import DeviceRosterOut, DeviceUserIn, DeviceUserOut
from window_staff.terminals.service import device_users


class DeviceUserController(Controller):
    """Device user ids (the PIN in ATTLOG lines): one per person for every device of a site, optionally one per device."""

    path = "/api/v1"
    tags = ["terminals"]
    guards = [roles("hr")]
    dependencies = {"principal": Provide(provide_principal), "page": PAGE}

    @get("/sites/{site_id:int}/device-users")
    async def list_for_site(self, ctx: AppContext, site_id: int, page: PageParams) -> Page[DeviceUserOut]:
        """The ids HR set at a site (site-wide ones have no ``terminal_id``)."""
        return await device_users.list_for_site(ctx, site_id, page)

    @put("/sites/{site_id:int}/device-users/{staff_id:int}", request_max_body_size=1024)
    async def set_for_site(self, ctx: AppContext, principal: Principal, site_id: int, staff_id: int, data: DeviceUserIn) -> DeviceUserOut:
        """Set a staff member's id on every device of their site; 409 when someone there has it, 422 for staff of another site."""
        return await device_users.set_for_site(ctx, site_id, staff_id, data, actor=principal.actor)

    @delete("/sites/{site_id:int}/device-users/{staff_id:int}", status_code=204)
    async def remove_for_site(self, ctx: AppContext, principal: Principal, site_id: int, staff_id: int) -> None:
        """Remove it: the devices know the person by their employee number again."""
        await device_users.remove_for_site(ctx, site_id, staff_id, actor=principal.actor)

    @get("/terminals/{terminal_id:int}/device-users")
    async def roster(self, ctx: AppContext, terminal_id: int, page: PageParams) -> Page[DeviceRosterOut]:
        """Everyone at the device's site with the id this device knows them by, and where it comes from."""
        return await device_users.roster(ctx, terminal_id, page)

    @put("/terminals/{terminal_id:int}/device-users/{staff_id:int}", request_max_body_size=1024)
    async def set_for_terminal(
        self, ctx: AppContext, principal: Principal, terminal_id: int, staff_id: int, data: DeviceUserIn
    ) -> DeviceUserOut:
        """Set a staff member's id on this device only (overriding the site-wide one here)."""
        return await device_users.set_for_terminal(ctx, terminal_id, staff_id, data, actor=principal.actor)

    @delete("/terminals/{terminal_id:int}/device-users/{staff_id:int}", status_code=204)
    async def remove_for_terminal(self, ctx: AppContext, principal: Principal, terminal_id: int, staff_id: int) -> None:
        """Remove this device's own id for the person: their site-wide one applies here again."""
        await device_users.remove_for_terminal(ctx, terminal_id, staff_id, actor=principal.actor)
