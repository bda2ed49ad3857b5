"""The wishes' counters (core/counters.py): the wishes of each community, whose sum is the length
of the committee's whole wish list, and the claims of each day (the business date of the claim),
whose sum is the length of the committee's whole claim list; kept by database triggers
(migrations 0005 and 0007) and recounted from the records by `guanqing counters`."""

from __future__ import annotations

from guanqing.core.counters import (
    Counter,
    GroupTrigger,
    RowTrigger,
    rows_by,
    rows_by_business_date,
)
from guanqing.wishes.models import Wish, WishClaim

WISHES_BY_COMMUNITY = "wishes.wishes_by_community"
CLAIMS = "wishes.claims"

TRIGGERS = [GroupTrigger("wishes_wish_count", "wishes_wish", WISHES_BY_COMMUNITY, "community_id")]
# by day: a few hundred rows a year to sum (by wish, half a million at a province's scale)
CLAIM_TRIGGERS = [
    RowTrigger("wishes_claim_count", "wishes_wishclaim", CLAIMS, day_of_time="created_at")
]

# counter → the triggers that keep it (registered from WishesConfig.ready())
COUNTERS = (
    (
        Counter(
            WISHES_BY_COMMUNITY,
            "guanqing.wishes.counts.recount_wishes",
            by_group=True,
            rows_of="wishes.Wish",
        ),
        TRIGGERS,
    ),
    (
        Counter(CLAIMS, "guanqing.wishes.counts.recount_claims", rows_of="wishes.WishClaim"),
        CLAIM_TRIGGERS,
    ),
)


def recount_wishes() -> dict:
    return rows_by(Wish.objects.all(), "community_id")


def recount_claims() -> dict:
    return rows_by_business_date(WishClaim.objects.all(), "created_at")
