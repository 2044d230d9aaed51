"""The vault key (AES-256, base64 of 32 bytes) from the settings: read here for every domain that seals data with it."""

from __future__ import annotations

import base64
import binascii

from window_staff.settings import Settings

KEY_BYTES = 32


class KeyInvalid(ValueError):
    """The configured key is not base64 of 32 bytes, or its file cannot be read."""


def decode_key(text: str | bytes) -> bytes:
    """Decode a base64 key (surrounding whitespace allowed) and check it is 32 bytes."""
    raw = text.strip() if isinstance(text, bytes) else text.strip().encode()
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise KeyInvalid("vault key is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise KeyInvalid(f"vault key must decode to {KEY_BYTES} bytes, got {len(key)}")
    return key


def load_vault_key(settings: Settings) -> bytes | None:
    """The configured key (``vault_key`` wins over ``vault_key_file``), or None when neither is set."""
    if settings.vault_key:
        return decode_key(settings.vault_key)
    if settings.vault_key_file is not None:
        try:
            text = settings.vault_key_file.read_bytes()
        except OSError as exc:
            raise KeyInvalid(f"cannot read vault key file {settings.vault_key_file}: {exc.strerror}") from None
        return decode_key(text)
    return None
