"""The report API: the live report, publishing, the published versions, in scope."""

from __future__ import annotations

import pytest

from guanqing.conftest import api_as
from guanqing.reports.models import Publication
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db


def test_the_live_report_in_the_request_language(world, today):
    response = api_as(world.users.committee).get(
        "/api/v1/reports/live/?period=2026-Q3&where=city", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["period"], body["where"], body["first"], body["last"]) == (
        "2026-Q3",
        "city",
        "2026-07-01",
        "2026-09-30",
    )
    households = body["sections"][0]
    assert households["title"] == "困难家庭"
    assert {fig["key"]: fig["value"] for fig in households["figures"]} == {
        "households": 2,
        "money": "12.50",
        "rate": None,
    }


def test_bad_period_and_area_are_named(world, today):
    client = api_as(world.users.committee)
    response = client.get("/api/v1/reports/live/?period=2026-13&where=moon")
    assert response.status_code == 400
    assert set(response.json()) == {"period", "where"}


def test_out_of_scope_areas_answer_404_like_missing_ones(world, today):
    admin = api_as(world.users.unit_admin)
    assert admin.get(f"/api/v1/reports/live/?where=unit:{world.other_unit.pk}").status_code == 404
    assert admin.get("/api/v1/reports/live/?where=unit:99999999").status_code == 404
    assert admin.get("/api/v1/reports/live/?where=city").status_code == 404
    mine = admin.get("/api/v1/reports/live/")
    assert mine.status_code == 200 and mine.json()["where"] == f"unit:{world.unit.pk}"
    assert api_as(world.users.member).get("/api/v1/reports/live/").status_code == 403


def test_publish_then_correct_through_the_api(world, today):
    client = api_as(world.users.committee)
    created = client.post(
        "/api/v1/reports/publications/", {"period": "2026-Q3", "where": "city"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["version"] == 1
    f.HouseholdFactory(community=world.community)
    again = client.post(
        "/api/v1/reports/publications/", {"period": "2026-Q3", "where": "city"}, format="json"
    )
    assert again.status_code == 400 and "reason" in again.json()
    corrected = client.post(
        "/api/v1/reports/publications/",
        {"period": "2026-Q3", "where": "city", "reason": "补录"},
        format="json",
    )
    assert corrected.status_code == 201
    assert corrected.json()["changes"][0]["key"] == "households.households"
    listed = client.get("/api/v1/reports/publications/?period=2026-Q3").json()
    assert [p["version"] for p in listed["results"]] == [2, 1]
    one = client.get(f"/api/v1/reports/publications/{created.json()['id']}/").json()
    assert one["sections"][0]["figures"][0]["value"] == 2  # frozen


def test_only_the_committee_publishes_and_unit_admins_read_their_own(world, today):
    admin = api_as(world.users.unit_admin)
    refused = admin.post(
        "/api/v1/reports/publications/",
        {"period": "2026-Q3", "where": f"unit:{world.unit.pk}"},
        format="json",
    )
    assert refused.status_code == 403
    committee = api_as(world.users.committee)
    for where in (f"unit:{world.unit.pk}", f"unit:{world.other_unit.pk}"):
        committee.post(
            "/api/v1/reports/publications/", {"period": "2026-Q3", "where": where}, format="json"
        )
    listed = admin.get("/api/v1/reports/publications/").json()["results"]
    assert [p["where"] for p in listed] == [f"unit:{world.unit.pk}"]
    other = Publication.objects.get(where_pk=world.other_unit.pk)
    assert admin.get(f"/api/v1/reports/publications/{other.pk}/").status_code == 404
