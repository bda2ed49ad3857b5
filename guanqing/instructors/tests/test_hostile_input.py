"""Inputs that broke earlier apps, sent to the instructors' API and pages: each is a 400 naming the
field (or the form shown again with the error beside the field), never a 500, and nothing is
written — no term, log, raised problem, frontline problem or audit record, no term changed — so
the lists read what they read before. Unusual but valid text is kept, and every list page and API
list still opens with it."""

from __future__ import annotations

import json

import pytest

from guanqing.conftest import api_as, client_for
from guanqing.core.models import AuditEvent
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.frontline.models import Problem
from guanqing.instructors.models import InstructorSettings, InstructorTerm, RaisedProblem, WorkLog
from guanqing.instructors.tests.helpers import D, category, log, second_member, term

API = "/api/v1/instructors/"
HUGE = "长" * 100_000
BIG_ID = 2**63


@pytest.fixture
def w(world, official_calendar, pinned_today):
    category()
    world.term = term(world)
    world.entry = log(world.term, D(2026, 5, 4))
    world.cadre = second_member(world)
    return world


def _counts():
    return (
        InstructorTerm.objects.count(),
        WorkLog.objects.count(),
        RaisedProblem.objects.count(),
        Problem.objects.count(),
        AuditEvent.objects.count(),
        sorted(InstructorTerm.objects.values_list("pk", "state", "ends_on", "end_reason")),
        InstructorSettings.current().days_per_month,
    )


def _post(api, url, body):
    """JSON with every character outside ASCII escaped, so a lone surrogate travels as \\ud800."""
    return api.post(url, json.dumps(body), content_type="application/json")


def _lists_open(user):
    client = client_for(user)
    for path in (
        "/instructors/terms/",
        "/instructors/log/",
        "/instructors/city/",
        "/instructors/figures/",
        f"{API}terms/",
        f"{API}logs/",
    ):
        response = client.get(path)
        assert response.status_code in (200, 403), (path, response.status_code)


def _form_errors(response, name="form") -> dict:
    assert response.status_code in (200, 400), response.status_code
    form = response.context[name]
    assert form.errors, "the form was accepted"
    return form.errors


# --- the API ------------------------------------------------------------------------------------


def _appointment(w, **overrides):
    body = {
        "member": w.cadre.pk,
        "village": w.community.pk,
        "starts_on": "2026-05-01",
        "ends_on": "2028-04-30",
        "required_days": 15,
        "note": "第一批",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    "field,value",
    [
        ("starts_on", "0001-01-01"),
        ("starts_on", "9999-12-31"),
        ("starts_on", "2026-02-30"),
        ("ends_on", "9999-12-31"),
        ("ends_on", "2026-04-30"),
        ("required_days", BIG_ID),
        ("required_days", -1),
        ("required_days", 0),
        ("required_days", "1e400"),
        ("required_days", 32),
        ("member", BIG_ID),
        ("member", -1),
        ("village", BIG_ID),
        ("note", "第一批\x00"),
        ("note", "第一批\x07"),
        ("note", "第一\ud800批"),
        ("note", "长" * 5000),
    ],
)
def test_a_hostile_appointment_is_a_400_naming_its_field(w, field, value):
    before = _counts()
    response = _post(api_as(w.users.unit_admin), f"{API}terms/", _appointment(w, **{field: value}))
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert _counts() == before


