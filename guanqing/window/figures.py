"""The service window's figures (窗口统计) of a date range, within the user's scope, and the boards
(a unit's windows; the committee's city board, every window side by side).

Definitions (the range is inclusive; every count is of cases ACCEPTED in the range, so that each
number is the case list filtered by `accepted_from`/`accepted_to`):
- accepted: cases accepted in the range (受理); immediate: of them, 即办件 (share: immediate / accepted);
- promised / statutory: the average promised and statutory limits (working days) of the versions
  the cases were accepted under; compression (压缩率) = 1 − promised / statutory;
- completed: of them, completed (办结, delivered included); early (提前办结): completed before the
  deadline, late: after it (the deadline moved by the pauses, as stored on the case); early rate =
  early / completed;
- workdays used: for each completed case, the working days of the official calendar after its
  acceptance up to and including its completion, less those inside its pauses — counted in SQL
  from the calendar table, the same definition as `rules.workdays_used`; averaged over completed;
- on track / due soon / overdue: the cases still open today, by `api.filters.timing_filter` (the same
  reading as the case list's `timing` filter).

The groups (window, item, matter, month, clerk) and the totals are sums over one GROUP BY of
`Case.objects.visible_to(user)` at the finest grain (window, matter, clerk, month), which counts each
case's working days once; a few small queries name the windows, items, matters and clerks. A
handful of queries for any number of cases.
"""

from __future__ import annotations

import datetime
import functools
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import NoReverseMatch, reverse

from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DateRange
from guanqing.core.models import CalendarDay
from guanqing.core.scope.querysets import extensions_for
from guanqing.window.api.filters import timing_filter
from guanqing.window.choices import BAD_LEVELS, GOOD_LEVELS, OPEN_STATES, MatterKind
from guanqing.window.models import (
    ApprovalItem,
    Case,
    CasePause,
    Matter,
    Rating,
    Window,
    WindowSettings,
)
from guanqing.window.rules import Timing

ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")

COMPLETED = Q(completed_on__isnull=False, deadline__isnull=False)
# COUNT(*) of a sub-query's rows, without the GROUP BY that `Count` would add to it
COUNT_ROWS = Func(Value(1), function="COUNT", output_field=IntegerField())


class MonthOf(TruncMonth):
    """The first day of a date's month (`TruncMonth` of a date field); on SQLite with the
    database's own date function rather than Django's, a Python function called once per row."""

    def as_sqlite(self, compiler, connection, **extra_context):
        if not isinstance(self.lhs.output_field, DateField) or isinstance(
            self.lhs.output_field, DateTimeField
        ):
            return self.as_sql(compiler, connection, **extra_context)
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, 'start of month')", params


def workdays_used_expression() -> Subquery:
    """Working days used by a completed case, in SQL: the calendar's workdays after `accepted_on`
    up to and including `completed_on` that fall in none of its pauses (a pause begun on A and
    ended on B covers the days after A up to and including B). 0 for a case not completed."""
    paused = CasePause.objects.filter(
        case_id=OuterRef(OuterRef("pk")),
        started_on__lt=OuterRef("date"),
        ended_on__gte=OuterRef("date"),
    )
    days = (
        CalendarDay.objects.filter(
            is_workday=True,
            date__gt=OuterRef("accepted_on"),
            date__lte=OuterRef("completed_on"),
        )
        .exclude(Exists(paused))
        .order_by()
        .annotate(n=COUNT_ROWS)
        .values("n")
    )
    return Coalesce(Subquery(days, output_field=IntegerField()), 0)


def _measures() -> dict:
    return {
        "accepted": Count("pk"),
        "immediate": Count("pk", filter=Q(version__kind=MatterKind.IMMEDIATE)),
        "completed": Count("pk", filter=COMPLETED),
        "early": Count("pk", filter=COMPLETED & Q(completed_on__lt=F("deadline"))),
        "late": Count("pk", filter=COMPLETED & Q(completed_on__gt=F("deadline"))),
        "promised_sum": Sum("version__promised_workdays"),
        "statutory_sum": Sum("version__statutory_workdays"),
        "used_sum": Sum("used", filter=COMPLETED),
    }


