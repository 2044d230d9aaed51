"""Small builders of test data, through the services (never raw inserts)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import httpx
import pyotp

from window_staff.auth import service as auth_service
from window_staff.auth.schemas import UserCreateIn
from window_staff.common.context import AppContext
from window_staff.org import service as org
from window_staff.org.schemas import DepartmentIn, SiteIn, SiteOut, StaffIn, StaffOut, WindowIn, WindowOut

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def n() -> int:
    """A fresh number for unique codes."""
    return next(_seq)


async def make_site(
    ctx: AppContext, *, kind: str = "county_centre", parent_id: int | None = None, timezone: str = "Asia/Shanghai"
) -> SiteOut:
    """A site with a unique code."""
    i = n()
    return await org.create_site(
        ctx, SiteIn(code=f"S{i}", name=f"Site {i}", kind=kind, parent_id=parent_id, timezone=timezone), actor="test"
    )  # type: ignore[arg-type]


async def make_window(ctx: AppContext, *, site_id: int | None = None) -> WindowOut:
    """A window (with a new department, and a new site unless given)."""
    site_id = site_id or (await make_site(ctx)).id
    i = n()
    dept = await org.create_department(ctx, DepartmentIn(code=f"D{i}", name=f"Dept {i}"), actor="test")
    return await org.create_window(ctx, WindowIn(site_id=site_id, department_id=dept.id, number=f"W{i}"), actor="test")


async def make_staff(
    ctx: AppContext, *, window: WindowOut | None = None, hired_on: date = date(2020, 1, 1), name: str | None = None
) -> StaffOut:
    """A staff member at a window."""
    window = window or await make_window(ctx)
    i = n()
    return await org.create_staff(
        ctx,
        StaffIn(
            employee_no=f"E{i:05d}",
            name=name or f"员工{i}",
            department_id=window.department_id,
            window_id=window.id,
            phone="13800000000",
            hired_on=hired_on,
        ),
        actor="test",
    )


@dataclass
class TestUser:
    """A user made for a test, with what is needed to log in."""

    __test__ = False
    id: int
    username: str
    password: str
    totp_secret: str | None
    staff_id: int | None

    def code(self, ctx: AppContext) -> str | None:
        """The TOTP code at the context's clock."""
        return pyotp.TOTP(self.totp_secret).at(ctx.clock.now()) if self.totp_secret else None


async def make_user(ctx: AppContext, *roles: str, staff_id: int | None = None) -> TestUser:
    """A user with the given roles (TOTP secret captured when the roles need one)."""
    username = f"u{n()}"
    user, uri = await auth_service.create_user(
        ctx, UserCreateIn(username=username, password=PASSWORD, roles=list(roles or ("staff",)), staff_id=staff_id), actor="test"
    )
    secret = pyotp.parse_uri(uri).secret if uri else None
    return TestUser(id=user.id, username=username, password=PASSWORD, totp_secret=secret, staff_id=staff_id)


async def login(client: httpx.AsyncClient, ctx: AppContext, user: TestUser) -> dict[str, str]:
    """Log in through the API; returns the Authorization header."""
    body = {"username": user.username, "password": user.password}
    if user.totp_secret:
        body["totp"] = user.code(ctx)
    response = await client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def logged_in(
    client: httpx.AsyncClient, ctx: AppContext, *roles: str, staff_id: int | None = None
) -> tuple[TestUser, dict[str, str]]:
    """Make a user and log in; returns the user and its auth header."""
    user = await make_user(ctx, *roles, staff_id=staff_id)
    headers = await login(client, ctx, user)
    # Each TOTP code is good once: later logins of the same user need the next time step.
    ctx.clock.advance(seconds=30)  # type: ignore[attr-defined]
    return user, headers