@pytest.mark.parametrize(
    "field,value",
    [
        ("starts_on", "9999-12-31"),
        ("starts_on", "0001-01-01"),
        ("starts_on", "2026-05-14"),
        ("ends_on", "9999-12-31"),
        ("ends_on", "2026-05-14"),
        ("ends_on", "2026-05-05"),
        ("term", BIG_ID),
        ("term", -1),
        ("work", "走访\x00"),
        ("work", "走访\x1b[31m"),
        ("work", "走\ud800访"),
        ("work", "长" * (LONG_TEXT_MAX + 1)),
        ("work", HUGE),
        ("problems", "问题\x07"),
        ("problems", HUGE),
    ],
)
def test_a_hostile_log_entry_is_a_400_naming_its_field(w, field, value):
    body = {"term": w.term.pk, "starts_on": "2026-05-11", "ends_on": "2026-05-12", "work": "走访"}
    body[field] = value
    if field == "starts_on" and value == "0001-01-01":
        body["ends_on"] = None
    before = _counts()
    response = _post(api_as(w.users.member), f"{API}logs/", body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert _counts() == before


@pytest.mark.parametrize(
    "body,field",
    [
        ({"on": "9999-12-31"}, "on"),
        ({"on": "0001-01-01"}, "on"),
        ({"on": "2026-05-12", "reason": "调任\x00"}, "reason"),
        ({"on": "2026-05-12", "reason": "调任\x07"}, "reason"),
        ({"on": "2026-05-12", "reason": "长" * 5000}, "reason"),
    ],
)
def test_a_hostile_end_leaves_the_term_as_it_was(w, body, field):
    before = _counts()
    response = _post(api_as(w.users.unit_admin), f"{API}terms/{w.term.pk}/end/", body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert _counts() == before


@pytest.mark.parametrize(
    "field,value",
    [
        ("title", "路灯\x00"),
        ("title", "路灯\x07"),
        ("title", "路\ud800灯"),
        ("title", "长" * 5000),
        ("description", "十余盏\x1b"),
        ("description", "长" * (LONG_TEXT_MAX + 1)),
        ("description", HUGE),
        ("category", "road\x00"),
        ("category", "长" * 5000),
        ("log", BIG_ID),
        ("log", -1),
    ],
)
def test_a_hostile_raise_writes_no_problem(w, field, value):
    body = {"title": "路灯损坏", "description": "十余盏", "category": "road", field: value}
    before = _counts()
    response = _post(api_as(w.users.member), f"{API}terms/{w.term.pk}/raise-problem/", body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert _counts() == before


def test_ids_past_2_63_in_a_path_or_a_filter(w):
    api = api_as(w.users.committee)
    for path in ("terms", "logs"):
        assert api.get(f"{API}{path}/{BIG_ID}/").status_code == 404
        assert api.get(f"{API}{path}/-1/").status_code == 404
    assert _post(api, f"{API}terms/{BIG_ID}/end/", {}).status_code == 404
    for path, name in (("terms", "unit"), ("terms", "member"), ("logs", "term")):
        response = api.get(f"{API}{path}/", {name: BIG_ID})
        assert response.status_code in (200, 400), (path, name)
        if response.status_code == 400:
            assert name in response.json()
    response = api.get(f"{API}figures/", {"from": "0001-01-01", "to": "9999-12-31"})
    assert response.status_code == 400


# --- the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field,value",
    [
        ("starts_on", "0001-01-01"),
        ("starts_on", "9999-12-31"),
        ("ends_on", "9999-12-31"),
        ("ends_on", "2026-04-30"),
        ("required_days", str(BIG_ID)),
        ("required_days", "-1"),
        ("required_days", "NaN"),
        ("member", str(BIG_ID)),
        ("village", str(BIG_ID)),
        ("note", "第一批\x00"),
        ("note", "第一批\x07"),
        ("note", "长" * 5000),
    ],
)
def test_the_appointment_form_shows_a_hostile_value_beside_its_field(w, field, value):
    client = client_for(w.users.unit_admin)
    before = _counts()
    response = client.post("/instructors/terms/new/", _appointment(w, **{field: value}))
    assert field in _form_errors(response), _form_errors(response)
    assert _counts() == before


@pytest.mark.parametrize(
    "field,value",
    [
        ("starts_on", "9999-12-31"),
        ("starts_on", "0001-01-01"),
        ("starts_on", "2026-05-14"),
        ("ends_on", "9999-12-31"),
        ("work", "走访\x00"),
        ("work", "走访\x07"),
        ("work", HUGE),
        ("problems", "问题\x1b"),
        ("problems", HUGE),
    ],
)
def test_the_log_form_shows_a_hostile_value_beside_its_field(w, field, value):
    data = {"starts_on": "2026-05-11", "ends_on": "2026-05-12", "work": "走访农户"}
    data[field] = value
    client = client_for(w.users.member)
    before = _counts()
    response = client.post("/instructors/log/", data)
    assert field in _form_errors(response), _form_errors(response)
    assert _counts() == before


@pytest.mark.parametrize(
    "data,field",
    [
        ({"on": "9999-12-31"}, "on"),
        ({"on": "0001-01-01"}, "on"),
        ({"on": "2026-05-12", "reason": "调任\x00"}, "reason"),
        ({"on": "2026-05-12", "reason": "调任\x07"}, "reason"),
        ({"on": "2026-05-12", "reason": "长" * 5000}, "reason"),
    ],
)
def test_the_end_form_shows_a_hostile_value_beside_its_field(w, data, field):
    client = client_for(w.users.unit_admin)
    before = _counts()
    response = client.post(f"/instructors/terms/{w.term.pk}/end/", data)
    assert field in _form_errors(response, "end_form")
    assert _counts() == before


@pytest.mark.parametrize(
    "field,value",
    [
        ("title", "路灯\x00"),
        ("title", "路灯\x07"),
        ("title", "长" * 5000),
        ("description", "十余盏\x1b"),
        ("description", HUGE),
        ("category", "road\x00"),
    ],
)
def test_the_raise_form_shows_a_hostile_value_beside_its_field(w, field, value):
    data = {"title": "路灯损坏", "description": "十余盏", "category": "road", field: value}
    client = client_for(w.users.unit_admin)
    before = _counts()
    response = client.post(f"/instructors/terms/{w.term.pk}/raise/", data)
    assert field in _form_errors(response, "raise_form")
    assert _counts() == before


@pytest.mark.parametrize("value", [str(BIG_ID), "-1", "0", "32", "1e400", "NaN", "１２"])
def test_the_setting_refuses_days_past_sense(w, value):
    client = client_for(w.users.committee)
    before = _counts()
    response = client.post("/instructors/settings/", {"days_per_month": value})
    if value == "１２":  # full-width digits are the number twelve
        assert response.status_code == 302
        assert InstructorSettings.current().days_per_month == 12
        return
    assert "days_per_month" in _form_errors(response)
    assert _counts() == before


def test_the_pages_open_after_a_log_with_unusual_but_valid_text(w):
    entry = log(w.term, D(2026, 5, 11), work="<script>alert(1)</script>走访\n第二行\t缩进")
    assert entry.work.endswith("缩进")
    for user in (w.users.member, w.users.unit_admin, w.users.committee):
        _lists_open(user)
        client = client_for(user)
        for path in (
            "/instructors/log/",
            "/instructors/terms/",
            f"/instructors/terms/{w.term.pk}/",
        ):
            response = client.get(path)
            assert response.status_code in (200, 403), path
            assert b"<script>alert(1)</script>" not in response.content, path


def test_a_term_may_last_five_years_and_start_within_a_year(w):
    api = api_as(w.users.unit_admin)
    before = _counts()
    for overrides, field in (
        ({"starts_on": "2024-12-31"}, "starts_on"),
        ({"starts_on": "2027-05-15", "ends_on": "2029-05-13"}, "starts_on"),
        ({"ends_on": "2031-05-01"}, "ends_on"),
    ):
        response = _post(api, f"{API}terms/", _appointment(w, **overrides))
        assert response.status_code == 400 and list(response.json()) == [field], response.content
    assert _counts() == before
    response = _post(api, f"{API}terms/", _appointment(w, ends_on="2031-04-30"))
    assert response.status_code == 201, response.content
