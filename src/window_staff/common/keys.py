"""Keys kept outside the database (base64 of 32 bytes): the vault key read for every domain that seals data with it,
and new key files for the vault and the audit chain."""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

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


def write_key_file(path: Path) -> bool:
    """Create ``path`` with a new random key, readable by the owner only; False if it already exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: never overwrite a key, which would leave everything sealed with the old one unreadable.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode() + "\n")
    return True
