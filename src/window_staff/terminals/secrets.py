"""Terminal HMAC secrets: made here, shown once, kept sealed with the vault key (never in clear)."""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from window_staff.biometrics.vault import load_key
from window_staff.common.context import AppContext
from window_staff.common.errors import Unavailable

SECRET_BYTES = 32
_AD = b"window-staff/terminal-secret/v1|"


def new_secret() -> bytes:
    """A fresh 256-bit HMAC secret."""
    return secrets.token_bytes(SECRET_BYTES)


def _aead(ctx: AppContext) -> AESGCM:
    cached = ctx.resources.get("terminal_aead")
    if cached is None:
        key = load_key(ctx.settings)
        if key is None:
            raise Unavailable("set WINDOW_STAFF_VAULT_KEY or WINDOW_STAFF_VAULT_KEY_FILE to use terminal secrets", code="vault_key_missing")
        cached = ctx.resources["terminal_aead"] = AESGCM(key)
    return cached


def seal(ctx: AppContext, secret: bytes, *, terminal_id: int) -> tuple[bytes, bytes]:
    """Encrypt a secret bound to its terminal; returns (ciphertext, nonce)."""
    nonce = secrets.token_bytes(12)
    return _aead(ctx).encrypt(nonce, secret, _AD + str(terminal_id).encode()), nonce


def unseal(ctx: AppContext, ciphertext: bytes, *, nonce: bytes, terminal_id: int) -> bytes | None:
    """Decrypt a terminal's secret, or None when it does not belong to that terminal or key."""
    try:
        return _aead(ctx).decrypt(bytes(nonce), bytes(ciphertext), _AD + str(terminal_id).encode())
    except (InvalidTag, ValueError):
        return None
