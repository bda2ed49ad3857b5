"""The OpenAPI schema lists every endpoint and generates without warnings; the docs page loads
only local static files."""

from __future__ import annotations

import re
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from guanqing.conftest import api_as, client_for
from guanqing.testing.module_rows import module_rows, module_world

EXPECTED_PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/auth/me/",
    "/api/v1/divisions/",
    "/api/v1/divisions/{id}/",
    "/api/v1/divisions/{id}/abolish/",
    "/api/v1/units/",
    "/api/v1/units/{id}/",
    "/api/v1/party-orgs/",
    "/api/v1/party-orgs/{id}/",
    "/api/v1/members/",
    "/api/v1/members/{id}/",
    "/api/v1/members/{id}/reveal/",
    "/api/v1/households/",
    "/api/v1/households/{id}/",
    "/api/v1/households/{id}/people/",
    "/api/v1/households/{id}/reveal/",
    "/api/v1/households/{id}/timeline/",
    "/api/v1/people/{id}/",
    "/api/v1/users/",
    "/api/v1/users/{id}/",
    "/api/v1/users/{id}/set-password/",
    "/api/v1/users/{id}/grant-reveal/",
    "/api/v1/security-policy/",
    "/api/v1/audit-events/",
    "/api/v1/audit-events/{id}/",
    "/api/v1/calendar/deadline/",
    "/api/v1/calendar/days/",
    "/api/v1/pairings/",
    "/api/v1/pairings/{id}/",
    "/api/v1/pairings/{id}/handover/",
    "/api/v1/pairings/{id}/compliance/",
    "/api/v1/visits/",
    "/api/v1/partnerships/",
    "/api/v1/compliance/todo/",
    "/api/v1/compliance/board/",
    "/api/v1/figures/pairing/",
    "/api/v1/notifications/",
]


def _schema(world) -> dict:
    response = api_as(world.users.committee).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


# Generating the schema takes seconds: it is asked for once, for the module.
_module_rows, schema_rows = module_rows(
    "schema_rows", lambda world: SimpleNamespace(world=world, schema=_schema(world)), pinned=False
)
world = module_world("schema_rows")


@pytest.fixture
def schema(schema_rows):
    return schema_rows.schema


def test_schema_lists_every_endpoint(schema):
    missing = [path for path in EXPECTED_PATHS if path not in schema["paths"]]
    assert missing == []


def test_schema_has_no_delete_on_the_registry(schema):
    for path, operations in schema["paths"].items():
        assert "delete" not in operations, path


def test_schema_describes_masked_id_number_and_household_fields(schema):
    household = schema["components"]["schemas"]["Household"]["properties"]
    for field in (
        "head_name",
        "id_number",
        "phone",
        "community",
        "address",
        "situation",
        "hardship_cause",
        "outlook",
        "skills",
        "needs",
        "people",
    ):
        assert field in household, field
    user = schema["components"]["schemas"]["User"]["properties"]
    assert "password" not in user
    assert "password" in schema["components"]["schemas"]["UserRequest"]["properties"]


def test_schema_generates_and_validates_without_warnings(db):
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=StringIO())
    assert "openapi:" in out.getvalue()


def test_docs_page_loads_only_local_static_files(world):
    response = client_for(world.users.committee).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert assets, "the page should load its scripts and styles"
    # static files, and the page's own start-up script (a separate answer, for the CSP)
    assert all(url.startswith("/static/") or url == "/api/docs/?script=" for url in assets), assets
    assert not re.search(r"https?://", html)


def test_docs_page_assets_are_served(world, client):
    html = client_for(world.users.committee).get("/api/docs/").content.decode()
    for url in re.findall(r"""(?:src|href)\s*=\s*["'](/static/[^"']+)["']""", html):
        assert client.get(url).status_code == 200, url


def test_docs_page_does_not_call_the_online_validator(world):
    script = client_for(world.users.committee).get("/api/docs/", {"script": ""})
    assert '"validatorUrl": null' in script.content.decode()
    assert not re.search(r"https?://", script.content.decode())


def _ref(response):
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


def test_every_operation_documents_the_errors_it_can_answer(schema):
    """403 everywhere (a bad token is refused even on open endpoints), 400 wherever there is
    input, 404 wherever a record is named in the path or a page is asked for; each with the body
    the API really sends."""
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"403": "ErrorDetail"}
            if method != "get" or any(p["in"] == "query" for p in operation.get("parameters", [])):
                expected["400"] = "ValidationErrors"
            if "{" in path or any(p["name"] == "page" for p in operation.get("parameters", [])):
                expected["404"] = "ErrorDetail"
            for code, component in expected.items():
                if code not in responses or _ref(responses[code]) != component:
                    missing.append(f"{method.upper()} {path} {code}")
    assert missing == []


def test_declared_conflicts_and_throttles_carry_the_error_body(schema):
    claim = schema["paths"]["/api/v1/wishes/{id}/claim/"]["post"]["responses"]
    assert _ref(claim["409"]) == "ErrorDetail"
    by_token = schema["paths"]["/api/v1/wishes/confirm-by-token/"]["post"]["responses"]
    assert _ref(by_token["429"]) == "ErrorDetail"
    assert _ref(by_token["400"]) == "ValidationErrors"


def test_a_unit_named_in_the_query_may_be_not_found(schema):
    for path in ("/api/v1/compliance/board/", "/api/v1/community/roster/"):
        assert _ref(schema["paths"][path]["get"]["responses"]["404"]) == "ErrorDetail", path


def test_read_only_fields_say_when_they_can_be_null_or_blank(schema):
    """A value read through a relation that may be missing is null; a choice column that may be
    empty shows "" — the schema says so instead of promising a string from the list."""
    components = schema["components"]["schemas"]
    assert components["Member"]["properties"]["home_community_name"]["nullable"] is True
    assert components["Division"]["properties"]["successor"]["nullable"] is True
    end_reason = components["Pairing"]["properties"]["end_reason"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in end_reason["oneOf"]
    for name in ("ComplianceSettings", "WishSettings"):
        assert components[name]["properties"]["updated_at"]["nullable"] is True, name
    # A list is never null, even when it is a reverse relation.
    assert "nullable" not in components["Visit"]["properties"]["photo_list"]


def test_schema_describes_the_roster_as_a_page(schema):
    ok = schema["paths"]["/api/v1/community/roster/"]["get"]["responses"]["200"]
    assert _ref(ok) == "PaginatedRosterList"
