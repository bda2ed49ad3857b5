"""What other work methods may read of 结对帮困, and nothing else (listed in `.importlinter`).

The ten annual pledges (十件实事) follow a pledge's target live: how many paired households were
visited before the Spring Festival.
"""

from __future__ import annotations

import datetime

from guanqing.core.calendar.workdays import lunar_to_solar, spring_festival
from guanqing.pairing.models import Visit


def households_visited_before_spring_festival(year: int) -> int:
    """Households visited at least once from 腊月初一 to 除夕 before `year`'s Spring Festival."""
    first = lunar_to_solar(year - 1, 12, 1)
    last = spring_festival(year) - datetime.timedelta(days=1)
    return (
        Visit.objects.filter(date__gte=first, date__lte=last)
        .values("pairing__household_id")
        .distinct()
        .count()
    )
