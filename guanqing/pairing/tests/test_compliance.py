"""Compliance through the database: period edges, relay credit, a member's to-do list, the unit
and city boards (with a merged district rolled up), scope, and constant query counts."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import api_as
from guanqing.pairing import compliance, services
from guanqing.pairing.models import Pairing
from guanqing.registry import services as registry_services
from guanqing.testing import factories as f

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = D(2024, 1, 1)


@pytest.fixture
def on():
    """Set the business date: on(D(2025, 4, 10)) stops the clock at noon that day in Shanghai."""
    travels = []

    def set_today(day):
        travel = time_machine.travel(
            datetime.datetime.combine(day, datetime.time(12), tzinfo=SHANGHAI), tick=False
        )
        travel.start()
        travels.append(travel)

    yield set_today
    for travel in reversed(travels):
        travel.stop()


def pairing(world, member=None, unit=None, started_on=START, household=None, **kwargs):
    unit = unit or world.unit
    household = household or f.HouseholdFactory(community=world.community)
    return f.PairingFactory(
        household=household, unit=unit, member=member, started_on=started_on, **kwargs
    )


def visit(p, day, **kinds):
    kinds = kinds or {"talk": True}
    kinds.setdefault("talk", False)
    return f.VisitFactory(pairing=p, date=day, **kinds)


def year_rows(user, p, year=2025):
    response = api_as(user).get(f"/api/v1/pairings/{p.pk}/compliance/", {"year": year})
    assert response.status_code == 200, response.content
    return {row["period"]: row for row in response.json()["periods"]}


# --- period edges --------------------------------------------------------------------------------


def test_talks_on_the_first_and_last_day_of_a_quarter_count_for_it(world, on):
    on(D(2025, 4, 10))
    first_day, last_day, day_before = (pairing(world, world.member) for _ in range(3))
    visit(first_day, D(2025, 1, 1))
    visit(last_day, D(2025, 3, 31))
    visit(day_before, D(2024, 12, 31))
    committee = world.users.committee
    assert year_rows(committee, first_day)["2025Q1"]["status"] == "done"
    assert year_rows(committee, last_day)["2025Q1"]["status"] == "done"
    assert year_rows(committee, day_before)["2025Q1"]["status"] == "overdue"


def test_a_talk_the_day_after_the_quarter_counts_for_the_next_one(world, on):
    on(D(2025, 4, 10))
    p = pairing(world, world.member)
    visit(p, D(2025, 4, 1))
    rows = year_rows(world.users.committee, p)
    assert rows["2025Q1"]["status"] == "overdue"
    assert rows["2025Q2"]["status"] == "done"
    assert rows["2025Q3"]["status"] == "upcoming"


def test_compliance_lists_six_periods_in_order_with_holder_and_deadline(world, on):
    on(D(2025, 4, 10))
    p = pairing(world, world.member)
    response = api_as(world.users.member).get(f"/api/v1/pairings/{p.pk}/compliance/?year=2025")
    periods = response.json()["periods"]
    assert [row["period"] for row in periods] == [
        "2025Q1",
        "2025-new_year",
        "2025Q2",
        "2025-july",
        "2025Q3",
        "2025Q4",
    ]
    new_year = periods[1]
    # 正月十五 of 2025 is 12 February: the window's last day is its deadline.
    assert (new_year["start"], new_year["end"], new_year["deadline"]) == (
        "2025-01-01",
        "2025-02-12",
        "2025-02-12",
    )
    assert new_year["kind"] == "new_year"
    assert new_year["holder"] == {"id": world.member.pk, "name": "张三"}


def test_festival_visits_at_the_window_edges(world, on):
    on(D(2025, 8, 1))
    lantern_day, day_after_lantern, july_first, end_of_may = (
        pairing(world, world.member) for _ in range(4)
    )
    visit(lantern_day, D(2025, 2, 12), festival=True)
    visit(day_after_lantern, D(2025, 2, 13), festival=True)
    visit(july_first, D(2025, 7, 1), festival=True)
    visit(end_of_may, D(2025, 5, 31), festival=True)
    committee = world.users.committee
    assert year_rows(committee, lantern_day)["2025-new_year"]["status"] == "done"
    assert year_rows(committee, day_after_lantern)["2025-new_year"]["status"] == "overdue"
    assert year_rows(committee, july_first)["2025-july"]["status"] == "done"
    assert year_rows(committee, end_of_may)["2025-july"]["status"] == "overdue"
    # a festival visit that is not also a talk does not meet the quarter's duty
    assert year_rows(committee, lantern_day)["2025Q1"]["status"] == "overdue"


def test_due_soon_starts_fourteen_days_before_the_quarter_ends(world, on):
    p = pairing(world, world.member)
    on(D(2025, 3, 17))
    assert year_rows(world.users.committee, p)["2025Q1"]["status"] == "due"
    on(D(2025, 3, 18))
    assert year_rows(world.users.committee, p)["2025Q1"]["status"] == "due_soon"


def test_a_pairing_started_in_the_last_thirty_days_owes_nothing_for_the_quarter(world, on):
    on(D(2025, 4, 10))
    late = pairing(world, world.member, started_on=D(2025, 3, 2))
    in_time = pairing(world, world.member, started_on=D(2025, 3, 1))
    assert year_rows(world.users.committee, late)["2025Q1"]["status"] == "not_owed"
    assert year_rows(world.users.committee, in_time)["2025Q1"]["status"] == "overdue"


def test_the_committees_quarterly_minimum_is_applied(world, on):
    on(D(2025, 4, 10))
    p = pairing(world, world.member)
    visit(p, D(2025, 2, 1))
    assert year_rows(world.users.committee, p)["2025Q1"]["status"] == "done"
    services.compliance_settings_update(actor=world.users.committee, quarterly_talk_minimum=2)
    row = year_rows(world.users.committee, p)["2025Q1"]
    assert (row["status"], row["done_count"], row["required_count"]) == ("overdue", 1, 2)


# --- relay ---------------------------------------------------------------------------------------


def test_relay_the_predecessors_talk_meets_the_quarter_the_successor_answers_for(world, on):
    on(D(2025, 4, 10))
    colleague = f.MemberFactory(unit=world.unit, branch=world.org, name="王五")
    p = pairing(world, world.member)
    services.pairing_handover(
        actor=world.users.committee, pairing=p, successor=colleague, effective_date=D(2025, 3, 25)
    )
    visit(p, D(2025, 3, 20))  # 张三's talk, before the handover
    q1 = year_rows(world.users.committee, p)["2025Q1"]
    assert q1["status"] == "done"
    assert q1["holder"] == {"id": colleague.pk, "name": "王五"}
    # the predecessor still sees the pairing it held, and its past duties stay with their holder
    q4_2024 = year_rows(world.users.member, p, 2024)["2024Q4"]
    assert q4_2024["holder"]["id"] == world.member.pk


def test_relay_moves_an_open_duty_to_the_successors_todo(world, on):
    on(D(2025, 3, 28))
    colleague = f.MemberFactory(unit=world.unit, branch=world.org, name="王五")
    p = pairing(world, world.member)
    visit(p, D(2025, 1, 5), festival=True)
    services.pairing_handover(
        actor=world.users.committee, pairing=p, successor=colleague, effective_date=D(2025, 3, 25)
    )
    successor_todo = compliance.member_todo(colleague, D(2025, 3, 28))
    predecessor_todo = compliance.member_todo(world.member, D(2025, 3, 28))
    assert [(d["pairing"], d["period"], d["status"]) for d in successor_todo] == [
        (p.pk, "2025Q1", "due_soon")
    ]
    # 2024Q4 ended while 张三 held the pairing: that missed duty stays 张三's
    assert [(d["period"], d["status"]) for d in predecessor_todo] == [("2024Q4", "overdue")]


# --- a member's to-do list -----------------------------------------------------------------------


def test_member_todo_lists_open_duties_most_pressing_first(world, on):
    on(D(2025, 3, 20))
    mine = pairing(world, world.member)
    met = pairing(world, world.member)
    visit(met, D(2025, 1, 2), talk=True, festival=True)
    visit(met, D(2024, 11, 2))
    theirs = pairing(world, world.other_member, unit=world.other_unit)
    response = api_as(world.users.member).get("/api/v1/compliance/todo/")
    assert response.status_code == 200
    body = response.json()
    assert body["member"] == {"id": world.member.pk, "name": "张三"}
    duties = [(d["pairing"], d["period"], d["status"]) for d in body["duties"]]
    assert duties == [
        (mine.pk, "2024Q4", "overdue"),
        (mine.pk, "2025-new_year", "overdue"),
        (mine.pk, "2025Q1", "due_soon"),
    ]
    assert theirs.pk not in {d[0] for d in duties}
    assert body["duties"][-1]["days_left"] == 12


def test_todo_is_refused_to_an_account_without_a_member(world):
    assert api_as(world.users.committee).get("/api/v1/compliance/todo/").status_code == 403
    assert api_as(world.users.system_admin).get("/api/v1/compliance/todo/").status_code == 403


# --- boards --------------------------------------------------------------------------------------


def test_unit_board_shows_its_pairings_with_status_and_holder(world, on):
    on(D(2025, 4, 10))
    done = pairing(world, world.member)
    visit(done, D(2025, 2, 2))
    missed = pairing(world, world.member)
    whole_unit = pairing(world, None)
    pairing(world, world.other_member, unit=world.other_unit)
    response = api_as(world.users.unit_admin).get("/api/v1/compliance/board/?period=2025Q1")
    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == "unit"
    assert body["unit"]["id"] == world.unit.pk
    rows = {row["pairing"]: row for row in body["pairings"]}
    assert set(rows) == {done.pk, missed.pk, whole_unit.pk}
    assert rows[done.pk]["status"] == "done"
    assert rows[missed.pk]["status"] == "overdue"
    assert rows[missed.pk]["holder"] == {"id": world.member.pk, "name": "张三"}
    assert rows[whole_unit.pk]["holder"] == {"id": None, "name": None}
    totals = body["totals"]
    assert (totals["done"], totals["overdue"], totals["pairings"]) == (1, 2, 3)
    assert totals["compliance_rate"] == round(1 / 3, 4)


def test_board_for_a_festival_window_of_another_year(world, on):
    on(D(2026, 11, 27))
    p = pairing(world, world.member)
    visit(p, D(2024, 6, 15), festival=True)
    body = api_as(world.users.unit_admin).get("/api/v1/compliance/board/?period=2024-july").json()
    assert body["period"] == {
        "key": "2024-july",
        "label": "2024 年七一前走访期",
        "kind": "july",
        "start": "2024-06-01",
        "end": "2024-07-01",
    }
    assert [row["status"] for row in body["pairings"]] == ["done"]


def test_unit_admin_gets_404_for_another_units_board(world, on):
    on(D(2025, 4, 10))
    pairing(world, world.other_member, unit=world.other_unit)
    client = api_as(world.users.unit_admin)
    other = client.get(f"/api/v1/compliance/board/?period=2025Q1&unit={world.other_unit.pk}")
    assert other.status_code == 404
    own = client.get(f"/api/v1/compliance/board/?period=2025Q1&unit={world.unit.pk}")
    assert own.status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [("period=2025Q5", "period"), ("period=2025-easter", "period"), ("unit=abc", "unit")],
)
def test_board_names_the_malformed_parameter(world, query, field):
    response = api_as(world.users.committee).get(f"/api/v1/compliance/board/?{query}")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("role", ["member", "community_worker", "window_clerk", "audit_admin"])
def test_boards_are_for_the_committee_and_unit_admins(world, role):
    response = api_as(getattr(world.users, role)).get("/api/v1/compliance/board/")
    assert response.status_code == 403


def test_city_board_counts_by_unit_and_by_todays_district(world, on):
    on(D(2025, 3, 20))
    committee = world.users.committee
    old = f.DistrictFactory(name="江东区")
    old_community = f.CommunityFactory(parent=f.StreetFactory(parent=old))
    other_district = f.DistrictFactory(name="江北区")
    far_community = f.CommunityFactory(parent=f.StreetFactory(parent=other_district))
    registry_services.division_abolish(
        actor=committee, division=old, on=D(2016, 9, 1), successor=world.district
    )
    old_household = f.HouseholdFactory(community=old_community)
    far_household = f.HouseholdFactory(community=far_community)
    a = pairing(world, world.member)  # 海曙区, done
    visit(a, D(2025, 1, 3))
    pairing(world, world.member, household=old_household)  # 江东区 → 海曙区, due soon
    c = pairing(world, world.other_member, unit=world.other_unit, household=far_household)
    visit(c, D(2025, 2, 3))
    pairing(world, world.other_member, unit=world.other_unit, started_on=D(2025, 3, 10))
    ended = pairing(world, world.member, started_on=START)  # ended in Q4: not on the board
    Pairing.objects.filter(pk=ended.pk).update(ended_on=D(2024, 12, 1), end_reason="moved")

    response = api_as(committee).get("/api/v1/compliance/board/?period=2025Q1")
    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == "city"
    totals = body["totals"]
    assert {k: totals[k] for k in ("pairings", "done", "due_soon", "not_owed", "overdue")} == {
        "pairings": 4,
        "done": 2,
        "due_soon": 1,
        "not_owed": 1,
        "overdue": 0,
    }
    by_unit = {row["unit"]["name"]: row for row in body["by_unit"]}
    assert (by_unit["市纪委"]["pairings"], by_unit["市纪委"]["done"]) == (2, 1)
    assert (by_unit["市发改委"]["done"], by_unit["市发改委"]["not_owed"]) == (1, 1)
    by_district = {row["district"]["name"]: row for row in body["by_district"]}
    assert set(by_district) == {"海曙区", "江北区"}
    assert (by_district["海曙区"]["pairings"], by_district["海曙区"]["due_soon"]) == (3, 1)
    assert by_district["江北区"]["done"] == 1


def test_city_board_compliance_rate_counts_settled_duties_only(world, on):
    on(D(2025, 4, 10))
    done = pairing(world, world.member)
    visit(done, D(2025, 1, 3))
    pairing(world, world.member)
    pairing(world, world.member)
    body = api_as(world.users.committee).get("/api/v1/compliance/board/?period=2025Q1").json()
    assert body["totals"]["compliance_rate"] == round(1 / 3, 4)
    assert body["by_unit"][0]["compliance_rate"] == round(1 / 3, 4)


def test_unit_admins_board_without_unit_is_its_own_unit_not_the_city(world, on):
    on(D(2025, 4, 10))
    pairing(world, world.other_member, unit=world.other_unit)
    body = api_as(world.users.unit_admin).get("/api/v1/compliance/board/?period=2025Q1").json()
    assert body["scope"] == "unit"
    assert body["pairings"] == []


# --- pairing compliance scope --------------------------------------------------------------------


def test_unit_admin_gets_404_for_another_units_pairing_compliance(world, on):
    on(D(2025, 4, 10))
    theirs = pairing(world, world.other_member, unit=world.other_unit)
    url = f"/api/v1/pairings/{theirs.pk}/compliance/?year=2025"
    assert api_as(world.users.unit_admin).get(url).status_code == 404
    assert api_as(world.users.member).get(url).status_code == 404
    assert api_as(world.users.committee).get(url).status_code == 200
    assert api_as(world.users.window_clerk).get(url).status_code == 403
    missing = "/api/v1/pairings/999999/compliance/?year=2025"
    assert api_as(world.users.committee).get(missing).status_code == 404


@pytest.mark.parametrize("year", ["20x5", "25", "", "1800"])
def test_compliance_names_a_malformed_year(world, year):
    p = pairing(world, world.member)
    response = api_as(world.users.committee).get(f"/api/v1/pairings/{p.pk}/compliance/?year={year}")
    assert response.status_code == 400
    assert "year" in response.json()


# --- query counts --------------------------------------------------------------------------------


def _board_queries(world, n, url):
    for i in range(n):
        member = world.member if i % 2 else world.colleague
        p = pairing(world, member, unit=world.unit if i % 3 else world.other_unit)
        visit(p, D(2025, 1, 10 + i % 10), talk=True, festival=bool(i % 2))
    client = api_as(world.users.committee)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/compliance/board/?period=2025Q1",
        "/api/v1/compliance/board/?period=2025-new_year&unit={unit}",
        "/api/v1/figures/pairing/?from=2025-01-01&to=2025-03-31",
    ],
)
def test_board_queries_do_not_grow_with_the_number_of_pairings(world, on, url):
    on(D(2025, 4, 10))
    world.colleague = f.MemberFactory(unit=world.unit, branch=world.org, name="王五")
    url = url.format(unit=world.unit.pk)
    few = _board_queries(world, 5, url)
    many = _board_queries(world, 20, url)  # 25 in all
    assert many == few
