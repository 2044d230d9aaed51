"""What one check-in asks of the database: a few reads, then every write in one transaction (counts, not times)."""

from __future__ import annotations

import msgspec
import pytest

from tests.conftest import ENGINE
from tests.terminals.conftest import face_vector
from tests.terminals.test_checkin_api import event, post
from window_staff.common.db import traced

# An accepted check-in: the terminal with its secrets, nonce and stored answer (one read), the site's gallery
# version, the person's number and name with the site's time zone; then BEGIN, nonce, punch, closed month, the audit
# event (PostgreSQL: its lock, a read of the chain's tail and the INSERT, since the keyed link is computed with the
# audit key in the service; SQLite: a read and an INSERT), the answer, COMMIT.
ACCEPTED = 12 if ENGINE == "postgres" else 11
# A refusal: no person to read and no audit event; the refusal row instead of the punch.
REJECTED = 7
# A resend: the first read finds the stored answer; its nonce is burned on its own.
RESENT = 4


@pytest.fixture
def settings(settings):
    """No job runner in this process: its start-up work (recovery, the day's audit checkpoint) would be counted too."""
    return msgspec.structs.replace(settings, job_runner="worker", job_workers=0)


def _writes(statements: list[str]) -> int:
    return sum(s.strip().upper().startswith("BEGIN") for s in statements)


async def _counted(client, app_ctx, desk, clock, ev) -> tuple[dict, list[str]]:
    clock.advance(seconds=5)
    async with traced(app_ctx.engine) as statements:
        response = await post(client, desk, ev, clock)
    assert response.status_code == 200, response.text
    return response.json(), statements


@pytest.fixture
async def warm(client, app_ctx, desk, clock):
    """One check-in first: the site's gallery loaded, the day's calendar read (each once per version or minute)."""
    await post(client, desk, event(desk, clock, event_id="warm-1"), clock)


async def test_an_accepted_check_in_is_one_write_transaction_and_eleven_statements(client, app_ctx, desk, clock, warm):
    answer, statements = await _counted(client, app_ctx, desk, clock, event(desk, clock, event_id="e-2"))
    assert answer["result"] == "accepted"
    assert (_writes(statements), len(statements)) == (1, ACCEPTED), "\n".join(statements)


async def test_a_refused_check_in_is_one_write_transaction_and_seven_statements(client, app_ctx, desk, clock, warm):
    answer, statements = await _counted(client, app_ctx, desk, clock, event(desk, clock, event_id="e-3", face_encoding=face_vector(999)))
    assert answer["result"] == "rejected"
    assert (_writes(statements), len(statements)) == (1, REJECTED), "\n".join(statements)


async def test_a_resent_check_in_is_answered_from_one_read_and_burns_its_nonce(client, app_ctx, desk, clock, warm):
    again = event(desk, clock, event_id="warm-1")
    answer, statements = await _counted(client, app_ctx, desk, clock, again)
    assert answer["event_id"] == "warm-1"
    assert (_writes(statements), len(statements)) == (1, RESENT), "\n".join(statements)
