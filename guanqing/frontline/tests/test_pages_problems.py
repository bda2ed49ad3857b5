"""The problem pages: the queue, a problem's page and its steps (dispatch → accept → answer →
callback through the pages; a stale step answers 409 inline), the dispatch desk, the report
form, the committee's catalogue and settings, and the resident's pages without an account
(report, status, rating with a one-time code). Today is pinned to Wednesday 2026-05-13."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import client_for
from guanqing.core.models import AuditEvent
from guanqing.frontline import services
from guanqing.frontline.choices import ProblemSource, ProblemState, Satisfaction
from guanqing.frontline.models import DispatchRule, FrontlineSettings, Problem, ProblemCategory
from guanqing.frontline.outreach_services import outreach_record, place_register
from guanqing.frontline.tests import factories as ff
from guanqing.testing import factories as f

D = datetime.date
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
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


@pytest.fixture
def w(world, official_calendar, pinned_today):
    world.cat = ff.category(unit=world.unit)
    world.other_admin = f.UserFactory(
        username="other_unit_admin", role="unit_admin", unit=world.other_unit
    )
    world.committee = world.users.committee
    world.admin = world.users.unit_admin
    return world


def _page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def _step(client, problem, action, status=200, **data):
    response = client.post(
        f"/frontline/problems/{problem.pk}/steps/{action}/",
        {f"{action}-{k}": v for k, v in data.items()},
    )
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


# --- who may open what -------------------------------------------------------------------------

PAGES = {
    "/frontline/problems/": [200, 200, 200, 403, 200, 403, 403, 403, 403],
    "/frontline/problems/desk/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    "/frontline/problems/new/": [200, 200, 403, 403, 200, 403, 403, 403, 403],
    "/frontline/categories/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    "/frontline/settings/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
}


@pytest.mark.parametrize("url", list(PAGES))
def test_each_page_for_the_roles_allowed_and_403_for_others(w, url):
    for role, expected in zip(ROLES, PAGES[url], strict=True):
        response = client_for(getattr(w.users, role)).get(url)
        assert response.status_code == expected, (role, url)


def test_a_problem_outside_scope_answers_404_like_a_missing_one(w):
    problem = ff.assigned(category=w.cat, unit=w.unit)
    assert client_for(w.admin).get(f"/frontline/problems/{problem.pk}/").status_code == 200
    assert client_for(w.other_admin).get(f"/frontline/problems/{problem.pk}/").status_code == 404
    assert (
        client_for(w.users.window_clerk).get(f"/frontline/problems/{problem.pk}/").status_code
        == 404
    )
    assert client_for(w.committee).get("/frontline/problems/999999/").status_code == 404
    # another unit cannot post a step on it either
    response = client_for(w.other_admin).post(f"/frontline/problems/{problem.pk}/steps/accept/", {})
    assert response.status_code == 404
    problem.refresh_from_db()
    assert problem.state == ProblemState.ASSIGNED


# --- the loop through the pages ------------------------------------------------------------------


def test_dispatch_accept_answer_callback_through_the_pages(w, time_machine):
    problem = ff.reported(category=w.cat)
    committee, unit = client_for(w.committee), client_for(w.admin)

    page = _page(committee, f"/frontline/problems/{problem.pk}/")
    # the 派单目录's unit is preselected
    assert re.search(rf'<option value="{w.unit.pk}" selected>', page)
    assert 'data-step="dispatch"' in page and 'data-step="accept"' not in page
    _step(committee, problem, "dispatch", unit=w.unit.pk, note="")
    problem.refresh_from_db()
    assert (problem.state, problem.unit_id) == (ProblemState.ASSIGNED, w.unit.pk)

    page = _page(unit, f"/frontline/problems/{problem.pk}/")
    assert 'data-step="accept"' in page and 'data-step="dispatch"' not in page
    _step(unit, problem, "accept")
    _step(unit, problem, "progress", note="已联系路灯所", public="on")
    page = _step(unit, problem, "answer", answer="路灯已修复")
    problem.refresh_from_db()
    assert problem.state == ProblemState.CLOSED
    # the reporter's rating code is shown once, on the answer's page
    codes = re.findall(r"data-code>([A-Z0-9]{16})<", page)
    assert len(codes) == 1
    assert codes[0] not in _page(unit, f"/frontline/problems/{problem.pk}/")

    # 回访 from the next working day
    time_machine.move_to(datetime.datetime(2026, 5, 14, 10, tzinfo=SHANGHAI), tick=False)
    committee = client_for(w.committee)  # a new day, a new sign-in
    _step(committee, problem, "callback", note="群众满意")
    problem.refresh_from_db()
    assert problem.callback_on == D(2026, 5, 14)
    page = _page(committee, f"/frontline/problems/{problem.pk}/")
    kinds = re.findall(r'data-event="(\w+)"', page)
    assert kinds == ["report", "dispatch", "accept", "progress", "answer", "callback"]


def test_a_refused_field_is_shown_beside_it_and_nothing_is_written(w):
    problem = ff.handling(category=w.cat, unit_admin=w.admin)
    page = _step(client_for(w.admin), problem, "answer", status=400, answer="   ")
    assert re.search(r'<details class="case-step" open data-step="answer">', page)
    assert "errorlist" in page or 'aria-invalid="true"' in page
    problem.refresh_from_db()
    assert problem.state == ProblemState.HANDLING


def test_a_stale_step_answers_409_inline(w):
    problem = ff.assigned(category=w.cat, unit=w.unit)
    stale = client_for(w.admin)
    _page(stale, f"/frontline/problems/{problem.pk}/")
    services.problem_accept(actor=w.admin, problem=problem)  # in another tab
    page = _step(stale, problem, "return", status=409, reason="不属于本单位职责")
    assert 'data-key="conflict"' in page
    problem.refresh_from_db()
    assert problem.state == ProblemState.HANDLING


def test_return_reassign_extension_and_merge_through_the_pages(w):
    committee, unit = client_for(w.committee), client_for(w.admin)
    problem = ff.assigned(category=w.cat, unit=w.unit)
    _step(unit, problem, "return", reason="不属于本单位职责")
    _step(committee, problem, "reassign", status=400, unit=w.unit.pk)  # the same unit again
    _step(committee, problem, "reassign", unit=w.other_unit.pk)
    problem.refresh_from_db()
    assert (problem.state, problem.unit_id) == (ProblemState.ASSIGNED, w.other_unit.pk)

    mine = ff.handling(category=w.cat, unit_admin=w.admin)
    _step(unit, mine, "request_extension", workdays=3, reason="需协调多部门")
    page = _page(unit, f"/frontline/problems/{mine.pk}/")
    assert 'data-step="request_extension"' not in page  # one per problem
    old = Problem.objects.get(pk=mine.pk).deadline
    _step(committee, mine, "decide_extension", approved="yes", note="")
    mine.refresh_from_db()
    assert mine.deadline > old

    duplicate = ff.reported(category=w.cat)
    page = _step(committee, duplicate, "merge", status=400, into="NT00000000-0000")
    assert "没有这个编号的难题" in page
    _step(committee, duplicate, "merge", into=mine.public_id.lower())
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.master_id) == (ProblemState.MERGED, mine.pk)
    page = _page(committee, f"/frontline/problems/{mine.pk}/")
    assert duplicate.public_id in page


def test_the_reporter_is_shown_masked_to_the_committee_and_the_handling_unit_only(w):
    problem = ff.assigned(category=w.cat, unit=w.unit)
    for user in (w.committee, w.admin):
        page = _page(client_for(user), f"/frontline/problems/{problem.pk}/")
        assert "138****1234" in page and "王*" in page
        assert ff.PHONE not in page and "王小明" not in page
    # a member of the unit whose outreach collected it sees the problem, not the reporter
    place = place_register(
        actor=w.committee, kind="village", name="徐家漕村", division=w.community
    )[0]
    visit = outreach_record(
        actor=w.admin,
        unit=w.unit,
        visited_on=D(2026, 5, 12),
        place=place,
        cadres=[w.member],
        discussed="座谈",
    )
    collected = ff.reported(
        category=w.cat, actor=w.admin, source=ProblemSource.OUTREACH, outreach=visit
    )
    page = _page(client_for(w.users.member), f"/frontline/problems/{collected.pk}/")
    assert "138****1234" not in page and 'data-key="reporter"' not in page


# --- the queue and the desk --------------------------------------------------------------------


def test_the_queue_shows_due_soon_first_with_tones_and_filters(w, time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 20, 10, tzinfo=SHANGHAI), tick=False)
    late = ff.handling(category=w.cat, unit_admin=w.admin)  # due long before 5-13
    time_machine.move_to(datetime.datetime(2026, 5, 13, 10, tzinfo=SHANGHAI), tick=False)
    enquiry = ff.category(unit=w.unit, urgency="enquiry")
    soon = ff.handling(category=enquiry, unit_admin=w.admin)  # 3 working days
    later = ff.assigned(category=w.cat, unit=w.unit)
    theirs = ff.assigned(category=w.cat, unit=w.other_unit)
    page = _page(client_for(w.admin), "/frontline/problems/")
    order = [int(pk) for pk in re.findall(r'data-problem="(\d+)"', page)]
    assert order == [late.pk, soon.pk, later.pk]
    assert f'data-problem="{late.pk}" class="row--danger"' in page
    assert 'data-tone="overdue"' in page
    # each row links to its problem, and says how many working days are left
    for problem in (late, soon, later):
        assert f'<a href="/frontline/problems/{problem.pk}/">{problem.public_id}</a>' in page
    assert 'data-days-left="3">剩 3 个工作日</td>' in page  # beyond two: no badge
    # the committee sees all, filtered by unit
    committee = client_for(w.committee)
    page = _page(committee, f"/frontline/problems/?unit={w.other_unit.pk}")
    assert re.findall(r'data-problem="(\d+)"', page) == [str(theirs.pk)]
    page = _page(committee, f"/frontline/problems/?category={enquiry.pk}")
    assert re.findall(r'data-problem="(\d+)"', page) == [str(soon.pk)]
    page = _page(committee, f"/frontline/problems/?q={later.public_id}")
    assert re.findall(r'data-problem="(\d+)"', page) == [str(later.pk)]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_budgets_for_the_queue_and_the_desk(w):
    committee = client_for(w.committee)
    for _n in range(2):
        ff.reported(category=w.cat)
        ff.assigned(category=w.cat, unit=w.unit)
    _queries(committee, "/frontline/problems/")  # the calendar's years are read once
    _queries(committee, "/frontline/problems/desk/")
    queue_few, desk_few = (
        _queries(committee, "/frontline/problems/"),
        _queries(committee, "/frontline/problems/desk/"),
    )
    for _n in range(6):
        ff.reported(category=w.cat)
        ff.assigned(category=w.cat, unit=w.other_unit)
    assert _queries(committee, "/frontline/problems/") == queue_few
    assert _queries(committee, "/frontline/problems/desk/") == desk_few
    assert desk_few <= 20


def test_the_report_forms_read_the_divisions_in_one_query_whatever_their_number(w):
    """Each division option is labelled with its full name (district first) without a query per
    option: more streets, the same number of queries."""
    district = f.DistrictFactory(name="海曙区")
    f.StreetFactory(parent=district, name="鼓楼街道")
    committee = client_for(w.committee)
    public = Client()
    _queries(committee, "/frontline/problems/new/")  # the calendar's years are read once
    few_new = _queries(committee, "/frontline/problems/new/")
    few_public = _queries(public, "/frontline/report/")
    for n in range(8):
        f.StreetFactory(parent=district, name=f"新街道{n}")
    assert _queries(committee, "/frontline/problems/new/") == few_new
    assert _queries(public, "/frontline/report/") == few_public
    page = _page(public, "/frontline/report/")
    street = district.children.get(name="鼓楼街道")
    assert f'<option value="{street.pk}">海曙区鼓楼街道</option>' in page
    assert f'<option value="{district.pk}">海曙区</option>' in page
    assert '<option value="" selected>---------</option>' in page


def test_the_desk_lists_unassigned_returned_and_extensions(w):
    fresh = ff.reported(category=w.cat)
    sent_back = ff.assigned(category=w.cat, unit=w.unit)
    services.problem_return(actor=w.admin, problem=sent_back, reason="不属于本单位")
    asking = ff.handling(category=w.cat, unit_admin=w.admin)
    services.extension_request(actor=w.admin, problem=asking, workdays=2, reason="协调")
    page = _page(client_for(w.committee), "/frontline/problems/desk/")
    sections = dict(re.findall(r'data-list="(\w+)"(.*?)</section>', page, re.S))
    assert f'data-problem="{fresh.pk}"' in sections["unassigned"]
    assert f'data-problem="{sent_back.pk}"' in sections["returned"]
    assert asking.public_id in sections["extensions"]


# --- reporting ----------------------------------------------------------------------------------


def test_the_committee_reports_a_hotline_hand_over_and_the_clerk_a_window_one(w):
    data = {"category": w.cat.pk, "title": "噪音扰民", "description": "夜间施工", "address": "x"}
    response = client_for(w.committee).post(
        "/frontline/problems/new/", {**data, "source": ProblemSource.HOTLINE}
    )
    assert response.status_code == 302
    assert Problem.objects.get(title="噪音扰民").source == ProblemSource.HOTLINE
    clerk = client_for(w.users.window_clerk)
    response = clerk.post("/frontline/problems/new/", {**data, "source": ProblemSource.HOTLINE})
    assert response.status_code == 400  # not a source the window hands over
    response = clerk.post(
        "/frontline/problems/new/", {**data, "source": ProblemSource.WINDOW, "title": "窗口"}
    )
    assert response.status_code == 302
    # the clerk's queue is what it handed over
    assert "窗口" in _page(clerk, "/frontline/problems/")


def test_a_unit_reports_from_its_outreach_visit(w):
    place = place_register(actor=w.committee, kind="village", name="李家村", division=w.community)[
        0
    ]
    visit = outreach_record(
        actor=w.admin,
        unit=w.unit,
        visited_on=D(2026, 5, 12),
        place=place,
        cadres=[w.member],
        discussed="座谈",
    )
    unit = client_for(w.admin)
    assert "登记难题" in _page(unit, f"/frontline/outreach/{visit.pk}/")
    form = _page(unit, f"/frontline/problems/new/?outreach={visit.pk}")
    assert "李家村" in form
    response = unit.post(
        "/frontline/problems/new/",
        {
            "outreach": visit.pk,
            "source": ProblemSource.OUTREACH,
            "category": w.cat.pk,
            "title": "村道破损",
            "description": "需要修补",
        },
    )
    assert response.status_code == 302
    assert Problem.objects.get(title="村道破损").outreach_id == visit.pk
    # another unit's visit is not found
    assert (
        client_for(w.other_admin).get(f"/frontline/problems/new/?outreach={visit.pk}").status_code
        == 404
    )


def test_a_refused_report_names_the_field(w):
    response = client_for(w.committee).post(
        "/frontline/problems/new/",
        {
            "source": ProblemSource.HOTLINE,
            "category": w.cat.pk,
            "title": "x",
            "description": "y",
            "reporter_phone": "12",
        },
    )
    assert response.status_code == 400
    assert 'id="id_reporter_phone"' in response.content.decode()
    assert not Problem.objects.exists()


# --- the resident's pages -----------------------------------------------------------------------


def test_public_report_status_and_rate_without_an_account(w):
    anonymous = Client()
    assert anonymous.get("/frontline/report/").status_code == 200
    response = anonymous.post(
        "/frontline/report/",
        {
            "category": w.cat.pk,
            "title": "井盖缺失",
            "description": "人行道井盖丢了",
            "address": "中山路 1 号",
            "reporter_name": "赵六",
            "reporter_phone": "13905741111",
        },
    )
    assert response.status_code == 200
    problem = Problem.objects.get(title="井盖缺失")
    page = response.content.decode()
    assert problem.public_id in page and f"/frontline/report/{problem.public_id}/" in page

    services.problem_dispatch(actor=w.committee, problem=problem, unit=w.unit)
    services.problem_accept(actor=w.admin, problem=problem)
    services.problem_progress(actor=w.admin, problem=problem, note="内部：找施工方")
    services.problem_progress(actor=w.admin, problem=problem, note="已安排抢修", public=True)
    status = _page(anonymous, f"/frontline/report/{problem.public_id}/")
    assert "已安排抢修" in status and "内部：找施工方" not in status
    for private in ("赵六", "13905741111", "1111", "赵*"):
        assert private not in status
    # a problem from a hotline hand-over is not published
    hotline = ff.reported(category=w.cat, actor=w.committee)
    assert anonymous.get(f"/frontline/report/{hotline.public_id}/").status_code == 404

    closed = services.problem_answer(actor=w.admin, problem=problem, answer="井盖已补上")
    code = closed.rating_codes[problem.public_id]
    page = _page(anonymous, f"/frontline/rate/{code}/")
    assert "井盖已补上" in page and "赵六" not in page and "13905741111" not in page
    response = anonymous.post(f"/frontline/rate/{code}/", {"satisfaction": Satisfaction.BASIC})
    assert 'data-key="thanks"' in response.content.decode()
    problem.refresh_from_db()
    assert problem.satisfaction == Satisfaction.BASIC

    # a used code, a wrong one and a malformed one get the one answer
    answers = set()
    for bad in (code, "ABCDEFGHJKMNPQRS", "x"):
        page = _page(anonymous, f"/frontline/rate/{bad}/")
        answers.add(re.search(r'data-key="invalid"><p>(.*?)</p>', page).group(1))
        response = anonymous.post(f"/frontline/rate/{bad}/", {"satisfaction": "satisfied"})
        answers.add(
            re.search(r'data-key="invalid"><p>(.*?)</p>', response.content.decode()).group(1)
        )
    assert len(answers) == 1
    problem.refresh_from_db()
    assert problem.satisfaction == Satisfaction.BASIC


def test_a_dissatisfied_rating_reopens_it_and_the_status_says_so(w):
    problem = ff.reported(category=w.cat)
    closed = ff.closed(problem=problem, unit_admin=w.admin)
    code = closed.rating_codes[problem.public_id]
    Client().post(f"/frontline/rate/{code}/", {"satisfaction": Satisfaction.DISSATISFIED})
    problem.refresh_from_db()
    assert problem.state == ProblemState.HANDLING
    assert 'data-event="reopen"' in _page(Client(), f"/frontline/report/{problem.public_id}/")


def test_public_pages_are_throttled(w, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}),
            "frontline_public": "2/hour",
        },
    }
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        anonymous = Client()
        statuses = [
            anonymous.get("/frontline/rate/ABCDEFGHJKMNPQRS/").status_code for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
    finally:
        api_settings.reload()


def test_a_rating_code_can_be_issued_again_once_shown_only_then(w):
    problem = ff.reported(category=w.cat)
    closed = ff.closed(problem=problem, unit_admin=w.admin)
    first = closed.rating_codes[problem.public_id]
    response = client_for(w.committee).post(f"/frontline/problems/{problem.pk}/code/")
    codes = re.findall(r"data-code>([A-Z0-9]{16})<", response.content.decode())
    assert len(codes) == 1 and codes[0] != first
    assert 'data-key="invalid"' in _page(Client(), f"/frontline/rate/{first}/")
    assert client_for(w.admin).post(f"/frontline/problems/{problem.pk}/code/").status_code == 403


# --- the catalogue and settings -----------------------------------------------------------------


def test_the_committee_edits_categories_rules_and_settings(w):
    committee = client_for(w.committee)
    response = committee.post(
        "/frontline/categories/",
        {
            "form": "category",
            "code": "ROAD",
            "name": "道路破损",
            "urgency": "complaint",
            "attributes": '[{"code": "size", "datatype": "number", "description": "面积"}]',
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    road = ProblemCategory.objects.get(code="ROAD")
    assert road.attributes[0]["code"] == "size"
    response = committee.post(
        "/frontline/categories/",
        {"form": "category", "code": "ROAD", "name": "重复", "urgency": "complaint"},
    )
    assert response.status_code == 400 and 'id="id_code"' in response.content.decode()
    response = committee.post(
        "/frontline/categories/",
        {
            "form": "category",
            "code": "BAD",
            "name": "坏",
            "urgency": "problem",
            "attributes": "[{]",
        },
    )
    assert response.status_code == 400
    response = committee.post(
        "/frontline/categories/",
        {
            "form": "category",
            "code": "LIST",
            "name": "列表",
            "urgency": "problem",
            "attributes": '[{"code": "k", "datatype": "singlevaluelist", "description": "种类"}]',
        },
    )
    assert response.status_code == 400 and "values" in response.content.decode()

    response = committee.post(
        "/frontline/categories/",
        {"form": "rule", "category": road.pk, "district": w.district.pk, "unit": w.other_unit.pk},
    )
    assert response.status_code == 302
    rule = DispatchRule.objects.get(category=road)
    assert (rule.district_id, rule.unit_id) == (w.district.pk, w.other_unit.pk)
    assert AuditEvent.objects.filter(actor=w.committee).count() >= 2
    committee.post("/frontline/categories/", {"form": "rule_delete", "rule": rule.pk})
    assert not DispatchRule.objects.filter(category=road).exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(rule.pk)).exists()

    form = {
        "emergency_workdays": 0,
        "enquiry_workdays": 4,
        "complaint_workdays": 13,
        "problem_workdays": 13,
        "notice_after_workdays": 5,
        "max_extension_workdays": 10,
        "instructor_days_per_month": 10,
    }
    assert committee.post("/frontline/settings/", form).status_code == 302
    assert FrontlineSettings.current().enquiry_workdays == 4
    response = committee.post("/frontline/settings/", {**form, "notice_after_workdays": 0})
    assert response.status_code == 400
    assert FrontlineSettings.current().notice_after_workdays == 5


# --- in English ----------------------------------------------------------------------------------


def test_the_problem_pages_read_in_english(w):
    from guanqing.core.tests.test_i18n import english_client

    problem = ff.assigned(category=w.cat, unit=w.unit)
    client = english_client(w.committee)
    han = re.compile(r"[\u4e00-\u9fff]")
    data = {problem.title, problem.description, problem.address, w.unit.name, w.cat.name, "王*"}
    data |= {str(e.note) for e in problem.events.all()}
    data |= {w.district.name, w.street.name, w.community.name, w.other_unit.name, "徐家漕社区"}
    for url in (
        "/frontline/problems/",
        "/frontline/problems/desk/",
        "/frontline/problems/new/",
        f"/frontline/problems/{problem.pk}/",
        "/frontline/categories/",
        "/frontline/settings/",
    ):
        page = _page(client, url)
        body = page.split("<main", 1)[-1]
        body = re.sub(r"<option[^>]*>[^<]*</option>", "", body)
        for value in sorted(data, key=len, reverse=True):  # data is shown as entered
            body = body.replace(value, "")
        assert not han.findall(body), (url, han.findall(body)[:10])
    handling = ff.handling(category=w.cat, unit_admin=w.admin)
    data |= {handling.title, handling.description}
    data |= {str(e.note) for e in handling.events.all()}
    for client, url in (
        (english_client(w.admin), f"/frontline/problems/{handling.pk}/"),
        (english_client(w.admin), "/frontline/problems/"),
    ):
        body = _page(client, url).split("<main", 1)[-1]
        body = re.sub(r"<option[^>]*>[^<]*</option>", "", body)
        for value in sorted(data, key=len, reverse=True):
            body = body.replace(value, "")
        assert not han.findall(body), (url, han.findall(body)[:10])
    anonymous = english_client()
    for url in ("/frontline/report/", "/frontline/rate/", "/frontline/report/status/"):
        body = _page(anonymous, url).split("<main", 1)[-1]
        body = re.sub(r"<option[^>]*>[^<]*</option>", "", body)
        assert not han.findall(body), (url, han.findall(body)[:10])


# --- the home page -------------------------------------------------------------------------------


def _stats(page: str, title: str) -> dict[str, str]:
    """{label: value} of the home section titled `title`."""
    section = page.split(title, 1)[1].split("</section>", 1)[0]
    labels = re.findall(r'class="stat__label">([^<]*)<', section)
    values = re.findall(r'class="stat__value">\s*([0-9]+)', section)
    return dict(zip(labels, values, strict=True))


def test_the_home_page_counts_the_units_and_the_committees_problems(w, time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 20, 10, tzinfo=SHANGHAI), tick=False)
    ff.handling(category=w.cat, unit_admin=w.admin)  # overdue by 5-13
    time_machine.move_to(datetime.datetime(2026, 5, 13, 10, tzinfo=SHANGHAI), tick=False)
    ff.assigned(category=w.cat, unit=w.unit)  # newly assigned, due in 13 working days
    ff.assigned(category=w.cat, unit=w.other_unit)  # another unit's
    ff.reported(category=w.cat)
    sent_back = ff.assigned(category=w.cat, unit=w.unit)
    services.problem_return(actor=w.admin, problem=sent_back, reason="不属于本单位")
    asking = ff.handling(category=w.cat, unit_admin=w.admin)
    services.extension_request(actor=w.admin, problem=asking, workdays=2, reason="协调")

    unit = client_for(w.admin).get("/").content.decode()
    assert _stats(unit, "本单位承办") == {"已超期": "1", "即将到期": "0", "新派单待签收": "1"}
    assert 'href="/frontline/problems/?state=assigned"' in unit
    committee = client_for(w.committee).get("/").content.decode()
    assert _stats(committee, "难题派单") == {
        "待派单": "1",
        "已退单待改派": "1",
        "通报": "0",
        "待审批延期": "1",
    }
    assert "/frontline/problems/desk/#desk-unassigned" in committee
    assert "本单位承办" not in client_for(w.users.member).get("/").content.decode()


def test_the_days_left_cell_in_both_languages():
    from django.utils import translation

    from guanqing.frontline.views_problems import days_left_badge

    assert days_left_badge(None, "") == "—"
    assert days_left_badge(-4, "danger") == (
        '<span class="badge badge--danger" data-tone="overdue">超期 4 个工作日</span>'
    )
    assert days_left_badge(1, "warn") == (
        '<span class="badge badge--warn" data-tone="due-soon">剩 1 个工作日</span>'
    )
    assert days_left_badge(9, "") == "剩 9 个工作日"
    with translation.override("en"):
        assert days_left_badge(1, "warn").endswith(">1 working day left</span>")
        assert days_left_badge(9, "") == "9 working days left"
        assert ">4 working days overdue<" in days_left_badge(-4, "danger")