def _ratio(part, whole, quantum=ONE_DECIMAL, scale=100) -> str | None:
    """part / whole × scale as a string with one decimal; None without a whole."""
    if not whole:
        return None
    value = Decimal(part or 0) * scale / Decimal(whole)
    return str(value.quantize(quantum, rounding=ROUND_HALF_UP))


def _derived(row: dict) -> dict:
    """The counts of a group with its shares and averages."""
    accepted, completed = row["accepted"], row["completed"]
    promised, statutory = row["promised_sum"] or 0, row["statutory_sum"] or 0
    return {
        "accepted": accepted,
        "immediate": row["immediate"],
        "completed": completed,
        "early": row["early"],
        "late": row["late"],
        "immediate_share": _ratio(row["immediate"], accepted),
        "avg_promised_workdays": _ratio(promised, accepted, TWO_DECIMALS, 1),
        "avg_statutory_workdays": _ratio(statutory, accepted, TWO_DECIMALS, 1),
        # 压缩率: how much shorter the promised limits are than the statutory ones
        "compression": (
            str(
                (100 - Decimal(promised) * 100 / Decimal(statutory)).quantize(
                    ONE_DECIMAL, rounding=ROUND_HALF_UP
                )
            )
            if statutory
            else None
        ),
        "avg_workdays_used": _ratio(row["used_sum"], completed, TWO_DECIMALS, 1),
        "early_rate": _ratio(row["early"], completed),
    }


@functools.cache
def _case_list_path() -> str:
    try:
        return reverse("window:case_list")
    except NoReverseMatch:
        return "/window/cases/"


def case_list_url(**params) -> str:
    """The case list filtered by `params` (empty ones left out)."""
    base = _case_list_path()
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{base}?{query}" if query else base


def accepted_cases(user, span: DateRange) -> QuerySet[Case]:
    """The cases `user` sees that were accepted in the range, with their working days used."""
    return (
        Case.objects.visible_to(user)
        .filter(**span.date_bounds("accepted_on"))
        .order_by()
        .annotate(used=workdays_used_expression())
    )


def _grouped(cases: QuerySet[Case], *fields: str) -> list[dict]:
    return list(cases.values(*fields).annotate(**_measures()).order_by(*fields))


# The breakdowns of `window_figures`: each is a sum of the groups of one GROUP BY over the finest
# grain (window, matter, clerk, month of acceptance) — every count and sum in `_measures` adds up.
GRAIN = ("window_id", "version__matter_id", "handled_by_id", "month")
SUMS = (
    "accepted",
    "immediate",
    "completed",
    "early",
    "late",
    "promised_sum",
    "statutory_sum",
    "used_sum",
)


def _add(groups: dict, key, values: list) -> None:
    """Add `values` (counts in a fixed order) to the group `key` of `groups`."""
    bucket = groups.get(key)
    groups[key] = values if bucket is None else [a + b for a, b in zip(bucket, values, strict=True)]


