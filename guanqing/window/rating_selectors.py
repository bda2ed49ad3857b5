"""Reads of 好差评 that pages, the API and the services agree on: the ratings and follow-ups a user
sees, whether a case may still be rated, the rating choices by level, and a code's public URL.

A clerk sees the ratings of its windows' cases (the pages show them without the applicant, the
receipt number or the exact date) and no follow-up at all: `FollowUp.objects.visible_to` gives a
clerk no rows.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse

from guanqing.core.calendar.workdays import business_date
from guanqing.window import rules
from guanqing.window.choices import (
    BAD_LEVELS,
    DONE_STATES,
    GOOD_LEVELS,
    RatingLevel,
    RatingRound,
)
from guanqing.window.models import (
    Case,
    FollowUp,
    QuestionSet,
    Rating,
    RatingOption,
    WindowSettings,
)


def ratings_for(user) -> QuerySet[Rating]:
    """The ratings `user` sees, with their case, window, matter and chosen options."""
    return (
        Rating.objects.visible_to(user)
        .select_related("case__window__unit", "case__version__matter", "question_set")
        .prefetch_related(
            Prefetch("options", queryset=RatingOption.objects.order_by("sort_order", "id"))
        )
    )


def narrowed(
    ratings: QuerySet[Rating],
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    window: int | None = None,
    level: int | None = None,
) -> QuerySet[Rating]:
    """The ratings list's filters (`RatingFilterForm.filters`): dates as ISO strings, a window's
    and a level's number, None for a filter not set."""
    if date_from:
        ratings = ratings.filter(rated_on__gte=datetime.date.fromisoformat(date_from))
    if date_to:
        ratings = ratings.filter(rated_on__lte=datetime.date.fromisoformat(date_to))
    if window:
        ratings = ratings.filter(case__window_id=window)
    if level:
        ratings = ratings.filter(level=level)
    return ratings


def list_summary(ratings: QuerySet[Rating]) -> dict:
    """The count and 好评率 of `ratings` that the figures count (round 1, not excluded by an upheld
    appeal): above the ratings list."""
    totals = ratings.counted().aggregate(
        total=Count("pk"),
        good=Count("pk", filter=Q(level__in=GOOD_LEVELS)),
        bad=Count("pk", filter=Q(level__in=BAD_LEVELS)),
    )
    total = totals["total"]
    totals["good_rate"] = f"{totals['good'] * 100 / total:.1f}%" if total else "—"
    return totals


LIST_SUMMARY = "window.ratings_list_summary"


def list_summary_of_every_rating(*, today: str, **filters) -> dict:
    """The committee's summary of the ratings list (a snapshot: over two million ratings at a
    province's scale, `core/snapshots.py`); `today` starts a new snapshot each business day."""
    from guanqing.accounts.selectors import committee_reader

    return list_summary(narrowed(Rating.objects.visible_to(committee_reader()), **filters))


def list_summary_defaults(today: datetime.date) -> list[dict]:
    """The list as it opens: no filter."""
    return [{"today": today.isoformat()}]


def in_list_order(ratings: QuerySet[Rating], *, identified: bool) -> QuerySet[Rating]:
    """Newest first for those who may see who rated. For a clerk, whole months newest first and,
    within a month, by level, matter and row — never by day, so a row's place does not tell when
    (and so by whom) it was given."""
    if identified:
        return ratings.order_by("-rated_on", "-id")
    return ratings.order_by(
        TruncMonth("rated_on").desc(), "-level", "case__version__matter__name", "id"
    )


def follow_ups_for(user) -> QuerySet[FollowUp]:
    """The 差评 follow-ups `user` sees (none for a clerk), with the rating, case, window and
    appeal."""
    return FollowUp.objects.visible_to(user).select_related(
        "rating__case__window__unit",
        "rating__case__version__matter",
        "rating__question_set",
        "appeal",
    )


def case_rating_status(case: Case, *, today: datetime.date | None = None) -> dict:
    """Whether the case was rated (round 1), the last day it may be, and whether it may be rated
    now. Never the level: a clerk's case page must not reveal it."""
    rated = Rating.objects.filter(case_id=case.pk, round=RatingRound.CASE).exists()
    open_until = None
    if case.state in DONE_STATES and case.completed_on is not None:
        open_until = rules.rating_open_until(
            case.completed_on, WindowSettings.current().rating_window_days
        )
    today = today or business_date()
    return {
        "rated": rated,
        "open_until": open_until,
        "can_rate": open_until is not None and not rated and today <= open_until,
    }


def option_choices(question_set: QuestionSet | None = None) -> dict[int, list[RatingOption]]:
    """{level: its options in order}, 非常满意 first, of `question_set` (the current one when not
    given); every level is present, with an empty list when it has none."""
    question_set = question_set or QuestionSet.current()
    choices: dict[int, list[RatingOption]] = {
        level: [] for level in sorted(RatingLevel.values, reverse=True)
    }
    if question_set is None:
        return choices
    for option in RatingOption.objects.filter(question_set=question_set).order_by(
        "-level", "sort_order", "id"
    ):
        choices.setdefault(option.level, []).append(option)
    return choices


def code_url(request, code: str) -> str:
    """The absolute URL of the public rating page for `code` (for the link and the QR code)."""
    return request.build_absolute_uri(reverse("window:rate_code", args=[code]))


def format_code(code: str) -> str:
    """A code as printed for typing from paper: groups of four, e.g. ABCD-EFGH-JKMN-PQRS."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
