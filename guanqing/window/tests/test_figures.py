"""窗口统计 and the boards: figures computed by hand on a small set of cases, the scope (a unit sees
its own windows only, the committee every one), the links to the case list, the pages and the API
per role, and the query budgets.

Today is pinned to Wednesday 2026-05-13. 劳动节 2026: May 1–5 off, Saturday May 9 worked in lieu.

The set (promised 5 / statutory 20 working days unless said; 即办件: promised 0 / statutory 5):
  own window  1  accepted 04-20, completed 04-23           used 3  deadline 04-27  early
              2  accepted 04-20, paused 04-21…04-23 (2 workdays), completed 04-29
                                                           used 5  deadline 04-29  on time
              3  即办件 accepted 05-06, completed 05-06      used 0  deadline 05-06  on time
              4  accepted 05-12, open                               deadline 05-19  on track
              6  accepted 03-02, completed 03-11           used 7  deadline 03-09  late
              7  accepted 05-06, open                               deadline 05-12  overdue
  other unit  5  accepted 04-20, completed 04-22           used 2  deadline 04-27  early
"""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from guanqing.conftest import api_as, client_for
from guanqing.core.daterange import DateRange
from guanqing.window import figures, services
from guanqing.window.choices import MatterKind, Outcome, PauseKind
from guanqing.window.tests import factories as wf

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = wf.TODAY
YEAR = DateRange(D(2026, 1, 1), TODAY)


@pytest.fixture
def s(world, official_calendar, pinned_today):
    d = wf.desk(world)
    clerk = d.clerk
    immediate = wf.matter(unit=world.unit, promised=0, statutory=5, kind=MatterKind.IMMEDIATE)

    def accept(on, matter=d.matter, window=d.window, actor=clerk):
        return wf.accepted_case(actor=actor, window=window, matter=matter, accepted_on=on)

    def complete(case, on, actor=clerk):
        return services.case_complete(actor=actor, case=case, on=on, outcome=Outcome.APPROVED)

    d.c1 = complete(accept(D(2026, 4, 20)), D(2026, 4, 23))
    c2 = accept(D(2026, 4, 20))
    services.case_pause(
        actor=clerk, case=c2, on=D(2026, 4, 21), kind=PauseKind.INSPECTION, reason="抽样检验"
    )
    services.case_resume(actor=clerk, case=c2, on=D(2026, 4, 23))
    d.c2 = complete(c2, D(2026, 4, 29))
    d.c3 = complete(accept(D(2026, 5, 6), matter=immediate), D(2026, 5, 6))
    d.c4 = accept(D(2026, 5, 12))
    d.c5 = complete(
        accept(D(2026, 4, 20), matter=d.other_matter, window=d.other_window, actor=d.other_clerk),
        D(2026, 4, 22),
        actor=d.other_clerk,
    )
    d.c6 = complete(accept(D(2026, 3, 2)), D(2026, 3, 11))
    d.c7 = accept(D(2026, 5, 6))
    d.immediate = immediate
    return d


def test_the_set_is_as_described(s):
    assert (s.c1.deadline, s.c2.deadline, s.c3.deadline) == (
        D(2026, 4, 27),
        D(2026, 4, 29),
        D(2026, 5, 6),
    )
    assert (s.c4.deadline, s.c6.deadline, s.c7.deadline) == (
        D(2026, 5, 19),
        D(2026, 3, 9),
        D(2026, 5, 12),
    )


def totals(result) -> dict:
    return {k: v for k, v in result["totals"].items() if k != "links"}


def test_committee_figures_by_hand(s, world):
    result = figures.window_figures(world.users.committee, YEAR, today=TODAY)
    assert totals(result) == {
        "accepted": 7,
        "immediate": 1,
        "completed": 5,
        "early": 2,
        "late": 1,
        "immediate_share": "14.3",
        "avg_promised_workdays": "4.29",  # 30 / 7
        "avg_statutory_workdays": "17.86",  # 125 / 7
        "compression": "76.0",  # 1 − 30 / 125
        "avg_workdays_used": "3.40",  # (3 + 5 + 0 + 7 + 2) / 5
        "early_rate": "40.0",
    }
    windows = {row["window_id"]: row for row in result["by_window"]}
    assert set(windows) == {s.window.pk, s.other_window.pk}
    assert windows[s.other_window.pk]["accepted"] == 1
    assert windows[s.other_window.pk]["avg_workdays_used"] == "2.00"
    assert windows[s.other_window.pk]["early_rate"] == "100.0"


