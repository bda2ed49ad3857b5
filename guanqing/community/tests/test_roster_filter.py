"""The roster's one FilterSet (`filters.RosterFilter`), used by the page and the API's endpoint:
both answer the same members for the same filter."""

from __future__ import annotations

import re

import pytest

from guanqing.community.tests import community_world
from guanqing.community.tests import factories as cf
from guanqing.conftest import api_as, client_for
from guanqing.testing import factories as f


@pytest.fixture
def cw(world):
    world = community_world(world)
    # 市纪委: one member not registered, one rejected
    world.nobody = f.MemberFactory(unit=world.unit, branch=world.org, name="孙八")
    rejected = f.MemberFactory(unit=world.unit, branch=world.org, home_community=world.community)
    world.rejected = cf.RegistrationFactory(member=rejected, status="rejected")
    return world


def _page_ids(user, params) -> set[int]:
    response = client_for(user).get("/community/roster/", {**params, "per_page": 100})
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'<tr data-member="(\d+)"', response.content.decode())}


def _api_ids(user, params) -> set[int]:
    response = api_as(user).get("/api/v1/community/roster/", {**params, "page_size": 500})
    assert response.status_code == 200, response.content
    return {row["member"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "params",
    [{}, {"show": "missing"}, {"show": "pending"}, {"show": "confirmed"}, {"q": "王"}],
)
def test_the_page_and_the_api_list_the_same_members(cw, params):
    admin = cw.users.unit_admin
    assert _page_ids(admin, params) == _api_ids(admin, params)


def test_missing_and_not_confirmed(cw):
    admin = cw.users.unit_admin
    missing = _api_ids(admin, {"show": "missing"})
    assert cw.nobody.pk in missing
    assert cw.rejected.member_id in missing
    assert cw.colleague.pk not in missing  # 王五 is pending: registered, waiting
    # `missing=true` (the API's older filter): everybody without a confirmed registration
    not_confirmed = _api_ids(admin, {"missing": "true"})
    assert not_confirmed == missing | {cw.colleague.pk}
    assert _page_ids(admin, {"missing": "yes"}) == not_confirmed


def test_an_unknown_show_is_ignored_by_the_page_and_refused_by_the_api(cw):
    admin = cw.users.unit_admin
    assert _page_ids(admin, {"show": "nonsense"}) == _page_ids(admin, {})
    response = api_as(admin).get("/api/v1/community/roster/", {"show": "nonsense"})
    assert response.status_code == 400
    assert "show" in response.json()
