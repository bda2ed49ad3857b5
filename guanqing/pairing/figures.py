"""The pairing figures (结对帮困数据) for any date range and scope, in total, by unit and by
today's district: the numbers the article quotes (units, households, 157万元 of help…).

Definitions (each range inclusive at both ends):
- active pairings: pairings active on at least one day of the range; households: the distinct
  households of those pairings.
- visits: visits dated in the range (次), and 人次 = the members who took part, summed over them;
  festival visits the same, for visits marked 访.
- help: cash and in-kind value of the visits in the range, in 元 (two decimals) and 万元 (two
  decimals, rounded half up).
- compliance rate: done / (done + overdue) over every duty period (quarter or festival window) that
  overlaps the range and has begun, as of today (see `rules.compliance_rate`); None when nothing
  is settled yet.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from guanqing.pairing import boards, compliance, rules
from guanqing.pairing.models import Visit
from guanqing.registry.models import Division
from guanqing.registry.selectors import current_district_map, district_ids_rolling_up_to

CENT = Decimal("0.01")
WAN = Decimal(10000)
ZERO = Decimal(0)

NUMBER_KEYS = (
    "pairings",
    "households",
    "visits",
    "visit_person_times",
    "festival_visits",
    "festival_person_times",
)
MONEY_KEYS = ("cash", "in_kind")


def yuan(value) -> str:
    return str(Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP))


def wan_yuan(value) -> str:
    return str((Decimal(value or 0) / WAN).quantize(CENT, rounding=ROUND_HALF_UP))


def _money(cash: Decimal, in_kind: Decimal) -> dict:
    total = cash + in_kind
    return {
        "cash_yuan": yuan(cash),
        "cash_wan_yuan": wan_yuan(cash),
        "in_kind_yuan": yuan(in_kind),
        "in_kind_wan_yuan": wan_yuan(in_kind),
        "total_yuan": yuan(total),
        "total_wan_yuan": wan_yuan(total),
    }


def periods_overlapping(first: datetime.date, last: datetime.date, config) -> list[rules.Period]:
    periods = []
    for year in range(first.year, last.year + 1):
        for period in rules.periods_of_year(year, config):
            if period.start <= last and period.end >= first:
                periods.append(period)
    return periods


class _Tally:
    def __init__(self):
        self.numbers: Counter[str] = Counter()
        self.cash = ZERO
        self.in_kind = ZERO
        self.statuses: Counter[rules.Status] = Counter()

    def as_dict(self) -> dict:
        rate = rules.rate_of(self.statuses[rules.Status.DONE], self.statuses[rules.Status.OVERDUE])
        return {
            **{key: self.numbers.get(key, 0) for key in NUMBER_KEYS},
            "help": _money(self.cash, self.in_kind),
            "compliance_rate": None if rate is None else round(rate, 4),
        }


def pairing_figures(
    pairings,
    first: datetime.date,
    last: datetime.date,
    today: datetime.date,
    district: Division | None = None,
) -> dict:
    """The figures of the pairings of `pairings` (a scoped queryset, already narrowed to a unit if
    asked) over [first, last]; `district` keeps today's district and those merged into it."""
    district_of = current_district_map()
    active = compliance._touching(pairings, first, last).order_by()
    if district is not None:
        rolling_up = district_ids_rolling_up_to(district)
        active = active.filter(household__community__district_id__in=rolling_up)
    ids = active.values("pk")

    def rolled(original):
        return district_of.get(original, original)

    totals, units, districts = _Tally(), defaultdict(_Tally), defaultdict(_Tally)
    unit_names: dict[int, str] = {}

    def add(unit_id, district_id, key, value):
        for tally in (totals, units[unit_id], districts[rolled(district_id)]):
            tally.numbers[key] += value

    dkey = "household__community__district_id"
    pairing_rows = active.values("unit_id", "unit__name", dkey).annotate(
        n=Count("pk"), h=Count("household_id", distinct=True)
    )
    for row in pairing_rows:
        unit_names[row["unit_id"]] = row["unit__name"]
        for tally in (totals, units[row["unit_id"]], districts[rolled(row[dkey])]):
            tally.numbers["pairings"] += row["n"]
    # A household paired with two units is one household: distinct counts per grouping.
    totals.numbers["households"] = active.aggregate(h=Count("household_id", distinct=True))["h"]
    for row in active.values("unit_id").annotate(h=Count("household_id", distinct=True)):
        units[row["unit_id"]].numbers["households"] = row["h"]
    for row in active.values(dkey).annotate(h=Count("household_id", distinct=True)):
        districts[rolled(row[dkey])].numbers["households"] += row["h"]

    visits = Visit.objects.filter(pairing_id__in=ids, date__gte=first, date__lte=last).order_by()
    vdkey = "pairing__household__community__district_id"
    visit_rows = visits.values("pairing__unit_id", vdkey).annotate(
        n=Count("pk"),
        festival_n=Count("pk", filter=Q(festival=True)),
        cash=Sum("cash_amount"),
        in_kind=Sum("in_kind_value"),
    )
    for row in visit_rows:
        unit_id, district_id = row["pairing__unit_id"], row[vdkey]
        add(unit_id, district_id, "visits", row["n"])
        add(unit_id, district_id, "festival_visits", row["festival_n"])
        for tally in (totals, units[unit_id], districts[rolled(district_id)]):
            tally.cash += row["cash"] or ZERO
            tally.in_kind += row["in_kind"] or ZERO
    # Joined, not nested: a fresh PostgreSQL database (no statistics yet) plans an IN over an IN
    # as a nested loop that takes minutes on the demo data.
    through = Visit.participants.through.objects.filter(
        visit__pairing_id__in=ids, visit__date__gte=first, visit__date__lte=last
    ).order_by()
    person_rows = through.values("visit__pairing__unit_id", f"visit__{vdkey}").annotate(
        n=Count("pk"), festival_n=Count("pk", filter=Q(visit__festival=True))
    )
    for row in person_rows:
        unit_id, district_id = row["visit__pairing__unit_id"], row[f"visit__{vdkey}"]
        add(unit_id, district_id, "visit_person_times", row["n"])
        add(unit_id, district_id, "festival_person_times", row["festival_n"])

    config = compliance.current_config()
    periods = periods_overlapping(first, last, config)
    # The duties of each period begun by today, counted by the database (one query a period).
    for period in periods:
        if period.start > today:
            continue
        for unit_id, district_id, status, n in boards.status_counts(
            active, period, today, config, "unit_id", dkey
        ):
            status = rules.Status(status)
            for tally in (totals, units[unit_id], districts[rolled(district_id)]):
                tally.statuses[status] += n

    names = dict(Division.objects.filter(pk__in=list(districts)).values_list("pk", "name"))
    by_unit = [
        {"unit": {"id": pk, "name": unit_names.get(pk, "—")}, **tally.as_dict()}
        for pk, tally in units.items()
    ]
    by_district = [
        {"district": {"id": pk, "name": names.get(pk, "—")}, **tally.as_dict()}
        for pk, tally in districts.items()
    ]
    by_unit.sort(key=lambda r: (-r["pairings"], r["unit"]["name"]))
    by_district.sort(key=lambda r: (-r["pairings"], r["district"]["name"]))
    return {
        "from": first,
        "to": last,
        "today": today,
        "units": len(units),
        **totals.as_dict(),
        "periods": [compliance.period_key(p) for p in periods if p.start <= today],
        "by_unit": by_unit,
        "by_district": by_district,
    }


