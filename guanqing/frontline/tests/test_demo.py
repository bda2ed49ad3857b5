"""The 走亲连心 part of the demo, read from the shared small demo (scale 0.05): a year of outreach
close to the article's figures at that scale, the problems collected, each one's timeline
consistent with the rules, the committee's desk and 市纪委's queue not empty, and the documented
Open311 demo key accepted (the request it posts is rolled back after the test)."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from stdnum.cn import uscc

from guanqing.accounts.models import User
from guanqing.core.calendar.workdays import add_workdays
from guanqing.core.daterange import DateRange
from guanqing.frontline import rules
from guanqing.frontline.choices import (
    OPEN_STATES,
    PlaceKind,
    ProblemEventKind,
    ProblemSource,
    ProblemState,
)
from guanqing.frontline.demo import (
    BUREAU_PERSON_TIMES,
    DEMO_OPEN311_KEY,
    DONATED_YUAN,
    GRASSROOTS_UNITS,
    JIWEI,
    PERSON_TIMES,
    PROBLEMS_SOLVED,
    VILLAGES_ENTERPRISES,
    period,
)
from guanqing.frontline.figures import frontline_figures
from guanqing.frontline.models import (
    DispatchRule,
    FrontlineSettings,
    Open311Key,
    Place,
    Problem,
    ProblemCategory,
    ProblemEvent,
)
from guanqing.frontline.selectors import dispatch_desk, problem_queue

SCALE = 0.05

pytestmark = [
    pytest.mark.shared_demo(scale=SCALE),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar"),
]


@pytest.fixture
def demo(shared_demo):
    return shared_demo.parts["frontline"]


def near(value, target, tolerance=0.06) -> bool:
    return abs(Decimal(value) - Decimal(target)) <= Decimal(target) * Decimal(str(tolerance))


def test_a_year_of_outreach_close_to_the_articles_figures(demo):
    committee = User.objects.get(username="committee")
    today = timezone.localdate()
    first, last = period(today)
    figures = frontline_figures(committee, DateRange(first, last), today=today)
    assert figures["bureau_person_times"] == round(BUREAU_PERSON_TIMES * SCALE)
    assert near(figures["person_times"], PERSON_TIMES * SCALE)
    assert near(figures["grassroots_units"], GRASSROOTS_UNITS * SCALE, 0.01)
    assert near(figures["villages_enterprises"], VILLAGES_ENTERPRISES * SCALE, 0.01)
    assert near(figures["donated_wan_yuan"], DONATED_YUAN * Decimal(str(SCALE)) / 10000, 0.01)
    assert near(figures["problems_solved"], PROBLEMS_SOLVED * SCALE, 0.05)
    assert figures["problems_collected"] > figures["problems_solved"]
    assert Decimal(figures["on_time_rate"]) >= 90
    assert Decimal(figures["satisfaction"]) >= 90
    assert demo.person_times == figures["person_times"]
    # enterprises carry valid credit codes, the others none
    enterprises = Place.objects.filter(kind=PlaceKind.ENTERPRISE)
    assert enterprises.exists()
    assert all(uscc.is_valid(code) for code in enterprises.values_list("credit_code", flat=True))
    assert not Place.objects.exclude(kind=PlaceKind.ENTERPRISE).exclude(credit_code="").exists()


def test_the_catalogue_and_its_dispatch_rules(demo):
    categories = ProblemCategory.objects.all()
    assert categories.count() >= 12
    assert {"道路设施", "供水供电", "企业融资", "用工招聘", "环境卫生", "政策咨询"} <= {
        c.name for c in categories
    }
    for category in categories:
        assert 1 <= len(category.attributes) <= 2
        assert DispatchRule.objects.filter(category=category, district__isnull=True).exists()
    assert DispatchRule.objects.filter(district__isnull=False).exists()


def test_every_problem_is_consistent_with_the_rules(demo):
    settings = FrontlineSettings.current()
    today = timezone.localdate()
    events = defaultdict(list)
    for event in ProblemEvent.objects.order_by("on", "at", "pk"):
        events[event.problem_id].append(event)
    problems = list(Problem.objects.all())
    assert len(problems) >= demo.problems
    for problem in problems:
        kinds = [e.kind for e in events[problem.pk]]
        assert kinds[0] == ProblemEventKind.REPORT, problem.public_id
        assert problem.received_on <= today
        start = problem.reopened_on or problem.received_on
        assert problem.deadline == rules.deadline(
            start, settings.limit_workdays(problem.urgency)
        ), problem.public_id
        # each step's states follow the lifecycle table, the last one is the problem's state
        state = ProblemState.RECEIVED
        for event in events[problem.pk][1:]:
            if event.from_state != event.to_state:
                assert event.from_state == state, (problem.public_id, event.kind)
                step = {
                    ProblemEventKind.DISPATCH: "dispatch",
                    ProblemEventKind.RETURN: "return",
                    ProblemEventKind.ACCEPT: "accept",
                    ProblemEventKind.ANSWER: "answer",
                    ProblemEventKind.MERGE: "merge",
                    ProblemEventKind.REOPEN: "reopen",
                }[event.kind]
                assert rules.PROBLEM.target(state, step) == event.to_state
                state = event.to_state
        assert state == problem.state, problem.public_id
        if problem.state == ProblemState.CLOSED:
            assert problem.answer and problem.closed_on >= problem.received_on
            assert problem.closed_on <= today
            assert {ProblemEventKind.DISPATCH, ProblemEventKind.ACCEPT} <= set(kinds)
            assert kinds.count(ProblemEventKind.ANSWER) == 1
        if problem.state == ProblemState.MERGED:
            assert problem.master is not None and problem.master.master_id is None
        if problem.urged_on:
            assert problem.urged_on == rules.urge_due(problem.deadline)
            assert ProblemEventKind.URGE in kinds
        if problem.noticed_on:
            assert problem.noticed_on == rules.notice_due(
                problem.deadline, settings.notice_after_workdays
            )
            assert ProblemEventKind.NOTICE in kinds
        if problem.state in OPEN_STATES and problem.state != ProblemState.RECEIVED:
            overdue_since = add_workdays(problem.deadline, 1)
            assert (problem.urged_on is not None) == (overdue_since <= today), problem.public_id
    assert Problem.objects.filter(reopened_on__isnull=False, state=ProblemState.HANDLING).exists()
    assert Problem.objects.filter(state=ProblemState.MERGED).exists()
    assert Problem.objects.filter(source=ProblemSource.OPEN311, open311_key__isnull=False).exists()


def test_the_desks_and_queues_have_work(demo):
    today = timezone.localdate()
    desk = dispatch_desk(today)
    assert desk.unassigned.exists()
    assert desk.returned.exists()
    assert desk.overdue.exists()
    assert desk.noticed.exists()

    jiwei = User.objects.get(username="unit_jiwei")
    assert jiwei.unit.short_name == JIWEI
    queue = list(problem_queue(jiwei))
    assert any(p.deadline < today for p in queue)  # overdue
    assert any(today <= p.deadline <= add_workdays(today, 2) for p in queue)  # due soon


def test_the_demo_open311_key_is_accepted(demo):
    key = Open311Key.objects.get()
    assert key.key_prefix == DEMO_OPEN311_KEY[:8]
    assert DEMO_OPEN311_KEY in demo.describe()
    category = ProblemCategory.objects.get(code="road")
    client = Client(enforce_csrf_checks=True)
    body = urlencode(
        {
            "api_key": DEMO_OPEN311_KEY,
            "service_code": category.code,
            "address_string": "海曙区中山西路 1 号",
            "description": "路灯不亮",
        }
    )
    response = client.post(
        "/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200, response.content
    public_id = json.loads(response.content)[0]["service_request_id"]
    problem = Problem.objects.get(public_id=public_id)
    assert problem.open311_key == key and problem.source == ProblemSource.OPEN311
