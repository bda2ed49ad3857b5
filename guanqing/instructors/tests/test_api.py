"""The instructors API contract: 201 with the written row, 400 naming the field, 409 for a move
the term's lifecycle refuses, the raise-problem action into the frontline loop, the figures."""

from __future__ import annotations

import pytest

from guanqing.conftest import api_as
from guanqing.frontline.choices import ProblemSource
from guanqing.frontline.models import Problem
from guanqing.instructors.choices import TermState
from guanqing.instructors.tests.helpers import D, category, log, term


@pytest.fixture
def w(world, official_calendar, pinned_today):
    return world


def test_appoint(w):
    response = api_as(w.users.unit_admin).post(
        "/api/v1/instructors/terms/",
        {
            "member": w.member.pk,
            "village": w.community.pk,
            "starts_on": "2026-05-01",
            "ends_on": "2028-04-30",
            "required_days": 15,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["member"], body["village"], body["state"]) == (
        w.member.pk,
        w.community.pk,
        "appointed",
    )
    assert body["this_month"]["required"] == 15


def test_appoint_names_the_refused_field(w):
    response = api_as(w.users.unit_admin).post(
        "/api/v1/instructors/terms/",
        {
            "member": w.member.pk,
            "village": w.street.pk,
            "starts_on": "2026-05-01",
            "ends_on": "2028-04-30",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"village"}


def test_end_then_end_again_is_409(w):
    t = term(w)
    client = api_as(w.users.unit_admin)
    response = client.post(f"/api/v1/instructors/terms/{t.pk}/end/", {"on": "2026-05-10"})
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["ends_on"]) == ("ended", "2026-05-10")
    again = client.post(f"/api/v1/instructors/terms/{t.pk}/end/", {})
    assert again.status_code == 409
    t.refresh_from_db()
    assert t.ends_on == D(2026, 5, 10)


def test_record_a_log_entry(w):
    t = term(w)
    client = api_as(w.users.member)
    response = client.post(
        "/api/v1/instructors/logs/",
        {"term": t.pk, "starts_on": "2026-05-06", "ends_on": "2026-05-08", "work": "走访农户"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["days"] == 3
    overlapping = client.post(
        "/api/v1/instructors/logs/",
        {"term": t.pk, "starts_on": "2026-05-08", "work": "开会"},
        format="json",
    )
    assert overlapping.status_code == 400
    assert "starts_on" in overlapping.json()


def test_a_log_on_an_ended_term_is_409(w):
    t = term(w, state=TermState.ENDED, ends=D(2026, 5, 12))
    response = api_as(w.users.member).post(
        "/api/v1/instructors/logs/",
        {"term": t.pk, "starts_on": "2026-05-06", "work": "x"},
        format="json",
    )
    assert response.status_code == 409


def test_raise_problem(w):
    category()
    t = term(w)
    response = api_as(w.users.unit_admin).post(
        f"/api/v1/instructors/terms/{t.pk}/raise-problem/",
        {"title": "路灯损坏", "description": "主干道路灯损坏十余盏", "category": "road"},
        format="json",
    )
    assert response.status_code == 201, response.content
    problem = Problem.objects.get(pk=response.json()["problem_id"])
    assert (problem.source, problem.division_id, problem.title) == (
        ProblemSource.INSTRUCTOR,
        w.community.pk,
        "路灯损坏",
    )
    assert response.json()["public_id"] == problem.public_id


def test_figures(w):
    t = term(w, starts=D(2026, 3, 16))
    log(t, D(2026, 3, 20), D(2026, 3, 29))  # 10 of March's 10 (16 of 31 days: 10.3)
    log(t, D(2026, 4, 1), D(2026, 4, 5))  # 5 of April's 20
    response = api_as(w.users.committee).get(
        "/api/v1/instructors/figures/", {"from": "2026-03-01", "to": "2026-04-30"}
    )
    assert response.status_code == 200
    (row,) = response.json()["terms"]
    assert (row["days"], row["required"], row["months"], row["months_met"], row["logs"]) == (
        15,
        30,
        2,
        1,
        2,
    )
    bad = api_as(w.users.committee).get(
        "/api/v1/instructors/figures/", {"from": "2026-05-02", "to": "2026-05-01"}
    )
    assert bad.status_code == 400