def window_figures(user, span: DateRange, *, today: datetime.date | None = None) -> dict:
    """The figures of the cases accepted in `span` that `user` sees: one GROUP BY over the finest
    grain (each case's working days used computed once), summed up here into the totals and the
    breakdowns, and four small queries for the names of the windows, items, matters and clerks
    (in the database's order, as the grouped queries sorted them)."""
    today = today or business_date()
    cases = accepted_cases(user, span).annotate(month=MonthOf("accepted_on"))
    grains = list(
        cases.values(*GRAIN).annotate(**_measures()).order_by().values_list(*GRAIN, *SUMS)
    )
    span_params = {"accepted_from": span.first.isoformat(), "accepted_to": span.last.isoformat()}

    def links(**params) -> dict:
        return {
            "cases": case_list_url(**params, **span_params),
            "early": case_list_url(**params, **span_params, timing=Timing.EARLY),
            "late": case_list_url(**params, **span_params, timing=Timing.LATE),
        }

    matters = {
        row["pk"]: row
        for row in Matter.objects.filter(pk__in={grain[1] for grain in grains})
        .order_by("code", "pk")
        .values("pk", "code", "name", "item_id")
    }
    by: dict[str, dict] = {name: {} for name in ("window", "item", "matter", "month", "clerk")}
    for window_id, matter_id, clerk_id, month, *sums in grains:
        if isinstance(month, datetime.datetime):
            month = month.date()
        sums = [value or 0 for value in sums]
        _add(by["window"], window_id, sums)
        _add(by["item"], matters[matter_id]["item_id"], sums)
        _add(by["matter"], matter_id, sums)
        _add(by["month"], month, sums)
        _add(by["clerk"], clerk_id, sums)
    for groups in by.values():
        for key, sums in groups.items():
            groups[key] = dict(zip(SUMS, sums, strict=True))
    totals = _derived(_summed(by["window"]))
    totals["links"] = links()

    windows = (
        Window.objects.filter(pk__in=by["window"])
        .order_by("unit_id", "pk")
        .values_list("pk", "name", "unit_id", "unit__name")
    )
    by_window = [
        {
            "window_id": pk,
            "window": name,
            "unit_id": unit_id,
            "unit": unit,
            **_derived(by["window"][pk]),
            "links": links(window=pk),
        }
        for pk, name, unit_id, unit in windows
    ]
    items = (
        ApprovalItem.objects.filter(pk__in=by["item"])
        .order_by("code", "pk")
        .values_list("pk", "code", "name")
    )
    by_item = [
        {
            "item_id": pk,
            "code": code,
            "item": name,
            **_derived(by["item"][pk]),
            "links": links(item=pk),
        }
        for pk, code, name in items
    ]
    by_matter = [
        {
            "matter_id": pk,
            "code": matter["code"],
            "matter": matter["name"],
            **_derived(by["matter"][pk]),
            "links": links(matter=matter["code"]),
        }
        for pk, matter in matters.items()
    ]
    by_month = []
    for month in sorted(by["month"]):
        first = max(month, span.first)
        last = min(_month_end(month), span.last)
        by_month.append(
            {
                "month": month.strftime("%Y-%m"),
                **_derived(by["month"][month]),
                "links": {
                    key: case_list_url(
                        accepted_from=first.isoformat(), accepted_to=last.isoformat(), timing=timing
                    )
                    for key, timing in (
                        ("cases", None),
                        ("early", Timing.EARLY),
                        ("late", Timing.LATE),
                    )
                },
            }
        )
    clerks = (
        get_user_model()
        .objects.filter(pk__in=by["clerk"])
        .order_by("username", "pk")
        .values_list("pk", "username", "display_name")
    )
    by_clerk = [
        {"clerk_id": pk, "clerk": display_name or username, **_derived(by["clerk"][pk])}
        for pk, username, display_name in clerks
    ]
    return {
        "from": span.first.isoformat(),
        "to": span.last.isoformat(),
        "totals": totals,
        "by_window": by_window,
        "by_item": by_item,
        "by_matter": by_matter,
        "by_month": by_month,
        "by_clerk": by_clerk,
    }


def _summed(groups: dict) -> dict:
    """The sums of `SUMS` over every group (zeros without any)."""
    total = dict.fromkeys(SUMS, 0)
    for counts in groups.values():
        for name in SUMS:
            total[name] += counts[name]
    return total


