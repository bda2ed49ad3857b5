"""微心愿's section of the period report: the city, one unit, one district (an old district merged
into it rolled up), the period's bounds, the reader's scope, JSON and the query budget."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.core import reports
from guanqing.registry import services as registry_services
from guanqing.testing import factories as f
from guanqing.wishes import figures
from guanqing.wishes.models import WishFulfilment
from guanqing.wishes.report import build
from guanqing.wishes.tests.factories import make_wish

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
Q1 = reports.Period.parse("2026-Q1")
TODAY = D(2026, 4, 10)


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI))


def spent(wish, yuan: str):
    WishFulfilment.objects.filter(wish=wish).update(money_spent=Decimal(yuan))


@pytest.fixture
def story(ww):
    """海曙区 gathers the old 江东区; 江北区 stands apart.

    20 Dec 2025 (before Q1): W0 fulfilled by 张三 (市纪委), 99,999.00 spent.
    10 Feb 2026: W1 (徐家漕社区, 海曙区) fulfilled by 张三, 12,345.00.
    5 Mar 2026: W2 (徐家漕社区) claimed by 李四 (市发改委), open; W3 (a 江东区 community)
    fulfilled by 王五 (市纪委), 5,000.00; W4 (a 江北区 community) fulfilled and confirmed, claimed
    by 张三, 655.00."""
    old = f.DistrictFactory(name="江东区")
    registry_services.division_abolish(
        actor=ww.users.committee, division=old, on=D(2016, 9, 1), successor=ww.district
    )
    north = f.DistrictFactory(name="江北区")
    ww.north = north
    old_community = f.CommunityFactory(parent=f.StreetFactory(parent=old))
    north_community = f.CommunityFactory(parent=f.StreetFactory(parent=north))
    with on(D(2025, 12, 20)):
        spent(make_wish(ww, "fulfilled", claimants=[ww.member]), "99999")
    with on(D(2026, 2, 10)):
        spent(make_wish(ww, "fulfilled", claimants=[ww.member]), "12345")
    with on(D(2026, 3, 5)):
        make_wish(ww, "published", claimants=[ww.other_member])
        w3 = make_wish(
            ww, "fulfilled", claimants=[ww.colleague], community=old_community, household=None
        )
        spent(w3, "5000")
        w4 = make_wish(
            ww, "confirmed", claimants=[ww.member], community=north_community, household=None
        )
        spent(w4, "655")
    with on(TODAY):
        yield ww


CITY = reports.Where()


def ctx(user, where=CITY, period=Q1):
    return reports.ReportContext(user=user, period=period, where=where, today=TODAY)


def values(data) -> dict:
    return {fig.key: fig.value for fig in data.figures}


def test_city_counts_the_period_only(story):
    got = values(build(ctx(story.users.committee)))
    assert got == {
        "posted": 4,
        "published": 4,
        "claimed": 4,
        "claims": 4,
        "members_who_claimed": 3,  # 张三 claimed twice: one member
        "fulfilled": 3,
        "confirmed": 1,
        "money_spent_wan": Decimal("1.80"),  # 12,345 + 5,000 + 655; not the 99,999 of December
    }


def test_city_agrees_with_the_modules_figures(story):
    totals = figures.wish_figures(story.users.committee, Q1.first, TODAY)["totals"]
    got = values(build(ctx(story.users.committee)))
    assert {k: got[k] for k in ("posted", "claims", "fulfilled", "confirmed")} == {
        k: totals[k] for k in ("posted", "claims", "fulfilled", "confirmed")
    }


def test_city_tables_and_charts(story):
    data = build(ctx(story.users.committee))
    tables = {t.key: t for t in data.tables}
    by_district = {row[0]: row[1:] for row in tables["by_district"].rows}
    assert by_district == {"海曙区": [3, 3, 2], "江北区": [1, 1, 1]}  # 江东区 rolled up
    assert tables["by_unit"].rows == [["市纪委", 3, 2, 3], ["市发改委", 1, 1, 0]]
    charts = {c.key: c for c in data.charts}
    assert charts["by_month"].categories == ["2026-01", "2026-02", "2026-03"]
    assert [s.values for s in charts["by_month"].series] == [[0, 1, 3], [0, 1, 2]]
    assert charts["units_by_fulfilled"].categories == ["市纪委"]  # 市发改委 fulfilled nothing


def test_one_unit_counts_its_members_claims(story):
    where = reports.Where(reports.WhereKind.UNIT, story.unit.pk)
    data = build(ctx(story.users.committee, where))
    got = values(data)
    assert (got["claims"], got["members_who_claimed"]) == (3, 2)
    assert (got["posted"], got["fulfilled"], got["confirmed"]) == (3, 3, 1)
    assert got["money_spent_wan"] == Decimal("1.80")
    assert data.tables == [] and [c.key for c in data.charts] == ["by_month"]


def test_a_unit_admin_reads_only_its_unit(story):
    got = values(build(ctx(story.users.unit_admin)))
    where = reports.Where(reports.WhereKind.UNIT, story.unit.pk)
    assert got == values(build(ctx(story.users.committee, where)))
    assert got["claims"] == 3  # not 李四's claim of 市发改委


def test_one_district_counts_the_old_district_merged_into_it(story):
    where = reports.Where(reports.WhereKind.DISTRICT, story.district.pk)
    data = build(ctx(story.users.committee, where))
    got = values(data)
    assert (got["posted"], got["claims"], got["members_who_claimed"]) == (3, 3, 3)
    assert (got["fulfilled"], got["confirmed"]) == (2, 0)
    assert got["money_spent_wan"] == Decimal("1.73")  # 17,345 yuan
    assert [t.key for t in data.tables] == ["by_unit"]
    assert sorted(data.tables[0].rows) == [["市发改委", 1, 1, 0], ["市纪委", 2, 2, 2]]
    north = reports.Where(reports.WhereKind.DISTRICT, story.north.pk)
    assert values(build(ctx(story.users.committee, north)))["posted"] == 1


def test_a_period_not_begun_gives_zeros(story):
    got = values(build(ctx(story.users.committee, period=reports.Period.parse("2026-Q3"))))
    assert set(got.values()) == {0, Decimal("0.00")}


def test_the_section_survives_json(story, monkeypatch):
    monkeypatch.setattr(reports, "_sections", {"wishes": reports._sections["wishes"]})
    frozen = reports.build_sections(ctx(story.users.committee))
    text = json.dumps(frozen)
    assert frozen[0]["key"] == "wishes" and "money_spent_wan" in text


def _more_units(ww, n):
    for _ in range(n):
        member = f.MemberFactory(unit=f.UnitFactory())
        with on(D(2026, 2, 20)):
            make_wish(ww, "fulfilled", claimants=[member])


@pytest.mark.parametrize("kind", ["city", "district"])
def test_queries_do_not_grow_with_the_units(story, kind, django_assert_max_num_queries):
    where = (
        reports.Where()
        if kind == "city"
        else reports.Where(reports.WhereKind.DISTRICT, story.district.pk)
    )
    _more_units(story, 2)
    with CaptureQueriesContext(connection) as few:
        build(ctx(story.users.committee, where))
    _more_units(story, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = build(ctx(story.users.committee, where))
    assert len({t.key: t for t in data.tables}["by_unit"].rows) == 12
