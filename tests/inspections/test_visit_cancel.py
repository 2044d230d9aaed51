"""Cancelling a visit: the lead cancels a planned visit; a started one keeps its course."""

import pytest

from tests.inspections.support import make_visit
from tests.inspections.test_role_matrix import _check, _expect, _url, _world
from window_staff.inspections import service
from window_staff.inspections.errors import VisitStateConflict


async def test_the_lead_cancels_a_planned_visit_and_it_cannot_start(ctx):
    scene = await make_visit(ctx, start=False)
    cancelled = await service.cancel_visit(ctx, scene.visit.id, reason="人手不足", principal=scene.lead_p)
    assert cancelled.status == "cancelled"
    with pytest.raises(VisitStateConflict):
        await service.move_visit(ctx, scene.visit.id, action="start", principal=scene.inspector_p)


async def test_a_started_visit_cannot_be_cancelled(ctx):
    scene = await make_visit(ctx)
    with pytest.raises(VisitStateConflict):
        await service.cancel_visit(ctx, scene.visit.id, reason="太晚了", principal=scene.lead_p)


async def test_only_the_lead_cancels(cast):
    world = await _world(cast, start=False)
    url = _url("/api/v1/inspections/visits/{v}/cancel", world)
    await _check(cast.client, world, "POST", url, _expect(401, 403, 403, 403, 403, 403, 403, 200), body={"reason": "计划调整"})
