"""汇爱帮扶金's section of the period report (工作情况统计).

- Donations in: the gifts RECEIVED in the period (`received_on`) that the reader sees, counted as
  `donation_services.donation_totals` counts a year — donor units are the units that gave, donors
  the people who gave through their unit's staff list (a registry member once, others by name,
  per unit) — less the gifts whose voucher was reversed (a reversal corrects a mistake: no money
  came in).
- Aid paid: the payments made in the period (`paid_on`) whose voucher stands; recipients: the
  members of staff paid (each once).
- Balance: the bank's balance at the period's last counted day, from the ledger's entries
  (`ledger.entries_balance`, the books' yearly report's closing balance), for a reader of the
  books only (the committee and the fund officer).
- Applications: received = submitted in the period; approved / refused = decided in the period.

The fund is city-wide and has no districts: a district's report has no fund section (None). A
unit's report shows the gifts of that unit (its own and its staff's) only.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanqing.core import reports
from guanqing.fund import ledger
from guanqing.fund.choices import ApplicationState, DonationSource
from guanqing.fund.donation_services import WAN
from guanqing.fund.models import Account, AidApplication, Donation, Payment

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
TOP_UNITS = 15


def _yuan(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def _wan(value) -> Decimal:
    return (Decimal(value or 0) / WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def _donations(ctx: reports.ReportContext):
    donations = Donation.objects.visible_to(ctx.user).filter(
        received_on__gte=ctx.first,
        received_on__lte=ctx.last,
        transaction__reversed_by__isnull=True,
    )
    if ctx.where.unit_id:
        donations = donations.filter(unit_id=ctx.where.unit_id)
    return donations


def _donation_rows(ctx: reports.ReportContext) -> list[dict]:
    """Per donating unit: its own gifts, its staff's, the total and its staff donors (one query)."""
    staff = Q(source=DonationSource.MEMBER)
    rows = (
        _donations(ctx)
        .values("unit_id", "unit__name", "unit__sort_order")
        .annotate(
            own=Sum("amount", filter=Q(source=DonationSource.UNIT)),
            staff=Sum("amount", filter=staff),
            total=Sum("amount"),
            members=Count("member_id", filter=staff, distinct=True),
            others=Count("donor_name", filter=staff & Q(member__isnull=True), distinct=True),
        )
        .order_by()
    )
    out = [
        {
            "name": row["unit__name"],
            "sort": row["unit__sort_order"],
            "own": _yuan(row["own"]),
            "staff": _yuan(row["staff"]),
            "total": _yuan(row["total"]),
            "donors": row["members"] + row["others"],
        }
        for row in rows
    ]
    out.sort(key=lambda r: (-r["total"], r["sort"], r["name"]))
    return out


def _by_month(
    ctx: reports.ReportContext, queryset, field: str, amount: str
) -> dict[datetime.date, Decimal]:
    """The sum of `amount` in each month of the period with any (one query)."""
    months = ctx.period.months_in()
    sums = queryset.order_by().aggregate(
        **{f"m{i}": Sum(amount, filter=f) for i, f in enumerate(reports.month_filters(ctx, field))}
    )
    return {
        month: _yuan(sums[f"m{i}"]) for i, month in enumerate(months) if sums[f"m{i}"] is not None
    }


def _bank(ctx: reports.ReportContext) -> Account | None:
    """The bank account, for a reader of the books (the committee, the fund officer)."""
    return Account.objects.visible_to(ctx.user).filter(code=ledger.BANK).first()


