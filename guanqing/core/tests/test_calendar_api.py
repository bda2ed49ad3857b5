"""The calendar API: deadlines counted in workdays and the days of a range, against the official
notices; a year the calendar does not hold answers 400 naming it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import api_as
from guanqing.core.models import CalendarDay

DEADLINE = "/api/v1/calendar/deadline/"
DAYS = "/api/v1/calendar/days/"

pytestmark = pytest.mark.usefixtures("official_calendar")


@pytest.fixture
def member_api(world):
    return api_as(world.users.member)


@pytest.mark.parametrize(
    ("start", "workdays", "deadline"),
    [
        ("2025-09-29", 7, "2025-10-15"),  # National Day and Mid-autumn Festival 10-01..10-08
        ("2026-02-12", 7, "2026-02-28"),  # Spring Festival; 2026-02-28 is a make-up Saturday
        ("2025-09-29", 1, "2025-09-30"),
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-09-26", 1, "2025-09-28"),  # Sunday 2025-09-28 was worked in lieu
        ("2026-12-31", 0, "2026-12-31"),
    ],
)
def test_deadline_follows_the_official_notices(member_api, start, workdays, deadline):
    response = member_api.get(DEADLINE, {"start": start, "workdays": workdays})
    assert response.status_code == 200, response.json()
    assert response.json() == {"start": start, "workdays": workdays, "deadline": deadline}


def test_zero_workdays_gives_the_start_itself_even_on_a_holiday(member_api):
    response = member_api.get(DEADLINE, {"start": "2025-10-01", "workdays": 0})
    assert response.json()["deadline"] == "2025-10-01"


def test_deadline_running_into_a_year_not_entered_names_that_year(member_api):
    response = member_api.get(DEADLINE, {"start": "2026-12-25", "workdays": 10})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["workdays"]
    assert "2027" in body["workdays"][0]
    assert "工作日历" in body["workdays"][0]  # says where to add it


def test_deadline_from_a_year_not_entered_blames_the_start(member_api):
    for workdays in (0, 3):
        response = member_api.get(DEADLINE, {"start": "2027-03-01", "workdays": workdays})
        assert response.status_code == 400
        assert list(response.json()) == ["start"]
        assert "2027" in response.json()["start"][0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-13-01", "workdays": 1}, "start"),
        ({"start": "29/09/2025", "workdays": 1}, "start"),
        ({"workdays": 1}, "start"),
        ({"start": "2026-03-02", "workdays": -1}, "workdays"),
        ({"start": "2026-03-02", "workdays": "1.5"}, "workdays"),
        ({"start": "2026-03-02", "workdays": "seven"}, "workdays"),
        ({"start": "2026-03-02"}, "workdays"),
    ],
)
def test_bad_deadline_parameters_answer_400_naming_the_parameter(member_api, params, field):
    response = member_api.get(DEADLINE, params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("url", [DEADLINE, DAYS])
def test_anonymous_callers_are_refused(api, db, url):
    response = api.get(
        url, {"start": "2026-03-02", "workdays": 1, "from": "2026-03-02", "to": "2026-03-03"}
    )
    assert response.status_code in (401, 403)


@pytest.mark.parametrize(
    "role", ["committee", "unit_admin", "member", "security_admin", "audit_admin"]
)
def test_every_signed_in_role_may_ask(world, role):
    response = api_as(getattr(world.users, role)).get(
        DEADLINE, {"start": "2026-03-02", "workdays": 1}
    )
    assert response.status_code == 200
    assert response.json()["deadline"] == "2026-03-03"


def test_days_lists_each_day_with_its_status(member_api):
    response = member_api.get(DAYS, {"from": "2026-02-13", "to": "2026-03-01"})
    assert response.status_code == 200
    days = {d["date"]: d for d in response.json()}
    assert len(days) == 17
    assert days["2026-02-13"]["kind"] == "workday"
    assert days["2026-02-17"] == {
        "date": "2026-02-17",
        "is_workday": False,
        "kind": "holiday",
        "holiday": "春节",
        "source": days["2026-02-17"]["source"],
    }
    assert "2026" in days["2026-02-17"]["source"]
    assert days["2026-02-28"]["kind"] == "makeup"
    assert days["2026-02-28"]["is_workday"] is True
    assert days["2026-03-01"]["kind"] == "weekend"
    assert list(days) == sorted(days)


def test_days_touching_a_year_not_entered_names_it(member_api):
    response = member_api.get(DAYS, {"from": "2026-12-20", "to": "2027-01-10"})
    assert response.status_code == 400
    assert "2027" in response.json()["to"][0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-01-01", "to": "2027-03-01"}, "to"),  # more than 400 days
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
        ({"from": "2026-3-x", "to": "2026-03-01"}, "from"),
        ({"to": "2026-03-01"}, "from"),
    ],
)
def test_bad_day_ranges_answer_400_naming_the_parameter(member_api, params, field):
    response = member_api.get(DAYS, params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_full_leap_year_fits_in_one_request(member_api):
    response = member_api.get(DAYS, {"from": "2024-01-01", "to": "2024-12-31"})
    assert response.status_code == 200
    assert len(response.json()) == 366


def test_days_query_count_does_not_grow_with_the_range(member_api):
    counts = []
    for end in ("2026-01-03", "2026-12-31"):
        with CaptureQueriesContext(connection) as queries:
            response = member_api.get(DAYS, {"from": "2026-01-01", "to": end})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_an_amended_day_changes_the_answer_at_once(member_api, world):
    from guanqing.core.calendar.services import calendar_day_set

    before = member_api.get(DEADLINE, {"start": "2026-03-05", "workdays": 1}).json()["deadline"]
    assert before == "2026-03-06"
    calendar_day_set(
        actor=world.users.committee,
        day=CalendarDay.objects.get(date="2026-03-06").date,
        is_workday=False,
        holiday="临时放假",
        source="测试通知",
    )
    after = member_api.get(DEADLINE, {"start": "2026-03-05", "workdays": 1}).json()["deadline"]
    assert after == "2026-03-09"


def test_schema_documents_both_endpoints(world):
    schema = api_as(world.users.committee).get("/api/schema/", {"format": "json"}).json()
    deadline = schema["paths"][DEADLINE]["get"]
    assert {p["name"] for p in deadline["parameters"]} >= {"start", "workdays"}
    days = schema["paths"][DAYS]["get"]
    assert {p["name"] for p in days["parameters"]} >= {"from", "to"}
