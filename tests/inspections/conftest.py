"""The role matrix's cast: one database, one running app and one login per actor, shared by a test module.

Logging in is the dear part of a role-matrix case (an argon2 hash for each new user and a verify for
each login): the cast is made once per module and each test makes only the visit and findings it looks at.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from tests.conftest import fresh_database, in_process_client, running_app
from tests.factories import TestUser, make_staff, make_user, make_window
from tests.inspections.support import headers_for, make_inspector, make_lead
from window_staff.common.clock import FixedClock
from window_staff.common.context import AppContext
from window_staff.common.db import bind_tables
from window_staff.migrations import all_tables
from window_staff.org.schemas import WindowOut
from window_staff.settings import load_settings


@dataclass(frozen=True)
class Cast:
    """Every actor of the role matrix, logged in once, and the client and context of the app they use.

    ``staff`` and ``other_staff`` are staff members at ``window``; ``inspector_on`` and ``lead`` are the
    inspector and lead of every visit a test makes (``inspector_off`` is on none of them).
    """

    client: httpx.AsyncClient
    ctx: AppContext
    window: WindowOut
    staff_id: int
    lead: TestUser
    inspector: TestUser
    headers: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
async def _module_cast(template_db: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cast]:
    async with fresh_database(template_db) as url:
        settings = load_settings(
            {}, database_url=url, data_dir=tmp_path_factory.mktemp("role-matrix"), login_max_failures=5, face_pool_warm=False
        )
        async with running_app(settings, FixedClock(datetime.now(UTC).replace(microsecond=0))) as app, in_process_client(app) as client:
            ctx: AppContext = app.state.ctx
            window = await make_window(ctx)
            staff = await make_staff(ctx, window=window)
            other = await make_staff(ctx, window=window)
            lead, inspector = await make_lead(ctx), await make_inspector(ctx)
            users = {
                "delegate": await make_user(ctx, "delegate"),
                "other_staff": await make_user(ctx, "staff", staff_id=other.id),
                "staff": await make_user(ctx, "staff", staff_id=staff.id),
                "hr": await make_user(ctx, "hr"),
                "inspector_off": await make_inspector(ctx),
                "inspector_on": inspector,
                "lead": lead,
            }
            headers = {"anonymous": {}} | {name: await headers_for(client, ctx, user) for name, user in users.items()}
            client.cookies.clear()  # login sets a session cookie: each actor must be only its bearer header
            yield Cast(client=client, ctx=ctx, window=window, staff_id=staff.id, lead=lead, inspector=inspector, headers=headers)


@pytest.fixture
def cast(_module_cast: Cast) -> Cast:
    """The module's cast, with the tables pointed at its database again (another test's context may have moved them)."""
    bind_tables(_module_cast.ctx.engine, all_tables())
    _module_cast.client.cookies.clear()
    return _module_cast
