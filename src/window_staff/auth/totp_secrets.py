"""TOTP secrets at rest: sealed with AES-256-GCM under a key derived from the vault key.

The key is HKDF-derived from ``WINDOW_STAFF_VAULT_KEY`` (info ``window-staff/totp-secret/v1``), so the
bytes that seal biometric templates never seal anything else, and each ciphertext is bound to its
username. Stored form: ``v1:`` + base64(nonce + ciphertext). Without a vault key secrets are stored in
clear and a warning is logged (MFA must keep working on installations that run no biometrics); a
clear secret is sealed by the migration when a key is configured, or at its holder's next login.
"""

from __future__ import annotations

import base64
import binascii
import logging
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from window_staff.auth.errors import TotpSecretUnreadable
from window_staff.common import keys
from window_staff.common.context import AppContext
from window_staff.settings import Settings

log = logging.getLogger("window_staff.auth")

PREFIX = "v1:"
_INFO = b"window-staff/totp-secret/v1"
_NONCE_BYTES = 12


def aead_of_settings(settings: Settings) -> AESGCM | None:
    """The cipher derived from the settings' vault key, or None without one."""
    try:
        key = keys.load_vault_key(settings)
    except keys.KeyInvalid as exc:
        raise TotpSecretUnreadable(str(exc)) from None
    if key is None:
        return None
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(key))


def aead(ctx: AppContext) -> AESGCM | None:
    """The cipher for this process's settings (derived once), or None without a vault key."""
    if "totp_aead" not in ctx.resources:
        ctx.resources["totp_aead"] = aead_of_settings(ctx.settings)
    return ctx.resources["totp_aead"]


def is_sealed(stored: str) -> bool:
    """True when the stored value is a sealed secret rather than one in clear."""
    return stored.startswith(PREFIX)


def seal_with(cipher: AESGCM | None, secret: str, *, username: str) -> str:
    """The stored form of ``secret``: sealed when there is a cipher, else in clear (with a warning)."""
    if cipher is None:
        log.warning("no vault key: the TOTP secret of %s is stored in clear (set WINDOW_STAFF_VAULT_KEY)", username)
        return secret
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return PREFIX + base64.b64encode(nonce + cipher.encrypt(nonce, secret.encode(), username.encode())).decode()


def seal(ctx: AppContext, secret: str, *, username: str) -> str:
    """The stored form of a new secret under this process's key."""
    return seal_with(aead(ctx), secret, username=username)


def reveal(ctx: AppContext, stored: str, *, username: str) -> str:
    """The secret behind a stored value; TotpSecretUnreadable when it is sealed and the key is missing or another."""
    if not is_sealed(stored):
        return stored
    cipher = aead(ctx)
    if cipher is None:
        raise TotpSecretUnreadable("TOTP secrets are sealed: configure the vault key they were sealed with")
    try:
        raw = base64.b64decode(stored[len(PREFIX) :], validate=True)
        return cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], username.encode()).decode()
    except (InvalidTag, ValueError, binascii.Error):
        raise TotpSecretUnreadable("a TOTP secret does not open with the configured vault key") from None
