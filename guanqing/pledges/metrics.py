"""The live metrics a pledge's target may follow: key → label, unit and a function of the year
giving a number. Each reads another work method through that method's `interface` module only
(listed in `.importlinter`), never its models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Metric:
    key: str
    label: str | Promise
    unit: str | Promise
    value: Callable[[int], int]


def _wishes_fulfilled(year: int) -> int:
    from guanqing.wishes import interface as wishes

    return wishes.fulfilled_count(year)


def _households_visited_before_spring_festival(year: int) -> int:
    from guanqing.pairing import interface as pairing

    return pairing.households_visited_before_spring_festival(year)


_metrics: dict[str, Metric] = {}


KEY_MAX = 64  # Pledge.metric's length


def register(metric: Metric) -> None:
    if len(metric.key) > KEY_MAX:  # PostgreSQL would refuse to store it
        raise ValueError(f"metric key longer than {KEY_MAX} characters: {metric.key}")
    _metrics[metric.key] = metric


def metrics() -> dict[str, Metric]:
    return dict(_metrics)


def get(key: str) -> Metric | None:
    return _metrics.get(key)


def choices() -> list[tuple[str, str]]:
    return [(m.key, str(m.label)) for m in _metrics.values()]


# A metric counts the whole city's rows (a public page shows it): at a province's scale a second
# and more, so it is read as a snapshot (core/snapshots.py), kept when it counts slowly.
SNAPSHOT = "pledges.metric"


def value(key: str, year: int) -> int:
    """The metric's number for the year (0 for a key no longer registered)."""
    if key not in _metrics:
        return 0
    from guanqing.core import snapshots

    return snapshots.read(SNAPSHOT, {"key": key, "year": year}).value


def _count(*, key: str, year: int) -> int:
    metric = _metrics.get(key)
    return int(metric.value(year)) if metric is not None else 0


def register_snapshots() -> None:
    from guanqing.core import snapshots

    def defaults(today) -> list[dict]:
        return [{"key": key, "year": today.year} for key in _metrics]

    snapshots.register(SNAPSHOT, _count, warm=defaults)


register(Metric("wishes_fulfilled", _("本年实现的微心愿"), _("个"), _wishes_fulfilled))
register(
    Metric(
        "households_visited_before_spring_festival",
        _("春节前走访的结对困难家庭"),
        _("户"),
        _households_visited_before_spring_festival,
    )
)
