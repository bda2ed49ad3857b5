"""The care API's contract: recording answers 201, the same event again 200 with the one recorded
before; a refused value is a 400 naming the field, a move the lifecycle refuses a 409; the
committee writes the catalogue; the figures take a date range; list queries do not grow."""

from __future__ import annotations

import pytest

from guanqing.care.models import CareEvent, CareRule, Obligation
from guanqing.care.tests.helpers import PLAIN, SENSITIVE, D, other_record, record, rule
from guanqing.conftest import api_as, api_list_queries
from guanqing.testing import factories as f


@pytest.fixture
def w(world, official_calendar, pinned_today):
    return world


def test_recording_answers_201_then_200_with_the_same_event(w):
    client = api_as(w.users.unit_admin)
    body = {"member": w.member.pk, "rule": rule(PLAIN).pk, "occurred_on": "2026-05-11"}
    first = client.post("/api/v1/care/events/", body, format="json")
    again = client.post("/api/v1/care/events/", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["obligations"][0]["due_on"] == "2026-05-14"
    assert first.json()["obligations"][0]["timing"] == "pending"
    assert CareEvent.objects.count() == Obligation.objects.count() == 1


def test_a_member_reports_through_the_api_only_for_itself(w):
    client = api_as(w.users.member)
    body = {"member": w.member.pk, "rule": rule(SENSITIVE).pk, "occurred_on": "2026-05-12"}
    created = client.post("/api/v1/care/events/", body, format="json")
    assert created.status_code == 201
    assert created.json()["source"] == "member"
    assert created.json()["rule_name"] == "住院或患重病"
    other = client.post("/api/v1/care/events/", body | {"member": w.other_member.pk}, format="json")
    assert other.status_code == 400
    assert set(other.json()) == {"member"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"occurred_on": "2026-05-14"}, "occurred_on"),
        ({"occurred_on": "13 May"}, "occurred_on"),
        ({"rule": 999999}, "rule"),
        ({"member": 0}, "member"),
        ({"note": "长" * 2001}, "note"),
    ],
)
def test_a_bad_event_is_a_400_naming_the_field(w, change, field):
    body = {"member": w.member.pk, "rule": rule(PLAIN).pk, "occurred_on": "2026-05-11"} | change
    response = api_as(w.users.unit_admin).post("/api/v1/care/events/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert not CareEvent.objects.exists()


def test_meeting_then_meeting_again_is_a_409(w):
    o = record(w).obligations.get()
    client = api_as(w.users.unit_admin)
    url = f"/api/v1/care/obligations/{o.pk}/meet/"
    done = client.post(url, {"done_note": "上门慰问", "on": "2026-05-12"}, format="json")
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["met_on"], done.json()["timing"]) == (
        "met",
        "2026-05-12",
        "on_time",
    )
    assert client.post(url, {"done_note": "again"}, format="json").status_code == 409
    waive = client.post(f"/api/v1/care/obligations/{o.pk}/waive/", {"reason": "x"}, format="json")
    assert waive.status_code == 409


def test_a_meeting_before_the_event_is_a_400_naming_on(w):
    o = record(w).obligations.get()
    response = api_as(w.users.unit_admin).post(
        f"/api/v1/care/obligations/{o.pk}/meet/",
        {"done_note": "x", "on": "2026-05-01"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"on"}


def test_waiving_through_the_api(w):
    o = record(w).obligations.get()
    response = api_as(w.users.unit_admin).post(
        f"/api/v1/care/obligations/{o.pk}/waive/", {"reason": "已调离"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "waived"


def test_the_committee_writes_the_catalogue(w):
    client = api_as(w.users.committee)
    body = {
        "system": "help",
        "code": "help-housing",
        "name": "住房困难",
        "actor_kind": "party_office",
        "action": "help",
        "limit_workdays": 15,
    }
    created = client.post("/api/v1/care/rules/", body, format="json")
    assert created.status_code == 201
    assert created.json()["is_active"] is True
    taken = client.post("/api/v1/care/rules/", body | {"name": "另一个"}, format="json")
    assert taken.status_code == 400
    assert set(taken.json()) == {"code"}
    pk = created.json()["id"]
    changed = client.patch(f"/api/v1/care/rules/{pk}/", {"limit_workdays": 5}, format="json")
    assert changed.status_code == 200
    assert CareRule.objects.get(pk=pk).limit_workdays == 5


def test_the_obligations_filter_by_when(w):
    overdue = record(w, PLAIN, on=D(2026, 4, 20)).obligations.get()
    record(w, PLAIN, on=D(2026, 5, 12))
    client = api_as(w.users.unit_admin)
    rows = client.get("/api/v1/care/obligations/", {"when": "overdue"}).json()["results"]
    assert [row["id"] for row in rows] == [overdue.pk]
    assert rows[0]["timing"] == "overdue"


def test_the_figures_read_a_date_range(w):
    record(w, PLAIN, on=D(2026, 5, 11))
    other_record(w, PLAIN, on=D(2025, 5, 11))
    client = api_as(w.users.committee)
    body = client.get("/api/v1/care/figures/", {"from": "2026-01-01", "to": "2026-05-13"}).json()
    assert body["totals"]["events"] == 1
    assert {row["key"] for row in body["systems"]} == {"incentive", "talk", "visit", "help"}
    assert (
        client.get("/api/v1/care/figures/", {"from": "2026-05-13", "to": "2026-01-01"}).status_code
        == 400
    )


@pytest.mark.parametrize("url", ["/api/v1/care/events/", "/api/v1/care/obligations/"])
@pytest.mark.parametrize("role", ["committee", "unit_admin", "member"])
def test_list_queries_do_not_grow_with_the_rows(w, url, role):
    record(w, PLAIN, on=D(2026, 4, 1))
    other_record(w, PLAIN, on=D(2026, 4, 1))
    user = getattr(w.users, role)
    few, _rows = api_list_queries(user, url)
    for i in range(5):
        record(w, SENSITIVE, on=D(2026, 4, 2 + i))
        member = f.MemberFactory(unit=w.unit, branch=w.org, name=f"党员{i}")
        record(w, PLAIN, member=member, on=D(2026, 4, 2 + i))
    many, rows = api_list_queries(user, url)
    assert rows > _rows
    assert many == few
