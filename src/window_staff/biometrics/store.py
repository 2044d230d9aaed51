"""Template storage: sealed rows in, opened templates out, gallery version counters.

Only this module and ``matching`` ever hold decrypted template bytes, and only in memory.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

import numpy as np
from piccolo.columns.combination import Combinable
from piccolo.engine.base import Engine

from window_staff.biometrics import mcc
from window_staff.biometrics.domain import impression_grade
from window_staff.biometrics.errors import TemplateFormatError, TemplateUndecryptable
from window_staff.biometrics.schemas import TemplateOut
from window_staff.biometrics.tables import BiometricConsent, BiometricTemplate, GalleryVersion
from window_staff.biometrics.vault import Vault, load_key, vault_of
from window_staff.common.context import AppContext
from window_staff.common.db import execute, write_transaction

log = logging.getLogger("window_staff.biometrics")
_CHUNK = 500  # ids per IN (...) list, under SQLite's bound-parameter limit


def vault(ctx: AppContext) -> Vault:
    """The process's vault (VaultUnavailable without a configured key)."""
    return vault_of(ctx.settings, cache=ctx.resources)


async def check_vault(ctx: AppContext) -> None:
    """Start-up check: a key is needed once templates exist, and it must open them (RuntimeError otherwise)."""
    key = load_key(ctx.settings)  # a malformed key raises VaultKeyInvalid here
    row = (
        await BiometricTemplate.select(
            BiometricTemplate.staff,
            BiometricTemplate.modality,
            BiometricTemplate.version,
            BiometricTemplate.ciphertext,
            BiometricTemplate.nonce,
        )
        .order_by(BiometricTemplate.id, ascending=False)
        .first()
    )
    if row is None:
        return
    if key is None:
        raise RuntimeError(
            "the database holds biometric templates but no vault key is configured "
            "(set WINDOW_STAFF_VAULT_KEY or WINDOW_STAFF_VAULT_KEY_FILE)"
        )
    try:
        vault(ctx).open(row["ciphertext"], nonce=row["nonce"], staff_id=row["staff"], modality=row["modality"], version=row["version"])
    except TemplateUndecryptable:
        raise RuntimeError("the configured vault key does not open the stored biometric templates") from None


def _template_out(r: dict[str, Any]) -> TemplateOut:
    return TemplateOut(
        id=r["id"],
        modality=r["modality"],
        finger_position=r["finger_position"],
        impression=r["impression"],
        minutiae_count=r["minutiae_count"],
        valid_cylinders=r["valid_cylinders"],
        quality=r["quality"],
        created_at=r["created_at"],
        grade=impression_grade(r["valid_cylinders"]) if r["modality"] == "fingerprint" else None,
    )


_META = (
    BiometricTemplate.id,
    BiometricTemplate.modality,
    BiometricTemplate.finger_position,
    BiometricTemplate.impression,
    BiometricTemplate.minutiae_count,
    BiometricTemplate.valid_cylinders,
    BiometricTemplate.quality,
    BiometricTemplate.created_at,
)


async def template_rows(staff_id: int, *, template_id: int | None = None) -> list[TemplateOut]:
    """Metadata of a staff member's templates (no ciphertext is even selected)."""
    where: Combinable = BiometricTemplate.staff == staff_id
    if template_id is not None:
        where = where & (BiometricTemplate.id == template_id)
    rows = await BiometricTemplate.select(*_META).where(where).order_by(BiometricTemplate.modality).order_by(BiometricTemplate.id)
    return [_template_out(r) for r in rows]


async def insert(
    *,
    staff_id: int,
    modality: str,
    version: int,
    ciphertext: bytes,
    nonce: bytes,
    now: datetime,
    actor: str,
    site_id: int | None,
    finger_position: int | None = None,
    impression: int | None = None,
    minutiae_count: int | None = None,
    valid_cylinders: int | None = None,
    quality: int | None = None,
    built: tuple[bytes, bytes] | None = None,
) -> int:
    """Insert one sealed template and bump its site's gallery (inside the caller's transaction); faces leave the fingerprint fields null.

    ``built``: a fingerprint impression's built template sealed by ``seal_built`` (ciphertext, nonce).
    """
    rows = await BiometricTemplate.insert(
        BiometricTemplate(
            staff=staff_id,
            modality=modality,
            version=version,
            ciphertext=ciphertext,
            nonce=nonce,
            created_at=now,
            created_by=actor,
            finger_position=finger_position,
            impression=impression,
            minutiae_count=minutiae_count,
            valid_cylinders=valid_cylinders,
            quality=quality,
            built=built[0] if built else None,
            built_nonce=built[1] if built else None,
            built_version=mcc.PARAMS_VERSION if built else None,
        )
    ).returning(BiometricTemplate.id)
    await bump_galleries([site_id])
    return rows[0]["id"]


