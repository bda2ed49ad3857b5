"""The service window's counters (core/counters.py): the cases of each window and the ratings of
each day, whose sums are the lengths of the committee's whole case and rating lists (two million
cases at a province's scale), kept by database triggers (migration 0008) and recounted from the
records by `guanqing counters`."""

from __future__ import annotations

from guanqing.core.counters import Counter, GroupTrigger, RowTrigger, rows_by
from guanqing.window.models import Case, Rating

CASES_BY_WINDOW = "window.cases_by_window"
RATINGS = "window.ratings"

TRIGGERS = [GroupTrigger("window_case_count", "window_case", CASES_BY_WINDOW, "window_id")]
DAY_TRIGGERS = [RowTrigger("window_rating_count", "window_rating", RATINGS, day_column="rated_on")]

# counter → the triggers that keep it (registered from WindowConfig.ready())
COUNTERS = (
    (
        Counter(
            CASES_BY_WINDOW,
            "guanqing.window.counts.recount_cases",
            by_group=True,
            rows_of="window.Case",
        ),
        TRIGGERS,
    ),
    (
        Counter(RATINGS, "guanqing.window.counts.recount_ratings", rows_of="window.Rating"),
        DAY_TRIGGERS,
    ),
)


def recount_cases() -> dict:
    return rows_by(Case.objects.all(), "window_id")


def recount_ratings() -> dict:
    return rows_by(Rating.objects.all(), "rated_on")