def _month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def window_board(user, span: DateRange, *, today: datetime.date | None = None) -> dict:
    """The board: every window `user` sees side by side — its open cases today (on track, due
    soon, overdue), the figures of the cases accepted in `span` (two queries, three with the
    settings) and its 好差评 of `span` (`window_rating_counts`, two more: the same numbers as
    `rating_figures(…)["by_window"]`, grouped by the window alone). The committee's board is the
    city's; a unit administrator's its unit's."""
    today = today or business_date()
    due_soon = WindowSettings.current().due_soon_workdays
    cases = accepted_cases(user, span)
    span_params = {"accepted_from": span.first.isoformat(), "accepted_to": span.last.isoformat()}
    # grouped by the window alone: the names come with the windows below
    rows = {row["window_id"]: row for row in _grouped(cases, "window_id")}
    rated = window_rating_counts(user, span)
    no_ratings = _rating_derived(dict.fromkeys(RATING_COUNTS, 0))
    windows = (
        Window.objects.visible_to(user)
        .select_related("unit")
        .annotate(**_open_counts(user, today, due_soon))
        .order_by("unit__sort_order", "unit__name", "name", "id")
    )
    empty = {key: 0 for key in ("accepted", "immediate", "completed", "early", "late")}
    empty.update(promised_sum=0, statutory_sum=0, used_sum=0)
    base = _case_list_path()
    board = []
    for window in windows:
        open_now = window.on_track + window.due_soon + window.overdue
        if not window.is_active and window.pk not in rows and not open_now:
            continue
        in_window = f"{base}?window={window.pk}"
        in_span = f"{in_window}&{urlencode(span_params)}"
        board.append(
            {
                "window_id": window.pk,
                "window": window.name,
                "unit_id": window.unit_id,
                "unit": window.unit.name,
                "on_track": window.on_track,
                "due_soon": window.due_soon,
                "overdue": window.overdue,
                **_derived(rows.get(window.pk, empty)),
                "ratings": (
                    {
                        # named like `rating_figures(…)["by_window"]`'s rows
                        "window_id": window.pk,
                        "window": window.name,
                        "unit_id": window.unit_id,
                        "unit": window.unit.name,
                        **_rating_derived(rated[window.pk]),
                    }
                    if window.pk in rated
                    else no_ratings
                ),
                "links": {
                    "on_track": f"{in_window}&timing={Timing.OPEN}",
                    "due_soon": f"{in_window}&timing={Timing.DUE_SOON}",
                    "overdue": f"{in_window}&timing={Timing.OVERDUE}",
                    "cases": in_span,
                    "early": f"{in_span}&timing={Timing.EARLY}",
                    "late": f"{in_span}&timing={Timing.LATE}",
                },
            }
        )
    return {
        "from": span.first.isoformat(),
        "to": span.last.isoformat(),
        "today": today.isoformat(),
        "windows": board,
    }


def _open_counts(user, today: datetime.date, due_soon_workdays: int) -> dict:
    """For each window, its cases open today in the three buckets of the case list's timing
    filter (which share the open cases between them; a paused case is on track: its clock stands
    still): a counted sub-query per window each, which reads the (window, state, deadline) index
    of that window's open cases only."""

    def count(timing: str):
        open_cases = (
            Case.objects.visible_to(user)
            .filter(window_id=OuterRef("pk"), state__in=OPEN_STATES)
            .filter(timing_filter(timing, today=today, due_soon_workdays=due_soon_workdays))
            .order_by()
            .annotate(n=COUNT_ROWS)
            .values("n")
        )
        return Coalesce(Subquery(open_cases, output_field=IntegerField()), 0)

    return {
        "on_track": count(Timing.OPEN),
        "due_soon": count(Timing.DUE_SOON),
        "overdue": count(Timing.OVERDUE),
    }


# --- 好差评 -----------------------------------------------------------------------------------------
#
# The ratings of a range: those RATED in it (`rated_on`), counted as `Rating.objects.counted()`
# says — round-1 ratings only, without those an upheld appeal excluded (they are kept, never
# deleted, but out of the figures):
# - rated: the ratings; good rate (好评率) = levels 4–5 / rated; bad (差评): levels 1–2;
# - rectify rate (差评整改率) = bad whose follow-up was rectified / bad;
# - feedback rate (回访率, 实名差评回访率: every rating belongs to a case, so every 差评 is
#   实名) = bad whose applicant was told (fed back) / bad; it must reach 100 % (`feedback_short`
#   flags a group below it);
# - participation (参评率) = cases COMPLETED in the range that have a counted rating / cases
#   completed in the range.
# By window, clerk (who handled the case), month (of the rating; of the completion for 参评率) and
# matter: two GROUP BY queries whatever the number of ratings, summed up here.

RATING_GROUPS = {
    "window": (
        "case__window_id",
        "case__window__name",
        "case__window__unit_id",
        "case__window__unit__name",
    ),
    "clerk": (
        "case__handled_by_id",
        "case__handled_by__display_name",
        "case__handled_by__username",
    ),
    "matter": (
        "case__version__matter_id",
        "case__version__matter__code",
        "case__version__matter__name",
    ),
}
RATING_COUNTS = ("rated", "good", "bad", "rectified", "fed_back", "completed", "rated_cases")


def _rating_measures() -> dict:
    bad = Q(level__in=BAD_LEVELS)
    return {
        "rated": Count("pk"),
        "good": Count("pk", filter=Q(level__in=GOOD_LEVELS)),
        "bad": Count("pk", filter=bad),
        "rectified": Count("pk", filter=bad & Q(follow_up__rectified_on__isnull=False)),
        "fed_back": Count("pk", filter=bad & Q(follow_up__fed_back_on__isnull=False)),
    }


