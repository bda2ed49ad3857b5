"""走访统计 over a small fixture whose figures are worked out by hand below: two units, two
districts, a bureau-level cadre, the same village visited twice (and by both units), an enterprise,
a visit outside the range, and problems solved on time, late, overdue, noticed, merged and rated.

Range 2026-01-01 … 2026-05-13 (today, pinned).

Visits in range (unit, day, place, cadres, money, goods):
  1 U1 02-01 village V (district A)  [bureau B1, 张三]   1000.00    500.50
  2 U1 03-01 village V               [张三]                  0         0
  3 U1 03-05 grassroots G (A)        [B1]                 2000.00       0
  4 U2 04-01 enterprise E (district B) [李四]               0      10000.00
  5 U2 04-02 village V               [李四]                300.00       0
  (6 U1 2025-12-31 enterprise E [B1, 张三] 99,999 — outside the range)
-> visits 5; person-times 2+1+1+1+1 = 6; bureau-level 2 (visits 1 and 3); grassroots units 1;
   villages 1 (V counted once); enterprises 1; money 3,300.00 + goods 10,500.50 = 13,800.50 元
   = 1.38 万元.

Problems (received, state, unit, deadline, closed, …):
  P1 02-01 closed U1, deadline 02-20, closed 02-18 (on time), rated 满意 02-25, district A
  P2 03-01 closed U1, deadline 03-10, closed 03-15 (late), rated 不满意 03-16, district A
  P3 04-01 handling U2, deadline 04-20 (overdue today), 通报 04-28, no division: visit 4 -> B
  P4 05-10 received, no unit, deadline 05-29, no district
  P5 02-02 merged into P1, U1, rated 基本满意 02-25 (a duplicate: not collected again; rated)
  P6 2025-12-20 closed U2, deadline 2026-01-10, closed 01-05 (solved in range, on time), B
-> collected 4 (P1–P4); solved 3 (P1, P2, P6); on time 2 (66.7 %); overdue 1; 通报 1;
   rated 3 (P1, P2, P5), satisfied 2 -> 66.7 %.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from guanqing.conftest import api_as, client_for
from guanqing.core.daterange import DateRange
from guanqing.frontline.choices import (
    PlaceKind,
    ProblemEventKind,
    ProblemSource,
    ProblemState,
    Urgency,
)
from guanqing.frontline.figures import frontline_figures
from guanqing.frontline.models import Outreach, Place, Problem, ProblemCategory, ProblemEvent
from guanqing.testing import factories as f

D = datetime.date
SPAN = DateRange(D(2026, 1, 1), D(2026, 5, 13))


def _visit(unit, day, place, cadres, money="0", goods="0"):
    outreach = Outreach.objects.create(
        unit=unit,
        visited_on=day,
        place=place,
        donated_money=money,
        donated_goods=goods,
        goods_note="物资" if goods != "0" else "",
    )
    outreach.cadres.set(cadres)
    return outreach


def _problem(n, received, state, unit, deadline, **kwargs):
    category = ProblemCategory.objects.get_or_create(code="road", defaults={"name": "道路"})[0]
    return Problem.objects.create(
        public_id=f"NT{received:%Y%m%d}-{n:04d}",
        source=ProblemSource.OUTREACH,
        category=category,
        urgency=Urgency.PROBLEM,
        title=f"难题{n}",
        description="描述",
        state=state,
        received_on=received,
        unit=unit,
        deadline=deadline,
        **kwargs,
    )


def _notice(problem, day):
    ProblemEvent.objects.create(
        problem=problem,
        kind=ProblemEventKind.NOTICE,
        on=day,
        unit=problem.unit,
        from_state=problem.state,
        to_state=problem.state,
    )


@pytest.fixture
def fig(world, pinned_today):
    u1, u2 = world.unit, world.other_unit
    district_b = f.DistrictFactory(code="330205000000", name="江北区")
    community_b = f.CommunityFactory(
        parent=f.StreetFactory(parent=district_b, code="330205001000"), code="330205001001"
    )
    village = Place.objects.create(
        kind=PlaceKind.VILLAGE, name="徐家漕村", division=world.community
    )
    grassroots = Place.objects.create(
        kind=PlaceKind.GRASSROOTS, name="测试街道社区服务中心", division=world.street
    )
    enterprise = Place.objects.create(
        kind=PlaceKind.ENTERPRISE, name="甬江机械", division=community_b, credit_code="X" * 18
    )
    bureau = f.MemberFactory(unit=u1, name="王局长", rank="bureau")
    v1 = _visit(u1, D(2026, 2, 1), village, [bureau, world.member], "1000.00", "500.50")
    _visit(u1, D(2026, 3, 1), village, [world.member])
    _visit(u1, D(2026, 3, 5), grassroots, [bureau], "2000")
    v4 = _visit(u2, D(2026, 4, 1), enterprise, [world.other_member], goods="10000")
    _visit(u2, D(2026, 4, 2), village, [world.other_member], "300")
    _visit(u1, D(2025, 12, 31), enterprise, [bureau, world.member], "99999")
    closed = ProblemState.CLOSED
    p1 = _problem(
        1,
        D(2026, 2, 1),
        closed,
        u1,
        D(2026, 2, 20),
        closed_on=D(2026, 2, 18),
        satisfaction="satisfied",
        rated_on=D(2026, 2, 25),
        division=world.community,
        outreach=v1,
    )
    _problem(
        2,
        D(2026, 3, 1),
        closed,
        u1,
        D(2026, 3, 10),
        closed_on=D(2026, 3, 15),
        satisfaction="dissatisfied",
        rated_on=D(2026, 3, 16),
        division=world.street,
    )
    p3 = _problem(
        3,
        D(2026, 4, 1),
        ProblemState.HANDLING,
        u2,
        D(2026, 4, 20),
        noticed_on=D(2026, 4, 28),
        outreach=v4,
    )
    _notice(p3, D(2026, 4, 28))
    _problem(4, D(2026, 5, 10), ProblemState.RECEIVED, None, D(2026, 5, 29))
    _problem(
        5,
        D(2026, 2, 2),
        ProblemState.MERGED,
        u1,
        D(2026, 2, 21),
        master=p1,
        satisfaction="basic",
        rated_on=D(2026, 2, 25),
        division=world.community,
    )
    _problem(
        6,
        D(2025, 12, 20),
        closed,
        u2,
        D(2026, 1, 10),
        closed_on=D(2026, 1, 5),
        division=community_b,
    )
    return SimpleNamespace(
        world=world, u1=u1, u2=u2, district_a=world.district, district_b=district_b
    )


def _row(rows, group, pk):
    return next(r for r in rows if r[group]["id"] == pk)


def test_city_totals_and_the_articles_seven_figures(fig):
    result = frontline_figures(fig.world.users.committee, SPAN)
    assert result["article"] == {
        "person_times": 6,
        "bureau_person_times": 2,
        "grassroots_units": 1,
        "villages_enterprises": 2,
        "problems_collected": 4,
        "problems_solved": 3,
        "donated_wan_yuan": "1.38",
    }
    assert (result["visits"], result["villages"], result["enterprises"]) == (5, 1, 1)
    assert (result["donated_money_yuan"], result["donated_goods_yuan"], result["donated_yuan"]) == (
        "3300.00",
        "10500.50",
        "13800.50",
    )
    assert (
        result["problems_solved_on_time"],
        result["on_time_rate"],
        result["problems_overdue"],
        result["problems_noticed"],
    ) == (2, "66.7", 1, 1)
    assert (result["rated"], result["satisfied"], result["satisfaction"]) == (3, 2, "66.7")


def test_by_unit(fig):
    result = frontline_figures(fig.world.users.committee, SPAN)
    u1 = _row(result["by_unit"], "unit", fig.u1.pk)
    u2 = _row(result["by_unit"], "unit", fig.u2.pk)
    none = _row(result["by_unit"], "unit", None)
    assert [u1[k] for k in ("visits", "person_times", "bureau_person_times")] == [3, 4, 2]
    assert [u1[k] for k in ("grassroots_units", "villages", "enterprises")] == [1, 1, 0]
    assert (u1["donated_yuan"], u2["donated_yuan"]) == ("3500.50", "10300.00")
    assert [u2[k] for k in ("visits", "person_times", "bureau_person_times")] == [2, 2, 0]
    assert [u2[k] for k in ("grassroots_units", "villages", "enterprises")] == [0, 1, 1]
    assert [
        u1[k] for k in ("problems_collected", "problems_solved", "problems_solved_on_time")
    ] == [
        2,
        2,
        1,
    ]
    assert (u1["rated"], u1["satisfied"]) == (3, 2)
    assert [u2[k] for k in ("problems_collected", "problems_solved", "problems_overdue")] == [
        1,
        1,
        1,
    ]
    assert (none["problems_collected"], none["visits"]) == (1, 0)
    # a village two units visited is one village in the city's total, one in each unit's row
    assert u1["villages"] + u2["villages"] == 2 and result["villages"] == 1


def test_by_district(fig):
    result = frontline_figures(fig.world.users.committee, SPAN)
    a = _row(result["by_district"], "district", fig.district_a.pk)
    b = _row(result["by_district"], "district", fig.district_b.pk)
    assert [a[k] for k in ("visits", "person_times", "bureau_person_times")] == [4, 5, 2]
    assert [a[k] for k in ("grassroots_units", "villages", "enterprises")] == [1, 1, 0]
    assert [b[k] for k in ("visits", "person_times", "enterprises", "donated_yuan")] == [
        1,
        1,
        1,
        "10000.00",
    ]
    # P3 has no division: the district of the visit that collected it; P6 its own division
    assert [b[k] for k in ("problems_collected", "problems_overdue", "problems_solved")] == [
        1,
        1,
        1,
    ]
    assert [a[k] for k in ("problems_collected", "problems_solved")] == [2, 2]


def test_a_unit_administrator_sees_its_own_units_figures(fig):
    result = frontline_figures(fig.world.users.unit_admin, SPAN)
    assert [r["unit"]["id"] for r in result["by_unit"]] == [fig.u1.pk]
    assert (result["visits"], result["person_times"], result["donated_yuan"]) == (3, 4, "3500.50")
    assert (result["problems_collected"], result["problems_solved"]) == (2, 2)


def test_a_shorter_range_counts_only_its_days(fig):
    march = DateRange(D(2026, 3, 1), D(2026, 3, 31))
    result = frontline_figures(fig.world.users.committee, march)
    assert (result["visits"], result["person_times"], result["bureau_person_times"]) == (2, 2, 1)
    assert (result["problems_collected"], result["problems_solved"], result["rated"]) == (1, 1, 1)
    assert (result["on_time_rate"], result["satisfaction"]) == ("0.0", "0.0")
    empty = frontline_figures(fig.world.users.committee, DateRange(D(2024, 1, 1), D(2024, 1, 31)))
    assert (empty["visits"], empty["on_time_rate"], empty["satisfaction"]) == (0, None, None)


def test_a_problem_reopened_since_its_notice_still_counts_as_noticed_then(fig):
    """不满意 reopens a problem with a fresh deadline and clears its list date (the daily job may
    list it again); the 通报 it had in its first round stays in that period's figures."""
    p7 = _problem(
        7,
        D(2025, 12, 1),
        ProblemState.HANDLING,
        fig.u2,
        D(2026, 1, 30),
        reopened_on=D(2026, 1, 9),
        satisfaction="dissatisfied",
        rated_on=D(2026, 1, 9),
    )
    _notice(p7, D(2026, 1, 6))
    committee = fig.world.users.committee
    week = frontline_figures(committee, DateRange(D(2026, 1, 5), D(2026, 1, 7)))
    assert week["problems_noticed"] == 1
    assert _row(week["by_unit"], "unit", fig.u2.pk)["problems_noticed"] == 1
    assert frontline_figures(committee, SPAN)["problems_noticed"] == 2
    later = frontline_figures(committee, DateRange(D(2026, 1, 8), D(2026, 4, 27)))
    assert later["problems_noticed"] == 0


def test_the_number_of_queries_does_not_grow_with_the_rows(fig, django_assert_max_num_queries):
    # the district map, the visits by unit and district, the places by district, the problems,
    # the district names
    with django_assert_max_num_queries(5):
        frontline_figures(fig.world.users.committee, SPAN)


def test_the_page_and_the_api_show_the_same_figures(fig):
    params = {"from": "2026-01-01", "to": "2026-05-13"}
    page = client_for(fig.world.users.committee).get("/frontline/figures/", params)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-key="person_times"' in body and "1.38" in body
    api = api_as(fig.world.users.committee).get("/api/v1/frontline/figures/", params)
    assert api.status_code == 200
    assert api.json()["article"]["bureau_person_times"] == 2
    refused = api_as(fig.world.users.committee).get(
        "/api/v1/frontline/figures/", {"from": "2026-05-01", "to": "2026-04-01"}
    )
    assert refused.status_code == 400 and "to" in refused.json()
    assert api_as(fig.world.users.member).get("/api/v1/frontline/figures/").status_code == 403
