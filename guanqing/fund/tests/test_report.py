"""汇爱帮扶金's section of the period report: donations, aid and applications counted by hand from
the records the test makes, the balance from the ledger, a unit's report (its gifts only), the
reader's scope, no section for a district, JSON through `build_sections`, and a query budget that
does not grow with the donating units.

Today is pinned to 2026-05-13; the period is 2026-Q2 (counted up to today).
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
import time_machine

from guanqing.conftest import clock_from
from guanqing.core import reports
from guanqing.fund import aid_services, ledger, report
from guanqing.fund import donation_services as donations
from guanqing.fund.choices import Decision, DonationSource
from guanqing.fund.tests import aid_support as aid
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
Q2 = reports.Period.parse("2026-Q2")
CITY = reports.Where()

# (unit, source, donor, amount, received on) — the gifts of the set; "other" is the other unit
GIFTS = [
    ("own", DonationSource.UNIT, None, "5000.00", D(2026, 4, 10)),
    ("own", DonationSource.MEMBER, "member", "100.00", D(2026, 4, 12)),
    ("own", DonationSource.MEMBER, "member", "50.00", D(2026, 5, 2)),  # the same donor again
    ("own", DonationSource.MEMBER, "王工会", "20.50", D(2026, 5, 3)),
    ("other", DonationSource.UNIT, None, "3000.00", D(2026, 5, 6)),
    ("other", DonationSource.UNIT, None, "999.00", D(2026, 3, 20)),  # before the period
]


def give(w, unit, source, donor, amount, on):
    values = {
        "actor": w.users.fund_officer,
        "source": source,
        "unit": w.unit if unit == "own" else w.other_unit,
        "amount": Decimal(amount),
        "received_on": on,
    }
    if donor == "member":
        values["member"] = w.member
    elif donor:
        values["donor_name"] = donor
    return donations.donation_record(**values)


@pytest.fixture
def s(aid_world):
    w = aid_world
    for gift in GIFTS:
        give(w, *gift)
    # a gift entered by mistake and reversed: no money came in
    mistake = give(w, "own", DonationSource.UNIT, None, "700.00", D(2026, 4, 15))
    ledger.reverse(
        actor=w.users.fund_officer, transaction=mistake.transaction, posted_on=D(2026, 4, 16)
    )
    # an application submitted in March, still under way: not received in the period
    with time_machine.travel(clock_from("2026-03-10"), tick=False):
        aid.submitted(w)
    # submitted today: one approved and paid (self-paid 20,000 → 8,000), one refused
    w.payment = aid.paid(w)
    refused = aid.submitted(w)
    aid_services.application_decide(
        actor=w.users.fund_officer, application=refused, decision=Decision.REJECT, note="材料不全"
    )
    return w


def english_texts(section: dict) -> list[str]:
    """The texts an English reader reads in the frozen section (labels, units, notes, titles and
    column heads; data such as unit names apart)."""
    english = reports.thaw(section, "en")
    texts = [english["title"]]
    for fig in english["figures"]:
        texts += [fig["label"], fig["unit"], fig["note"]]
    for table in english["tables"]:
        texts += [table["title"], *table["columns"]]
    for chart in english["charts"]:
        texts += [chart["title"], chart["unit"], *(s["name"] for s in chart["series"])]
    return [str(text) for text in texts]


def ctx_for(user, where=CITY, period=Q2):
    return reports.ReportContext(user=user, period=period, where=where, today=D(2026, 5, 13))


def values(data) -> dict:
    return {fig.key: fig.value for fig in data.figures}


def in_q2(unit=None):
    return [
        g for g in GIFTS if Q2.first <= g[4] <= D(2026, 5, 13) and (unit is None or g[0] == unit)
    ]


def test_city_figures_by_hand(s):
    data = report.build(ctx_for(s.users.committee))
    got = values(data)
    donated = sum(Decimal(g[3]) for g in in_q2())
    assert got["donations"] == donated == Decimal("8170.50")
    assert got["donations_wan"] == Decimal("0.82")
    assert got["donor_units"] == 2
    assert got["donors"] == 2  # 张三 twice counts once, and 王工会
    assert got["aid_paid"] == s.payment.amount == Decimal("8000.00")
    assert got["aid_recipients"] == 1
    assert got["applications_received"] == 2
    assert got["applications_approved"] == 1
    assert got["applications_refused"] == 1
    # every gift ever received (the reversed one nets out) less the aid paid
    assert got["balance"] == sum(Decimal(g[3]) for g in GIFTS) - Decimal("8000.00")
    table = data.tables[0]
    assert table.key == "by_unit"
    assert table.rows == [
        [s.unit.name, Decimal("5000.00"), Decimal("170.50"), Decimal("5170.50"), 2],
        [s.other_unit.name, Decimal("3000.00"), Decimal("0.00"), Decimal("3000.00"), 0],
    ]
    month = next(c for c in data.charts if c.key == "by_month")
    assert month.kind == "column"
    assert month.categories == ["2026-04", "2026-05", "2026-06"]
    assert [series.values for series in month.series] == [
        [Decimal("5100.00"), Decimal("3070.50"), Decimal("0.00")],
        [Decimal("0.00"), Decimal("8000.00"), Decimal("0.00")],
    ]


def test_the_balance_is_the_ledgers_at_the_period_end(s):
    march = values(report.build(ctx_for(s.users.committee, period=reports.Period.parse("2026-03"))))
    assert (
        march["balance"]
        == Decimal("999.00")
        == ledger.entries_balance(s.accounts.bank, D(2026, 3, 31))
    )
    assert march["donations"] == Decimal("999.00")
    assert march["applications_received"] == 1
    assert march["aid_paid"] == Decimal("0.00")


def test_a_units_report_shows_its_gifts_only(s):
    where = reports.Where(reports.WhereKind.UNIT, s.unit.pk, s.unit.name)
    data = report.build(ctx_for(s.users.committee, where))
    got = values(data)
    assert got == {
        "donations": sum(Decimal(g[3]) for g in in_q2("own")),
        "donations_wan": Decimal("0.52"),
        "donor_units": 1,
        "donors": 2,
    }
    assert data.tables == []
    other = reports.Where(reports.WhereKind.UNIT, s.other_unit.pk, s.other_unit.name)
    assert values(report.build(ctx_for(s.users.committee, other)))["donations"] == Decimal(
        "3000.00"
    )


def test_a_unit_admin_reads_its_units_gifts_and_not_the_books(s):
    got = values(report.build(ctx_for(s.users.unit_admin)))
    assert got["donations"] == Decimal("5170.50")
    assert got["donor_units"] == 1
    assert "balance" not in got
    # the applications of its own staff (all three are 张三's)
    assert got["applications_received"] == 2
    assert values(report.build(ctx_for(s.users.window_clerk)))["donations"] == Decimal("0.00")


def test_a_period_not_begun_counts_zero(s):
    got = values(report.build(ctx_for(s.users.committee, period=reports.Period.parse("2026-07"))))
    assert got["donations"] == Decimal("0.00")
    assert got["aid_recipients"] == 0
    assert got["balance"] is None


def test_no_section_for_a_district(s):
    where = reports.Where(reports.WhereKind.DISTRICT, s.district.pk, s.district.name)
    assert report.build(ctx_for(s.users.committee, where)) is None


def test_the_report_data_is_json(s):
    frozen = reports.build_sections(ctx_for(s.users.committee))
    json.dumps(frozen)
    section = reports.thaw(next(item for item in frozen if item["key"] == "fund"), "en")
    got = {fig["key"]: fig["value"] for fig in section["figures"]}
    assert got["donations"] == Decimal("8170.50")
    # an English reader reads no Chinese outside the data
    frozen_section = next(item for item in frozen if item["key"] == "fund")
    assert not [t for t in english_texts(frozen_section) if re.search("[\u4e00-\u9fff]", t)]


def test_query_budget_does_not_grow_with_units(s, django_assert_max_num_queries):
    ctx = ctx_for(s.users.committee)
    with django_assert_max_num_queries(7):
        report.build(ctx)
    for _ in range(4):
        unit = f.UnitFactory()
        donations.donation_record(
            actor=s.users.fund_officer,
            source=DonationSource.UNIT,
            unit=unit,
            amount=Decimal("10"),
            received_on=D(2026, 5, 4),
        )
    with django_assert_max_num_queries(7):
        data = report.build(ctx)
    assert len(data.tables[0].rows) == 6