def build(ctx: reports.ReportContext) -> reports.SectionData | None:
    if ctx.where.district_id:
        # the fund is city-wide: its gifts come from units, which belong to no district
        return None
    unit_only = bool(ctx.where.unit_id)
    months = ctx.period.months_in()
    donors: list[dict] = []
    donated_by_month: dict = {}
    paid_by_month: dict = {}
    paid = {"total": None, "recipients": 0}
    applications = {"received": 0, "approved": 0, "refused": 0}
    if ctx.begun:
        donors = _donation_rows(ctx)
        donated_by_month = _by_month(ctx, _donations(ctx), "received_on", "amount")
        if not unit_only:
            payments = Payment.objects.visible_to(ctx.user).filter(
                paid_on__gte=ctx.first,
                paid_on__lte=ctx.last,
                transaction__reversed_by__isnull=True,
            )
            paid = payments.aggregate(
                total=Sum("amount"), recipients=Count("application__member_id", distinct=True)
            )
            paid_by_month = _by_month(ctx, payments, "paid_on", "amount")
            in_period = {"gte": ctx.first, "lte": ctx.last}
            decided = Q(decided_on__gte=in_period["gte"], decided_on__lte=in_period["lte"])
            applications = AidApplication.objects.visible_to(ctx.user).aggregate(
                received=Count(
                    "pk",
                    filter=Q(
                        submitted_on__gte=in_period["gte"], submitted_on__lte=in_period["lte"]
                    ),
                ),
                approved=Count(
                    "pk",
                    filter=decided
                    & Q(state__in=(ApplicationState.APPROVED, ApplicationState.PAID)),
                ),
                refused=Count("pk", filter=decided & Q(state=ApplicationState.REJECTED)),
            )

    donated = sum((row["total"] for row in donors), ZERO)
    figures = [
        reports.Figure(
            "donations", _("捐款收入"), donated, _("元"), _("报告期内到账的捐款（不含已冲正的）")
        ),
        reports.Figure("donations_wan", _("捐款收入"), _wan(donated), _("万元")),
        reports.Figure(
            "donor_units",
            _("捐款单位"),
            sum(1 for row in donors if row["total"] > 0),
            _("个"),
            _("报告期内有捐款到账的单位（含职工个人捐款）"),
        ),
        reports.Figure(
            "donors",
            _("职工个人捐款人数"),
            sum(row["donors"] for row in donors),
            _("人"),
            _("通过本单位职工名单捐款的人数，每单位每人计一次"),
        ),
    ]
    if unit_only:
        # a unit's report: that unit's gifts only; the fund's aid and books are the city's
        return reports.SectionData(
            figures=figures,
            charts=[
                reports.Chart(
                    key="by_month",
                    title=_("各月捐款收入"),
                    kind="column",
                    categories=[month.strftime("%Y-%m") for month in months],
                    series=[
                        reports.Series(
                            _("捐款收入"), [donated_by_month.get(m, ZERO) for m in months]
                        )
                    ],
                    unit=_("元"),
                )
            ],
        )

    figures += [
        reports.Figure(
            "aid_paid",
            _("帮扶金支出"),
            _yuan(paid["total"]),
            _("元"),
            _("报告期内发放的帮扶金（不含已冲正的）"),
        ),
        reports.Figure(
            "aid_recipients", _("受助职工"), paid["recipients"], _("人"), _("报告期内获发放的职工")
        ),
        reports.Figure(
            "applications_received",
            _("收到申请"),
            applications["received"],
            pgettext_lazy("fund", "件"),
            _("报告期内提交的帮扶金申请"),
        ),
        reports.Figure(
            "applications_approved",
            _("批准申请"),
            applications["approved"],
            pgettext_lazy("fund", "件"),
            _("报告期内审批通过的申请"),
        ),
        reports.Figure(
            "applications_refused",
            _("未批准申请"),
            applications["refused"],
            pgettext_lazy("fund", "件"),
            _("报告期内审批未通过的申请"),
        ),
    ]
    bank = _bank(ctx)
    if bank is not None:
        # None while the period has not begun: there is no period end yet
        balance = _yuan(ledger.entries_balance(bank, ctx.last)) if ctx.begun else None
        figures.append(
            reports.Figure(
                "balance",
                _("期末余额"),
                balance,
                _("元"),
                _("报告期末（进行中的报告期：统计日）银行存款账户的余额"),
            )
        )
    table = reports.Table(
        key="by_unit",
        title=_("各单位捐款"),
        columns=[
            _("单位"),
            _("单位捐款（元）"),
            _("职工个人捐款（元）"),
            _("合计（元）"),
            _("职工捐款人数"),
        ],
        rows=[
            [row["name"], row["own"], row["staff"], row["total"], row["donors"]] for row in donors
        ],
    )
    charts = [
        reports.Chart(
            key="by_month",
            title=_("各月收支"),
            kind="column",
            categories=[month.strftime("%Y-%m") for month in months],
            series=[
                reports.Series(_("捐款收入"), [donated_by_month.get(m, ZERO) for m in months]),
                reports.Series(_("帮扶金支出"), [paid_by_month.get(m, ZERO) for m in months]),
            ],
            unit=_("元"),
        )
    ]
    if donors:
        top = donors[:TOP_UNITS]
        charts.append(
            reports.Chart(
                key="by_unit",
                title=_("各单位捐款"),
                kind="bar",
                categories=[row["name"] for row in top],
                series=[reports.Series(_("捐款收入"), [row["total"] for row in top])],
                unit=_("元"),
            )
        )
    return reports.SectionData(figures=figures, tables=[table], charts=charts)
