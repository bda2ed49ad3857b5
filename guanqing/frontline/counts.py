"""The front line's counters (core/counters.py): outreach visits, their cadres' 人次 and the money
and goods donated (in fen) by visit date, behind the outreach list's totals and length when the
list is every visit of a span of days (the committee filtering by dates alone); kept by database
triggers (migration 0006) and recounted from the visits by `guanqing counters`; the problems of
each category, whose sum is the length of the committee's whole problem list (migration 0007); and
the places of each division, whose sum is the length of the whole list of places (migration
0008)."""

from __future__ import annotations

from guanqing.core.counters import (
    Counter,
    GroupTrigger,
    MoveTrigger,
    RowTrigger,
    fen_by_day,
    fen_sql,
    rows_by,
)
from guanqing.frontline.models import Outreach, Place, Problem

VISITS = "frontline.outreach"
PERSON_TIMES = "frontline.outreach_person_times"
MONEY_FEN = "frontline.outreach_money_fen"
GOODS_FEN = "frontline.outreach_goods_fen"
PROBLEMS_BY_CATEGORY = "frontline.problems_by_category"
PLACES_BY_DIVISION = "frontline.places_by_division"


TRIGGERS = [
    RowTrigger("frontline_outreach_count", "frontline_outreach", VISITS, day_column="visited_on"),
    RowTrigger(
        "frontline_outreach_person_count",
        "frontline_outreach_cadres",
        PERSON_TIMES,
        day_sql="SELECT visited_on FROM frontline_outreach WHERE id = {row}.outreach_id",
    ),
    # a visit moved to another day takes its cadres' 人次 along
    MoveTrigger(
        "frontline_outreach_person_move",
        "frontline_outreach",
        PERSON_TIMES,
        day_column="visited_on",
        weight_sql="SELECT COUNT(*) FROM frontline_outreach_cadres WHERE outreach_id = {row}.id",
    ),
    *(
        RowTrigger(
            f"frontline_outreach_{name}_sum",
            "frontline_outreach",
            key,
            day_column="visited_on",
            weight_sql=fen_sql(column),
            weight_columns=(column,),
        )
        for name, key, column in (
            ("money", MONEY_FEN, "donated_money"),
            ("goods", GOODS_FEN, "donated_goods"),
        )
    ),
]

# the problems of each category: the length of the committee's whole problem list (migration 0007)
GROUP_TRIGGERS = [
    GroupTrigger(
        "frontline_problem_count", "frontline_problem", PROBLEMS_BY_CATEGORY, "category_id"
    ),
]

# the places of each division: the length of the whole list of places (migration 0008; half a
# million grassroots units, villages and enterprises at a province's scale)
PLACE_TRIGGERS = [
    GroupTrigger("frontline_place_count", "frontline_place", PLACES_BY_DIVISION, "division_id"),
]

# counter → the triggers that keep it (registered from FrontlineConfig.ready())
COUNTERS = (
    (
        Counter(VISITS, "guanqing.frontline.counts.recount_visits", rows_of="frontline.Outreach"),
        TRIGGERS[:1],
    ),
    (Counter(PERSON_TIMES, "guanqing.frontline.counts.recount_person_times"), TRIGGERS[1:3]),
    (Counter(MONEY_FEN, "guanqing.frontline.counts.recount_money"), TRIGGERS[3:4]),
    (Counter(GOODS_FEN, "guanqing.frontline.counts.recount_goods"), TRIGGERS[4:5]),
    (
        Counter(
            PROBLEMS_BY_CATEGORY,
            "guanqing.frontline.counts.recount_problems",
            by_group=True,
            rows_of="frontline.Problem",
        ),
        GROUP_TRIGGERS,
    ),
    (
        Counter(
            PLACES_BY_DIVISION,
            "guanqing.frontline.counts.recount_places",
            by_group=True,
            rows_of="frontline.Place",
        ),
        PLACE_TRIGGERS,
    ),
)


def recount_visits() -> dict:
    return rows_by(Outreach.objects.all(), "visited_on")


def recount_person_times() -> dict:
    return rows_by(Outreach.cadres.through.objects.all(), "outreach__visited_on")


def recount_money() -> dict:
    return fen_by_day(Outreach.objects.all(), "visited_on", "donated_money")


def recount_goods() -> dict:
    return fen_by_day(Outreach.objects.all(), "visited_on", "donated_goods")


def recount_problems() -> dict:
    return rows_by(Problem.objects.all(), "category_id")


def recount_places() -> dict:
    return rows_by(Place.objects.all(), "division_id")
