"""The service answers health checks and serves a valid OpenAPI document."""


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
