"""The service answers health checks and serves a valid OpenAPI document; API answers are neither stored nor sniffed."""

import pytest


async def test_health_reports_ok_and_engine(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_openapi_document_lists_the_api(client):
    response = await client.get("/api/schema/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    assert "/api/v1/staff" in doc["paths"]
    assert "/api/v1/auth/login" in doc["paths"]


async def test_openapi_document_is_valid_openapi_3_1(client):
    from openapi_spec_validator import validate

    validate((await client.get("/api/schema/openapi.json")).json())


async def test_the_yaml_schema_is_served_too(client):
    response = await client.get("/api/schema/openapi.yaml")
    assert response.status_code == 200 and "/api/v1/staff" in response.text


@pytest.mark.parametrize("path", ["/api/schema/swagger", "/api/schema/redoc", "/api/schema/elements", "/api/schema/rapidoc"])
async def test_no_page_loading_scripts_from_a_cdn_outside_demo_mode(client, path):
    response = await client.get(path)
    assert response.status_code == 404 and "cdn" not in response.text


async def test_api_answers_are_not_stored_or_sniffed(client):
    for response in (await client.get("/health"), await client.get("/api/v1/staff"), await client.get("/api/schema/openapi.json")):
        assert response.headers["x-content-type-options"] == "nosniff"
    for response in (await client.get("/api/v1/staff"), await client.get("/api/schema/openapi.json")):
        assert response.headers["cache-control"] == "no-store"
