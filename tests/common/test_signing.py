"""Chain-head documents: signed with Ed25519, verified against an optional pinned key."""

import base64
import json
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from window_staff.common.signing import (
    SignatureInvalid,
    SigningKeyInvalid,
    key_id,
    public_key_hex,
    sign_document,
    signing_key,
    verify_document,
)
from window_staff.errors import status_of
from window_staff.settings import load_settings

PAYLOAD = {"month": "2026-10", "chain_head": "ab" * 32, "events": 1234, "figures": {"staff": 41, "bonus_total": "18250.00"}, "名": "值"}


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


def _edit(document: bytes, change) -> bytes:
    parsed = json.loads(document)
    change(parsed)
    return json.dumps(parsed).encode()


def test_a_signed_document_verifies_and_returns_its_payload(key):
    document = sign_document(PAYLOAD, key=key)
    assert document.endswith(b"}\n")
    assert verify_document(document, public_key_hex=public_key_hex(key)) == PAYLOAD
    signature = json.loads(document)["signature"]
    assert signature["alg"] == "ed25519" and signature["key_id"] == key_id(public_key_hex(key))


def test_a_changed_payload_value_fails(key):
    document = _edit(sign_document(PAYLOAD, key=key), lambda d: d["payload"]["figures"].update(staff=42))
    with pytest.raises(SignatureInvalid, match="does not match the payload"):
        verify_document(document)


def test_a_changed_signature_fails(key):
    def flip(d):
        raw = bytearray(base64.b64decode(d["signature"]["value"]))
        raw[0] ^= 1
        d["signature"]["value"] = base64.b64encode(bytes(raw)).decode()

    with pytest.raises(SignatureInvalid, match="does not match the payload"):
        verify_document(_edit(sign_document(PAYLOAD, key=key), flip))


def test_a_document_signed_by_another_key_than_the_pinned_one_fails(key):
    other = Ed25519PrivateKey.generate()
    with pytest.raises(SignatureInvalid, match="not by the expected key"):
        verify_document(sign_document(PAYLOAD, key=other), public_key_hex=public_key_hex(key))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"payload": {', "not valid JSON"),
        (b'{"payload": {}, "payload": {}, "signature": {}}', "duplicate key 'payload'"),
        (b"[]", "not a JSON object"),
        (b'{"signature": {}}', "no 'payload' object"),
        (b'{"payload": {}, "signature": {"alg": "ed25519"}}', "missing key_id, public_key, value"),
        (b'{"payload": {}, "signature": {"alg": "rsa", "key_id": "", "public_key": "", "value": ""}}', "algorithm must be 'ed25519'"),
    ],
)
def test_a_malformed_document_fails_with_a_clear_reason(data, reason):
    with pytest.raises(SignatureInvalid, match=reason):
        verify_document(data)


def test_the_default_key_file_is_created_owner_only_and_reused(tmp_path):
    settings = load_settings({}, data_dir=tmp_path / "data")
    first = signing_key(settings)
    path = tmp_path / "data" / "signing.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public_key_hex(signing_key(settings)) == public_key_hex(first)
    assert [p.name for p in path.parent.iterdir()] == ["signing.key"]  # no temporary file left behind


@pytest.mark.parametrize(
    "content",
    [
        b"not a key\n",
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    ],
    ids=["garbage", "ec-key"],
)
def test_a_configured_key_file_that_is_not_an_ed25519_key_is_refused(tmp_path, content):
    path = tmp_path / "mine.key"
    path.write_bytes(content)
    settings = load_settings({"WINDOW_STAFF_SIGNING_KEY_FILE": str(path)}, data_dir=tmp_path)
    with pytest.raises(SigningKeyInvalid, match="WINDOW_STAFF_SIGNING_KEY_FILE"):
        signing_key(settings)
    assert not (tmp_path / "signing.key").exists()


def test_signing_errors_map_to_503_for_the_key_and_422_for_a_document():
    assert (status_of(SigningKeyInvalid()), status_of(SignatureInvalid())) == (503, 422)
