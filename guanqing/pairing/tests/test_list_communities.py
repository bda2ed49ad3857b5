"""The pairing list's community filter: while the user sees at most 30 communities, one option per
community, each named in full (district and street first, as the search names it), read in the
same number of queries however many communities there are; past 30 it is a search
(pairing/tests/test_manage_pages.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import client_for
from guanqing.testing import factories as f


def _pair_in_new_community(world) -> str:
    """A pairing of the world's unit with a household of a new community in a new street;
    returns that community's full name, as the filter shows it."""
    street = f.StreetFactory(parent=world.district)
    community = f.CommunityFactory(parent=street)
    member = f.MemberFactory(unit=world.unit)
    f.PairingFactory(
        household=f.HouseholdFactory(community=community), unit=world.unit, member=member
    )
    return f"{world.district.name} {street.name} {community.name}"


def _list(user):
    client = client_for(user)
    client.get("/pairing/")  # session and caches warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/pairing/")
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["committee", "unit_admin"])
def test_list_queries_do_not_grow_with_the_communities_in_the_filter(world, role):
    user = getattr(world.users, role)
    _pair_in_new_community(world)
    _, few = _list(user)
    for _ in range(6):
        _pair_in_new_community(world)
    _, many = _list(user)
    assert few == many


def test_each_community_is_offered_by_its_full_name(world):
    names = [_pair_in_new_community(world) for _ in range(3)]
    html, _ = _list(world.users.committee)
    for name in names:
        assert f">{name}</option>" in html
