"""Queues (排号机/叫号机): the events the machines report, HR's category mapping and the exception list."""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from window_staff.org.tables import Department, Site, Staff, Window


class QueueBatch(Table, tablename="queue_batch"):
    """One import or pushed batch of queue events: all its rows or none."""

    source = Varchar(length=40)  # csv | terminal:<id>
    filename = Varchar(length=200, default="")
    rows = Integer()
    created_by = Varchar(length=120)
    created_at = Timestamptz()


class QueueEvent(Table, tablename="queue_event"):
    """One event of a ticket or a window, append-only; one per (source, site, event id)."""

    source = Varchar(length=40)  # csv | terminal:<id>: event ids are the sender's
    event_id = Varchar(length=64)
    site = ForeignKey(Site)
    kind = Varchar(length=16)  # issued | called | recalled | missed | started | finished | transferred | paused | resumed
    at = Timestamptz()
    ticket = Varchar(length=32, default="")
    category = Varchar(length=32, default="")
    window = ForeignKey(Window, null=True, default=None)
    staff = ForeignKey(Staff, null=True, default=None)
    to_window = ForeignKey(Window, null=True, default=None)
    batch = ForeignKey(QueueBatch)
    received_at = Timestamptz()


class QueueCategory(Table, tablename="queue_category"):
    """A service category of a site's machine (业务类型), the department it belongs to and the windows that serve it."""

    site = ForeignKey(Site)
    code = Varchar(length=32)
    name = Varchar(length=100)
    department = ForeignKey(Department)
    windows = Text(default="[]")  # JSON list of window ids
    updated_by = Varchar(length=120)
    updated_at = Timestamptz()


class QueueException(Table, tablename="queue_exception"):
    """An event HR must look at (a category without a mapping); the event itself is kept."""

    event = ForeignKey(QueueEvent)
    reason = Varchar(length=32)  # unknown_category
    detail = Varchar(length=200, default="")
    created_at = Timestamptz()
    resolved_by = Varchar(length=120, null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    note = Varchar(length=500, default="")
