"""Who may call each inspections route: status codes per role, on an undercover visit (the strictest case).

The actors are made and logged in once per module (``cast``, tests/inspections/conftest.py); each test
makes its own visit, led by the cast's lead for the cast's inspector at the cast's window.
"""

from dataclasses import dataclass

import pytest

from tests.factories import make_staff
from tests.inspections.conftest import Cast
from tests.inspections.support import Scene, end_visit, log_finding, make_visit, publish
from window_staff.inspections import service

ACTORS = ("anonymous", "delegate", "other_staff", "staff", "hr", "inspector_off", "inspector_on", "lead")


@dataclass
class World:
    """An undercover visit, a staff member at its window, and a logged-in client for every actor."""

    scene: Scene
    staff_id: int
    headers: dict[str, dict[str, str]]
    finding_id: int | None = None


async def _world(cast: Cast, *, start: bool = True) -> World:
    scene = await make_visit(cast.ctx, kind="undercover", window=cast.window, inspector=cast.inspector, lead=cast.lead, start=start)
    return World(scene=scene, staff_id=cast.staff_id, headers=cast.headers)


def _expect(*codes: int) -> dict[str, int]:
    return dict(zip(ACTORS, codes, strict=True))


async def _check(client, world: World, method: str, url: str, expected: dict[str, int], body=None) -> None:
    got = {}
    for actor in ACTORS:  # the one allowed actor of a write comes last
        response = await client.request(method, url, headers=world.headers[actor], json=body)
        got[actor] = response.status_code
    assert got == expected, f"{method} {url}"


def _visit_body(world: World) -> dict:
    s = world.scene
    return {
        "kind": "undercover",
        "site_id": s.window.site_id,
        "planned_at": "2030-01-01T09:00:00+08:00",
        "inspector_ids": [s.inspector.id],
        "window_ids": [s.window.id],
    }


def _finding_body(world: World, ctx) -> dict:
    return {
        "window_id": world.scene.window.id,
        "staff_id": world.staff_id,
        "item": "badge_worn",
        "observed_at": ctx.clock.now().isoformat(),
    }


DRAFT_READS = [
    ("/api/v1/inspections/checklist", _expect(401, 200, 200, 200, 200, 200, 200, 200)),
    ("/api/v1/inspections/visits", _expect(401, 403, 403, 403, 200, 200, 200, 200)),
    ("/api/v1/inspections/visits/{v}", _expect(401, 403, 403, 403, 404, 404, 200, 200)),
    ("/api/v1/inspections/visits/{v}/findings", _expect(401, 403, 403, 403, 404, 404, 200, 200)),
    ("/api/v1/inspections/findings", _expect(401, 403, 403, 403, 200, 200, 200, 200)),
    ("/api/v1/inspections/findings/{f}", _expect(401, 403, 403, 403, 404, 404, 200, 200)),
    ("/api/v1/inspections/findings/{f}/revisions", _expect(401, 403, 403, 403, 404, 404, 200, 200)),
    ("/api/v1/me/findings", _expect(401, 403, 200, 200, 403, 403, 403, 403)),
    ("/api/v1/me/findings/{f}", _expect(401, 403, 404, 404, 403, 403, 403, 403)),
    ("/api/v1/inspections/findings/{f}/evidence", _expect(401, 404, 404, 404, 404, 404, 200, 200)),
    ("/api/v1/inspections/appeals", _expect(401, 403, 403, 403, 200, 403, 403, 200)),
    ("/api/v1/inspections/board", _expect(401, 403, 403, 403, 403, 403, 403, 200)),
    ("/api/v1/board", _expect(200, 200, 200, 200, 200, 200, 200, 200)),
    ("/api/v1/me/notifications", _expect(401, 200, 200, 200, 200, 200, 200, 200)),
    ("/api/v1/me/appeals", _expect(401, 403, 200, 200, 403, 403, 403, 403)),
]

PUBLISHED_READS = [
    ("/api/v1/inspections/visits/{v}", _expect(401, 403, 403, 403, 200, 404, 200, 200)),
    ("/api/v1/inspections/visits/{v}/findings", _expect(401, 403, 403, 403, 200, 404, 200, 200)),
    ("/api/v1/inspections/findings/{f}", _expect(401, 403, 403, 403, 200, 404, 200, 200)),
    ("/api/v1/inspections/findings/{f}/revisions", _expect(401, 403, 403, 403, 200, 404, 200, 200)),
    ("/api/v1/me/findings/{f}", _expect(401, 403, 404, 200, 403, 403, 403, 403)),
    ("/api/v1/inspections/findings/{f}/evidence", _expect(401, 404, 404, 200, 200, 404, 200, 200)),
]


