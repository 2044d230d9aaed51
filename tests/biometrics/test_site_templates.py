"""Enrolled fingerprint templates are built once per process and site and follow the site's gallery version.

Another process is another context on the same database: its own caches, the same rows.
"""

from __future__ import annotations

import msgspec
import pytest

from tests.factories import make_staff, make_window
from window_staff.biometrics import matching, service
from window_staff.biometrics.built import BUILDS
from window_staff.common.context import AppContext

from .samples import encoding, enrol, finger, iso, moved


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


def probe(site_id: int, face: str, seed: int) -> dict:
    return {"site_id": site_id, "face_encoding": encoding(face), "fingerprint_record": iso(moved(finger(seed)))}


async def test_a_process_loads_the_stored_built_templates_of_its_site_and_builds_none(ctx, site):
    site_id, grace, astro = site
    other = another_process(ctx)
    before = BUILDS.copy()
    await matching.site_templates(other, site_id)  # the gallery load (at start-up, or the first check-in)
    assert (BUILDS["enrolled"] - before["enrolled"], BUILDS["loaded"] - before["loaded"]) == (0, 2)
    decisions = [await service.identify(other, **probe(site_id, face, seed)) for face, seed in [("grace", 1), ("astronaut", 2)] * 3]
    assert [d.staff_id for d in decisions] == [grace.id, astro.id] * 3
    assert BUILDS["enrolled"] == before["enrolled"]


async def test_impressions_enrolled_by_this_process_are_neither_built_nor_read_again(ctx, site):
    site_id, grace, _ = site
    before = BUILDS.copy()
    assert (await service.identify(ctx, **probe(site_id, "grace", 1))).staff_id == grace.id
    assert (BUILDS["enrolled"], BUILDS["loaded"]) == (before["enrolled"], before["loaded"])


async def test_an_enrolment_elsewhere_makes_the_next_decision_read_only_the_new_impression(ctx, site):
    site_id, grace, astro = site
    other = another_process(ctx)
    await matching.site_templates(other, site_id)
    newcomer = await make_staff(ctx, window=await make_window(ctx, site_id=site_id))
    await enrol(ctx, newcomer.id, finger_seed=3)
    before = BUILDS.copy()
    assert (await service.identify(other, **probe(site_id, "grace", 1))).staff_id == grace.id
    assert (BUILDS["enrolled"] - before["enrolled"], BUILDS["loaded"] - before["loaded"]) == (0, 1)
    kept = matching.galleries(other).peek(site_id)
    assert kept is not None and set(kept.fingers) == {grace.id, astro.id, newcomer.id}


async def test_after_a_withdrawal_elsewhere_the_persons_templates_are_gone_from_the_next_decision(ctx, site):
    site_id, grace, astro = site
    other = another_process(ctx)
    assert (await service.identify(other, **probe(site_id, "grace", 1))).staff_id == grace.id
    await service.withdraw_consent(ctx, grace.id, "fingerprint", actor="test")
    decision = await service.identify(other, **probe(site_id, "grace", 1))
    assert not decision.accepted and not decision.fingerprint_passed
    kept = matching.galleries(other).peek(site_id)
    assert kept is not None and grace.id not in kept.fingers and astro.id in kept.fingers


async def test_a_process_past_its_memory_budget_keeps_the_site_in_use_and_still_decides_at_the_other(ctx, site):
    site_id, grace, _ = site
    other_window = await make_window(ctx)  # another site
    far = await make_staff(ctx, window=other_window)
    await enrol(ctx, far.id, face="astronaut", finger_seed=4)
    small = AppContext(settings=msgspec.structs.replace(ctx.settings, gallery_memory_mb=1), engine=ctx.engine, clock=ctx.clock)
    assert matching.galleries(small).budget_bytes == 1_000_000
    matching.galleries(small).budget_bytes = 1_000  # two sites of one person each are well under a megabyte
    await matching.site_templates(small, site_id)
    assert (await service.identify(small, **probe(other_window.site_id, "astronaut", 4))).staff_id == far.id
    cache = matching.galleries(small)
    assert cache.peek(other_window.site_id) is not None and cache.peek(site_id) is None
    assert (await service.identify(small, **probe(site_id, "grace", 1))).staff_id == grace.id
