"""Pure account rules."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st

from window_staff.auth import domain

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def test_privileged_roles_need_a_second_factor():
    assert domain.needs_mfa(["staff", "hr"])
    assert not domain.needs_mfa(["staff", "delegate", "auditor"])


def test_fewer_failures_than_the_limit_are_not_throttled():
    assert domain.retry_after([NOW - timedelta(minutes=1)] * 4, now=NOW, max_failures=5, window=WINDOW) is None


def test_reaching_the_limit_throttles_until_the_oldest_failure_ages_out():
    failures = [NOW - timedelta(minutes=10)] + [NOW - timedelta(minutes=1)] * 4
    assert domain.retry_after(failures, now=NOW, max_failures=5, window=WINDOW) == 5 * 60 + 1


def test_failures_outside_the_window_do_not_count():
    failures = [NOW - timedelta(minutes=20)] * 10
    assert domain.retry_after(failures, now=NOW, max_failures=5, window=WINDOW) is None


@given(st.lists(st.integers(min_value=0, max_value=899), max_size=30))
def test_retry_after_is_never_longer_than_the_window(ages):
    failures = [NOW - timedelta(seconds=a) for a in ages]
    wait = domain.retry_after(failures, now=NOW, max_failures=5, window=WINDOW)
    assert wait is None or 1 <= wait <= WINDOW.total_seconds() + 1


def test_password_hash_verifies_only_the_right_password():
    h = domain.hash_password("a long password")
    assert domain.verify_password(h, "a long password")
    assert not domain.verify_password(h, "another password")
    assert not domain.verify_password(None, "a long password")


def test_session_token_is_stored_only_as_its_digest():
    token, digest = domain.new_token()
    assert digest == domain.token_digest(token) and token not in digest and len(digest) == 64