async def next_impression(staff_id: int, position: int) -> int:
    """The next impression number for a finger position of a staff member."""
    rows = await BiometricTemplate.select(BiometricTemplate.impression).where(
        (BiometricTemplate.staff == staff_id)
        & (BiometricTemplate.modality == "fingerprint")
        & (BiometricTemplate.finger_position == position)
    )
    return max((r["impression"] or 0 for r in rows), default=0) + 1


async def delete_rows(
    staff_id: int, *, modality: str | None = None, template_id: int | None = None, site_ids: Iterable[int | None] = ()
) -> int:
    """Delete templates of a staff member (all, one modality, or one id) and bump galleries; returns the count."""
    where: Combinable = BiometricTemplate.staff == staff_id
    if modality is not None:
        where = where & (BiometricTemplate.modality == modality)
    if template_id is not None:
        where = where & (BiometricTemplate.id == template_id)
    deleted = await BiometricTemplate.delete().where(where).returning(BiometricTemplate.id)
    if deleted:
        await bump_galleries(site_ids)
    return len(deleted)


async def bump_galleries(site_ids: Iterable[int | None]) -> None:
    """Increment the gallery version of each site (inside the caller's transaction)."""
    for site_id in sorted({s for s in site_ids if s is not None}):
        await execute(
            GalleryVersion._meta.db,
            "INSERT INTO gallery_version (site, version) VALUES ({}, 1) ON CONFLICT (site) DO UPDATE SET version = gallery_version.version "
            "+ 1",
            site_id,
        )


async def gallery_version(site_id: int) -> int:
    """The current gallery version of a site (0 before any template)."""
    rows = await execute(GalleryVersion._meta.db, "SELECT version FROM gallery_version WHERE site = {}", site_id)
    return rows[0]["version"] if rows else 0


async def sites_with_galleries() -> list[int]:
    """Sites whose gallery has ever changed (those that may have templates)."""
    return [r["site"] for r in await GalleryVersion.select(GalleryVersion.site).order_by(GalleryVersion.site)]


async def sealed_chunks(staff_ids: list[int]) -> AsyncIterator[list[dict[str, Any]]]:
    """The sealed template rows (records and built templates) of the staff members, 500 people a query (a site's gallery load)."""
    for start in range(0, len(staff_ids), _CHUNK):
        yield (
            await BiometricTemplate.select(
                BiometricTemplate.id,
                BiometricTemplate.staff,
                BiometricTemplate.modality,
                BiometricTemplate.version,
                BiometricTemplate.ciphertext,
                BiometricTemplate.nonce,
                BiometricTemplate.built,
                BiometricTemplate.built_nonce,
                BiometricTemplate.built_version,
            )
            .where(BiometricTemplate.staff.is_in(staff_ids[start : start + _CHUNK]))
            .order_by(BiometricTemplate.id)
        )


async def sealed(staff_ids: list[int]) -> list[dict[str, Any]]:
    """Every row of ``sealed_chunks`` in one list."""
    return [row async for chunk in sealed_chunks(staff_ids) for row in chunk]


def sealed_key(*, staff_id: int, modality: str, version: int, ciphertext: bytes, nonce: bytes) -> bytes:
    """What a sealed row is, all of it: what opened it once opens it again to the same plaintext, and nothing else does.

    Staff, modality and version are the associated data the vault checks: a row moved to another person
    (or its bytes changed) has another key, so it is opened, and refused, again.
    """
    h = hashlib.sha256(f"{staff_id}:{modality}:{version}:".encode())
    h.update(bytes(nonce))
    h.update(bytes(ciphertext))
    return h.digest()


