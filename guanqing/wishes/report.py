"""微心愿's section of the period report (工作情况统计).

City-wide the numbers are `figures.wish_figures` over the reader's wishes, so the report and the
module's figures page give the same numbers. A district's report counts, with the same definitions,
the wishes posted by its communities (old districts merged into it included) and the claims on
them; a unit's report counts its members' claims and the wishes they claimed (what the unit's own
administrator sees of the module).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanqing.core import reports
from guanqing.core.daterange import DateRange
from guanqing.registry.models import Division
from guanqing.registry.selectors import district_ids_rolling_up_to
from guanqing.wishes import figures
from guanqing.wishes.choices import ClaimStatus
from guanqing.wishes.models import Wish, WishClaim, WishFulfilment

CENT = Decimal("0.01")
WAN = Decimal(10000)
TOP = 15

U_ITEMS = pgettext_lazy("wishes unit", "件")
U_PEOPLE = _("人")
U_PERSON_TIMES = _("人次")
U_WAN = _("万元")

TOTAL_KEYS = (
    "posted",
    "published",
    "claims",
    "claimed",
    "members_who_claimed",
    "fulfilled",
    "confirmed",
)


def _wan(yuan) -> Decimal:
    return (Decimal(yuan or 0) / WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def _scoped(ctx: reports.ReportContext):
    """(wishes, claims) the reader sees, narrowed to the report's unit or district."""
    wishes = Wish.objects.visible_to(ctx.user).order_by()
    claims = WishClaim.objects.visible_to(ctx.user).order_by()
    if ctx.where.unit_id is not None:
        claims = claims.filter(member__unit_id=ctx.where.unit_id)
        wishes = wishes.filter(
            pk__in=WishClaim.objects.filter(member__unit_id=ctx.where.unit_id).values("wish_id")
        )
    if ctx.where.district_id is not None:
        rolling_up = ctx.shared(
            reports.DISTRICT_IDS,
            lambda: district_ids_rolling_up_to(Division(pk=ctx.where.district_id)),
        )
        wishes = wishes.filter(community__district_id__in=rolling_up)
        claims = claims.filter(wish__community__district_id__in=rolling_up)
    return wishes, claims


def _narrowed(ctx: reports.ReportContext) -> dict:
    """`wish_figures`' totals and by-unit rows, for a unit or a district."""
    _on = DateRange(ctx.first, ctx.last).bounds
    wishes, claims = _scoped(ctx)
    made = claims.filter(**_on("created_at"))
    credited = claims.filter(status=ClaimStatus.FULFILLED, **_on("wish__fulfilled_at"))
    fulfilled = wishes.filter(**_on("fulfilled_at"))
    money = WishFulfilment.objects.filter(
        wish__in=fulfilled.values("pk"), **_on("fulfilled_at")
    ).aggregate(total=Sum("money_spent"))["total"] or Decimal(0)
    counted = made.aggregate(
        claims=Count("pk"),
        claimed=Count("wish_id", distinct=True),
        members_who_claimed=Count("member_id", distinct=True),
    )
    totals = {
        "posted": wishes.filter(**_on("created_at")).count(),
        "published": wishes.filter(**_on("published_at")).count(),
        **counted,
        "fulfilled": fulfilled.count(),
        "confirmed": wishes.filter(**_on("confirmed_at")).count(),
        "money_spent_yuan": str(Decimal(money).quantize(CENT, rounding=ROUND_HALF_UP)),
    }
    by_unit: list[dict] = []
    if ctx.where.district_id is not None:
        units: dict[int, dict] = defaultdict(
            lambda: {"unit": "", "claims": 0, "members_who_claimed": 0, "fulfilled": 0}
        )
        for row in made.values("member__unit_id", "member__unit__name").annotate(
            n=Count("pk"), m=Count("member_id", distinct=True)
        ):
            units[row["member__unit_id"]].update(
                unit=row["member__unit__name"], claims=row["n"], members_who_claimed=row["m"]
            )
        for row in credited.values("member__unit_id", "member__unit__name").annotate(
            n=Count("wish_id", distinct=True)
        ):
            units[row["member__unit_id"]].update(unit=row["member__unit__name"], fulfilled=row["n"])
        by_unit = [{"unit_id": pk, **entry} for pk, entry in units.items()]
    return {"totals": totals, "by_unit": by_unit, "by_district": []}


