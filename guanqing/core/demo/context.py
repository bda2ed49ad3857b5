"""What every demo builder is given."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from guanqing.core.calendar.workdays import business_date

SEED = 20140301  # the article's month: the demo's data set unless a test asks for another


def _silent(message: str) -> None:
    pass


@dataclass
class DemoContext:
    """The scale, the seed and its generator, the business date the demo is built around, and a
    progress callback. The builders share the one generator in their order: each takes what it
    draws, so a seed gives the same data set.

    `story_days` is where a builder leaves the day of a story a later builder tells too (the
    pairing demo's visit to 东钱湖 with 张国宝 is the day his micro-wish came true); everything
    else a later builder needs it reads from the database.
    """

    scale: float = 1.0
    seed: int = SEED
    today: datetime.date = field(default_factory=business_date)
    progress: Callable[[str], None] = _silent
    story_days: dict[str, datetime.date] = field(default_factory=dict)
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def fork(self) -> random.Random:
        """A generator of the builder's own, seeded by one draw from the shared one."""
        return random.Random(self.rng.random())
