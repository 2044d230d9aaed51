"""Cross-domain tables: the audit chain."""

from piccolo.columns import Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEvent(Table, tablename="audit_event"):
    """One hash-chained, append-only event; UPDATE and DELETE are refused by triggers."""

    at = Timestamptz()
    actor = Varchar(length=100)
    action = Varchar(length=64)
    subject_type = Varchar(length=64)
    subject_id = Varchar(length=64)
    data = Text()
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64, unique=True)
    alg = Varchar(length=16, null=True, default=None)  # NULL: a legacy SHA-256 link; "hmac-sha256": keyed (common/audit.py)


TABLES = [AuditEvent]
