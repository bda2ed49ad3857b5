"""The community counters (core/counters.py): the registrations of each community and the ratings
of each year, whose sums are the lengths of the committee's whole registration and rating lists
(half a million members register every half-year at a province's scale, and are rated), kept by
database triggers (migrations 0003 and 0004) and recounted from the records by `guanqing
counters`."""

from __future__ import annotations

from guanqing.community.models import Rating, Registration
from guanqing.core.counters import Counter, GroupTrigger, rows_by

REGISTRATIONS_BY_COMMUNITY = "community.registrations_by_community"
RATINGS_BY_YEAR = "community.ratings_by_year"

TRIGGERS = [
    GroupTrigger(
        "community_registration_count",
        "community_registration",
        REGISTRATIONS_BY_COMMUNITY,
        "community_id",
    )
]
RATING_TRIGGERS = [
    # by year: a handful of rows to sum for the list's length (by community, 25,000)
    GroupTrigger("community_rating_count", "community_rating", RATINGS_BY_YEAR, "year")
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
    (
        Counter(
            RATINGS_BY_YEAR,
            "guanqing.community.counts.recount_ratings",
            by_group=True,
            rows_of="community.Rating",
        ),
        RATING_TRIGGERS,
    ),
)


def recount_registrations() -> dict:
    return rows_by(Registration.objects.all(), "community_id")


def recount_ratings() -> dict:
    return rows_by(Rating.objects.all(), "year")
