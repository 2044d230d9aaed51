"""Built fingerprint templates are stored sealed with their records: a process reads them instead of building them.

Another process is another context on the same database: its own caches, the same rows.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.factories import make_staff, make_window
from window_staff.biometrics import matching, mcc, service
from window_staff.biometrics.built import BUILDS
from window_staff.biometrics.iso19794 import parse_record
from window_staff.biometrics.tables import BiometricTemplate
from window_staff.common.context import AppContext

from .samples import clear_forms, encoding, enrol, finger, iso, moved


@pytest.fixture
async def site(ctx):
    """Two enrolled staff at one site: Grace (finger 1) and the astronaut (finger 2), one impression each."""
    window = await make_window(ctx)
    grace = await make_staff(ctx, window=window)
    astro = await make_staff(ctx, window=window)
    await enrol(ctx, grace.id, face="grace", finger_seed=1)
    await enrol(ctx, astro.id, face="astronaut", finger_seed=2)
    return window.site_id, grace, astro


def another_process(ctx: AppContext) -> AppContext:
    """The same database and settings with caches of its own."""
    return AppContext(settings=ctx.settings, engine=ctx.engine, clock=ctx.clock)


async def _fingerprint_rows() -> list[dict]:
    return await BiometricTemplate.select().where(BiometricTemplate.modality == "fingerprint").order_by(BiometricTemplate.id)


async def _load(ctx: AppContext, site_id: int) -> tuple[int, int]:
    """(built, read) impressions while a fresh process loads the site."""
    before = BUILDS.copy()
    await matching.site_templates(another_process(ctx), site_id)
    return BUILDS["enrolled"] - before["enrolled"], BUILDS["loaded"] - before["loaded"]


async def test_enrolment_stores_each_impressions_built_template_sealed_with_the_parameters_version(ctx, site):
    rows = await _fingerprint_rows()
    assert len(rows) == 2
    for row, seed in zip(rows, (1, 2), strict=True):
        assert row["built_version"] == mcc.PARAMS_VERSION and len(row["built_nonce"]) == 12
        for clear in clear_forms(seed):
            assert clear not in bytes(row["built"])


async def test_a_fresh_process_reads_the_stored_templates_and_builds_none(ctx, site):
    assert await _load(ctx, site[0]) == (0, 2)


async def test_a_stored_template_decides_as_the_one_built_from_the_record(ctx, site):
    site_id, grace, _ = site
    other = another_process(ctx)
    loaded = (await matching.site_templates(other, site_id)).fingers[grace.id]
    built = mcc.compact(mcc.build_template(parse_record(iso(finger(1)))))
    probe = mcc.build_template(parse_record(iso(moved(finger(1)))))
    assert loaded[0][0] == 2 and np.array_equal(loaded[0][1].cylinders, built.cylinders)
    assert mcc.similarity(probe, loaded[0][1].expand()) == mcc.similarity(probe, built.expand())


async def test_a_template_built_under_other_parameters_is_built_again_and_stored_once(ctx, site):
    await BiometricTemplate.update({BiometricTemplate.built_version: "MCH1-older"}, force=True)
    assert await _load(ctx, site[0]) == (2, 0)
    assert {r["built_version"] for r in await _fingerprint_rows()} == {mcc.PARAMS_VERSION}
    assert await _load(ctx, site[0]) == (0, 2)


async def test_an_impression_enrolled_before_templates_were_stored_is_built_once_and_stored(ctx, site):
    await BiometricTemplate.update(
        {BiometricTemplate.built: None, BiometricTemplate.built_nonce: None, BiometricTemplate.built_version: None}, force=True
    )
    assert await _load(ctx, site[0]) == (2, 0)
    assert await _load(ctx, site[0]) == (0, 2)


async def test_a_built_template_moved_onto_another_impression_does_not_open_and_is_built_again(ctx, site):
    first, second = await _fingerprint_rows()
    await BiometricTemplate.update({BiometricTemplate.built: first["built"], BiometricTemplate.built_nonce: first["built_nonce"]}).where(
        BiometricTemplate.id == second["id"]
    )
    assert await _load(ctx, site[0]) == (1, 1)


async def test_a_claimed_person_from_another_site_is_decided_on_their_stored_templates(ctx, site):
    _, grace, _ = site
    elsewhere = await make_window(ctx)
    before = BUILDS.copy()
    decision = await service.identify(
        another_process(ctx),
        site_id=elsewhere.site_id,
        face_encoding=encoding("grace"),
        fingerprint_record=iso(moved(finger(1))),
        claimed_employee_no=grace.employee_no,
    )
    assert decision.staff_id == grace.id
    assert (BUILDS["enrolled"] - before["enrolled"], BUILDS["loaded"] - before["loaded"]) == (0, 1)


async def test_a_withdrawal_deletes_the_built_templates_with_the_records(ctx, site):
    _, grace, _ = site
    await service.withdraw_consent(ctx, grace.id, "fingerprint", actor="test")
    left = await BiometricTemplate.select(BiometricTemplate.staff).where(BiometricTemplate.built.is_not_null())
    assert {r["staff"] for r in left} == {site[2].id}


def test_a_compact_template_packs_and_unpacks_exactly():
    built = mcc.compact(mcc.build_template(parse_record(iso(finger(7)))))
    back = mcc.compact_from_bytes(mcc.compact_to_bytes(built))
    assert back.cylinders.dtype == np.uint16 and np.array_equal(back.cylinders, built.cylinders)
    assert np.array_equal(back.xy, built.xy) and np.array_equal(back.theta, built.theta)
    assert back.n_minutiae == built.n_minutiae


def test_the_parameters_version_changes_with_any_parameter():
    assert mcc.params_version(mcc.MccParams(w_r=0.69)) != mcc.PARAMS_VERSION == mcc.params_version(mcc.MccParams())
