"""好差评 in the window figures: counted by hand on a small set of ratings, with an excluded rating
(an upheld appeal) and a 差评 not yet fed back (回访率 below 100 %, flagged).

Today is pinned to Wednesday 2026-05-13; each rating is given on its own day (the clock moved
there), every case completed on the day said. All at 市纪委's window (clerk A) unless said.

  a  completed 04-22, rated 04-23  非常满意
  b  completed 04-22, rated 04-24  满意
  c  completed 04-22, rated 04-24  基本满意
  e  completed 05-06, rated 05-07  非常不满意 → verified, rectified and fed back 05-08 (closed)
  f  completed 05-06, rated 05-11  不满意     → verified 05-12, in rectification: not fed back
  g  completed 05-06, rated 05-12  非常不满意 → appealed 05-12, upheld 05-13: excluded
  h  completed 05-06, not rated
  i  市纪委's second window (clerk B), completed 05-11, rated 05-13 非常满意
  j  市发改委's window, completed 04-22, rated 04-23 非常满意
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from guanqing.conftest import api_as, client_for, clock_from
from guanqing.core.daterange import DateRange
from guanqing.window import figures, rating_services, services
from guanqing.window.choices import FollowUpState, Outcome
from guanqing.window.models import FollowUp
from guanqing.window.tests import factories as wf

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = wf.TODAY
YEAR = DateRange(D(2026, 1, 1), TODAY)
APRIL = DateRange(D(2026, 4, 1), D(2026, 4, 30))


@pytest.fixture
def s(world, official_calendar, pinned_today):
    d = wf.desk(world)
    admin = world.users.unit_admin

    def completed(on, window=d.window, clerk=d.clerk, matter=d.matter):
        case = wf.accepted_case(
            actor=clerk, window=window, matter=matter, accepted_on=D(2026, 4, 20)
        )
        return services.case_complete(actor=clerk, case=case, on=on, outcome=Outcome.APPROVED)

    def rate(case, level, on, clerk=d.clerk):
        with time_machine.travel(clock_from(on.isoformat()), tick=False):
            return rating_services.rating_submit_kiosk(actor=clerk, case=case, level=level)

    april, may = D(2026, 4, 22), D(2026, 5, 6)
    d.a = rate(completed(april), 5, D(2026, 4, 23))
    d.b = rate(completed(april), 4, D(2026, 4, 24))
    d.c = rate(completed(april), 3, D(2026, 4, 24))
    d.e = rate(completed(may), 1, D(2026, 5, 7))
    fixed = d.e.follow_up
    rating_services.follow_up_verify(actor=admin, follow_up=fixed, on=D(2026, 5, 8), finding="属实")
    rating_services.follow_up_rectify(
        actor=admin, follow_up=fixed, on=D(2026, 5, 8), measures="调整窗口排班"
    )
    rating_services.follow_up_feed_back(
        actor=admin,
        follow_up=fixed,
        on=D(2026, 5, 8),
        method="phone",
        note="已电话告知",
        level=4,
    )
    d.f = rate(completed(may), 2, D(2026, 5, 11))
    rating_services.follow_up_verify(
        actor=admin, follow_up=d.f.follow_up, on=D(2026, 5, 12), finding="属实"
    )
    d.g = rate(completed(may), 1, D(2026, 5, 12))
    appeal = rating_services.follow_up_appeal(
        actor=admin, follow_up=d.g.follow_up, on=D(2026, 5, 12), reason="未办理业务即差评"
    )
    rating_services.appeal_decide(
        actor=world.users.committee, appeal=appeal, on=TODAY, upheld=True, note="申诉成立"
    )
    d.h = completed(may)
    d.i = rate(
        completed(D(2026, 5, 11), window=d.second_window, clerk=d.second_clerk),
        5,
        TODAY,
        clerk=d.second_clerk,
    )
    d.j = rate(
        completed(april, window=d.other_window, clerk=d.other_clerk, matter=d.other_matter),
        5,
        D(2026, 4, 23),
        clerk=d.other_clerk,
    )
    return d


def test_the_set_is_as_described(s):
    states = {key: FollowUp.objects.get(rating=getattr(s, key)).state for key in ("e", "f", "g")}
    assert states == {
        "e": FollowUpState.CLOSED,
        "f": FollowUpState.RECTIFY,
        "g": FollowUpState.EXCLUDED,
    }
    assert [getattr(s, key).rated_on for key in "abcefgij"] == [
        D(2026, 4, 23),
        D(2026, 4, 24),
        D(2026, 4, 24),
        D(2026, 5, 7),
        D(2026, 5, 11),
        D(2026, 5, 12),
        TODAY,
        D(2026, 4, 23),
    ]


def _figures(row) -> dict:
    keys = ("rated", "good_rate", "bad", "rectify_rate", "feedback_rate", "feedback_short")
    return {key: row[key] for key in (*keys, "completed", "participation")}


def test_committee_rating_figures_by_hand(s, world):
    result = figures.rating_figures(world.users.committee, YEAR)
    # counted: a b c e f i j (g's appeal was upheld); completed: a b c e f g h i j
    assert _figures(result["totals"]) == {
        "rated": 7,
        "good_rate": "57.1",  # a b i j / 7
        "bad": 2,  # e f
        "rectify_rate": "50.0",  # e
        "feedback_rate": "50.0",  # e; f not yet fed back
        "feedback_short": True,
        "completed": 9,
        "participation": "77.8",  # 7 / 9: g's rating is not counted, h was not rated
    }
    windows = {row["window_id"]: _figures(row) for row in result["by_window"]}
    assert windows == {
        s.window.pk: {
            "rated": 5,
            "good_rate": "40.0",
            "bad": 2,
            "rectify_rate": "50.0",
            "feedback_rate": "50.0",
            "feedback_short": True,
            "completed": 7,
            "participation": "71.4",
        },
        s.second_window.pk: {
            "rated": 1,
            "good_rate": "100.0",
            "bad": 0,
            "rectify_rate": None,
            "feedback_rate": None,
            "feedback_short": False,
            "completed": 1,
            "participation": "100.0",
        },
        s.other_window.pk: {
            "rated": 1,
            "good_rate": "100.0",
            "bad": 0,
            "rectify_rate": None,
            "feedback_rate": None,
            "feedback_short": False,
            "completed": 1,
            "participation": "100.0",
        },
    }
    months = {row["month"]: _figures(row) for row in result["by_month"]}
    assert months == {
        "2026-04": {
            "rated": 4,
            "good_rate": "75.0",  # a b j / a b c j
            "bad": 0,
            "rectify_rate": None,
            "feedback_rate": None,
            "feedback_short": False,
            "completed": 4,
            "participation": "100.0",
        },
        "2026-05": {
            "rated": 3,
            "good_rate": "33.3",  # i / e f i
            "bad": 2,
            "rectify_rate": "50.0",
            "feedback_rate": "50.0",
            "feedback_short": True,
            "completed": 5,  # e f g h i
            "participation": "60.0",
        },
    }
    matters = {row["code"]: (row["rated"], row["completed"]) for row in result["by_matter"]}
    assert matters == {s.matter.code: (6, 8), s.other_matter.code: (1, 1)}


def test_unit_rating_figures_by_hand_and_scope(s, world):
    result = figures.rating_figures(world.users.unit_admin, YEAR)
    assert _figures(result["totals"]) == {
        "rated": 6,
        "good_rate": "50.0",  # a b i / 6
        "bad": 2,
        "rectify_rate": "50.0",
        "feedback_rate": "50.0",
        "feedback_short": True,
        "completed": 8,
        "participation": "75.0",
    }
    assert {row["window_id"] for row in result["by_window"]} == {
        s.window.pk,
        s.second_window.pk,
    }
    clerks = {row["clerk_id"]: (row["rated"], row["bad"]) for row in result["by_clerk"]}
    assert clerks == {s.clerk.pk: (5, 2), s.second_clerk.pk: (1, 0)}


def test_a_range_counts_ratings_by_their_day(s, world):
    result = figures.rating_figures(world.users.committee, APRIL)
    assert _figures(result["totals"]) == {
        "rated": 4,
        "good_rate": "75.0",
        "bad": 0,
        "rectify_rate": None,
        "feedback_rate": None,
        "feedback_short": False,
        "completed": 4,
        "participation": "100.0",
    }
    # once f is fed back, 回访率 reaches 100 %
    admin = world.users.unit_admin
    rating_services.follow_up_rectify(
        actor=admin, follow_up=s.f.follow_up, on=TODAY, measures="开展培训"
    )
    rating_services.follow_up_feed_back(
        actor=admin, follow_up=s.f.follow_up, on=TODAY, method="visit", note="上门告知"
    )
    may = figures.rating_figures(admin, DateRange(D(2026, 5, 1), TODAY))["totals"]
    assert (may["rectify_rate"], may["feedback_rate"], may["feedback_short"]) == (
        "100.0",
        "100.0",
        False,
    )


def test_the_board_shows_each_windows_ratings(s, world):
    board = figures.window_board(world.users.committee, YEAR, today=TODAY)
    rows = {row["window_id"]: row["ratings"] for row in board["windows"]}
    assert (rows[s.window.pk]["good_rate"], rows[s.window.pk]["bad"]) == ("40.0", 2)
    assert rows[s.window.pk]["feedback_short"] is True
    assert rows[s.other_window.pk]["good_rate"] == "100.0"
    page = client_for(world.users.committee).get(reverse("window:board"))
    assert page.status_code == 200
    assert page.content.decode().count('data-flag="feedback-short"') == 1


def test_the_figures_page_shows_the_ratings_and_flags_the_feedback(s, world):
    page = client_for(world.users.unit_admin).get(reverse("window:figures"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-key="ratings-by-window"' in html and 'data-key="ratings-by-clerk"' in html
    assert 'data-key="good_rate">50.0' in html
    assert 'data-key="participation">75.0' in html
    assert 'data-flag="feedback-short"' in html
    assert "申诉成立的差评不计入" in html  # the page says the excluded ratings are left out
    # in English: no Chinese outside the data
    client = client_for(world.users.unit_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("window:figures")).content.decode()
    assert "申诉成立的差评不计入" not in english and "好评率" not in english
    assert "excluded by an upheld appeal" in english and "Good rate" in english


def test_the_figures_api_has_the_ratings(s, world):
    body = api_as(world.users.unit_admin).get("/api/v1/window/figures/").json()
    assert body["ratings"]["totals"]["good_rate"] == "50.0"
    assert body["ratings"]["totals"]["feedback_short"] is True
    assert {row["window_id"] for row in body["ratings"]["by_window"]} == {
        s.window.pk,
        s.second_window.pk,
    }
    board = {row["window_id"]: row["ratings"]["rated"] for row in body["board"]}
    assert board == {s.window.pk: 5, s.second_window.pk: 1}


def test_no_ratings_gives_no_rates(world, official_calendar, pinned_today):
    result = figures.rating_figures(world.users.committee, YEAR)
    assert result["totals"]["rated"] == 0 and result["totals"]["good_rate"] is None
    assert result["totals"]["participation"] is None
    assert result["totals"]["feedback_short"] is False
    assert result["by_window"] == result["by_month"] == []


def test_rating_figures_take_two_grouped_queries_and_three_for_the_names(s, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        figures.rating_figures(world.users.committee, YEAR)
    grouped = [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"]]
    assert len(grouped) == 2
    assert len(captured.captured_queries) <= 5
    # the ratings in scope are read off their date, not looked up case by case
    assert not any('"case_id" IN (SELECT' in sql for sql in grouped)
