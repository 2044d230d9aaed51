"""Accounts: one-time password-reset links, TOTP secrets sealed with the vault key, failures looked up by address."""

from piccolo.engine.base import Engine

from window_staff.auth import service as auth_service
from window_staff.auth.tables import PasswordReset
from window_staff.common.db import is_sqlite
from window_staff.migrations import create_tables
from window_staff.settings import get_settings

ID = "0013_auth_hardening"

TABLES = [PasswordReset]

INDEXES = [
    'CREATE INDEX IF NOT EXISTS password_reset_user ON password_reset ("user")',
    # The per-address login limit counts an address's recent failures.
    "CREATE INDEX IF NOT EXISTS login_attempt_ip_at ON login_attempt (ip, at)",
]


async def forward(engine: Engine) -> None:
    """Create the reset table, widen the TOTP column for sealed secrets, and seal secrets stored in clear (when a key is set)."""
    await create_tables(engine, TABLES, indexes=INDEXES)
    if not is_sqlite(engine):
        # A sealed secret is longer than 64 characters (SQLite does not enforce VARCHAR lengths).
        await engine.run_ddl("ALTER TABLE app_user ALTER COLUMN totp_secret TYPE VARCHAR(200)")
    await auth_service.seal_clear_totp_secrets(get_settings())
