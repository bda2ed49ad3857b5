"""Record ids from outside — query parameters, request bodies, URL paths — are bounded to what the
database holds (1 … 2^63−1): a larger, negative or non-numeric id is a 400 naming the parameter
(a form error on the list pages) or a 404 in a path, never a 500."""

from __future__ import annotations

import importlib
import pkgutil
import re

import django_filters
import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

import guanqing
from guanqing.conftest import api_as, client_for
from guanqing.core.api.filters import IdFilter

BIG = "9223372036854775808"  # 2^63: one more than the largest BigAutoField value
NOT_IDS = [BIG, "-1", "0", "abc", "1.5", "１２", "²"]
# Numeric query parameters that are not record ids.
NOT_ID_PARAMETERS = {"page", "page_size", "cost_min", "cost_max", "workdays"}
ROLES = ["committee", "community_worker", "member", "unit_admin", "audit_admin", "system_admin"]


def _numeric_list_parameters():
    """(path, parameter) for every numeric query parameter of every API list without a path
    parameter, as the OpenAPI schema declares them."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path:
            continue
        for parameter in get.get("parameters", []):
            kind = parameter.get("schema", {}).get("type")
            if parameter["in"] == "query" and kind in ("integer", "number"):
                found.append((path, parameter["name"]))
    return found


def _client_that_reads(world, path):
    for role in ROLES:
        client = api_as(getattr(world.users, role))
        if client.get(path).status_code not in (401, 403):
            return client
    raise AssertionError(f"no role reads {path}")


def test_every_id_parameter_of_every_api_list_refuses_what_is_not_an_id(world):
    parameters = _numeric_list_parameters()
    id_parameters = [(p, n) for p, n in parameters if n not in NOT_ID_PARAMETERS]
    # 24 filters by id over 13 lists, plus ?unit= of the boards, figures and the roster
    assert len(id_parameters) >= 24, id_parameters
    failures = []
    clients = {}
    for path, name in id_parameters:
        client = clients.get(path) or clients.setdefault(path, _client_that_reads(world, path))
        for value in NOT_IDS:
            response = client.get(path, {name: value})
            body = (
                response.json() if response["Content-Type"].startswith("application/json") else {}
            )
            if response.status_code != 400 or name not in body:
                failures.append((path, name, value, response.status_code, body))
    assert failures == []


def test_numeric_parameters_that_are_not_ids_never_answer_500(world):
    for path, name in _numeric_list_parameters():
        if name not in NOT_ID_PARAMETERS - {"page", "page_size"}:
            continue
        client = _client_that_reads(world, path)
        for value in NOT_IDS:
            assert client.get(path, {name: value}).status_code in (200, 400), (path, name, value)


def _filtersets():
    for module in pkgutil.walk_packages(guanqing.__path__, "guanqing."):
        if ".tests" in module.name or module.name.endswith(("conftest", ".cli")):
            continue
        if module.name.rsplit(".", 1)[-1] in ("filters", "forms", "forms_manage", "views"):
            importlib.import_module(module.name)
    pending = list(django_filters.FilterSet.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("guanqing."):
            yield cls


def test_no_filterset_filters_by_id_with_an_unbounded_number():
    """A new `NumberFilter(field_name="x_id")` would overflow again: ids use IdFilter."""
    unbounded = []
    for filterset in _filtersets():
        model = filterset._meta.model
        for name, flt in filterset.base_filters.items():
            if not isinstance(flt, django_filters.NumberFilter) or isinstance(flt, IdFilter):
                continue
            field = django_filters.utils.get_model_field(model, flt.field_name)
            by_id = flt.field_name.endswith("_id") or (
                field is not None and (field.is_relation or field.primary_key)
            )
            if by_id:
                unbounded.append(f"{filterset.__module__}.{filterset.__name__}.{name}")
    assert unbounded == []


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/registry/members/", "unit"),
        ("/registry/party-orgs/", "unit"),
        ("/pairing/visits/", "member"),
        ("/pairing/visits/", "pairing"),
    ],
)
@pytest.mark.parametrize("value", [BIG, "-1", "abc"])
def test_list_pages_show_a_refused_id_next_to_the_filter(world, url, parameter, value):
    response = client_for(world.users.committee).get(url, {parameter: value})
    assert response.status_code == 200
    assert response.context["filterset"].errors[parameter]
    assert f'id="id_{parameter}_error"' in response.content.decode()


@pytest.fixture
def activity(world):
    from guanqing.community.tests.factories import ActivityFactory

    return ActivityFactory(community=world.community)


@pytest.mark.parametrize("value", [BIG, -1, 0, "abc", 1.5])
def test_rating_and_hours_bodies_refuse_a_member_id_out_of_range(world, activity, value):
    client = api_as(world.users.community_worker)
    rating = client.post(
        "/api/v1/community/ratings/",
        {"member": value, "term": "2026H1", "grade": "good"},
        format="json",
    )
    hours = client.post(
        "/api/v1/community/hours/",
        {"member": value, "activity": activity.pk, "hours": "1.0", "reason": "补录"},
        format="json",
    )
    for response in (rating, hours):
        assert response.status_code == 400, response.content
        assert "member" in response.json()


@pytest.mark.parametrize("value", [BIG, "-1", "abc"])
def test_a_reference_out_of_range_in_a_body_is_a_400_naming_the_field(world, value):
    response = api_as(world.users.committee).post(
        "/api/v1/pairings/",
        {"household": value, "unit": world.unit.pk, "member": world.member.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "household" in response.json()


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def _with_big_ids(route: str) -> str | None:
    url = re.sub(r"<(?:int|id|year):\w+>", BIG, route)
    url = re.sub(r"\(\?P<\w+>(?:\[\^/\.\]\+|\[0-9\]\+)\)", BIG, url)
    url = url.replace("^", "").replace("$", "").replace("<str:kind>", "member")
    url = url.replace("<str:token>", "x" * 20)
    if BIG not in url or "(?P" in url or "<" in url:
        return None
    return "/" + url


def test_an_id_beyond_the_range_in_any_path_is_a_404_never_a_500(world):
    urls = sorted({u for u in map(_with_big_ids, _routes(get_resolver().url_patterns)) if u})
    assert len(urls) > 50
    failures = []
    for role in ("committee", "community_worker", "member"):
        client: Client = client_for(getattr(world.users, role))
        for url in urls:
            for method in (client.get, client.post):
                try:
                    status = method(url, {"x": "1"}).status_code
                except Exception as exc:  # noqa: BLE001 - the test client re-raises a 500's cause
                    status = type(exc).__name__
                if status not in (302, 400, 403, 404, 405):
                    failures.append((role, method.__name__, url, status))
    assert failures == []