def test_unit_figures_by_hand_and_scope(s, world):
    result = figures.window_figures(world.users.unit_admin, YEAR, today=TODAY)
    assert totals(result) == {
        "accepted": 6,
        "immediate": 1,
        "completed": 4,
        "early": 1,
        "late": 1,
        "immediate_share": "16.7",
        "avg_promised_workdays": "4.17",  # 25 / 6
        "avg_statutory_workdays": "17.50",  # 105 / 6
        "compression": "76.2",  # 1 − 25 / 105
        "avg_workdays_used": "3.75",  # (3 + 5 + 0 + 7) / 4
        "early_rate": "25.0",
    }
    assert [row["window_id"] for row in result["by_window"]] == [s.window.pk]
    months = {row["month"]: (row["accepted"], row["completed"]) for row in result["by_month"]}
    assert months == {"2026-03": (1, 1), "2026-04": (2, 2), "2026-05": (3, 1)}
    matters = {
        row["code"]: (row["accepted"], row["avg_workdays_used"]) for row in result["by_matter"]
    }
    assert matters == {s.matter.code: (5, "5.00"), s.immediate.code: (1, "0.00")}
    items = {row["item_id"]: row["accepted"] for row in result["by_item"]}
    assert items == {s.matter.item_id: 5, s.immediate.item_id: 1}
    assert [(row["clerk_id"], row["accepted"]) for row in result["by_clerk"]] == [(s.clerk.pk, 6)]


def test_a_range_counts_by_acceptance_date(s, world):
    april = DateRange(D(2026, 4, 1), D(2026, 4, 30))
    result = figures.window_figures(world.users.unit_admin, april, today=TODAY)
    assert result["totals"]["accepted"] == 2
    assert result["totals"]["avg_workdays_used"] == "4.00"  # (3 + 5) / 2
    assert result["totals"]["early_rate"] == "50.0"
    assert [row["month"] for row in result["by_month"]] == ["2026-04"]


def test_no_cases_gives_no_rates(world, official_calendar, pinned_today):
    wf.desk(world)
    result = figures.window_figures(world.users.committee, YEAR, today=TODAY)
    assert result["totals"]["accepted"] == 0
    assert result["totals"]["early_rate"] is None
    assert result["totals"]["compression"] is None
    assert result["by_window"] == []


def test_board_side_by_side_and_scope(s, world):
    unit_board = figures.window_board(world.users.unit_admin, YEAR, today=TODAY)["windows"]
    # by name within the unit: 医疗器械窗口 before 食品药品窗口
    assert [row["window_id"] for row in unit_board] == [s.second_window.pk, s.window.pk]
    own = next(row for row in unit_board if row["window_id"] == s.window.pk)
    assert (own["on_track"], own["due_soon"], own["overdue"]) == (1, 0, 1)
    assert (own["accepted"], own["completed"], own["early_rate"]) == (6, 4, "25.0")
    second = next(row for row in unit_board if row["window_id"] == s.second_window.pk)
    assert (second["accepted"], second["on_track"], second["early_rate"]) == (0, 0, None)

    city = figures.window_board(world.users.committee, YEAR, today=TODAY)["windows"]
    assert {row["window_id"] for row in city} == {
        s.window.pk,
        s.second_window.pk,
        s.other_window.pk,
    }


def test_links_are_the_case_list_filtered(s, world):
    board = figures.window_board(world.users.unit_admin, YEAR, today=TODAY)["windows"]
    own = next(row for row in board if row["window_id"] == s.window.pk)
    url = urlsplit(own["links"]["overdue"])
    assert url.path.rstrip("/").endswith("/window/cases")
    assert parse_qs(url.query) == {"window": [str(s.window.pk)], "timing": ["overdue"]}
    early = parse_qs(urlsplit(own["links"]["early"]).query)
    assert early == {
        "window": [str(s.window.pk)],
        "timing": ["early"],
        "accepted_from": ["2026-01-01"],
        "accepted_to": ["2026-05-13"],
    }
    # the case list's own filter gives the same numbers
    from guanqing.window.api.filters import CaseFilter
    from guanqing.window.models import Case

    def listed(query):
        cases = Case.objects.visible_to(world.users.unit_admin)
        return CaseFilter(
            {k: v[0] for k, v in parse_qs(urlsplit(query).query).items()}, queryset=cases
        ).qs.count()

    assert listed(own["links"]["overdue"]) == own["overdue"] == 1
    assert listed(own["links"]["on_track"]) == own["on_track"] == 1
    assert listed(own["links"]["early"]) == own["early"] == 1
    assert listed(own["links"]["late"]) == own["late"] == 1
    assert listed(own["links"]["cases"]) == own["accepted"] == 6


