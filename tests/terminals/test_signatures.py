"""RFC 9421 request signatures: what terminals must send and what the server refuses (pure)."""

import datetime as dt

import pytest

from window_staff.terminals.signatures import SignatureRefused, SignedRequest, sign, verify

URL = "http://centre.example/api/v1/terminal/check-ins"
SECRET = b"s" * 32
NOW = dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.UTC)


def signed(body=b"payload", *, created=NOW, secret=SECRET, key_id="T-1", nonce="nonce-0001", method="POST", url=URL):
    return SignedRequest(method, url, sign(method, url, body, key_id=key_id, secret=secret, created=created, nonce=nonce))


def test_a_correct_signature_verifies_and_reports_key_and_nonce():
    result = verify(signed(), b"payload", secrets_for_key=[SECRET], now=NOW)
    assert result.key_id == "T-1" and result.nonce == "nonce-0001"


def test_either_of_two_active_secrets_verifies_during_rotation():
    assert verify(signed(), b"payload", secrets_for_key=[b"n" * 32, SECRET], now=NOW).key_id == "T-1"


def test_a_changed_body_is_refused_by_its_digest():
    with pytest.raises(SignatureRefused, match="Content-Digest"):
        verify(signed(), b"payloaX", secrets_for_key=[SECRET], now=NOW)


def test_a_wrong_secret_is_refused():
    with pytest.raises(SignatureRefused):
        verify(signed(), b"payload", secrets_for_key=[b"x" * 32], now=NOW)


def test_an_unknown_key_is_refused():
    with pytest.raises(SignatureRefused, match="unknown"):
        verify(signed(), b"payload", secrets_for_key=[], now=NOW)


@pytest.mark.parametrize("skew", [-301, 301, -3600, 86400])
def test_created_more_than_300_seconds_from_the_server_clock_is_refused(skew):
    with pytest.raises(SignatureRefused, match="300"):
        verify(signed(created=NOW + dt.timedelta(seconds=skew)), b"payload", secrets_for_key=[SECRET], now=NOW)


@pytest.mark.parametrize("skew", [-299, 0, 299])
def test_created_within_300_seconds_is_accepted(skew):
    assert verify(signed(created=NOW + dt.timedelta(seconds=skew)), b"payload", secrets_for_key=[SECRET], now=NOW)


def test_the_path_is_covered():
    request = signed()
    moved = SignedRequest("POST", "http://centre.example/api/v1/terminal/other", request.headers)
    with pytest.raises(SignatureRefused):
        verify(moved, b"payload", secrets_for_key=[SECRET], now=NOW)


def test_the_method_is_covered():
    request = signed()
    with pytest.raises(SignatureRefused):
        verify(SignedRequest("PUT", URL, request.headers), b"payload", secrets_for_key=[SECRET], now=NOW)


def test_a_missing_signature_is_refused():
    with pytest.raises(SignatureRefused, match="Signature-Input"):
        verify(SignedRequest("POST", URL, {}), b"payload", secrets_for_key=[SECRET], now=NOW)


def test_a_signature_without_a_nonce_is_refused():
    from http_message_signatures import HTTPMessageSigner, algorithms

    from window_staff.terminals.signatures import COVERED, _Keys, _Message

    message = _Message("POST", URL, {})
    HTTPMessageSigner(signature_algorithm=algorithms.HMAC_SHA256, key_resolver=_Keys({"T-1": SECRET})).sign(
        message, key_id="T-1", created=NOW, covered_component_ids=COVERED, body=b"payload"
    )
    with pytest.raises(SignatureRefused, match="nonce"):
        verify(SignedRequest("POST", URL, message.headers), b"payload", secrets_for_key=[SECRET], now=NOW)
