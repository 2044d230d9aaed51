"""The notification table (created by the inspections migration, where it began; its name and columns are unchanged)."""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from window_staff.auth.tables import User


class Notification(Table, tablename="notification"):
    """A message for one user (e.g. a finding about them was published); read once, never deleted."""

    recipient = ForeignKey(User)
    kind = Varchar(length=48)
    subject_type = Varchar(length=48)
    subject_id = Integer()
    text = Text(default="")
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)
