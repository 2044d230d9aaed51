"""The template vault: AES-256-GCM bound to staff, modality and version; keys from env or file."""

from __future__ import annotations

import base64
import stat

import msgspec
import pytest

from tests.factories import make_staff, make_window
from window_staff.biometrics import service
from window_staff.biometrics.errors import TemplateUndecryptable, VaultKeyInvalid, VaultUnavailable
from window_staff.biometrics.tables import BiometricTemplate
from window_staff.biometrics.vault import NONCE_BYTES, Vault, decode_key, demo_vault_key, load_key, write_key_file
from window_staff.common.context import AppContext
from window_staff.settings import load_settings

from .conftest import VAULT_KEY
from .samples import encoding, enrol, finger, iso

KEY = bytes(range(32))


def test_round_trip_with_a_fresh_nonce_each_time():
    vault = Vault(KEY)
    a, nonce_a = vault.seal(b"template", staff_id=7, modality="face", version=1)
    b, nonce_b = vault.seal(b"template", staff_id=7, modality="face", version=1)
    assert len(nonce_a) == NONCE_BYTES and nonce_a != nonce_b and a != b
    assert b"template" not in a
    assert vault.open(a, nonce=nonce_a, staff_id=7, modality="face", version=1) == b"template"


@pytest.mark.parametrize("change", [{"staff_id": 8}, {"modality": "fingerprint"}, {"version": 2}])
def test_binding_to_staff_modality_and_version(change):
    vault = Vault(KEY)
    bound = {"staff_id": 7, "modality": "face", "version": 1}
    ciphertext, nonce = vault.seal(b"template", **bound)
    with pytest.raises(TemplateUndecryptable):
        vault.open(ciphertext, nonce=nonce, **{**bound, **change})


def test_tampering_and_another_key_fail():
    vault = Vault(KEY)
    ciphertext, nonce = vault.seal(b"template", staff_id=1, modality="face", version=1)
    flipped = bytes([ciphertext[0] ^ 1]) + ciphertext[1:]
    with pytest.raises(TemplateUndecryptable):
        vault.open(flipped, nonce=nonce, staff_id=1, modality="face", version=1)
    with pytest.raises(TemplateUndecryptable):
        Vault(bytes(32)).open(ciphertext, nonce=nonce, staff_id=1, modality="face", version=1)


def test_key_decoding_is_strict():
    assert decode_key(base64.b64encode(KEY).decode() + "\n") == KEY
    with pytest.raises(VaultKeyInvalid):
        decode_key("not base64!")
    with pytest.raises(VaultKeyInvalid):
        decode_key(base64.b64encode(b"short").decode())
    assert "0001" not in repr(Vault(KEY)) and "key hidden" in repr(Vault(KEY))


def test_key_from_environment_wins_over_file(tmp_path):
    path = tmp_path / "vault.key"
    assert write_key_file(path)
    from_file = load_key(load_settings({}, vault_key_file=path))
    assert from_file is not None and len(from_file) == 32
    assert load_key(load_settings({}, vault_key_file=path, vault_key=VAULT_KEY)) == KEY
    assert load_key(load_settings({})) is None
    with pytest.raises(VaultKeyInvalid):
        load_key(load_settings({}, vault_key_file=tmp_path / "missing.key"))


def test_demo_creates_a_private_key_file_once(tmp_path):
    settings = load_settings({}, data_dir=tmp_path)
    configured = demo_vault_key(settings)
    key_file = tmp_path / "vault.key"
    assert configured.vault_key_file == key_file
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = key_file.read_bytes()
    demo_vault_key(settings)
    assert key_file.read_bytes() == first  # never overwritten: that would orphan every template
    assert demo_vault_key(load_settings({}, data_dir=tmp_path, vault_key=VAULT_KEY)).vault_key_file is None


async def test_a_ciphertext_moved_to_another_staff_member_does_not_decrypt(ctx):
    window = await make_window(ctx)
    grace, other = await make_staff(ctx, window=window), await make_staff(ctx, window=window)
    await enrol(ctx, grace.id, face="grace", finger_seed=1)
    await enrol(ctx, other.id, finger_seed=3)
    # An attacker with database access re-labels Grace's face and finger templates as the other person's.
    await BiometricTemplate.update({BiometricTemplate.staff: other.id}).where(BiometricTemplate.staff == grace.id)
    row = await BiometricTemplate.select().where(BiometricTemplate.modality == "face").first()
    with pytest.raises(TemplateUndecryptable):
        service.store.vault(ctx).open(row["ciphertext"], nonce=row["nonce"], staff_id=other.id, modality="face", version=row["version"])
    face = await service.identify(ctx, site_id=window.site_id, face_encoding=encoding("grace"), fingerprint_record=iso(finger(1)))
    assert (face.accepted, face.reason) == (False, "no_face_candidate")
    claimed = await service.identify(
        ctx,
        site_id=window.site_id,
        face_encoding=encoding("grace"),
        fingerprint_record=iso(finger(1)),
        claimed_employee_no=other.employee_no,
    )
    assert (claimed.accepted, claimed.face_passed, claimed.fingerprint_passed) == (False, False, False)


async def test_without_a_key_biometrics_answer_503_and_the_rest_works(ctx):
    ctx.settings = msgspec.structs.replace(ctx.settings, vault_key="")
    staff = await make_staff(ctx)
    with pytest.raises(VaultUnavailable):
        await service.identify(ctx, site_id=1, face_encoding=encoding("grace"), fingerprint_record=None)
    await service.grant_consent(ctx, staff.id, service.ConsentIn(modality="face", notice_version="v1"), actor="test")
    with pytest.raises(VaultUnavailable) as info:
        await service.enrol_face_encoding(ctx, staff.id, encoding=encoding("grace"), actor="test")
    assert info.value.code == "vault_key_missing"


async def _start(ctx, **changes):
    """Run the biometrics start-up (vault check only) with changed settings on the same database."""
    other = AppContext(settings=msgspec.structs.replace(ctx.settings, **changes), engine=ctx.engine, clock=ctx.clock)
    await service.start(other, pool=False)


async def test_start_up_needs_the_right_key_once_templates_exist(ctx):
    await _start(ctx, vault_key="")  # no templates yet: the service starts without biometrics
    staff = await make_staff(ctx)
    await enrol(ctx, staff.id, face="grace")
    await _start(ctx)
    with pytest.raises(RuntimeError, match="no vault key"):
        await _start(ctx, vault_key="")
    with pytest.raises(RuntimeError, match="does not open"):
        await _start(ctx, vault_key=base64.b64encode(bytes(32)).decode())
    with pytest.raises(VaultKeyInvalid):
        await _start(ctx, vault_key="garbage")
