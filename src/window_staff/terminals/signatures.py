"""HTTP Message Signatures (RFC 9421) with HMAC-SHA256 and Content-Digest (RFC 9530) for terminals.

Verification uses the maintained ``http-message-signatures`` library; this module adds our policy:
the covered components, a 300 s window around *our* clock (not the library's), and key rotation.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from http_message_signatures import ContentDigest, HTTPMessageSigner, HTTPMessageVerifier, InvalidSignature, algorithms
from http_message_signatures.exceptions import HTTPMessageSignaturesException
from http_message_signatures.resolvers import HTTPSignatureKeyResolver

COVERED = ("@method", "@path", "content-digest")
ALG = "hmac-sha256"
MAX_SKEW = dt.timedelta(seconds=300)


class SignatureRefused(Exception):
    """Why a signed request was refused (for logs; the client only learns it was refused)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What the verifier needs of a request."""

    method: str
    url: str
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Verified:
    """A verified signature: who signed, when, and the nonce to check for replay."""

    key_id: str
    created: dt.datetime
    nonce: str


class _Keys(HTTPSignatureKeyResolver):
    def __init__(self, keys: Mapping[str, bytes]) -> None:
        self.keys = keys

    def resolve_public_key(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)

    def resolve_private_key(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)


class _Verifier(HTTPMessageVerifier):
    # The window is enforced against the server clock in ``verify`` below.
    require_created = True
    max_clock_skew = dt.timedelta(days=36500)


class _Message:
    def __init__(self, method: str, url: str, headers: Mapping[str, str]) -> None:
        self.method, self.url, self.headers = method, url, dict(headers)


def key_id_of(headers: Mapping[str, str]) -> str | None:
    """The ``keyid`` parameter of the Signature-Input header, without verifying anything."""
    return signature_params(headers)[0]


def signature_params(headers: Mapping[str, str]) -> tuple[str | None, str | None]:
    """``keyid`` and ``nonce`` of the first signature in Signature-Input, without verifying anything (to look them up)."""
    import http_sfv

    raw = {k.lower(): v for k, v in headers.items()}.get("signature-input")
    if not raw:
        return None, None
    try:
        parsed = http_sfv.Dictionary()
        parsed.parse(raw.encode())
    except ValueError:
        return None, None
    for member in parsed.values():
        params = getattr(member, "params", {})
        keyid = params.get("keyid")
        if isinstance(keyid, str):
            nonce = params.get("nonce")
            return keyid, nonce if isinstance(nonce, str) else None
    return None, None


def _has_sha256(digest: str) -> bool:
    import http_sfv

    parsed = http_sfv.Dictionary()
    try:
        parsed.parse(digest.encode())
    except ValueError:
        return False
    return "sha-256" in parsed


def verify(
    request: SignedRequest, body: bytes, *, secrets_for_key: Sequence[bytes], now: dt.datetime, key_id: str | None = None
) -> Verified:
    """Verify signature, covered components, digest and the time window; raises SignatureRefused.

    ``key_id``: the one ``signature_params`` already read from this request (saves parsing the header again).
    """
    key_id = key_id or key_id_of(request.headers)
    if key_id is None:
        raise SignatureRefused("missing or malformed Signature-Input")
    if not secrets_for_key:
        raise SignatureRefused("unknown or inactive key id")
    digest = {k.lower(): v for k, v in request.headers.items()}.get("content-digest")
    if digest is None:
        raise SignatureRefused("missing Content-Digest")
    try:
        ContentDigest.verify(digest, body)
    except (InvalidSignature, HTTPMessageSignaturesException, ValueError):
        raise SignatureRefused("Content-Digest does not match the body") from None
    if not _has_sha256(digest):
        # The library accepts any digest it knows (sha-512 alone); our protocol requires sha-256.
        raise SignatureRefused("Content-Digest has no sha-256 member")
    message = _Message(request.method, request.url, request.headers)
    last_error = "bad signature"
    for secret in secrets_for_key:  # two secrets are active while a terminal rotates
        verifier = _Verifier(signature_algorithm=algorithms.HMAC_SHA256, key_resolver=_Keys({key_id: secret}))
        try:
            result = verifier.verify(message, max_age=None, require_components=COVERED, body=body)[0]
        except (InvalidSignature, HTTPMessageSignaturesException, ValueError, TypeError, KeyError) as exc:
            # Garbage headers must be a refusal, never a 500: parsers raise more than their own types.
            last_error = str(exc)[:200] or "bad signature"
            continue
        params = result.parameters
        # The library accepts a signature without alg; ours must name it (RFC 9421 section 3.3.7).
        if params.get("alg") != ALG:
            raise SignatureRefused("alg parameter missing or not hmac-sha256")
        try:
            created = dt.datetime.fromtimestamp(int(params["created"]), tz=dt.UTC)
        except (KeyError, TypeError, ValueError, OverflowError, OSError):
            raise SignatureRefused("missing or out-of-range created") from None
        # Inclusive: exactly 300 s either side is accepted, 301 s is refused.
        if abs(created - now) > MAX_SKEW:
            raise SignatureRefused("created is more than 300 s from the server clock")
        nonce = params.get("nonce")
        if not isinstance(nonce, str) or not (8 <= len(nonce) <= 128):
            raise SignatureRefused("missing or malformed nonce")
        return Verified(key_id=key_id, created=created, nonce=nonce)
    raise SignatureRefused(last_error)


def sign(
    method: str,
    url: str,
    body: bytes,
    *,
    key_id: str,
    secret: bytes,
    created: dt.datetime | None = None,
    nonce: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Headers that sign a request the way terminals must (used by the simulator and tests)."""
    message = _Message(method, url, headers or {})
    signer = HTTPMessageSigner(signature_algorithm=algorithms.HMAC_SHA256, key_resolver=_Keys({key_id: secret}))
    signer.sign(
        message,
        key_id=key_id,
        created=created or dt.datetime.now(dt.UTC),
        nonce=nonce or secrets.token_urlsafe(16),
        covered_component_ids=COVERED,
        body=body,
        label="sig1",
    )
    return dict(message.headers)
