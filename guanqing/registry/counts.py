"""The registry's group counts (core/counters.py): the households of each community and the
members of each unit, behind the committee's home page (its totals and its charts by district and
by unit, and the length of the committee's whole lists), kept by database triggers (migration 0004)
and recounted by `guanqing counters`."""

from __future__ import annotations

from guanqing.core.counters import Counter, GroupTrigger, rows_by
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
        Counter(
            HOUSEHOLDS_BY_COMMUNITY,
            "guanqing.registry.counts.recount_households",
            by_group=True,
            rows_of="registry.Household",
        ),
        TRIGGERS[:1],
    ),
    (
        Counter(
            MEMBERS_BY_UNIT,
            "guanqing.registry.counts.recount_members",
            by_group=True,
            rows_of="registry.Member",
        ),
        TRIGGERS[1:],
    ),
)


def recount_households() -> dict:
    return rows_by(Household.objects.all(), "community_id")


def recount_members() -> dict:
    return rows_by(Member.objects.all(), "unit_id")