def _by_month(ctx: reports.ReportContext) -> tuple[list[int], list[int]]:
    """Wishes posted and wishes fulfilled in each month of the period: one query."""
    months = ctx.period.months_in()
    if not ctx.begun:
        return [0] * len(months), [0] * len(months)
    _on = DateRange(ctx.first, ctx.last).bounds
    wishes, _claims = _scoped(ctx)
    counted = wishes.filter(Q(**_on("created_at")) | Q(**_on("fulfilled_at"))).aggregate(
        **{
            f"{prefix}{i}": Count("pk", filter=f)
            for prefix, field in (("p", "created_at"), ("f", "fulfilled_at"))
            for i, f in enumerate(reports.month_filters(ctx, field, timestamp=True))
        }
    )
    n = len(months)
    return reports.month_values(counted, "p", n), reports.month_values(counted, "f", n)


def _empty() -> dict:
    return {
        "totals": {**dict.fromkeys(TOTAL_KEYS, 0), "money_spent_yuan": "0.00"},
        "by_unit": [],
        "by_district": [],
    }


def build(ctx: reports.ReportContext) -> reports.SectionData:
    if not ctx.begun:
        result = _empty()
    elif ctx.where.is_city:
        result = figures.wish_figures(ctx.user, ctx.first, ctx.last)
    else:
        result = _narrowed(ctx)
    t = result["totals"]
    F = reports.Figure
    data = reports.SectionData(
        figures=[
            F("posted", _("发布微心愿"), t["posted"], U_ITEMS, _("期内发布的心愿")),
            F("published", _("上墙"), t["published"], U_ITEMS),
            F("claimed", _("被认领心愿"), t["claimed"], U_ITEMS, _("期内有认领的心愿")),
            F("claims", _("认领"), t["claims"], U_PERSON_TIMES),
            F(
                "members_who_claimed",
                _("认领党员"),
                t["members_who_claimed"],
                U_PEOPLE,
                _("期内认领过心愿的党员，一人只计一次"),
            ),
            F("fulfilled", _("实现心愿"), t["fulfilled"], U_ITEMS),
            F("confirmed", _("群众确认"), t["confirmed"], U_ITEMS),
            F(
                "money_spent_wan",
                _("实现心愿花费"),
                _wan(t["money_spent_yuan"]),
                U_WAN,
                _("期内实现的心愿登记的花费"),
            ),
        ]
    )

    units = sorted(
        result["by_unit"], key=lambda r: (-r["fulfilled"], -r["claims"], r["unit"] or "")
    )
    if ctx.where.is_city:
        data.tables.append(
            reports.Table(
                key="by_district",
                title=_("微心愿分区县情况"),
                columns=[_("区（县、市）"), _("发布"), _("认领人次"), _("实现")],
                rows=[
                    [r["district"], r["posted"], r["claims"], r["fulfilled"]]
                    for r in result["by_district"]
                ],
            )
        )
    if ctx.where.unit_id is None:
        data.tables.append(
            reports.Table(
                key="by_unit",
                title=_("微心愿分单位情况"),
                columns=[_("单位"), _("认领人次"), _("认领党员"), _("实现")],
                rows=[
                    [r["unit"], r["claims"], r["members_who_claimed"], r["fulfilled"]]
                    for r in units
                ],
            )
        )

    posted, fulfilled = _by_month(ctx)
    data.charts.append(
        reports.Chart(
            key="by_month",
            title=_("逐月发布与实现的微心愿"),
            kind="column",
            categories=[m.strftime("%Y-%m") for m in ctx.period.months_in()],
            series=[reports.Series(_("发布"), posted), reports.Series(_("实现"), fulfilled)],
            unit=U_ITEMS,
        )
    )
    if ctx.where.unit_id is None:
        top = [r for r in units if r["fulfilled"]][:TOP]
        data.charts.append(
            reports.Chart(
                key="units_by_fulfilled",
                title=_("实现微心愿前十五位单位"),
                kind="bar",
                categories=[r["unit"] for r in top],
                series=[reports.Series(_("实现"), [r["fulfilled"] for r in top])],
                unit=U_ITEMS,
            )
        )
    return data
