"""Piccolo's own configuration (for its CLI and shell): the engine from ``WINDOW_STAFF_DATABASE_URL``.

The application itself never relies on this lookup: ``create_app`` binds its engine to every table.
"""

from window_staff.common.db import create_engine
from window_staff.settings import get_settings

_settings = get_settings()
DB = create_engine(
    _settings.resolved_database_url, sqlite_pool_size=_settings.sqlite_pool_size, busy_timeout_ms=_settings.sqlite_busy_timeout_ms
)
