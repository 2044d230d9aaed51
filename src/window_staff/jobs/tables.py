"""The job table: one row per piece of heavy work, from the request to its result."""

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Job(Table, tablename="job"):
    """Heavy work asked for by a person: its kind, subject, state, progress and outcome."""

    kind = Varchar(length=64)
    subject = Varchar(length=100)  # what it is about, as people say it: "2026-11", or a month and a site
    lock_key = Varchar(length=120)
    # The lock while the job is queued or running, NULL after: a unique index keeps one job per lock.
    active_lock = Varchar(length=120, null=True, default=None)
    params = Text(default="{}")
    principal = Text(default="{}")  # who asked: the job runs with their identity and roles
    state = Varchar(length=16, default="queued")
    phase = Varchar(length=32, default="")
    done = Integer(default=0)
    total = Integer(default=0)
    result = Text(null=True, default=None)
    problem = Text(null=True, default=None)
    attempts = Integer(default=0)
    owner = Varchar(length=200, default="")
    requested_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    heartbeat_at = Timestamptz(null=True, default=None)