def open_row(ctx: AppContext, row: dict[str, Any]) -> bytes | None:
    """The plaintext of a row from ``sealed``; None (logged by id) when it does not decrypt."""
    try:
        box = vault(ctx)
        return box.open(row["ciphertext"], nonce=row["nonce"], staff_id=row["staff"], modality=row["modality"], version=row["version"])
    except TemplateUndecryptable:
        log.error("biometric template %s of staff %s does not decrypt; skipped", row["id"], row["staff"])
        return None


def _built_context(raw_nonce: bytes, built_version: str) -> bytes:
    # Bound to its record (whose nonce is unique) and to the parameters it was built with: a built template moved to
    # another impression or relabelled with another version does not open.
    return b"built|" + built_version.encode() + b"|" + bytes(raw_nonce)


def seal_built(
    box: Vault, position: int, template: mcc.CompactTemplate, *, staff_id: int, version: int, raw_nonce: bytes
) -> tuple[bytes, bytes]:
    """Seal an impression's built template (with its finger position) for its record's row: (ciphertext, nonce)."""
    # zlib at level 1 keeps ~45 % of the float16 bytes for ~1.7 ms; reading it back costs ~0.5 ms (a build ~7 ms).
    plain = bytes([position]) + zlib.compress(mcc.compact_to_bytes(template), 1)
    return box.seal(
        plain, staff_id=staff_id, modality="fingerprint", version=version, context=_built_context(raw_nonce, mcc.PARAMS_VERSION)
    )


def open_built(ctx: AppContext, row: dict[str, Any]) -> tuple[int, mcc.CompactTemplate] | None:
    """The stored built template of a row from ``sealed`` and its position; None when there is none of these parameters."""
    if row.get("built") is None or row.get("built_version") != mcc.PARAMS_VERSION:
        return None
    try:
        plain = vault(ctx).open(
            row["built"],
            nonce=row["built_nonce"],
            staff_id=row["staff"],
            modality=row["modality"],
            version=row["version"],
            context=_built_context(row["nonce"], row["built_version"]),
        )
        return plain[0], mcc.compact_from_bytes(zlib.decompress(plain[1:]))
    except (TemplateUndecryptable, TemplateFormatError, zlib.error, IndexError):
        log.warning("built template of biometric template %s does not open; it is built again", row["id"])
        return None


async def store_built(engine: Engine, built: list[tuple[dict[str, Any], bytes, bytes]]) -> int:
    """Keep built templates (row from ``sealed``, sealed bytes, nonce) on rows that still hold the same record; how many.

    Fifty rows a transaction (~3 MB): SQLite's writers, check-ins included, wait for no more than one batch.
    """
    stored = 0
    for start in range(0, len(built), 50):
        async with write_transaction(engine):
            for row, ciphertext, nonce in built[start : start + 50]:
                # Matched on the record's nonce too: a row erased or replaced since it was read is left alone.
                done = (
                    await BiometricTemplate.update(
                        {
                            BiometricTemplate.built: ciphertext,
                            BiometricTemplate.built_nonce: nonce,
                            BiometricTemplate.built_version: mcc.PARAMS_VERSION,
                        }
                    )
                    .where((BiometricTemplate.id == row["id"]) & (BiometricTemplate.nonce == row["nonce"]))
                    .returning(BiometricTemplate.id)
                )
                stored += len(done)
    return stored


def encoding_of(plain: bytes) -> np.ndarray:
    """A stored face plaintext back to float32 (128,)."""
    return np.frombuffer(plain, dtype="<f4").astype(np.float32)


async def counts() -> dict[str, int]:
    """Distinct staff with templates and active consents, per modality."""
    out: dict[str, int] = {}
    for modality in ("face", "fingerprint"):
        rows = await execute(
            BiometricTemplate._meta.db, "SELECT COUNT(DISTINCT staff) AS n FROM biometric_template WHERE modality = {}", modality
        )
        out[f"staff_with_{modality}"] = int(rows[0]["n"])
        out[f"active_{modality}_consents"] = await BiometricConsent.count().where(
            (BiometricConsent.modality == modality) & BiometricConsent.withdrawn_at.is_null()
        )
    return out
