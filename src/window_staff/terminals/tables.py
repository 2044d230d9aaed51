"""Terminal registry."""

from piccolo.columns import ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from window_staff.org.tables import Site, Window


class Terminal(Table, tablename="terminal"):
    """A desk terminal (签到终端): our signed API or a ZKTeco push device."""

    serial = Varchar(length=64, unique=True)
    name = Varchar(length=100, default="")
    kind = Varchar(length=16, default="signed")
    site = ForeignKey(Site)
    window = ForeignKey(Window, null=True)
    status = Varchar(length=16, default="pending")
    registered_at = Timestamptz(default=TimestamptzNow())
    approved_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


TABLES = [Terminal]
