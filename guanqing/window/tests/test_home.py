"""The 满意窗口 sections of the home page: a clerk's overdue, due-soon and today's cases, a unit
administrator's windows, the committee's overdue cases city-wide; every number is the number of
rows of the queue it links to."""

from __future__ import annotations

import datetime

import pytest

from guanqing.conftest import client_for
from guanqing.window.tests import factories as wf

pytestmark = pytest.mark.django_db

D = datetime.date
KEYS = {"window.clerk_desk", "window.unit_windows", "window.city_overdue"}


@pytest.fixture
def d(world, official_calendar, pinned_today):
    desk = wf.desk(world)
    for day in (D(2026, 5, 6), D(2026, 5, 6), D(2026, 5, 7), D(2026, 5, 13)):
        wf.accepted_case(actor=desk.clerk, window=desk.window, matter=desk.matter, accepted_on=day)
    wf.accepted_case(
        actor=desk.second_clerk,
        window=desk.second_window,
        matter=desk.matter,
        accepted_on=D(2026, 5, 6),
    )
    wf.accepted_case(
        actor=desk.other_clerk,
        window=desk.other_window,
        matter=desk.other_matter,
        accepted_on=D(2026, 5, 6),
    )
    return desk


def _sections(user):
    response = client_for(user).get("/")
    assert response.status_code == 200
    return {s["key"]: s for s in response.context["sections"] if s["key"] in KEYS}


def _stats(section) -> dict[str, dict]:
    return {str(stat["label"]): stat for stat in section["stats"]}


def _rows_behind(user, url) -> int:
    response = client_for(user).get(url)
    assert response.status_code == 200, url
    return response.context["page_obj"].paginator.count


@pytest.mark.parametrize(
    "role,keys",
    [
        ("window_clerk", {"window.clerk_desk"}),
        ("unit_admin", {"window.unit_windows"}),
        ("committee", {"window.city_overdue"}),
        ("member", set()),
        ("community_worker", set()),
        ("system_admin", set()),
    ],
)
def test_each_role_sees_its_window_section(d, world, role, keys):
    assert set(_sections(getattr(world.users, role))) == keys


@pytest.mark.parametrize(
    "role,key,expected",
    [
        ("window_clerk", "window.clerk_desk", {"已超期": 2, "即将到期": 1, "今日受理": 1}),
        ("unit_admin", "window.unit_windows", {"已超期": 3, "即将到期": 1}),
        ("committee", "window.city_overdue", {"已超期": 4}),
    ],
)
def test_every_number_is_the_rows_of_the_queue_it_links_to(d, world, role, key, expected):
    user = getattr(world.users, role)
    stats = _stats(_sections(user)[key])
    assert {label: stat["value"] for label, stat in stats.items()} == expected
    for stat in stats.values():
        assert _rows_behind(user, stat["url"]) == stat["value"], stat["url"]


def test_the_window_sections_keep_to_a_few_queries(d, world, django_assert_max_num_queries):
    from django.test import RequestFactory

    from guanqing.window import home

    request = RequestFactory().get("/")
    request.user = world.users.window_clerk
    home.clerk_desk(request)  # the calendar's years are cached after the first call
    with django_assert_max_num_queries(3):
        home.clerk_desk(request)
