"""The community counter (core/counters.py): the registrations of each community, whose sum is the
length of the committee's whole registration list (half a million members register every
half-year at a province's scale), kept by a database trigger (migration 0003) and recounted from
the registrations by `guanqing counters`."""

from __future__ import annotations

from guanqing.community.models import Registration
from guanqing.core.counters import Counter, GroupTrigger, rows_by

REGISTRATIONS_BY_COMMUNITY = "community.registrations_by_community"

TRIGGERS = [
    GroupTrigger(
        "community_registration_count",
        "community_registration",
        REGISTRATIONS_BY_COMMUNITY,
        "community_id",
    )
]

# counter → the triggers that keep it (registered from CommunityConfig.ready())
COUNTERS = (
    (
        Counter(
            REGISTRATIONS_BY_COMMUNITY,
            "guanqing.community.counts.recount_registrations",
            by_group=True,
            rows_of="community.Registration",
        ),
        TRIGGERS,
    ),
)


def recount_registrations() -> dict:
    return rows_by(Registration.objects.all(), "community_id")
