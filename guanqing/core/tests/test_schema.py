"""The OpenAPI schema lists every endpoint and generates without warnings; the docs page loads
only local static files."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from guanqing.conftest import api_as

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


@pytest.fixture
def schema(world):
    response = api_as(world.users.committee).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


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
    response = api_as(world.users.committee).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert assets, "the page should load its scripts and styles"
    assert all(url.startswith("/static/") for url in assets), assets
    assert not re.search(r"https?://", html)


def test_docs_page_assets_are_served(world, client):
    html = api_as(world.users.committee).get("/api/docs/").content.decode()
    for url in re.findall(r"""(?:src|href)\s*=\s*["'](/static/[^"']+)["']""", html):
        assert client.get(url).status_code == 200, url


def test_docs_page_does_not_call_the_online_validator(world):
    html = api_as(world.users.committee).get("/api/docs/").content.decode()
    assert '"validatorUrl": null' in html
