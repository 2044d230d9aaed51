"""Check-in form validation happens before any matching (pure)."""

import datetime as dt

import pytest

from window_staff.terminals import checkin
from window_staff.terminals.errors import CheckInInvalid

ALLOWED = {"event_id", "captured_at", "face", "face_encoding", "fingerprint", "fingerprint_image", "dpi", "employee_no"}


def form(**fields):
    base = {"event_id": ["e-1"], "captured_at": ["2026-11-25T08:29:00+08:00"], "face_encoding": [b"\0" * 512], "fingerprint": [b"FMR\0..."]}
    base.update({k: v for k, v in fields.items() if v is not None})
    return {k: v for k, v in base.items() if v != []}


def test_a_complete_form_parses_with_capture_time_in_utc():
    data = checkin.parse(form(), allowed=ALLOWED)
    assert data.event_id == "e-1" and data.captured_at == dt.datetime(2026, 11, 25, 0, 29, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"event_id": []}, "event_id_invalid"),
        ({"event_id": ["bad id with spaces"]}, "event_id_invalid"),
        ({"captured_at": ["2026-11-25T08:29:00"]}, "captured_at_invalid"),
        ({"captured_at": ["yesterday"]}, "captured_at_invalid"),
        ({"face_encoding": []}, "face_missing"),
        ({"face": [b"\xff\xd8"]}, "face_missing"),
        ({"fingerprint": []}, "fingerprint_missing"),
        ({"fingerprint_image": [b"\x89PNG"]}, "fingerprint_missing"),
        ({"surprise": ["x"]}, "unknown_field"),
        ({"event_id": ["a", "b"]}, "field_repeated"),
        ({"employee_no": ["<script>"]}, "employee_no_invalid"),
    ],
)
def test_bad_forms_are_refused_with_a_code(fields, code):
    with pytest.raises(CheckInInvalid) as info:
        checkin.parse(form(**fields), allowed=ALLOWED)
    assert info.value.code == code


def test_a_fingerprint_image_needs_a_plausible_dpi():
    with pytest.raises(CheckInInvalid) as info:
        checkin.parse(form(fingerprint=[], fingerprint_image=[b"\x89PNG"], dpi=["72"]), allowed=ALLOWED)
    assert info.value.code == "dpi_invalid"


def test_a_capture_far_ahead_of_the_server_is_flagged():
    now = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
    assert checkin.is_future(now + dt.timedelta(minutes=10), received_at=now)
    assert not checkin.is_future(now + dt.timedelta(minutes=2), received_at=now)
