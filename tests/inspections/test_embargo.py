"""The embargo: before publication, every GET route answers the inspected staff member exactly as in a
world without the undercover finding; after publication, their own finding appears."""

import re
from zoneinfo import ZoneInfo

import pytest
from litestar.handlers import HTTPRouteHandler

from tests.factories import make_staff, make_user, make_window
from tests.inspections.support import end_visit, headers_for, log_finding, make_visit, publish
from window_staff.inspections.tables import Finding, Visit

# Routes whose answer to the staff member may change when a finding about them is published.
# (evidence photos of one's own published finding are shown to the staff member.)
MAY_CHANGE_ON_PUBLICATION = re.compile(
    r"^/api/v1/me/(findings|notifications|appeals)(/|$)|^/app/notifications$|/findings/\{finding_id:int\}/evidence$|board|exposure"
)
MUST_CHANGE_ON_PUBLICATION = {"/api/v1/me/findings", "/api/v1/me/findings/{finding_id:int}"}
VOLATILE_KEYS = {"request_id"}


def _get_routes(app):
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler) and "GET" in handler.http_methods:
                yield route.path


def _fill(path: str, ids: dict[str, int]) -> str:
    def one(match: re.Match) -> str:
        name, kind = match.group(1), match.group(2)
        if kind == "int":
            # The embargoed objects' ids, the staff member's own id; anything else gets the finding's id.
            return str(ids.get(name, ids["finding_id"]))
        return "x"

    return re.sub(r"\{(\w+):(\w+)\}", one, path)


def _clean(value):
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


async def _snapshot(client, app, headers, ids, query) -> dict[str, tuple[int, object]]:
    out = {}
    for path in sorted(set(_get_routes(app))):
        response = await client.get(_fill(path, ids), headers=headers, params=query)
        try:
            body = _clean(response.json())
        except ValueError:
            body = response.content
        out[path] = (response.status_code, body)
    return out


async def _next_id(table) -> int:
    row = await table.select(table.id).order_by(table.id, ascending=False).first()
    return (row["id"] if row else 0) + 1


@pytest.mark.slow(seconds=10)
async def test_every_get_route_is_blind_to_the_undercover_finding_until_it_is_published(client, app, app_ctx):
    # The world before the finding: the people and the window exist, the visit does not.
    lead = await make_user(app_ctx, "inspection_lead")
    inspector = await make_user(app_ctx, "inspector")
    window = await make_window(app_ctx)
    staff = await make_staff(app_ctx, window=window)
    user = await make_user(app_ctx, "staff", staff_id=staff.id)
    headers = await headers_for(client, app_ctx, user)
    client.cookies.clear()
    month = app_ctx.clock.now().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    query = {"month": month, "department_id": window.department_id, "site_id": window.site_id, "window_id": window.id, "staff_id": staff.id}
    ids = {"visit_id": await _next_id(Visit), "finding_id": await _next_id(Finding), "staff_id": staff.id}
    without = await _snapshot(client, app, headers, ids, query)

    scene = await make_visit(app_ctx, kind="undercover", window=window, inspector=inspector, lead=lead)
    finding = await log_finding(app_ctx, scene, staff_id=staff.id, item="badge_worn", severity="major")
    assert (scene.visit.id, finding.id) == (ids["visit_id"], ids["finding_id"])  # the ids probed before are the embargoed ones
    await end_visit(app_ctx, scene)
    embargoed = await _snapshot(client, app, headers, ids, query)
    assert {p: embargoed[p] for p in embargoed if embargoed[p] != without[p]} == {}

    await publish(app_ctx, scene, finding.id)
    published = await _snapshot(client, app, headers, ids, query)
    changed = {p for p in published if published[p] != embargoed[p]}
    assert MUST_CHANGE_ON_PUBLICATION <= changed
    assert {p for p in changed if not MAY_CHANGE_ON_PUBLICATION.search(p)} == set()
    assert published["/api/v1/me/findings/{finding_id:int}"][0] == 200
    assert embargoed["/api/v1/me/findings/{finding_id:int}"][0] == 404
    assert [f["id"] for f in published["/api/v1/me/findings"][1]["items"]] == [finding.id]
