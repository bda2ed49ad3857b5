"""The wishes' counter (core/counters.py): the wishes of each community, whose sum is the length
of the committee's whole wish list, kept by a database trigger (migration 0005) and recounted from
the wishes by `guanqing counters`."""

from __future__ import annotations

from guanqing.core.counters import Counter, GroupTrigger, rows_by
from guanqing.wishes.models import Wish

WISHES_BY_COMMUNITY = "wishes.wishes_by_community"

TRIGGERS = [GroupTrigger("wishes_wish_count", "wishes_wish", WISHES_BY_COMMUNITY, "community_id")]

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
)


def recount_wishes() -> dict:
    return rows_by(Wish.objects.all(), "community_id")
