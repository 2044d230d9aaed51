"""Builders for citizen-rating tests: a window with its staff and an approved evaluator device, signed requests, ratings.

from tests.evaluations.support_ratings import settings  # noqa: F401  (a vault key: device secrets are sealed)
desk = await make_rating_desk(app_ctx)
response = await client.send(signed(client, rating_body(clock), desk=desk, clock=clock))
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.biometrics.conftest import VAULT_KEY
from tests.conftest import TEST_AUDIT_KEY
from tests.factories import make_staff, make_user, make_window
from tests.inspections.support import principal
from window_staff.common.context import AppContext
from window_staff.common.principal import Principal
from window_staff.evaluations.schemas.ratings import RatingOut
from window_staff.evaluations.service import ratings as service_ratings
from window_staff.evaluations.service.ratings import RatingInput
from window_staff.org.schemas import StaffOut, WindowOut
from window_staff.settings import Settings, load_settings
from window_staff.terminals import service as terminals
from window_staff.terminals.schemas.registry import TerminalIn
from window_staff.terminals.signatures import sign

RATING_PATH = "/api/v1/devices/ratings"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings with a vault key (terminal secrets are sealed with it)."""
    return load_settings(
        {},
        database_url=database_url,
        data_dir=tmp_path,
        login_max_failures=5,
        face_pool_warm=False,
        audit_key=TEST_AUDIT_KEY,
        vault_key=VAULT_KEY,
    )


@dataclass
class RatingDesk:
    """A window, the staff posted there, and an approved evaluator device at the window."""

    window: WindowOut
    staff: list[StaffOut]
    serial: str
    secret: bytes
    terminal_id: int


async def make_rating_desk(ctx: AppContext, *, n_staff: int = 1, with_window: bool = True) -> RatingDesk:
    """A window with ``n_staff`` staff and an approved, secret-holding device assigned to it (or only to its site)."""
    window = await make_window(ctx)
    staff = [await make_staff(ctx, window=window) for _ in range(n_staff)]
    serial = f"EVAL-{secrets.token_hex(4)}"
    terminal, secret = await terminals.register_approved(
        ctx, TerminalIn(serial=serial, site_id=window.site_id, window_id=window.id if with_window else None), actor="test"
    )
    return RatingDesk(window=window, staff=staff, serial=terminal.serial, secret=secret, terminal_id=terminal.id)


def rating_body(clock: Any, *, ref: str = "T-0001", level: int = 4, **changes: Any) -> dict[str, Any]:
    """A valid device rating rated a minute ago."""
    body = {
        "transaction_ref": ref,
        "level": level,
        "efficiency": level,
        "service_level": level,
        "attitude": level,
        "comment": "",
        "rated_at": (clock.now() - dt.timedelta(minutes=1)).isoformat(),
    }
    body.update(changes)
    return body


def signed(client: httpx.AsyncClient, body: dict[str, Any], *, desk: RatingDesk, clock: Any, secret: bytes | None = None) -> httpx.Request:
    """A JSON rating signed the way terminals sign check-ins (RFC 9421 + Content-Digest)."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    request = client.build_request("POST", RATING_PATH, content=raw, headers={"content-type": "application/json"})
    request.headers.update(sign("POST", str(request.url), raw, key_id=desk.serial, secret=secret or desk.secret, created=clock.now()))
    return request


async def rate(
    ctx: AppContext,
    window: WindowOut,
    *,
    level: int,
    staff_id: int | None,
    rated_at: dt.datetime,
    ref: str | None = None,
    comment: str = "",
) -> RatingOut:
    """Store a rating through the service, as a device would."""
    data = RatingInput(
        transaction_ref=ref or f"R-{secrets.token_hex(4)}",
        level=level,
        efficiency=level,
        service_level=level,
        attitude=level,
        comment=comment,
        rated_at=rated_at,
    )
    out, _ = await service_ratings.record_rating(
        ctx, data, window_id=window.id, staff_id=staff_id, source="device", device_id=None, actor="test"
    )
    return out


async def person(ctx: AppContext, *roles: str, staff_id: int | None = None) -> Principal:
    """A new user with ``roles`` (and optionally a staff record), as a principal."""
    user = await make_user(ctx, *roles, staff_id=staff_id)
    return principal(user, *roles)
