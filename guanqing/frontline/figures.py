"""走亲连心 figures of a date range, within the viewer's scope: city-wide (the committee) or one
unit (its administrator), in total, by unit and by today's district (merged districts rolled up).

Definitions (the range is inclusive at both ends):
- visits: outreach visits dated in the range; person-times (人次): the cadres of each visit, summed
  over the visits; bureau-level person-times: those of cadres whose rank is 局级.
- grassroots units, villages, enterprises visited: distinct places of that kind visited in the
  range (a village visited twice, or by two units, counts once in the total; once per unit in
  each unit's row); villages and enterprises: the two together (the article's 7,762).
- donated: money (捐赠资金) and goods (捐赠物资折价) of the visits in the range, in 元 with two
  decimals and in 万元; `total` is money + goods (the article's 1,492.8万元 is such a total).
- problems (a problem merged into another as a duplicate counts with its master only):
  collected — received in the range; solved — closed (办结) in the range; solved on time — of
  those, closed on or before the deadline; overdue — collected in the range, still open today and
  past the deadline; 通报 — put on the 通报 list in the range (counted from the timeline's 通报
  steps, so a problem reopened since, whose list date was cleared, still counts); satisfaction — of the ratings given
  in the range (every reporter's, merged ones too), the share 满意 + 基本满意.
- A problem counts for the unit that handles it (none yet: "未派单") and for the district of its
  division (else of the place of the visit that collected it).

The visits `user` sees are read in one GROUP BY per (unit, district) (人次 and distinct places
with them: a place lies in one district, so a unit's and the city's distinct places add up over
districts) and one per district for the distinct places, the problems in one: five queries (with
the district map and the district names) for any volume.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DateRange
from guanqing.core.scope.querysets import by_keys_when_few
from guanqing.frontline.choices import (
    OPEN_STATES,
    PlaceKind,
    ProblemEventKind,
    ProblemState,
    Satisfaction,
)
from guanqing.frontline.models import Outreach, Problem, ProblemEvent
from guanqing.registry.choices import Rank
from guanqing.registry.models import Division
from guanqing.registry.selectors import current_district_map

CENT = Decimal("0.01")
ONE_DECIMAL = Decimal("0.1")
WAN = Decimal(10000)
ZERO = Decimal(0)

# additive counts: summed over (unit, district) rows
VISIT_KEYS = ("visits", "person_times", "bureau_person_times")
PLACE_KEYS = ("grassroots_units", "villages", "enterprises")
PROBLEM_KEYS = (
    "problems_collected",
    "problems_solved",
    "problems_solved_on_time",
    "problems_overdue",
    "problems_noticed",
    "rated",
    "satisfied",
)
NUMBER_KEYS = VISIT_KEYS + PLACE_KEYS + PROBLEM_KEYS

# The article's seven figures, in its order: the keys of a figures row.
ARTICLE_KEYS = (
    "person_times",
    "bureau_person_times",
    "grassroots_units",
    "villages_enterprises",
    "problems_collected",
    "problems_solved",
    "donated_wan_yuan",
)


def yuan(value) -> str:
    return str(Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP))


def wan_yuan(value) -> str:
    return str((Decimal(value or 0) / WAN).quantize(CENT, rounding=ROUND_HALF_UP))


def share(part, whole) -> str | None:
    """part / whole in per cent with one decimal; None without a whole."""
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, ROUND_HALF_UP))


class Tally:
    def __init__(self):
        self.numbers: dict[str, int] = defaultdict(int)
        self.money = ZERO
        self.goods = ZERO

    def as_dict(self) -> dict:
        n = self.numbers
        row = {key: n[key] for key in NUMBER_KEYS}
        row["villages_enterprises"] = n["villages"] + n["enterprises"]
        total = self.money + self.goods
        row.update(
            donated_money_yuan=yuan(self.money),
            donated_money_wan_yuan=wan_yuan(self.money),
            donated_goods_yuan=yuan(self.goods),
            donated_goods_wan_yuan=wan_yuan(self.goods),
            donated_yuan=yuan(total),
            donated_wan_yuan=wan_yuan(total),
            on_time_rate=share(n["problems_solved_on_time"], n["problems_solved"]),
            satisfaction=share(n["satisfied"], n["rated"]),
        )
        return row


PLACE_MEASURES = {
    "grassroots_units": Count(
        "place_id", distinct=True, filter=Q(place__kind=PlaceKind.GRASSROOTS)
    ),
    "villages": Count("place_id", distinct=True, filter=Q(place__kind=PlaceKind.VILLAGE)),
    "enterprises": Count("place_id", distinct=True, filter=Q(place__kind=PlaceKind.ENTERPRISE)),
}


def visits_in(user, span: DateRange):
    """The visits `user` sees dated in the range, with their place's district."""
    return (
        Outreach.objects.visible_to(user)
        .filter(**span.date_bounds("visited_on"))
        .order_by()
        .annotate(district=F("place__division__district_id"))
    )


def problems_touching(user, span: DateRange):
    """The problems `user` sees that one of the figures counts: received, closed, put on the 通报
    list or rated in the range; with their district and whether they were noticed in the range."""
    noticed = Q(pk__in=_noticed_problems(span))
    return (
        by_keys_when_few(Problem.objects.visible_to(user))
        .filter(
            Q(**span.date_bounds("received_on"))
            | Q(**span.date_bounds("closed_on"))
            | noticed
            | Q(**span.date_bounds("rated_on"))
        )
        .order_by()
        .annotate(
            district=Coalesce("division__district_id", "outreach__place__division__district_id"),
            noticed_in_span=ExpressionWrapper(noticed, output_field=BooleanField()),
        )
    )