# --- the committee's figures, kept as a snapshot (core/snapshots.py) -----------------------------

CITY_FIGURES = "pairing.figures"


def city_figures_args(config, unit, district, first, last, today) -> dict:
    return {
        "config": compliance.config_key(config),
        "unit": unit.pk if unit is not None else None,
        "district": district.pk if district is not None else None,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "today": today.isoformat(),
    }


def city_figures(*, config, unit, district, first, last, today, scope=None) -> dict:
    """`pairing_figures` over every pairing (of one unit, when asked): what the committee reads,
    with today's settings (which `config` names); over the pairings of a shared `scope` (a unit's
    administrators) when given."""
    from guanqing.accounts.selectors import scope_reader
    from guanqing.pairing.models import Pairing

    pairings = Pairing.objects.all()
    if scope is not None:
        pairings = pairings.visible_to(scope_reader(scope))
    if unit is not None:
        pairings = pairings.filter(unit_id=unit)
    return pairing_figures(
        pairings,
        datetime.date.fromisoformat(first),
        datetime.date.fromisoformat(last),
        datetime.date.fromisoformat(today),
        district=Division.objects.get(pk=district) if district is not None else None,
    )


def city_figures_defaults(today: datetime.date) -> list[dict]:
    """The figures page's default view (this year to today, every unit and district)."""
    first = datetime.date(today.year, 1, 1)
    return [city_figures_args(compliance.current_config(), None, None, first, today, today)]
