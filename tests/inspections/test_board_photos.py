"""Board photos over HTTP: public only when the lead showed them, addressed by position, never by id."""

from tests.inspections.support import publish
from tests.inspections.test_evidence_api import draft, upload
from tests.inspections.test_evidence_photo import photo_jpeg
from window_staff.inspections.schemas.publication import ExposureIn
from window_staff.inspections.service import board as service_board


async def _board_with_a_photo(client, app_ctx, *, show_photos: bool):
    scene, _, finding = await draft(app_ctx)
    assert (await upload(client, app_ctx, scene, finding.id, photo_jpeg())).status_code == 201
    await publish(app_ctx, scene, finding.id)
    await service_board.choose(app_ctx, scene.lead_p, ExposureIn(finding_id=finding.id, show_photos=show_photos))
    return (await client.get("/api/v1/board")).json()["items"][0]


async def test_a_shown_photo_is_served_to_anyone_without_login(client, app_ctx):
    item = await _board_with_a_photo(client, app_ctx, show_photos=True)
    assert item["photos"] == [f"/api/v1/board/{item['id']}/photos/0"]
    photo = await client.get(item["photos"][0])
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"


async def test_photos_the_lead_did_not_show_are_neither_listed_nor_served(client, app_ctx):
    item = await _board_with_a_photo(client, app_ctx, show_photos=False)
    assert item["photos"] == []
    assert (await client.get(f"/api/v1/board/{item['id']}/photos/0")).status_code == 404