def _problem_measures(span: DateRange, today: datetime.date) -> dict:
    own = Q(master__isnull=True)
    received = own & Q(**span.date_bounds("received_on"))
    solved = own & Q(state=ProblemState.CLOSED) & Q(**span.date_bounds("closed_on"))
    rated = Q(**span.date_bounds("rated_on")) & ~Q(satisfaction="")
    return {
        "problems_collected": Count("pk", filter=received),
        "problems_solved": Count("pk", filter=solved),
        "problems_solved_on_time": Count("pk", filter=solved & Q(closed_on__lte=F("deadline"))),
        "problems_overdue": Count(
            "pk", filter=received & Q(state__in=OPEN_STATES, deadline__lt=today)
        ),
        "problems_noticed": Count("pk", filter=Q(noticed_in_span=True)),
        "rated": Count("pk", filter=rated),
        "satisfied": Count(
            "pk",
            filter=rated & Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC]),
        ),
    }


def _noticed_problems(span: DateRange):
    """The ids of the problems put on the 通报 list in the range (a step of their timeline): one
    list the database reads once, where an EXISTS would ask per problem."""
    return ProblemEvent.objects.filter(
        kind=ProblemEventKind.NOTICE, **span.date_bounds("on")
    ).values("problem_id")


def _cadres_per_visit(**filters):
    """The cadres of each visit (of those, the ones matching `filters`), as a column of the visit."""
    cadres = (
        Outreach.cadres.through.objects.filter(outreach_id=OuterRef("pk"), **filters)
        .order_by()
        .values("outreach_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(cadres), 0)


def frontline_figures(user, span: DateRange, *, today: datetime.date | None = None) -> dict:
    """The figures of `span` that `user` sees: totals, by unit and by district (five queries)."""
    today = today or business_date()
    rolled = current_district_map()
    totals, units, districts = Tally(), defaultdict(Tally), defaultdict(Tally)
    unit_names: dict = {}

    def tallies(unit_id, district_id):
        district_id = rolled.get(district_id, district_id)
        return (totals, units[unit_id], districts[district_id])

    visits = visits_in(user, span)
    # one row per (unit, district): visits, donations, person-times (人次: the cadres of each
    # visit, summed) and the distinct places; a place lies in one district, so a unit's distinct
    # places are the sum over its districts' rows
    for row in (
        visits.annotate(
            cadres_n=_cadres_per_visit(), bureau_n=_cadres_per_visit(member__rank=Rank.BUREAU)
        )
        .values("unit_id", "unit__name", "district")
        .annotate(
            visits=Count("pk"),
            money=Sum("donated_money"),
            goods=Sum("donated_goods"),
            person_times=Sum("cadres_n"),
            bureau_person_times=Sum("bureau_n"),
            **PLACE_MEASURES,
        )
    ):
        unit_names[row["unit_id"]] = row["unit__name"]
        for tally in tallies(row["unit_id"], row["district"]):
            tally.numbers["visits"] += row["visits"]
            tally.numbers["person_times"] += row["person_times"] or 0
            tally.numbers["bureau_person_times"] += row["bureau_person_times"] or 0
            tally.money += row["money"] or ZERO
            tally.goods += row["goods"] or ZERO
        for key in PLACE_KEYS:
            units[row["unit_id"]].numbers[key] += row[key]
    # distinct places: not additive over units, so counted per district; the city's are the sum
    # over the districts (each place in one), a district's under today's district
    for row in visits.values("district").annotate(**PLACE_MEASURES):
        tally = districts[rolled.get(row["district"], row["district"])]
        for key in PLACE_KEYS:
            tally.numbers[key] += row[key]
            totals.numbers[key] += row[key]

    for row in (
        problems_touching(user, span)
        .values("unit_id", "unit__name", "district")
        .annotate(**_problem_measures(span, today))
    ):
        if row["unit_id"] is not None:
            unit_names.setdefault(row["unit_id"], row["unit__name"])
        for tally in tallies(row["unit_id"], row["district"]):
            for key in PROBLEM_KEYS:
                tally.numbers[key] += row[key]

    district_names = dict(
        Division.objects.filter(pk__in=[pk for pk in districts if pk is not None]).values_list(
            "pk", "name"
        )
    )
    by_unit = [
        {"unit": {"id": pk, "name": unit_names.get(pk)}, **tally.as_dict()}
        for pk, tally in units.items()
    ]
    by_district = [
        {"district": {"id": pk, "name": district_names.get(pk)}, **tally.as_dict()}
        for pk, tally in districts.items()
    ]
    by_unit.sort(
        key=lambda r: (r["unit"]["id"] is None, -r["person_times"], r["unit"]["name"] or "")
    )
    by_district.sort(
        key=lambda r: (r["district"]["id"] is None, -r["person_times"], r["district"]["name"] or "")
    )
    result = totals.as_dict()
    return {
        "from": span.first,
        "to": span.last,
        "today": today,
        **result,
        "article": {key: result[key] for key in ARTICLE_KEYS},
        "by_unit": by_unit,
        "by_district": by_district,
    }


# --- the committee's figures, kept as a snapshot (core/snapshots.py) -----------------------------

CITY_FIGURES = "frontline.figures"


def register_snapshots() -> None:
    """The committee's figures of a date range (every outreach visit and problem), and a unit's
    (its administrators' shared scope)."""
    from guanqing.accounts.selectors import scope_reader
    from guanqing.core import snapshots

    snapshots.register(
        CITY_FIGURES,
        snapshots.span_counts(
            lambda span, today, scope=None: frontline_figures(
                scope_reader(scope), span, today=today
            )
        ),
        warm=snapshots.span_defaults,
        scoped=True,
    )
