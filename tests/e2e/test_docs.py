"""The OpenAPI document and its viewers work without the internet."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


async def test_openapi_document(client: AsyncTestClient[Any]) -> None:
    for path in ("/schema", "/schema/openapi.json"):
        response = await client.get(path)
        assert response.status_code == 200
        document = response.json()
        assert document["openapi"].startswith("3.")
        assert document["info"]["title"] == "Atelier API"
        assert "/health/ready" in document["paths"]
        assert "/api/v1/_probe" in document["paths"]
        probe_answers = document["paths"]["/api/v1/_probe"]["post"]["responses"]
        assert "application/problem+json" in probe_answers["415"]["content"]
        schemes = document["components"]["securitySchemes"]
        assert schemes["BearerToken"]["scheme"] == "bearer"


@pytest.mark.parametrize("page", ["/schema/swagger", "/schema/redoc"])
async def test_viewers_load_only_local_assets(client: AsyncTestClient[Any], page: str) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert not EXTERNAL.search(html), EXTERNAL.findall(html)
    assert "fonts.googleapis" not in html
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html)
    assert assets, "the viewer must reference its vendored assets"
    for asset in assets:
        served = await client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 10_000
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "http" not in csp  # no external origin is allowed


async def test_swagger_does_not_call_the_online_validator(client: AsyncTestClient[Any]) -> None:
    html = (await client.get("/schema/swagger")).text
    assert "validatorUrl: null" in html


async def test_vendored_licences_are_served(client: AsyncTestClient[Any]) -> None:
    for path in ("/static/vendor/swagger-ui/LICENSE", "/static/vendor/redoc/LICENSE"):
        assert (await client.get(path)).status_code == 200


async def test_static_path_traversal_is_refused(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/static/../errors.py")
    assert response.status_code in {400, 404}
    assert "PROBLEM_JSON" not in response.text


async def test_docs_can_be_disabled(client_factory: Any) -> None:
    client = await client_factory(docs_enabled=False)
    assert (await client.get("/schema/swagger")).status_code == 404
    assert (await client.get("/static/vendor/redoc/LICENSE")).status_code == 404


# -- the document tells the truth (entrypoints/http/openapi_truth.py) ---------------------------
ERROR_STATUSES = {"400", "401", "403", "404", "409", "412", "413", "415", "422", "429", "503"}


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    ]


async def test_every_error_is_one_problem_schema(client: AsyncTestClient[Any]) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (method, path, status)
        if path.startswith("/api/"):
            assert {"400", "429", "503"} <= set(responses), (method, path)
        if operation.get("security"):
            assert {"401", "403"} <= set(responses), (method, path)
        names = {p["name"] for p in operation.get("parameters", [])}
        if "If-Match" in names:
            assert {"400", "412"} <= set(responses), (method, path)
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            assert "404" in set(responses), (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "415", "422"} <= set(responses), (method, path)
        assert set(responses) - ERROR_STATUSES - {"200", "201", "202", "204"} == set()
    # a module route that declares nothing still gets the platform's answers
    probe = document["paths"]["/api/v1/_probe"]["post"]["responses"]
    assert {"400", "413", "415", "422", "429", "503"} <= set(probe)
    ready = document["paths"]["/health/ready"]["get"]["responses"]
    assert "503" in ready


async def test_no_body_where_there_is_none(client: AsyncTestClient[Any]) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    deletes = 0
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status == "204":
                assert "content" not in response, (method, path)
                deletes += method == "delete"
        if method == "get":
            head = document["paths"][path]["head"]
            assert set(head["responses"]) == set(operation["responses"])
            assert "content" not in head["responses"]["200"]
    assert deletes >= 3


async def test_names_carry_no_module_paths(client: AsyncTestClient[Any]) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    schemas = document["components"]["schemas"]
    assert not [name for name in schemas if "." in name or name.endswith("_")]
    assert {"UserPage", "EquipmentPage", "InterventionPage", "AuditPage"} <= set(schemas)
    text = (await client.get("/schema/openapi.json")).text
    assert "entrypoints." not in text
    paths = document["paths"]
    calendar = paths["/api/v1/planning/technicians/{technician_id}.ics"]["get"]
    assert calendar["parameters"][0]["name"] == "technician_id"
    assert calendar["parameters"][0]["schema"]["format"] == "uuid"
    assert "/api/v1/planning/feeds/{token}.ics" in paths
    for path, item in paths.items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert f"{{{parameter['name']}}}" in path, (method, path)


async def test_dashboard_fields_say_what_they_mean(client: AsyncTestClient[Any]) -> None:
    schemas = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    kpi = schemas["KpiRead"]["properties"]
    assert "MTTR" in kpi["mttr_hours"]["description"]
    assert "MTBF" in kpi["mtbf_hours"]["description"]
    assert "0 to 1" in kpi["on_time_rate"]["description"]
    technicians = schemas["TechnicianStats"]["properties"]
    for name in ("busy", "available", "average_load", "total"):
        assert technicians[name]["description"], name
    for component in ("InterventionStats", "EquipmentStats", "KpiRead", "TechnicianStats"):
        for name, field in schemas[component]["properties"].items():
            assert field.get("description"), (component, name)


async def test_documented_constraints_are_the_servers(client: AsyncTestClient[Any]) -> None:
    """The constraints issue 7 listed, as the document states them (the fuzz tier checks the
    server agrees on every one, both ways)."""
    from entrypoints.http.idempotency import KEY_PATTERN
    from entrypoints.http.schemas import EMAIL_PATTERN, IF_MATCH_PATTERN, INSTANT_PATTERN

    document = (await client.get("/schema/openapi.json")).json()
    paths, schemas = document["paths"], document["components"]["schemas"]

    def parameter(path: str, method: str, name: str) -> dict[str, Any]:
        found = [p for p in paths[path][method]["parameters"] if p["name"] == name]
        assert found, (method, path, name)
        return found[0]["schema"]  # type: ignore[no-any-return]

    assert parameter("/api/v1/equipment", "get", "sort")["pattern"].startswith("^(-?(")
    assert "serial_number" in parameter("/api/v1/equipment", "get", "sort")["pattern"]
    assert parameter("/api/v1/planning", "get", "from")["pattern"] == INSTANT_PATTERN
    assert parameter("/api/v1/equipment/{equipment_id}", "patch", "If-Match")["pattern"] == (
        IF_MATCH_PATTERN
    )
    assert parameter("/api/v1/equipment", "post", "Idempotency-Key")["pattern"] == KEY_PATTERN
    assert parameter("/api/v1/equipment", "get", "status") == {
        "$ref": "#/components/schemas/EquipmentStatus"
    }  # a query parameter is never JSON null
    assert schemas["RegisterBody"]["properties"]["email"]["pattern"] == EMAIL_PATTERN
    assert "Monday" in schemas["PreventiveBody"]["properties"]["week_start"]["description"]
    for component, field in [
        ("RegisterBody", "password"),
        ("UserCreate", "password"),
        ("ChangePasswordBody", "new_password"),
        ("PasswordResetConfirmBody", "new_password"),
    ]:
        password = schemas[component]["properties"][field]
        assert (password["minLength"], password["maxLength"]) == (12, 128), component
    assert schemas["LoginBody"]["properties"]["password"]["minLength"] == 1
    skills = schemas["TechnicianCreate"]["properties"]["skills"]
    assert skills["items"]["minLength"] == 1  # list items keep their constraints
    assert schemas["RegisterBody"]["additionalProperties"] == {
        "$ref": "#/components/schemas/JsonValue"
    }
    assert schemas["RegisterBody"]["properties"]["first_name"]["pattern"] == "^[^\\x00]*$"


async def test_form_text_fields_are_documented_without_nul(client: AsyncTestClient[Any]) -> None:
    """Upload forms refuse NUL in their text fields (422 ``nul_character``): their schemas say
    so, as JSON bodies do (the fuzz tier found the image title undocumented)."""
    from entrypoints.http.openapi_truth import NO_NUL

    document = (await client.get("/schema/openapi.json")).json()
    checked = 0
    for item in document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            for media_type, media in content.items():
                if not media_type.startswith("multipart/"):
                    continue
                for field in media["schema"].get("properties", {}).values():
                    if field.get("type") == "string" and not {"format", "enum"} & set(field):
                        assert field.get("pattern") == NO_NUL, field
                        checked += 1
    assert checked  # the image title at least
