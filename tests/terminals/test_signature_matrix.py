"""The signature policy of terminal requests, case by case: time window, nonces, keys, components, digests.

Every refusal is a 401 problem with a Date header, is logged with its reason, and burns no nonce.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging

import pytest

from tests.terminals.conftest import make_desk
from window_staff.attendance.tables import Punch
from window_staff.terminals import service as terminals
from window_staff.terminals.client import CHECK_IN_PATH, CheckInEvent, build_request
from window_staff.terminals.schemas.registry import TerminalIn
from window_staff.terminals.tables import Terminal, TerminalNonce

URL = f"http://testserver{CHECK_IN_PATH}"
LOGGER = "window_staff.terminals"


def event(desk, clock, event_id: str = "s-1") -> CheckInEvent:
    return CheckInEvent(event_id=event_id, captured_at=clock.now(), face_encoding=desk.face, fingerprint=desk.finger)


def signed(
    client,
    desk,
    clock,
    *,
    offset: int = 0,
    nonce: str | None = None,
    event_id: str = "s-1",
    serial: str | None = None,
    secret: bytes | None = None,
):
    return build_request(
        client,
        event(desk, clock, event_id),
        serial=serial or desk.serial,
        secret=secret or desk.secret,
        created=clock.now() + dt.timedelta(seconds=offset),
        nonce=nonce,
    )


def _param(value: object) -> str:
    return str(value) if isinstance(value, int) else f'"{value}"'


def hand_signed(
    client,
    desk,
    clock,
    *,
    components=("@method", "@path", "content-digest"),
    params: dict[str, object] | None = None,
    digest: str | None = None,
    digest_alg: str = "sha-256",
    secret: bytes | None = None,
):
    """Sign by hand (RFC 9421 section 2.5), so a request can break one rule while its HMAC stays right."""
    request = client.build_request(
        "POST",
        CHECK_IN_PATH,
        data={"event_id": "s-1", "captured_at": clock.now().isoformat()},
        files={
            "face_encoding": ("f", desk.face, "application/octet-stream"),
            "fingerprint": ("g", desk.finger, "application/octet-stream"),
        },
    )
    body = request.read()
    if digest is None:
        digest = f"{digest_alg}=:" + base64.b64encode(hashlib.new(digest_alg.replace("-", ""), body).digest()).decode() + ":"
    values = {"@method": "POST", "@path": CHECK_IN_PATH, "content-digest": digest}
    if params is None:
        params = {"created": int(clock.now().timestamp()), "keyid": desk.serial, "nonce": "hand-made-nonce-1", "alg": "hmac-sha256"}
    inner = "(" + " ".join(f'"{c}"' for c in components) + ")" + "".join(f";{k}={_param(v)}" for k, v in params.items())
    base = "\n".join([*(f'"{c}": {values[c]}' for c in components), f'"@signature-params": {inner}'])
    mac = base64.b64encode(hmac.new(secret or desk.secret, base.encode(), hashlib.sha256).digest()).decode()
    request.headers.update({"Content-Digest": digest, "Signature-Input": f"sig1={inner}", "Signature": f"sig1=:{mac}:"})
    return request


async def accepted(client, request) -> None:
    response = await client.send(request)
    assert response.status_code == 200, response.text
    assert response.json()["result"] == "accepted"


async def refused(client, request, caplog, *, reason: str, nonces: int = 0) -> None:
    """401 problem with Date, logged with the reason, and no nonce burned by this request."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        response = await client.send(request)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "signature_refused" and response.headers["date"]
    logged = [r.getMessage() for r in caplog.records if r.name == LOGGER and "refused" in r.getMessage()]
    assert logged and reason in logged[-1], logged
    assert await TerminalNonce.count() == nonces


# --- the clock window --------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-301, -300, -299, -1, 0, 1, 299, 300, 301])
async def test_created_is_accepted_exactly_within_300_seconds_of_the_server_clock(client, app_ctx, desk, clock, caplog, offset):
    request = signed(client, desk, clock, offset=offset)
    if abs(offset) <= 300:  # inclusive: signatures.verify refuses only when |created - now| > 300 s
        await accepted(client, request)
        assert await TerminalNonce.count() == 1
    else:
        await refused(client, request, caplog, reason="created is more than 300 s")
        assert await Punch.count() == 0


async def test_a_signature_without_created_is_refused(client, app_ctx, desk, clock, caplog):
    params = {"keyid": desk.serial, "nonce": "hand-made-nonce-1", "alg": "hmac-sha256"}
    await refused(client, hand_signed(client, desk, clock, params=params), caplog, reason='"created"')


async def test_a_signature_without_nonce_is_refused(client, app_ctx, desk, clock, caplog):
    params = {"created": int(clock.now().timestamp()), "keyid": desk.serial, "alg": "hmac-sha256"}
    await refused(client, hand_signed(client, desk, clock, params=params), caplog, reason="nonce")


async def test_the_hand_signer_itself_is_accepted(client, app_ctx, desk, clock):
    # Control for the hand-made cases below: with every rule kept, the same signer passes.
    await accepted(client, hand_signed(client, desk, clock))


# --- nonces ------------------------------------------------------------------------------------


async def test_a_nonce_reused_within_the_window_is_refused(client, app_ctx, desk, clock, caplog):
    await accepted(client, signed(client, desk, clock, nonce="nonce-reused-1"))
    clock.advance(seconds=120)
    await refused(client, signed(client, desk, clock, nonce="nonce-reused-1", event_id="s-2"), caplog, reason="nonce replayed", nonces=1)
    assert await Punch.count() == 1