def _rating_derived(counts: dict) -> dict:
    rated, bad = counts["rated"], counts["bad"]
    return {
        **{key: counts[key] for key in RATING_COUNTS},
        "good_rate": _ratio(counts["good"], rated),
        "rectify_rate": _ratio(counts["rectified"], bad),
        "feedback_rate": _ratio(counts["fed_back"], bad),
        "feedback_short": counts["fed_back"] < bad,
        "participation": _ratio(counts["rated_cases"], counts["completed"]),
    }


def _visible_ratings(user) -> QuerySet[Rating]:
    """`Rating.objects.visible_to(user)` (a rating is seen with its case), written as EXISTS of
    the case among those `user` sees rather than IN: SQLite then reads a range's ratings off their
    date index instead of looking up the ratings of every case in scope. Where a scope extension
    widens the ratings themselves, their own `visible_to`."""
    if extensions_for(Rating._meta.label_lower, getattr(user, "role", None)):
        return Rating.objects.visible_to(user)
    cases = Case.objects.visible_to(user).filter(pk=OuterRef("case_id"))
    return Rating.objects.filter(Exists(cases))


def _counted_ratings(user, span: DateRange) -> QuerySet[Rating]:
    return _visible_ratings(user).counted().filter(**span.date_bounds("rated_on"))


def _completed_cases(user, span: DateRange) -> QuerySet[Case]:
    """The cases completed in `span` that `user` sees, with whether each has a counted rating."""
    counted_rating = Rating.objects.counted().filter(case_id=OuterRef("pk"))
    return (
        Case.objects.visible_to(user)
        .filter(**span.date_bounds("completed_on"))
        .annotate(rated=Exists(counted_rating))
    )


def _participation() -> dict:
    return {"completed": Count("pk"), "rated_cases": Count("pk", filter=Q(rated=True))}


def window_rating_counts(user, span: DateRange) -> dict[int, dict]:
    """{window id: its 好差评 counts (`RATING_COUNTS`)} of `span` within `user`'s scope, for the
    windows with a counted rating in it or a case completed in it: two queries grouped by the
    window alone (the board's; `rating_figures` groups by every breakdown at once)."""
    zero = dict.fromkeys(RATING_COUNTS, 0)
    counts: dict[int, dict] = {}
    ratings = (
        _counted_ratings(user, span)
        .values("case__window_id")
        .annotate(**_rating_measures())
        .order_by()
    )
    for row in ratings:
        counts[row.pop("case__window_id")] = {**zero, **row}
    completed = _completed_cases(user, span).values("window_id").annotate(**_participation())
    for row in completed.order_by():
        bucket = counts.setdefault(row.pop("window_id"), dict(zero))
        bucket.update(row)
    return counts


def _as_month(value) -> str:
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.strftime("%Y-%m")


def _rating_labels(ids: dict[str, set]) -> dict[tuple, dict]:
    """{(group, id): its names, as `RATING_GROUPS` names them} of the windows, clerks and matters
    in `ids` (three queries)."""
    rows = {
        "window": Window.objects.filter(pk__in=ids["window"]).values_list(
            "pk", "name", "unit_id", "unit__name"
        ),
        "clerk": get_user_model()
        .objects.filter(pk__in=ids["clerk"])
        .values_list("pk", "display_name", "username"),
        "matter": Matter.objects.filter(pk__in=ids["matter"]).values_list("pk", "code", "name"),
    }
    return {
        (name, row[0]): dict(zip(RATING_GROUPS[name], row, strict=True))
        for name, found in rows.items()
        for row in found.order_by()
    }


