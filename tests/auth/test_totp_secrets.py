"""TOTP secrets are sealed with a key derived from the vault key; without one they stay in clear (and MFA keeps working)."""

from __future__ import annotations

import base64

import msgspec
import pyotp
import pytest

from tests.factories import PASSWORD, make_user
from window_staff.auth import service
from window_staff.auth.errors import TotpSecretUnreadable
from window_staff.auth.tables import User
from window_staff.common.context import AppContext
from window_staff.migrations import m0013_auth_hardening
from window_staff.settings import get_settings

KEY = base64.b64encode(bytes(range(32))).decode()
OTHER_KEY = base64.b64encode(bytes(range(1, 33))).decode()


def _with_key(ctx: AppContext, key: str) -> AppContext:
    return AppContext(settings=msgspec.structs.replace(ctx.settings, vault_key=key), engine=ctx.engine, clock=ctx.clock)


async def _stored(username: str) -> str:
    row = await User.select(User.totp_secret).where(User.username == username).first()
    assert row is not None
    return row["totp_secret"]


async def _login(ctx: AppContext, user) -> None:
    await service.login(ctx, username=user.username, password=PASSWORD, totp=user.code(ctx), ip="192.0.2.1")


async def test_with_a_vault_key_the_stored_secret_is_sealed_and_logins_still_work(ctx):
    keyed = _with_key(ctx, KEY)
    user = await make_user(keyed, "admin")
    stored = await _stored(user.username)
    assert stored.startswith("v1:") and user.totp_secret not in stored
    await _login(keyed, user)


async def test_without_a_vault_key_the_secret_is_stored_in_clear_and_logins_work(ctx):
    user = await make_user(ctx, "hr")
    assert await _stored(user.username) == user.totp_secret
    await _login(ctx, user)


async def test_a_sealed_secret_under_another_key_or_none_is_a_503_not_a_wrong_code(ctx):
    user = await make_user(_with_key(ctx, KEY), "admin")
    for other in (_with_key(ctx, OTHER_KEY), ctx):
        with pytest.raises(TotpSecretUnreadable) as info:
            await _login(other, user)
        assert info.value.code == "totp_key_unavailable"


async def test_a_secret_stored_in_clear_is_sealed_at_its_holders_next_login_once_a_key_is_set(ctx):
    user = await make_user(ctx, "approver")
    keyed = _with_key(ctx, KEY)
    await _login(keyed, user)
    assert (await _stored(user.username)).startswith("v1:")
    ctx.clock.advance(seconds=30)
    await _login(keyed, user)


async def test_the_migration_seals_the_secrets_stored_in_clear_when_a_key_is_configured(ctx, monkeypatch):
    users = [await make_user(ctx, "admin"), await make_user(ctx, "inspector")]
    monkeypatch.setenv("WINDOW_STAFF_VAULT_KEY", KEY)
    get_settings.cache_clear()
    try:
        await m0013_auth_hardening.forward(ctx.engine)
    finally:
        get_settings.cache_clear()
    for user in users:
        stored = await _stored(user.username)
        assert stored.startswith("v1:")
        assert pyotp.TOTP(user.totp_secret).now()  # the holder's authenticator keeps working:
        await _login(_with_key(ctx, KEY), user)