async def test_the_same_nonce_on_two_terminals_is_allowed(client, app_ctx, desk, clock):
    # The unique key is (terminal, nonce): terminals pick nonces independently.
    other = await make_desk(app_ctx, seed=2)
    await accepted(client, signed(client, desk, clock, nonce="shared-nonce-1"))
    await accepted(client, signed(client, other, clock, nonce="shared-nonce-1"))
    assert await TerminalNonce.count() == 2


async def test_a_replay_after_the_window_is_refused_by_its_created_time(client, app_ctx, desk, clock, caplog):
    request = signed(client, desk, clock, nonce="nonce-old-1")
    await accepted(client, request)
    clock.advance(seconds=301)
    await refused(client, request, caplog, reason="created is more than 300 s", nonces=1)
    # Once the nonce table forgets it (600 s), the nonce may serve a fresh signature again.
    clock.advance(seconds=300)
    await accepted(client, signed(client, desk, clock, nonce="nonce-old-1", event_id="s-2"))


async def test_a_refused_signature_does_not_burn_its_nonce(client, app_ctx, desk, clock, caplog):
    await refused(client, signed(client, desk, clock, nonce="nonce-kept-1", secret=b"x" * 32), caplog, reason="reason=")
    await accepted(client, signed(client, desk, clock, nonce="nonce-kept-1"))


# --- keys and terminal states ------------------------------------------------------------------


async def test_an_unknown_keyid_is_refused(client, app_ctx, desk, clock, caplog):
    await refused(client, signed(client, desk, clock, serial="NO-SUCH-SERIAL"), caplog, reason="unknown or inactive key id")


async def test_a_revoked_terminal_is_refused(client, app_ctx, desk, clock, caplog):
    terminal = await Terminal.select(Terminal.id).where(Terminal.serial == desk.serial).first()
    await terminals.revoke(app_ctx, terminal["id"], actor="test")
    await refused(client, signed(client, desk, clock), caplog, reason="status=revoked")


async def test_a_pending_terminal_is_refused_even_with_a_secret(client, app_ctx, desk, clock, caplog):
    pending = await terminals.register(app_ctx, TerminalIn(serial="T-PENDING-1", site_id=desk.site_id), actor="test")
    _, secret, _ = await terminals.issue_secret(app_ctx, pending.id, actor="test")
    await refused(client, signed(client, desk, clock, serial=pending.serial, secret=secret), caplog, reason="status=pending")


async def test_the_previous_secret_works_after_one_rotation_not_after_two(client, app_ctx, desk, clock, caplog):
    terminal = await Terminal.select(Terminal.id).where(Terminal.serial == desk.serial).first()
    _, second, _ = await terminals.issue_secret(app_ctx, terminal["id"], actor="test")
    await accepted(client, signed(client, desk, clock, event_id="r-1"))
    await accepted(client, signed(client, desk, clock, event_id="r-2", secret=second))
    _, third, _ = await terminals.issue_secret(app_ctx, terminal["id"], actor="test")
    await refused(client, signed(client, desk, clock, event_id="r-3"), caplog, reason="reason=", nonces=2)
    await accepted(client, signed(client, desk, clock, event_id="r-4", secret=second))
    await accepted(client, signed(client, desk, clock, event_id="r-5", secret=third))


# --- covered components, algorithm and digest --------------------------------------------------


async def test_a_signature_not_covering_content_digest_is_refused(client, app_ctx, desk, clock, caplog):
    await refused(client, hand_signed(client, desk, clock, components=("@method", "@path")), caplog, reason="content-digest")


@pytest.mark.parametrize("alg", ["hmac-sha512", "ed25519", None])
async def test_an_algorithm_other_than_hmac_sha256_is_refused(client, app_ctx, desk, clock, caplog, alg):
    params: dict[str, object] = {"created": int(clock.now().timestamp()), "keyid": desk.serial, "nonce": "hand-made-nonce-1"}
    if alg:
        params["alg"] = alg
    await refused(client, hand_signed(client, desk, clock, params=params), caplog, reason="alg" if alg is None else "algorithm")


async def test_a_content_digest_that_does_not_match_the_body_is_refused(client, app_ctx, desk, clock, caplog):
    wrong = "sha-256=:" + base64.b64encode(hashlib.sha256(b"another body").digest()).decode() + ":"
    await refused(client, hand_signed(client, desk, clock, digest=wrong), caplog, reason="does not match")


async def test_a_content_digest_with_sha512_only_is_refused(client, app_ctx, desk, clock, caplog):
    # A correct sha-512 digest of this very body, correctly signed: refused only for lacking sha-256.
    await refused(client, hand_signed(client, desk, clock, digest_alg="sha-512"), caplog, reason="no sha-256 member")


@pytest.mark.parametrize(
    "headers",
    [
        {"Signature-Input": "garbage((("},
        {"Signature": "sig1=:not base64!:"},
        {"Signature-Input": 'sig1=("@method");keyid="T"', "Signature": "sig1=:AAAA:"},
    ],
    ids=["garbage-input", "garbage-signature", "mismatched-label-content"],
)
async def test_garbage_signature_headers_are_401_not_500(client, app_ctx, desk, clock, caplog, headers):
    request = signed(client, desk, clock)
    request.headers.update(headers)
    await refused(client, request, caplog, reason="reason=")
