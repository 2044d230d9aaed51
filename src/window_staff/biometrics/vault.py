"""The template vault: AES-256-GCM with a key from a file or the environment, never the database.

Each record gets a fresh random 96-bit nonce, and its associated data binds the staff id, the
modality and the template version, so a ciphertext copied onto another staff member's row (or
relabelled as another modality or version) fails authentication instead of decrypting.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from window_staff.biometrics.errors import TemplateUndecryptable, VaultKeyInvalid, VaultUnavailable
from window_staff.common import keys
from window_staff.common.keys import write_key_file
from window_staff.settings import Settings

KEY_BYTES = keys.KEY_BYTES
NONCE_BYTES = 12
_AD_PREFIX = b"window-staff/template/v1"


def associated_data(*, staff_id: int, modality: str, version: int, context: bytes = b"") -> bytes:
    """The bytes every ciphertext is bound to: staff id, modality and template version (and a derived record's source)."""
    parts = [_AD_PREFIX, str(int(staff_id)).encode(), modality.encode(), str(int(version)).encode()]
    # A record derived from another (a built MCC template) also names what it was derived from and how.
    return b"|".join([*parts, context] if context else parts)


def decode_key(text: str | bytes) -> bytes:
    """Decode a base64 key (surrounding whitespace allowed) and check it is 32 bytes."""
    try:
        return keys.decode_key(text)
    except keys.KeyInvalid as exc:
        raise VaultKeyInvalid(str(exc)) from None


def load_key(settings: Settings) -> bytes | None:
    """The configured key (``vault_key`` wins over ``vault_key_file``), or None when neither is set."""
    try:
        return keys.load_vault_key(settings)
    except keys.KeyInvalid as exc:
        raise VaultKeyInvalid(str(exc)) from None


class Vault:
    """Seals and opens template bytes under one AES-256-GCM key."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise VaultKeyInvalid(f"vault key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "Vault(<key hidden>)"

    def seal(self, plaintext: bytes, *, staff_id: int, modality: str, version: int, context: bytes = b"") -> tuple[bytes, bytes]:
        """Encrypt; returns (ciphertext with tag, nonce)."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        ad = associated_data(staff_id=staff_id, modality=modality, version=version, context=context)
        return self._aead.encrypt(nonce, plaintext, ad), nonce

    def open(self, ciphertext: bytes, *, nonce: bytes, staff_id: int, modality: str, version: int, context: bytes = b"") -> bytes:
        """Decrypt and authenticate, or raise TemplateUndecryptable."""
        ad = associated_data(staff_id=staff_id, modality=modality, version=version, context=context)
        try:
            return self._aead.decrypt(bytes(nonce), bytes(ciphertext), ad)
        except (InvalidTag, ValueError):
            raise TemplateUndecryptable() from None


def vault_of(settings: Settings, *, cache: dict | None = None) -> Vault:
    """The vault for these settings (cached in ``cache`` when given), or VaultUnavailable."""
    if cache is not None and isinstance(cache.get("vault"), Vault):
        return cache["vault"]
    key = load_key(settings)
    if key is None:
        raise VaultUnavailable("set WINDOW_STAFF_VAULT_KEY or WINDOW_STAFF_VAULT_KEY_FILE to enrol or match biometrics")
    vault = Vault(key)
    if cache is not None:
        cache["vault"] = vault
    return vault


def demo_vault_key(settings: Settings) -> Settings:
    """Without a configured key, the demo uses ``<data_dir>/vault.key`` (created 0600 when missing)."""
    import msgspec

    if settings.vault_key or settings.vault_key_file is not None:
        return settings
    path = settings.data_dir / "vault.key"
    if write_key_file(path):
        print(f"created biometric template key {path} (keep it apart from database backups)")
    return msgspec.structs.replace(settings, vault_key_file=path)
