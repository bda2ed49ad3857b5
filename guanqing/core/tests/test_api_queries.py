"""Query-count budget for every API list: the same number of queries for 5 rows as for 25."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import api_as, api_list_queries
from guanqing.core import audit
from guanqing.testing import factories as f

# Queries a list may spend, whatever the page size (authentication is forced in these tests;
# a session or a token adds its own look-ups).
BUDGET = 6


def _divisions(world, n):
    start = 100 + world.street.children.count()
    for i in range(start, start + n):
        f.CommunityFactory(parent=world.street, code=f"330203001{i:03d}")


def _units(world, n):
    for _ in range(n):
        f.UnitFactory()


def _party_orgs(world, n):
    for _ in range(n):
        f.PartyOrgFactory(unit=world.unit, parent=world.org)


def _members(world, n):
    for _ in range(n):
        f.MemberFactory(unit=world.unit, branch=world.org, home_community=world.community)


def _households(world, n):
    for _ in range(n):
        household = f.HouseholdFactory(community=world.community)
        f.PersonFactory(household=household)
        f.PersonFactory(household=household, relation="child")


def _users(world, n):
    for _ in range(n):
        f.UserFactory(role="unit_admin", unit=world.unit)


def _audit_events(world, n):
    for _ in range(n):
        audit.record(actor=world.users.committee, action="update", obj=world.household)


def _timeline(world, n):
    _audit_events(world, n)


# (list URL, role asking, how to add n rows that role sees)
LISTS = {
    "divisions": ("/api/v1/divisions/", "unit_admin", _divisions),
    "units": ("/api/v1/units/", "committee", _units),
    "party-orgs": ("/api/v1/party-orgs/", "unit_admin", _party_orgs),
    "members-committee": ("/api/v1/members/", "committee", _members),
    "members-community": ("/api/v1/members/", "community_worker", _members),
    "households-committee": ("/api/v1/households/", "committee", _households),
    "households-community": ("/api/v1/households/", "community_worker", _households),
    "users": ("/api/v1/users/", "system_admin", _users),
    "audit-events": ("/api/v1/audit-events/", "audit_admin", _audit_events),
    "timeline": ("/api/v1/households/{household}/timeline/", "community_worker", _timeline),
}


def _count_queries(world, url, role, add_rows, n):
    add_rows(world, n)
    return api_list_queries(getattr(world.users, role), url.format(household=world.household.pk))


@pytest.mark.parametrize("name", list(LISTS))
def test_list_query_count_does_not_grow_with_rows(world, name):
    url, role, add_rows = LISTS[name]
    few, few_rows = _count_queries(world, url, role, add_rows, 5)
    many, many_rows = _count_queries(world, url, role, add_rows, 20)
    assert many_rows == few_rows + 20
    assert few == many, f"{name}: {few} queries for {few_rows} rows, {many} for {many_rows}"
    assert many <= BUDGET, f"{name}: {many} queries, budget {BUDGET}"


def test_household_people_list_is_constant_too(world):
    """The people of one household: add people to it rather than households."""
    client = api_as(world.users.committee)
    url = f"/api/v1/households/{world.household.pk}/people/"
    counts = []
    for n in (5, 20):
        for _ in range(n):
            f.PersonFactory(household=world.household)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert len(response.json()) == 26
    assert counts[0] == counts[1] <= BUDGET
