"""党员进社区's section of the period report: the city, one unit, one district (an old district
merged into it rolled up), the period's bounds, the reader's scope, JSON and the query budget."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.community.report import build
from guanqing.community.tests import factories as cf
from guanqing.core import reports
from guanqing.registry import services as registry_services
from guanqing.testing import factories as f

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = D(2026, 4, 10)
Q1 = reports.Period.parse("2026-Q1")
CITY = reports.Where()


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def attend(activity, member, hours: str):
    """An attendance checked out after `hours` (what check-in credits)."""
    return cf.AttendanceFactory(
        activity=activity,
        member=member,
        checked_out_at=activity.starts_at + datetime.timedelta(hours=float(hours)),
        hours=Decimal(hours),
    )


@pytest.fixture
def story(world):
    """海曙区 gathers the old 江东区; 江北区 stands apart. Active members: 张三 (市纪委, lives in
    徐家漕社区, 海曙区), 王五 (市纪委, lives in 江东区), 李四 and 赵六 (市发改委; 赵六 lives in
    江北区).

    2026H1 registrations: 张三 confirmed (爱心温暖输送员), 王五 confirmed (政策法规宣传员), 赵六
    pending (维稳安全员); 李四's confirmed one is of 2025H2.
    Activities: A1 at 徐家漕社区 on 10 Feb (张三 2.5 h, 王五 3.0 h, 张三 signed up); A2 at 江北区
    on 5 March (赵六 1.0 h, 李四 0.5 h by hand); A3 at 江东区 on 15 Jan, cancelled; A0 at 徐家漕社区
    on 20 Dec 2025 (张三 9.0 h: before the period).
    2026H1 ratings: 张三 优秀, 王五 称职, 赵六 基本称职; 李四 优秀 in 2025H2."""
    with time_machine.travel(at(TODAY, 12), tick=False):
        old = f.DistrictFactory(name="江东区")
        registry_services.division_abolish(
            actor=world.users.committee, division=old, on=D(2016, 9, 1), successor=world.district
        )
        north = f.DistrictFactory(name="江北区")
        old_community = f.CommunityFactory(parent=f.StreetFactory(parent=old))
        north_community = f.CommunityFactory(parent=f.StreetFactory(parent=north))
        world.north = north
        member, other = world.member, world.other_member
        colleague = f.MemberFactory(
            unit=world.unit, branch=world.org, home_community=old_community, name="王五"
        )
        zhao = f.MemberFactory(unit=world.other_unit, home_community=north_community, name="赵六")
        cf.RegistrationFactory(member=member, role="warmth", year=2026, half=1)
        cf.RegistrationFactory(member=colleague, role="policy", year=2026, half=1)
        cf.RegistrationFactory(member=zhao, role="safety", status="pending", year=2026, half=1)
        cf.RegistrationFactory(
            member=other, community=world.community, role="safety", year=2025, half=2
        )

        def activity(community, day, **kwargs):
            return cf.ActivityFactory(
                community=community,
                starts_at=at(day),
                ends_at=at(day) + datetime.timedelta(hours=10),
                **kwargs,
            )

        a1 = activity(world.community, D(2026, 2, 10))
        a2 = activity(north_community, D(2026, 3, 5), role="safety")
        activity(
            old_community,
            D(2026, 1, 15),
            status="cancelled",
            cancel_reason="天气",
            cancelled_at=at(D(2026, 1, 14)),
        )
        a0 = activity(world.community, D(2025, 12, 20))
        cf.SignupFactory(activity=a1, member=member)
        attend(a1, member, "2.5")
        attend(a1, colleague, "3.0")
        attend(a2, zhao, "1.0")
        cf.ManualHoursFactory(activity=a2, member=other, hours=Decimal("0.5"))
        attend(a0, member, "9.0")
        cf.RatingFactory(member=member, grade="excellent", year=2026, half=1)
        cf.RatingFactory(member=colleague, grade="competent", year=2026, half=1)
        cf.RatingFactory(member=zhao, grade="basic", year=2026, half=1)
        cf.RatingFactory(
            member=other, community=world.community, grade="excellent", year=2025, half=2
        )
    with time_machine.travel(at(TODAY, 12), tick=False):
        yield world


def ctx(user, where=CITY, period=Q1):
    return reports.ReportContext(user=user, period=period, where=where, today=TODAY)


def values(data) -> dict:
    return {fig.key: fig.value for fig in data.figures}


def test_city(story):
    data = build(ctx(story.users.committee))
    got = values(data)
    assert (got["registered"], got["members"], got["report_rate"]) == (2, 4, Decimal("50.0"))
    assert got["activities"] == 2  # A3 was cancelled, A0 is before the period
    assert (got["service_person_times"], got["volunteers"]) == (3, 3)
    assert got["volunteer_hours"] == Decimal("7.0")  # 2.5 + 3.0 + 1.0 + 0.5 by hand
    assert (got["ratings"], got["ratings_excellent"]) == (3, 1)
    assert got["ratings_excellent_rate"] == Decimal("33.3")
    assert got["ratings_competent_rate"] == Decimal("66.7")
    tables = {t.key: t for t in data.tables}
    by_role = {row[0]: row[1:] for row in tables["by_role"].rows}
    assert by_role["爱心温暖输送员"] == [1, 0]
    assert by_role["维稳安全员"] == [1, 1]  # 赵六's pending registration; A2
    assert by_role["全体党员"] == [None, 2]  # A1 and the cancelled A3
    assert tables["by_unit"].rows == [
        ["市纪委", 2, 2, Decimal("100.0")],
        ["市发改委", 2, 0, Decimal("0.0")],
    ]
    charts = {c.key: c for c in data.charts}
    assert [s.values for s in charts["by_month"].series] == [[0, 1, 1], [0, 2, 1]]
    assert charts["units_by_report_rate"].categories == ["市纪委", "市发改委"]


def test_one_unit(story):
    where = reports.Where(reports.WhereKind.UNIT, story.unit.pk)
    data = build(ctx(story.users.committee, where))
    got = values(data)
    assert (got["registered"], got["members"], got["report_rate"]) == (2, 2, Decimal("100.0"))
    assert (got["activities"], got["service_person_times"]) == (1, 2)
    assert got["volunteer_hours"] == Decimal("5.5")
    assert (got["ratings"], got["ratings_excellent_rate"]) == (2, Decimal("50.0"))
    assert [t.key for t in data.tables] == ["by_role"]
    assert data.charts[0].series[1].values == [0, 2, 0]


def test_a_unit_admin_reads_only_its_unit(story):
    got = values(build(ctx(story.users.unit_admin)))
    assert (got["registered"], got["members"], got["service_person_times"]) == (2, 2, 2)
    assert got["volunteer_hours"] == Decimal("5.5")


def test_one_district_counts_the_old_district_merged_into_it(story):
    where = reports.Where(reports.WhereKind.DISTRICT, story.district.pk)
    got = values(build(ctx(story.users.committee, where)))
    # 张三 lives in 海曙区, 王五 in the old 江东区: both registered
    assert (got["registered"], got["members"], got["report_rate"]) == (2, 2, Decimal("100.0"))
    assert (got["activities"], got["service_person_times"]) == (1, 2)
    assert got["volunteer_hours"] == Decimal("5.5")
    assert (got["ratings"], got["ratings_competent_rate"]) == (2, Decimal("100.0"))
    north = reports.Where(reports.WhereKind.DISTRICT, story.north.pk)
    got = values(build(ctx(story.users.committee, north)))
    assert (got["registered"], got["members"], got["report_rate"]) == (0, 1, Decimal("0.0"))
    assert (got["activities"], got["volunteer_hours"]) == (1, Decimal("1.5"))


def test_a_period_not_begun_gives_zeros_and_no_rates(story):
    got = values(build(ctx(story.users.committee, period=reports.Period.parse("2026-Q3"))))
    assert got["registered"] == 0 and got["activities"] == 0
    assert got["report_rate"] is None and got["ratings_excellent_rate"] is None


def test_the_section_survives_json(story, monkeypatch):
    monkeypatch.setattr(reports, "_sections", {"community": reports._sections["community"]})
    frozen = reports.build_sections(ctx(story.users.committee))
    assert frozen[0]["key"] == "community" and "volunteer_hours" in json.dumps(frozen)


def _more_units(world, n):
    community = world.community
    activity = cf.ActivityFactory(
        community=community, starts_at=at(D(2026, 2, 20)), ends_at=at(D(2026, 2, 20), 15)
    )
    for _ in range(n):
        member = f.MemberFactory(unit=f.UnitFactory(), home_community=community)
        cf.RegistrationFactory(member=member, year=2026, half=1)
        attend(activity, member, "1.0")


@pytest.mark.parametrize("kind", ["city", "district"])
def test_queries_do_not_grow_with_the_units(story, kind, django_assert_max_num_queries):
    where = CITY if kind == "city" else reports.Where(reports.WhereKind.DISTRICT, story.district.pk)
    _more_units(story, 2)
    with CaptureQueriesContext(connection) as few:
        build(ctx(story.users.committee, where))
    _more_units(story, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = build(ctx(story.users.committee, where))
    assert values(data)["service_person_times"] >= 12
