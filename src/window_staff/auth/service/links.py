"""Which staff member an account is: an administrator links an account to a staff record, or unlinks it."""

from __future__ import annotations

from window_staff.auth.errors import StaffAlreadyLinked, UserNotFound
from window_staff.auth.schemas import UserOut
from window_staff.auth.service.accounts import get_user
from window_staff.auth.tables import User
from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import write_transaction
from window_staff.org import service as org


async def link_staff(ctx: AppContext, user_id: int, *, staff_id: int | None, actor: str) -> UserOut:
    """Make the account this staff member's (``None`` unlinks it); another active account of the same person is refused."""
    if staff_id is not None and not await org.staff_exists(staff_id):
        raise UserNotFound(f"staff {staff_id} does not exist", code="staff_not_found")
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await User.select(User.id, User.staff).where(User.id == user_id).first()
        if row is None:
            raise UserNotFound()
        if staff_id is not None:
            # Two live accounts for one person would split their sheet, appeals and notifications.
            other = await User.exists().where((User.staff == staff_id) & (User.id != user_id) & (User.active == True))  # noqa: E712
            if other:
                raise StaffAlreadyLinked()
        if row["staff"] != staff_id:
            await User.update({User.staff: staff_id}).where(User.id == user_id)
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="user.staff_linked" if staff_id is not None else "user.staff_unlinked",
                subject_type="user",
                subject_id=user_id,
                data={"staff_id": staff_id, "previous_staff_id": row["staff"]},
            )
    return await get_user(ctx, user_id)
