"""Work calendar tables: session hours per site and season, and per-site day overrides."""

from piccolo.columns import Date, ForeignKey, Time, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from window_staff.org.tables import Site


class SiteHours(Table, tablename="site_hours"):
    """Morning and afternoon session times of a site over a dated range (e.g. summer hours)."""

    site = ForeignKey(Site)
    name = Varchar(length=32)
    valid_from = Date()
    valid_to = Date()
    am_start = Time()
    am_end = Time()
    pm_start = Time()
    pm_end = Time()


class CalendarOverride(Table, tablename="calendar_override"):
    """A site's own day: a local holiday, a closure, or a weekend service day."""

    site = ForeignKey(Site)
    day = Date()
    kind = Varchar(length=16)
    note = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())


TABLES = [SiteHours, CalendarOverride]
