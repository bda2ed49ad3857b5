"""The registry's group counts (core/counters.py): the households of each community and the
members of each unit, behind the committee's home page (its totals and its charts by district and
by unit), kept by database triggers (migration 0004) and recounted by `guanqing counters`."""

from __future__ import annotations

from django.db.models import Count

from guanqing.core.counters import Counter, GroupTrigger
from guanqing.registry.models import Household, Member

HOUSEHOLDS_BY_COMMUNITY = "registry.households_by_community"
MEMBERS_BY_UNIT = "registry.members_by_unit"

TRIGGERS = [
    GroupTrigger(
        "registry_household_count", "registry_household", HOUSEHOLDS_BY_COMMUNITY, "community_id"
    ),
    GroupTrigger("registry_member_count", "registry_member", MEMBERS_BY_UNIT, "unit_id"),
]

# counter → the triggers that keep it (registered from RegistryConfig.ready())
COUNTERS = (
    (
        Counter(HOUSEHOLDS_BY_COMMUNITY, "guanqing.registry.counts.recount_households", True),
        TRIGGERS[:1],
    ),
    (Counter(MEMBERS_BY_UNIT, "guanqing.registry.counts.recount_members", True), TRIGGERS[1:]),
)


def recount_households() -> dict:
    rows = Household.objects.order_by().values("community_id").annotate(n=Count("pk"))
    return {row["community_id"]: row["n"] for row in rows}


def recount_members() -> dict:
    rows = Member.objects.order_by().values("unit_id").annotate(n=Count("pk"))
    return {row["unit_id"]: row["n"] for row in rows}
