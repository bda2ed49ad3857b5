"""A query-string value over QUERY_VALUE_MAX characters is refused with a 400 naming the parameter,
on pages and in the API, before any list reads it (SQLite refused a LIKE pattern of 100,000
characters: every list with a search answered 500). Up to the limit, any text is searched."""

from __future__ import annotations

import pytest

from guanqing.conftest import api_as, client_for
from guanqing.core.middleware import QUERY_VALUE_MAX
from guanqing.core.tests.test_i18n import english_client

LISTS = ["/registry/party-orgs/", "/registry/members/", "/registry/households/", "/wishes/"]
API_LISTS = ["/api/v1/members/", "/api/v1/party-orgs/", "/api/v1/households/"]


@pytest.mark.parametrize("url", LISTS)
def test_a_page_refuses_an_overlong_search_naming_it(world, url):
    client = client_for(world.users.committee)
    response = client.get(url, {"q": "长" * (QUERY_VALUE_MAX + 1)})
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        f"查询条件“q”过长：最多 {QUERY_VALUE_MAX} 个字（现有 {QUERY_VALUE_MAX + 1} 个字）" in html
    )
    assert 'data-key="query-too-long"' in html


@pytest.mark.parametrize("url", API_LISTS)
def test_the_api_refuses_an_overlong_value_in_its_own_shape(world, url):
    response = api_as(world.users.committee).get(url, {"q": "x" * 100_000, "page": "1"})
    assert response.status_code == 400
    assert list(response.json()) == ["q"]
    assert f"最多 {QUERY_VALUE_MAX} 个字" in response.json()["q"][0]


@pytest.mark.parametrize("url", LISTS + API_LISTS)
@pytest.mark.parametrize(
    "text", ["%" * QUERY_VALUE_MAX, "𠀀" * QUERY_VALUE_MAX, "_\\" * (QUERY_VALUE_MAX // 2)]
)
def test_up_to_the_limit_any_text_is_searched(world, url, text):
    client = (
        api_as(world.users.committee)
        if url.startswith("/api/")
        else client_for(world.users.committee)
    )
    assert client.get(url, {"q": text}).status_code == 200


def test_in_english_and_for_any_parameter_repeated_or_not(world):
    client = english_client(world.users.committee)
    response = client.get("/registry/members/", {"unit": ["1", "9" * (QUERY_VALUE_MAX + 1)]})
    assert response.status_code == 400
    expected = f"The query parameter “unit” is too long: at most {QUERY_VALUE_MAX} characters"
    assert expected in response.content.decode()