def rating_figures(user, span: DateRange) -> dict:
    """好差评 of `span` within `user`'s scope, in total and by window, clerk, month and matter: two
    queries grouped by the ids of the window, clerk and matter and the month, summed up here, and
    three small ones for the names (`_rating_labels`)."""
    keys = [names[0] for names in RATING_GROUPS.values()]
    ratings = list(
        _counted_ratings(user, span)
        .annotate(month=MonthOf("rated_on"))
        .values(*keys, "month")
        .annotate(**_rating_measures())
        .order_by()
    )
    counted_rating = Rating.objects.counted().filter(case_id=OuterRef("pk"))
    cases = list(
        Case.objects.visible_to(user)
        .filter(**span.date_bounds("completed_on"))
        .annotate(month=MonthOf("completed_on"))
        .values(*(name.removeprefix("case__") for name in keys), "month")
        .annotate(completed=Count("pk"), rated_cases=Count("pk", filter=Exists(counted_rating)))
        .order_by()
    )
    cases = [  # the same names as the ratings' (`case__window_id`…)
        {
            key if key in RATING_COUNTS or key == "month" else f"case__{key}": value
            for key, value in row.items()
        }
        for row in cases
    ]
    labels = _rating_labels(
        {
            name: {row[names[0]] for row in (*ratings, *cases)}
            for name, names in RATING_GROUPS.items()
        }
    )
    groups: dict[str, dict] = {name: {} for name in (*RATING_GROUPS, "month")}
    months: dict = {}
    for row in (*ratings, *cases):
        values = [row.get(count, 0) for count in RATING_COUNTS]
        for name, names in RATING_GROUPS.items():
            _add(groups[name], row[names[0]], values)
        month = months.get(row["month"]) or months.setdefault(row["month"], _as_month(row["month"]))
        _add(groups["month"], month, values)
    total = dict.fromkeys(RATING_COUNTS, 0)
    for name, found in groups.items():
        for key, values in found.items():
            found[key] = dict(zip(RATING_COUNTS, values, strict=True))
            if name == "month":
                for count in RATING_COUNTS:
                    total[count] += found[key][count]
    return {
        "from": span.first.isoformat(),
        "to": span.last.isoformat(),
        "totals": _rating_derived(total),
        "by_window": sorted(
            (
                {
                    "window_id": key,
                    "window": labels["window", key]["case__window__name"],
                    "unit_id": labels["window", key]["case__window__unit_id"],
                    "unit": labels["window", key]["case__window__unit__name"],
                    **_rating_derived(counts),
                }
                for key, counts in groups["window"].items()
            ),
            key=lambda row: (row["unit"], row["window"], row["window_id"]),
        ),
        "by_clerk": sorted(
            (
                {
                    "clerk_id": key,
                    "clerk": labels["clerk", key]["case__handled_by__display_name"]
                    or labels["clerk", key]["case__handled_by__username"],
                    **_rating_derived(counts),
                }
                for key, counts in groups["clerk"].items()
            ),
            key=lambda row: (row["clerk"], row["clerk_id"]),
        ),
        "by_month": [
            {"month": month, **_rating_derived(groups["month"][month])}
            for month in sorted(groups["month"])
        ],
        "by_matter": sorted(
            (
                {
                    "matter_id": key,
                    "code": labels["matter", key]["case__version__matter__code"],
                    "matter": labels["matter", key]["case__version__matter__name"],
                    **_rating_derived(counts),
                }
                for key, counts in groups["matter"].items()
            ),
            key=lambda row: (row["code"], row["matter_id"]),
        ),
    }


# --- the committee's figures and board, kept as snapshots (core/snapshots.py) --------------------

CITY_FIGURES = "window.figures"
CITY_RATINGS = "window.ratings"
CITY_BOARD = "window.board"


def register_snapshots() -> None:
    """The committee's figures, ratings and board of a date range (every case: `committee_reader`),
    and the summary above its ratings list."""
    from guanqing.accounts.selectors import committee_reader
    from guanqing.core import snapshots

    def every(count):
        return snapshots.span_counts(lambda span, today: count(committee_reader(), span, today))

    warm = snapshots.span_defaults
    snapshots.register(
        CITY_FIGURES, every(lambda u, s, d: window_figures(u, s, today=d)), warm=warm
    )
    snapshots.register(CITY_RATINGS, every(lambda u, s, d: rating_figures(u, s)), warm=warm)
    snapshots.register(CITY_BOARD, every(lambda u, s, d: window_board(u, s, today=d)), warm=warm)

    from guanqing.window import rating_selectors

    snapshots.register(
        rating_selectors.LIST_SUMMARY,
        rating_selectors.list_summary_of_every_rating,
        warm=rating_selectors.list_summary_defaults,
    )
