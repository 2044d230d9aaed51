"""Ed25519 signatures for chain-head documents: the small JSON files HR exports when a month closes.

A document is ``{"payload": {...}, "signature": {"alg", "key_id", "public_key", "value"}}``; the
signature covers ``canonical_json(payload)`` only, so the file's own layout (indent, key order) may
change without breaking it. An outside party checks a file with ``verify_document``, pinning the
public key it was given separately: the embedded key alone proves only that *someone* signed it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from window_staff.common.audit import canonical_json
from window_staff.common.errors import InvalidInput, Unavailable
from window_staff.settings import Settings

ALG = "ed25519"
DEFAULT_KEY_NAME = "signing.key"
_PUBLIC_KEY_BYTES = 32
_SIGNATURE_BYTES = 64


class SigningKeyInvalid(Unavailable):
    """The signing key file is missing, unreadable or not an Ed25519 private key (503: an operator must fix it)."""

    code = "signing_key_invalid"
    title = "Signing key is not usable"


class SignatureInvalid(InvalidInput):
    """A signed document is malformed, altered, or signed by another key than the pinned one (422)."""

    code = "signature_invalid"
    title = "Signature is invalid"


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The configured signing key, or the default ``<data_dir>/signing.key``, created on first use."""
    if settings.signing_key_file is not None:
        # A configured path is never created: a typo there must not silently start a new key.
        return _load(settings.signing_key_file, where="WINDOW_STAFF_SIGNING_KEY_FILE")
    path = settings.data_dir / DEFAULT_KEY_NAME
    where = f"the default signing key (<data dir>/{DEFAULT_KEY_NAME})"
    if not path.exists():
        _create(path, where=where)
    return _load(path, where=where)


def public_key_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw 32-byte public key, as lowercase hex."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def key_id(public_hex: str) -> str:
    """A short name for a public key: the first 16 hex characters of SHA-256 of its raw bytes."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:16]


def sign_document(payload: Mapping[str, Any], *, key: Ed25519PrivateKey) -> bytes:
    """The signed document for ``payload``: sorted, indented UTF-8 JSON ending in a newline."""
    # Sign what a reader will parse back (tuples become lists, dates strings), so verification
    # recomputes exactly the signed bytes; allow_nan=False keeps the file strict JSON for outsiders.
    normal = json.loads(json.dumps(payload, default=str, allow_nan=False))
    public_hex = public_key_hex(key)
    signature = key.sign(canonical_json(normal).encode())
    document = {
        "payload": normal,
        "signature": {"alg": ALG, "key_id": key_id(public_hex), "public_key": public_hex, "value": base64.b64encode(signature).decode()},
    }
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def verify_document(data: bytes, *, public_key_hex: str | None = None) -> dict[str, Any]:
    """The payload of a signed document, or SignatureInvalid naming what does not hold."""
    pinned = _pinned(public_key_hex)
    document = _parse(data)
    payload, signature = document.get("payload"), document.get("signature")
    if not isinstance(payload, dict):
        raise SignatureInvalid("document has no 'payload' object")
    if not isinstance(signature, dict):
        raise SignatureInvalid("document has no 'signature' object")
    names = ("alg", "key_id", "public_key", "value")
    fields: dict[str, str] = {name: value for name in names if isinstance(value := signature.get(name), str)}
    missing = [name for name in names if name not in fields]
    if missing:
        raise SignatureInvalid(f"signature is missing {', '.join(missing)}")
    if fields["alg"] != ALG:
        raise SignatureInvalid(f"signature algorithm must be {ALG!r}, got {fields['alg']!r}")
    raw_public = _public_bytes(fields["public_key"])
    if fields["key_id"] != key_id(raw_public.hex()):
        raise SignatureInvalid("signature key_id does not match its public key")
    if pinned is not None and raw_public != pinned:
        raise SignatureInvalid(f"signed by key {key_id(raw_public.hex())}, not by the expected key {key_id(pinned.hex())}")
    try:
        value = base64.b64decode(fields["value"], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureInvalid("signature value is not valid base64") from None
    if len(value) != _SIGNATURE_BYTES:
        raise SignatureInvalid(f"signature value must be {_SIGNATURE_BYTES} bytes, got {len(value)}")
    try:
        Ed25519PublicKey.from_public_bytes(raw_public).verify(value, canonical_json(payload).encode())
    except InvalidSignature:
        raise SignatureInvalid("signature does not match the payload (the payload or the signature was altered)") from None
    return payload


def _load(path: Path, *, where: str) -> Ed25519PrivateKey:
    # Details name the setting, not the path: this error can reach an HTTP client as a problem.
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningKeyInvalid(f"cannot read {where}: {exc.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # TypeError: the PEM is encrypted; the service has no passphrase to open it with.
        raise SigningKeyInvalid(f"{where} is not an unencrypted PEM (PKCS8) private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyInvalid(f"{where} is not an Ed25519 private key (it holds {type(key).__name__.removeprefix('_')})")
    return key


def _create(path: Path, *, where: str) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp makes the file 0600; writing it whole before linking means a concurrent reader
        # never sees a half-written key.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
                fh.flush()
                os.fsync(fh.fileno())
            # link, not replace: if another process created the key first, keep theirs (documents
            # may already be signed with it) and load it instead of overwriting it.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    except OSError as exc:
        raise SigningKeyInvalid(f"cannot create {where}: {exc.strerror}") from None


def _parse(data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise SignatureInvalid("document is not UTF-8") from None
    except ValueError as exc:
        # Covers JSONDecodeError and the hooks below: other parsers keep the first duplicate, this one the
        # last, so a duplicate key could show an outside party a different payload than the one verified.
        raise SignatureInvalid(f"document is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise SignatureInvalid("document is not a JSON object")
    return document


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise ValueError(f"duplicate key {name!r}")
        result[name] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _public_bytes(text: str) -> bytes:
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise SignatureInvalid("signature public_key is not hex") from None
    if len(raw) != _PUBLIC_KEY_BYTES:
        raise SignatureInvalid(f"signature public_key must be {_PUBLIC_KEY_BYTES} bytes, got {len(raw)}")
    return raw


def _pinned(text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
    if len(raw) != _PUBLIC_KEY_BYTES:
        # The caller's own argument, not the document, is wrong: a plain ValueError, not a 422.
        raise ValueError(f"pinned public key must be {2 * _PUBLIC_KEY_BYTES} hex characters")
    return raw
