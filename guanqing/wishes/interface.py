"""What other work methods may read of 微心愿, and nothing else (listed in `.importlinter`).

The ten annual pledges (十件实事) follow a pledge's target live: how many wishes were fulfilled in
a year.
"""

from __future__ import annotations

from guanqing.wishes.choices import WishStatus
from guanqing.wishes.models import Wish


def fulfilled_count(year: int) -> int:
    """Wishes fulfilled (confirmed or not) in `year`, by their fulfilment time in Beijing time."""
    return Wish.objects.filter(
        status__in=(WishStatus.FULFILLED, WishStatus.CONFIRMED), fulfilled_at__year=year
    ).count()
