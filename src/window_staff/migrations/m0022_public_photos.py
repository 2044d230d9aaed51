"""Public photos for the hall's screens (亮牌上岗), with the display consent recorded apart from biometric consent."""

from piccolo.engine.base import Engine

from window_staff.migrations import create_tables
from window_staff.org.tables import StaffPublicPhoto

ID = "0022_public_photos"

TABLES = [StaffPublicPhoto]


async def forward(engine: Engine) -> None:
    """Create the public-photo table."""
    await create_tables(engine, TABLES)