def _url(template: str, world: World) -> str:
    return template.replace("{v}", str(world.scene.visit.id)).replace("{f}", str(world.finding_id))


@pytest.mark.parametrize(("template", "expected"), DRAFT_READS, ids=[t for t, _ in DRAFT_READS])
async def test_reads_while_the_finding_is_an_embargoed_draft(cast, template, expected):
    world = await _world(cast)
    world.finding_id = (await log_finding(cast.ctx, world.scene, staff_id=world.staff_id)).id
    await _check(cast.client, world, "GET", _url(template, world), expected)


@pytest.mark.parametrize(("template", "expected"), PUBLISHED_READS, ids=[t for t, _ in PUBLISHED_READS])
async def test_reads_once_the_finding_is_published(cast, template, expected):
    world = await _world(cast)
    world.finding_id = (await log_finding(cast.ctx, world.scene, staff_id=world.staff_id)).id
    await publish(cast.ctx, world.scene, world.finding_id)
    await _check(cast.client, world, "GET", _url(template, world), expected)


async def test_only_the_lead_plans_a_visit(cast):
    world = await _world(cast)
    await _check(
        cast.client, world, "POST", "/api/v1/inspections/visits", _expect(401, 403, 403, 403, 403, 403, 403, 201), body=_visit_body(world)
    )


async def test_only_an_inspector_on_the_visit_starts_it(cast):
    world = await _world(cast, start=False)
    await _check(
        cast.client, world, "POST", _url("/api/v1/inspections/visits/{v}/start", world), _expect(401, 403, 403, 403, 403, 404, 200, 403)
    )


async def test_only_an_inspector_on_the_visit_ends_it(cast):
    world = await _world(cast)
    await _check(
        cast.client, world, "POST", _url("/api/v1/inspections/visits/{v}/end", world), _expect(401, 403, 403, 403, 403, 404, 200, 403)
    )


async def test_only_an_inspector_on_the_visit_logs_findings(cast):
    world = await _world(cast)
    body = _finding_body(world, cast.ctx)
    await _check(
        cast.client,
        world,
        "POST",
        _url("/api/v1/inspections/visits/{v}/findings", world),
        _expect(401, 403, 403, 403, 403, 404, 201, 403),
        body=body,
    )


@pytest.mark.parametrize(
    ("action", "method", "body"),
    [
        ("edit", "PATCH", {"revision": 1, "reason": "clearer note", "note": "badge in pocket"}),
        ("reject", "POST", {"reason": "wrong window"}),
        ("publish", "POST", None),
    ],
)
async def test_only_the_lead_reviews(cast, action, method, body):
    world = await _world(cast)
    world.finding_id = (await log_finding(cast.ctx, world.scene, staff_id=world.staff_id)).id
    await end_visit(cast.ctx, world.scene)
    url = _url("/api/v1/inspections/findings/{f}", world) + ("" if action == "edit" else f"/{action}")
    await _check(cast.client, world, method, url, _expect(401, 403, 403, 403, 403, 403, 403, 200), body=body)


async def test_a_published_finding_answers_409_to_an_edit(cast):
    world = await _world(cast)
    world.finding_id = (await log_finding(cast.ctx, world.scene, staff_id=world.staff_id)).id
    await publish(cast.ctx, world.scene, world.finding_id)
    response = await cast.client.patch(
        _url("/api/v1/inspections/findings/{f}", world), headers=world.headers["lead"], json={"revision": 2, "reason": "too late"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "finding_not_editable"


async def test_protected_fields_in_a_finding_body_are_refused(cast):
    world = await _world(cast)
    # A staff member of its own: the cast's is the subject of other tests' published findings this month.
    world.staff_id = (await make_staff(cast.ctx, window=cast.window)).id
    body = _finding_body(world, cast.ctx) | {"status": "published"}
    response = await cast.client.post(
        _url("/api/v1/inspections/visits/{v}/findings", world), headers=world.headers["inspector_on"], json=body
    )
    assert response.status_code == 400
    assert await service.month_facts(cast.ctx, staff_ids=[world.staff_id], month=cast.ctx.clock.now().date()) == []


@pytest.mark.parametrize(
    ("change", "code"), [({"item": "no_such_item"}, "checklist_item_unknown"), ({"window_id": 999999}, "window_not_covered")]
)
async def test_invalid_findings_answer_422(cast, change, code):
    world = await _world(cast)
    response = await cast.client.post(
        _url("/api/v1/inspections/visits/{v}/findings", world),
        headers=world.headers["inspector_on"],
        json=_finding_body(world, cast.ctx) | change,
    )
    assert (response.status_code, response.json()["code"]) == (422, code)
