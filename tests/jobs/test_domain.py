"""Pure rules of jobs: when a running job's runner is gone, and how far a job has come."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from window_staff.jobs import domain

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
STALE = timedelta(seconds=120)


def _dead_owner() -> domain.Owner:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    owner = domain.Owner(host=domain.this_process().host, pid=child.pid, started=domain.process_started(child.pid))
    child.kill()
    child.wait()
    return owner


def test_a_job_of_a_process_that_has_ended_on_this_host_is_abandoned_at_once() -> None:
    owner = _dead_owner()
    assert domain.abandoned(owner.text(), heartbeat_at=NOW, now=NOW, here=domain.this_process(), stale_after=STALE)


def test_a_job_of_a_live_process_on_this_host_is_not_abandoned_however_old_its_heartbeat() -> None:
    parent = domain.Owner(host=domain.this_process().host, pid=1, started=domain.process_started(1))
    old = NOW - timedelta(days=1)
    assert not domain.abandoned(parent.text(), heartbeat_at=old, now=NOW, here=domain.this_process(), stale_after=STALE)


def test_a_job_of_another_host_is_abandoned_only_when_its_heartbeat_is_stale() -> None:
    there = domain.Owner(host="another-host", pid=4242, started="1").text()
    here = domain.this_process()
    assert not domain.abandoned(there, heartbeat_at=NOW - timedelta(seconds=60), now=NOW, here=here, stale_after=STALE)
    assert domain.abandoned(there, heartbeat_at=NOW - timedelta(seconds=121), now=NOW, here=here, stale_after=STALE)


def test_an_owner_written_by_a_row_reads_back_the_same() -> None:
    owner = domain.this_process()
    assert domain.Owner.parse(owner.text()) == owner
    assert domain.Owner.parse("garbage") is None


def test_percent_stays_below_100_until_the_job_has_finished() -> None:
    assert domain.percent(done=0, total=0, state=domain.QUEUED) == 0
    assert domain.percent(done=4, total=4, state=domain.RUNNING) == 99
    assert domain.percent(done=2, total=5, state=domain.RUNNING) == 40
    assert domain.percent(done=0, total=5, state=domain.FAILED) == 100