ROLES = [
    "committee",
    "unit_admin",
    "member",
    "community_worker",
    "window_clerk",
    "fund_officer",
    "system_admin",
    "security_admin",
    "audit_admin",
]
EXPECTED = [200, 200, 403, 403, 403, 403, 403, 403, 403]


@pytest.mark.parametrize("name", ["window:figures", "window:board"])
def test_pages_per_role(s, world, name):
    got = [client_for(getattr(world.users, role)).get(reverse(name)).status_code for role in ROLES]
    assert got == EXPECTED


def test_unit_board_page_shows_its_windows_only(s, world):
    page = client_for(world.users.unit_admin).get(reverse("window:board")).content.decode()
    assert f'data-window="{s.window.pk}"' in page
    assert f'data-window="{s.other_window.pk}"' not in page
    assert "发改窗口" not in page
    city = client_for(world.users.committee).get(reverse("window:board")).content.decode()
    assert f'data-window="{s.other_window.pk}"' in city


def test_figures_page_shows_the_numbers(s, world):
    page = client_for(world.users.unit_admin).get(reverse("window:figures")).content.decode()
    assert 'data-key="early_rate"' in page
    assert "25.0" in page and "76.2" in page and "3.75" in page
    assert "发改窗口" not in page


def test_a_bad_range_is_an_error_next_to_the_field(s, world):
    client = client_for(world.users.committee)
    response = client.get(reverse("window:figures"), {"from": "2026-05-01", "to": "2026-04-01"})
    assert response.status_code == 200
    assert "结束日期早于开始日期" in response.content.decode()


def test_menu_entry_for_committee_and_unit_admin(s, world):
    for role, shown in (("committee", True), ("unit_admin", True), ("window_clerk", False)):
        page = client_for(getattr(world.users, role)).get("/").content.decode()
        assert (reverse("window:figures") in page) is shown, role


def test_api_figures_per_role_and_contents(s, world):
    url = "/api/v1/window/figures/"
    for role, status in zip(ROLES, EXPECTED, strict=True):
        assert api_as(getattr(world.users, role)).get(url).status_code == status, role
    body = api_as(world.users.unit_admin).get(url, {"from": "2026-01-01"}).json()
    assert body["totals"]["early_rate"] == "25.0"
    assert body["totals"]["avg_workdays_used"] == "3.75"
    assert {row["window_id"] for row in body["board"]} == {s.window.pk, s.second_window.pk}
    bad = api_as(world.users.committee).get(url, {"from": "2026-05-01", "to": "2026-04-01"})
    assert bad.status_code == 400
    assert "to" in bad.json()


def more_cases(s, n):
    for day in (D(2026, 4, 7), D(2026, 4, 8), D(2026, 4, 9), D(2026, 4, 10)):
        for _ in range(n):
            case = wf.accepted_case(
                actor=s.clerk, window=s.window, matter=s.matter, accepted_on=day
            )
            services.case_complete(
                actor=s.clerk, case=case, on=day + datetime.timedelta(days=1), outcome="approved"
            )


def test_query_budgets_do_not_grow_with_cases(s, world, django_assert_max_num_queries):
    committee = world.users.committee
    with django_assert_max_num_queries(6):
        figures.window_figures(committee, YEAR, today=TODAY)
    # the board: three, and two for every window's 好差评 at once (`figures.rating_figures`)
    with django_assert_max_num_queries(5):
        figures.window_board(committee, YEAR, today=TODAY)
    client = client_for(committee)
    client.get(reverse("window:figures"))  # warm the session and the calendar cache
    with django_assert_max_num_queries(16):
        assert client.get(reverse("window:figures")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("window:board")).status_code == 200
    more_cases(s, 3)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("window:figures")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("window:board")).status_code == 200


def test_the_figures_count_the_working_days_of_each_case_once(s, world):
    """One GROUP BY over the finest grain (window, matter, clerk, month) reads the cases and
    counts their working days used; the totals and every breakdown are summed from it, and four
    small queries name the windows, items, matters and clerks (before: six grouped queries, each
    counting every case's working days again)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for user in (world.users.committee, world.users.unit_admin):
        with CaptureQueriesContext(connection) as captured:
            figures.window_figures(user, YEAR, today=TODAY)
        sqls = [q["sql"] for q in captured.captured_queries]
        assert sum("core_calendarday" in sql for sql in sqls) == 1
        assert len(sqls) <= 5
