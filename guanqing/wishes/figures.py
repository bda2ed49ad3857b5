"""The micro-wish figures (微心愿数据) of a date range, within the user's scope.

Definitions (the range is inclusive, dates are Asia/Shanghai dates):
- posted: wishes posted in the range; published: wishes put on the wall in the range;
- claims: claims made in the range (人次); claimed: the distinct wishes those claims are on;
  members who claimed: the distinct members who made them (人);
- fulfilled / confirmed: wishes fulfilled / confirmed in the range; money spent: the fulfilments'
  money in 元;
- by unit: claims, members who claimed, and wishes fulfilled with a member of the unit among
  the credited claimants; by today's district (merged districts rolled up) and by category.
- The ranking orders units by wishes fulfilled, never by claims: a claim alone helps nobody.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from guanqing.core.daterange import DateRange
from guanqing.registry.models import Division
from guanqing.registry.selectors import current_district_map
from guanqing.wishes.choices import ClaimStatus, WishCategory
from guanqing.wishes.models import Wish, WishClaim, WishFulfilment

CENT = Decimal("0.01")

# The committee's figures of a date range, kept as a snapshot (`core/snapshots.py`).
CITY_FIGURES = "wishes.figures"


def wish_figures(user, first: datetime.date, last: datetime.date) -> dict:
    # Bounds on the stored instant, not `__date` (which casts every row's timestamp to a local
    # date and cannot use an index): the same Asia/Shanghai days, several times faster.
    _on = DateRange(first, last).bounds
    wishes = Wish.objects.visible_to(user).order_by()
    claims = WishClaim.objects.visible_to(user).order_by()
    made = claims.filter(**_on("created_at"))
    credited = claims.filter(status=ClaimStatus.FULFILLED, **_on("wish__fulfilled_at"))
    fulfilled = wishes.filter(**_on("fulfilled_at"))
    money = WishFulfilment.objects.filter(
        wish__in=fulfilled.values("pk"), **_on("fulfilled_at")
    ).aggregate(total=Sum("money_spent"))["total"] or Decimal(0)
    # One pass over the wishes and one over the claims for the totals, counting each figure with
    # its own condition, instead of one query (one scan) per figure.
    counts = wishes.aggregate(
        posted=Count("pk", filter=Q(**_on("created_at"))),
        published=Count("pk", filter=Q(**_on("published_at"))),
        fulfilled=Count("pk", filter=Q(**_on("fulfilled_at"))),
        confirmed=Count("pk", filter=Q(**_on("confirmed_at"))),
    )
    claim_counts = made.aggregate(
        claims=Count("pk"),
        claimed=Count("wish_id", distinct=True),
        members=Count("member_id", distinct=True),
    )
    totals = {
        "posted": counts["posted"],
        "published": counts["published"],
        "claims": claim_counts["claims"],
        "claimed": claim_counts["claimed"],
        "members_who_claimed": claim_counts["members"],
        "fulfilled": counts["fulfilled"],
        "confirmed": counts["confirmed"],
        "money_spent_yuan": str(Decimal(money).quantize(CENT, rounding=ROUND_HALF_UP)),
        "money_spent_wan_yuan": str(
            (Decimal(money) / 10000).quantize(CENT, rounding=ROUND_HALF_UP)
        ),
    }

    # by unit
    units: dict[int, dict] = defaultdict(
        lambda: {"unit": "", "claims": 0, "members_who_claimed": 0, "fulfilled": 0}
    )
    for row in made.values("member__unit_id", "member__unit__name").annotate(
        n=Count("pk"), m=Count("member_id", distinct=True)
    ):
        entry = units[row["member__unit_id"]]
        entry.update(unit=row["member__unit__name"], claims=row["n"], members_who_claimed=row["m"])
    for row in credited.values("member__unit_id", "member__unit__name").annotate(
        n=Count("wish_id", distinct=True)
    ):
        entry = units[row["member__unit_id"]]
        entry.update(unit=row["member__unit__name"], fulfilled=row["n"])
    by_unit = sorted(
        ({"unit_id": pk, **entry} for pk, entry in units.items()), key=lambda r: r["unit"]
    )
    ranked = sorted(
        (r for r in by_unit if r["fulfilled"]), key=lambda r: (-r["fulfilled"], r["unit"])
    )
    ranking = []
    for index, row in enumerate(ranked):
        # equal counts share a rank (1, 2, 2, 4)
        rank = (
            ranking[-1]["rank"]
            if ranking and ranking[-1]["fulfilled"] == row["fulfilled"]
            else index + 1
        )
        ranking.append(
            {
                "rank": rank,
                "unit_id": row["unit_id"],
                "unit": row["unit"],
                "fulfilled": row["fulfilled"],
            }
        )

    # by today's district and by category: the wishes posted and fulfilled in one pass, grouped
    # by both (a few dozen rows), the claims by the wish's district
    district_of = current_district_map()
    districts: dict[int, dict] = defaultdict(lambda: {"posted": 0, "claims": 0, "fulfilled": 0})
    posted_by: dict[str, int] = defaultdict(int)
    fulfilled_by: dict[str, int] = defaultdict(int)
    in_posted, in_fulfilled = Q(**_on("created_at")), Q(**_on("fulfilled_at"))
    for row in (
        wishes.filter(in_posted | in_fulfilled)
        .values("community__district_id", "category")
        .annotate(posted=Count("pk", filter=in_posted), fulfilled=Count("pk", filter=in_fulfilled))
    ):
        district = row["community__district_id"]
        entry = districts[district_of.get(district, district)]
        entry["posted"] += row["posted"]
        entry["fulfilled"] += row["fulfilled"]
        posted_by[row["category"]] += row["posted"]
        fulfilled_by[row["category"]] += row["fulfilled"]
    field = "wish__community__district_id"
    for row in made.values(field).annotate(n=Count("pk")):
        districts[district_of.get(row[field], row[field])]["claims"] += row["n"]
    names = dict(Division.objects.filter(pk__in=list(districts)).values_list("pk", "name"))
    by_district = sorted(
        ({"district_id": pk, "district": names.get(pk, "—"), **v} for pk, v in districts.items()),
        key=lambda r: (-r["fulfilled"], -r["posted"], r["district"]),
    )
    by_category = [
        {
            "category": c.value,
            "label": str(c.label),
            "posted": posted_by.get(c.value, 0),
            "fulfilled": fulfilled_by.get(c.value, 0),
        }
        for c in WishCategory
    ]
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "totals": totals,
        "by_unit": by_unit,
        "by_district": by_district,
        "by_category": by_category,
        "ranking": ranking,
    }


def figures_of(user, span: DateRange):
    """The figures of `span` for `user` as a `snapshots.Snapshot`: the committee's kept one,
    anyone else's counted now (the page and the API read the same)."""
    from guanqing.core import snapshots
    from guanqing.core.calendar.workdays import business_date

    return snapshots.for_reader(
        Wish.objects.visible_to(user),
        CITY_FIGURES,
        snapshots.span_args(span, business_date()),
        lambda: wish_figures(user, span.first, span.last),
    )


def register_snapshots() -> None:
    """The committee's figures of a date range (every wish and claim)."""
    from guanqing.accounts.selectors import committee_reader
    from guanqing.core import snapshots

    snapshots.register(
        CITY_FIGURES,
        snapshots.span_counts(
            lambda span, today: wish_figures(committee_reader(), span.first, span.last)
        ),
        warm=snapshots.span_defaults,
    )
