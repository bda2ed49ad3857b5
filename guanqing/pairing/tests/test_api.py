"""The pairing API: scope per role (404 outside), handover and end, visits with photos, the
registry's households seen through pairings, compliance settings, constant query counts."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanqing.conftest import api_as, api_list_queries
from guanqing.core.models import AuditEvent
from guanqing.core.roles import Role
from guanqing.pairing.models import ComplianceSettings, PairingTerm, Visit
from guanqing.pairing.tests import JPEG, PNG, pair_world
from guanqing.registry.models import Household
from guanqing.testing import factories as f

ROLES = [r.value for r in Role]
FORBIDDEN = "403"
DAY = datetime.timedelta(days=1)
READERS = {"committee", "unit_admin", "member", "community_worker"}


@pytest.fixture
def paired(world):
    return pair_world(world)


def _by_role(seen: dict[str, set[str]]) -> dict[str, set[str] | str]:
    return {role: seen.get(role, set()) if role in READERS else FORBIDDEN for role in ROLES}


# endpoint -> role -> which records of `paired` the list shows (written out by hand)
LIST_EXPECTED = {
    "pairings": _by_role(
        {
            "committee": {"pairing", "other_pairing", "unit_pairing"},
            "unit_admin": {"pairing", "unit_pairing"},
            "member": {"pairing"},
            "community_worker": {"pairing"},
        }
    ),
    "visits": _by_role(
        {
            "committee": {"visit", "other_visit"},
            "unit_admin": {"visit"},
            "member": {"visit"},
            "community_worker": {"visit"},
        }
    ),
    "partnerships": _by_role(
        {
            "committee": {"partnership", "other_partnership"},
            "unit_admin": {"partnership"},
            "member": {"partnership"},
        }
    ),
    "partnership-projects": _by_role(
        {
            "committee": {"project", "other_project"},
            "unit_admin": {"project"},
            "member": {"project"},
        }
    ),
}
DETAIL_RECORDS = {
    "pairings": ("pairing", "other_pairing"),
    "visits": ("visit", "other_visit"),
    "partnerships": ("partnership", "other_partnership"),
    "partnership-projects": ("project", "other_project"),
}


@pytest.mark.parametrize("endpoint", list(LIST_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_records_in_scope(paired, role, endpoint):
    expected = LIST_EXPECTED[endpoint][role]
    response = api_as(getattr(paired.users, role)).get(f"/api/v1/{endpoint}/?page_size=500")
    if expected == FORBIDDEN:
        assert response.status_code == 403, response.content
        return
    assert response.status_code == 200, response.content
    body = response.json()
    assert {row["id"] for row in body["results"]} == {getattr(paired, k).pk for k in expected}
    assert body["count"] == len(expected)


@pytest.mark.parametrize("endpoint", list(DETAIL_RECORDS))
@pytest.mark.parametrize("role", ROLES)
def test_detail_is_404_outside_scope(paired, role, endpoint):
    expected = LIST_EXPECTED[endpoint][role]
    client = api_as(getattr(paired.users, role))
    for key in DETAIL_RECORDS[endpoint]:
        response = client.get(f"/api/v1/{endpoint}/{getattr(paired, key).pk}/")
        if expected == FORBIDDEN:
            assert response.status_code == 403
        else:
            assert response.status_code == (200 if key in expected else 404), (key, role)


@pytest.mark.parametrize("endpoint", [*LIST_EXPECTED, "compliance-settings"])
def test_anonymous_is_refused(paired, api, endpoint):
    assert api.get(f"/api/v1/{endpoint}/").status_code in (401, 403)


@pytest.mark.parametrize("url", ["pairings/{id}/", "visits/{id}/"])
def test_pairings_and_visits_cannot_be_deleted_or_changed(paired, url):
    obj = paired.pairing if url.startswith("pairings") else paired.visit
    client = api_as(paired.users.committee)
    assert client.delete("/api/v1/" + url.format(id=obj.pk)).status_code == 405
    assert client.patch("/api/v1/" + url.format(id=obj.pk), {}, format="json").status_code == 405


# ---------------------------------------------------------------------------------------------
# Pairings: create, handover, end
# ---------------------------------------------------------------------------------------------


def test_committee_creates_a_pairing(paired):
    household = f.HouseholdFactory(community=paired.community)
    response = api_as(paired.users.committee).post(
        "/api/v1/pairings/",
        {
            "household": household.pk,
            "unit": paired.unit.pk,
            "member": paired.colleague.pk,
            "started_on": str(paired.today),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["holder"], body["holder_name"], body["is_active"]) == (
        paired.colleague.pk,
        "王五",
        True,
    )
    assert [t["member"] for t in body["terms"]] == [paired.colleague.pk]


@pytest.mark.parametrize("role", ["unit_admin", "member", "community_worker"])
def test_other_roles_cannot_create_pairings(paired, role):
    response = api_as(getattr(paired.users, role)).post(
        "/api/v1/pairings/",
        {"household": paired.household.pk, "unit": paired.unit.pk, "started_on": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 403


def _handover(user, pairing, successor, effective_date, reason="调离"):
    return api_as(user).post(
        f"/api/v1/pairings/{pairing.pk}/handover/",
        {"successor": successor.pk, "effective_date": str(effective_date), "reason": reason},
        format="json",
    )


def test_unit_admin_hands_a_pairing_over(paired):
    effective = paired.today - 7 * DAY
    response = _handover(paired.users.unit_admin, paired.pairing, paired.colleague, effective)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["holder"] == paired.colleague.pk
    assert [(t["member"], t["starts_on"], t["ends_on"]) for t in body["terms"]] == [
        (paired.member.pk, str(paired.start), str(effective - DAY)),
        (paired.colleague.pk, str(effective), None),
    ]


def test_a_future_handover_answers_400_naming_the_date(paired):
    response = _handover(
        paired.users.unit_admin, paired.pairing, paired.colleague, paired.today + DAY
    )
    assert response.status_code == 400
    assert set(response.json()) == {"effective_date"}
    assert PairingTerm.objects.filter(pairing=paired.pairing).count() == 1


@pytest.mark.parametrize(
    "role, pairing, status",
    [
        ("member", "pairing", 403),  # sees it, may not change it
        ("community_worker", "pairing", 403),
        ("unit_admin", "other_pairing", 404),
        ("member", "other_pairing", 404),
        ("window_clerk", "pairing", 403),
    ],
)
def test_handover_permissions(paired, role, pairing, status):
    response = _handover(
        getattr(paired.users, role), getattr(paired, pairing), paired.colleague, paired.today
    )
    assert response.status_code == status


def test_handover_successor_outside_scope_is_named(paired):
    response = _handover(paired.users.unit_admin, paired.pairing, paired.other_member, paired.today)
    assert response.status_code == 400
    assert set(response.json()) == {"successor"}


def test_unit_admin_ends_a_pairing(paired):
    response = api_as(paired.users.unit_admin).post(
        f"/api/v1/pairings/{paired.pairing.pk}/end/",
        {"ended_on": str(paired.today), "end_reason": "lifted", "end_note": "已就业"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["ended_on"], body["end_reason"], body["is_active"], body["holder"]) == (
        str(paired.today),
        "lifted",
        False,
        None,
    )
    response = api_as(paired.users.unit_admin).post(
        f"/api/v1/pairings/{paired.pairing.pk}/end/",
        {"ended_on": str(paired.today), "end_reason": "lifted"},
        format="json",
    )
    assert response.status_code == 400 and "ended_on" in response.json()


def test_pairing_list_filters(paired):
    client = api_as(paired.users.committee)

    def ids(**params):
        return {r["id"] for r in client.get("/api/v1/pairings/", params).json()["results"]}

    assert ids(unit=paired.unit.pk) == {paired.pairing.pk, paired.unit_pairing.pk}
    assert ids(member=paired.other_member.pk) == {paired.other_pairing.pk}
    assert ids(household=paired.household.pk) == {paired.pairing.pk}
    assert ids(active="false") == set()


# ---------------------------------------------------------------------------------------------
# Registry households seen through pairings
# ---------------------------------------------------------------------------------------------


def _household_ids(user):
    response = api_as(user).get("/api/v1/households/?page_size=500")
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_unit_admin_sees_the_households_its_unit_is_paired_with_and_no_other(paired):
    assert _household_ids(paired.users.unit_admin) == {
        paired.household.pk,
        paired.unit_household.pk,
    }
    client = api_as(paired.users.unit_admin)
    assert client.get(f"/api/v1/households/{paired.household.pk}/").status_code == 200
    assert client.get(f"/api/v1/households/{paired.other_household.pk}/").status_code == 404
    # seeing is not editing
    response = client.patch(
        f"/api/v1/households/{paired.household.pk}/", {"needs": "x"}, format="json"
    )
    assert response.status_code == 403


def test_member_sees_the_household_it_holds_now_only(paired):
    assert _household_ids(paired.users.member) == {paired.household.pk}
    _handover(paired.users.unit_admin, paired.pairing, paired.colleague, paired.today)
    assert _household_ids(paired.users.member) == set()
    successor = f.UserFactory(role="member", member=paired.colleague, unit=paired.unit)
    assert _household_ids(successor) == {paired.household.pk}


# ---------------------------------------------------------------------------------------------
# Visits
# ---------------------------------------------------------------------------------------------


def _visit_payload(paired, **overrides):
    data = {
        "pairing": paired.pairing.pk,
        "date": str(paired.today - DAY),
        "kinds": ["talk", "help"],
        "participants": [paired.member.pk, paired.colleague.pk],
        "notes": "谈心，了解就医困难",
        "cash_amount": "300.00",
        "in_kind_items": "米、油",
        "in_kind_value": "120.00",
    }
    data.update(overrides)
    return data


def test_member_records_a_visit_in_json(paired):
    response = api_as(paired.users.member).post(
        "/api/v1/visits/",
        _visit_payload(paired, profile_updates={"needs": "就医陪护、轮椅"}),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kinds"] == ["talk", "help"]
    assert (body["holder"], body["holder_name"]) == (paired.member.pk, "张三")
    assert body["participant_names"] == ["张三", "王五"]
    assert (body["cash_amount"], body["in_kind_value"]) == ("300.00", "120.00")
    assert body["recorded_by"] == "member"
    assert Household.objects.get(pk=paired.household.pk).needs == "就医陪护、轮椅"
    timeline = api_as(paired.users.member).get(
        f"/api/v1/households/{paired.household.pk}/timeline/"
    )
    types = [row["object_type"] for row in timeline.json()["results"]]
    assert "pairing.visit" in types and "registry.household" in types


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"date": "2999-01-01"}, "date"),
        ({"date": "2000-01-01"}, "date"),
        ({"participants": []}, "participants"),
        ({"kinds": ["party"]}, "kinds"),
        ({"cash_amount": "-5"}, "cash_amount"),
    ],
)
def test_a_bad_visit_answers_400_naming_the_field(paired, overrides, field):
    response = api_as(paired.users.member).post(
        "/api/v1/visits/", _visit_payload(paired, **overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_a_visit_without_the_holder_is_refused(paired):
    response = api_as(paired.users.unit_admin).post(
        "/api/v1/visits/",
        _visit_payload(paired, participants=[paired.colleague.pk]),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"participants"}


def test_visit_permissions(paired):
    payload = _visit_payload(paired)
    assert (
        api_as(paired.users.community_worker)
        .post("/api/v1/visits/", payload, format="json")
        .status_code
        == 403
    )
    other = _visit_payload(
        paired, pairing=paired.other_pairing.pk, participants=[paired.other_member.pk]
    )
    response = api_as(paired.users.unit_admin).post("/api/v1/visits/", other, format="json")
    assert response.status_code == 400  # a pairing outside scope does not exist for it
    assert set(response.json()) >= {"pairing"}


def test_a_visit_with_photos_in_multipart(paired):
    data = _visit_payload(paired)
    data["profile_updates"] = json.dumps({"skills": "竹编"})
    data["photos"] = [
        SimpleUploadedFile("1.jpg", JPEG, content_type="image/jpeg"),
        SimpleUploadedFile("2.png", PNG, content_type="image/png"),
    ]
    client = api_as(paired.users.member)
    response = client.post("/api/v1/visits/", data, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [p["content_type"] for p in body["photo_list"]] == ["image/jpeg", "image/png"]
    assert Household.objects.get(pk=paired.household.pk).skills == "竹编"
    photo = client.get(body["photo_list"][0]["url"])
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content) == JPEG
    # another unit does not see the visit, nor its photos
    other_admin = f.UserFactory(role="unit_admin", unit=paired.other_unit)
    assert api_as(other_admin).get(body["photo_list"][0]["url"]).status_code == 404


def test_a_photo_of_the_wrong_type_answers_400_naming_it(paired):
    data = _visit_payload(paired)
    data["photos"] = [SimpleUploadedFile("x.gif", b"GIF89a" + b"\x00" * 20, "image/gif")]
    response = api_as(paired.users.member).post("/api/v1/visits/", data, format="multipart")
    assert response.status_code == 400
    assert set(response.json()) == {"photos[0]"}
    assert Visit.objects.count() == 2


def test_visit_list_filters(paired):
    second = f.VisitFactory(
        pairing=paired.pairing,
        date=paired.today - DAY,
        talk=False,
        festival=True,
        participants=[paired.member, paired.colleague],
        recorded_by=paired.users.member,
    )
    client = api_as(paired.users.committee)

    def ids(**params):
        response = client.get("/api/v1/visits/", params)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids(kind="festival") == {second.pk}
    assert ids(kind="talk") == {paired.visit.pk, paired.other_visit.pk}
    assert ids(member=paired.colleague.pk) == {second.pk}
    assert ids(unit=paired.other_unit.pk) == {paired.other_visit.pk}
    assert ids(household=paired.household.pk) == {paired.visit.pk, second.pk}
    assert ids(date_from=str(paired.today - DAY)) == {second.pk}
    assert ids(date_to=str(paired.today - 2 * DAY), pairing=paired.pairing.pk) == {paired.visit.pk}


# ---------------------------------------------------------------------------------------------
# Partnerships and projects
# ---------------------------------------------------------------------------------------------


def test_committee_creates_and_ends_a_partnership(paired):
    village = f.CommunityFactory(parent=paired.street, kind="village")
    village_org = f.PartyOrgFactory(unit=None, division=village, name="新村党支部")
    client = api_as(paired.users.committee)
    response = client.post(
        "/api/v1/partnerships/",
        {"unit_org": paired.org.pk, "village_org": village_org.pk, "started_on": "2024-03-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["village_code"] == village.code
    pk = response.json()["id"]
    response = client.post(f"/api/v1/partnerships/{pk}/end/", {"ended_on": str(paired.today)})
    assert response.status_code == 200 and response.json()["ended_on"] == str(paired.today)
    assert (
        api_as(paired.users.unit_admin)
        .post(f"/api/v1/partnerships/{paired.partnership.pk}/end/", {"ended_on": "2025-01-01"})
        .status_code
        == 403
    )


def test_unit_admin_adds_and_changes_projects_of_its_partnership_only(paired):
    client = api_as(paired.users.unit_admin)
    response = client.post(
        "/api/v1/partnership-projects/",
        {
            "partnership": paired.partnership.pk,
            "kind": "infrastructure",
            "title": "饮水工程二期",
            "funds": "100000.00",
            "status": "planned",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = client.patch(
        f"/api/v1/partnership-projects/{pk}/",
        {"status": "done", "finished_on": str(paired.today)},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "done"
    response = client.patch(
        f"/api/v1/partnership-projects/{paired.other_project.pk}/", {"title": "x"}, format="json"
    )
    assert response.status_code == 404
    member = api_as(paired.users.member)
    response = member.patch(
        f"/api/v1/partnership-projects/{paired.project.pk}/", {"title": "x"}, format="json"
    )
    assert response.status_code == 403


# ---------------------------------------------------------------------------------------------
# Compliance settings
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_business_role_reads_the_compliance_settings(world, role):
    response = api_as(getattr(world.users, role)).get("/api/v1/compliance-settings/")
    business = role not in ("system_admin", "security_admin", "audit_admin")
    assert response.status_code == (200 if business else 403)
    if business:
        assert response.json()["quarterly_talk_minimum"] == 1
        assert response.json()["new_year_window_ends_at_lantern"] is True


def test_committee_patches_the_compliance_settings(world):
    client = api_as(world.users.committee)
    response = client.patch(
        "/api/v1/compliance-settings/",
        {"july_window_start_month": 5, "july_window_start_day": 15, "due_soon_days": 7},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["july_window_start_month"] == 5
    assert ComplianceSettings.objects.get().due_soon_days == 7
    assert AuditEvent.objects.filter(object_type="pairing.compliancesettings").count() == 1
    response = client.patch(
        "/api/v1/compliance-settings/",
        {"july_window_end_month": 5, "july_window_end_day": 1},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"july_window_end_day"}


@pytest.mark.parametrize("role", ["unit_admin", "member", "community_worker", "fund_officer"])
def test_only_the_committee_patches_the_compliance_settings(world, role):
    response = api_as(getattr(world.users, role)).patch(
        "/api/v1/compliance-settings/", {"due_soon_days": 7}, format="json"
    )
    assert response.status_code == 403
    assert not ComplianceSettings.objects.exists()


# ---------------------------------------------------------------------------------------------
# Query counts: a list costs the same for 5 rows as for 25
# ---------------------------------------------------------------------------------------------

BUDGET = 8


def _pairings(paired, n):
    for _ in range(n):
        pairing = f.PairingFactory(
            household=f.HouseholdFactory(community=paired.community),
            unit=paired.unit,
            member=paired.member,
            started_on=paired.start,
        )
        PairingTerm.objects.filter(pairing=pairing).update(ends_on=paired.start + 9 * DAY)
        PairingTerm.objects.create(
            pairing=pairing, member=paired.colleague, starts_on=paired.start + 10 * DAY
        )


def _visits(paired, n):
    for _ in range(n):
        visit = f.VisitFactory(
            pairing=paired.pairing,
            date=paired.start + 20 * DAY,
            participants=[paired.member, paired.colleague],
            recorded_by=paired.users.member,
        )
        visit.photos.create(file="visits/x.png", content_type="image/png", size=10)


def _partnerships(paired, n):
    for _ in range(n):
        village = f.CommunityFactory(parent=paired.street, kind="village")
        f.PartnershipFactory(
            unit_org=paired.org, village_org=f.PartyOrgFactory(unit=None, division=village)
        )


def _projects(paired, n):
    for _ in range(n):
        f.PartnershipProjectFactory(partnership=paired.partnership)


LISTS = {
    "pairings-unit-admin": ("/api/v1/pairings/", "unit_admin", _pairings),
    "pairings-member": ("/api/v1/pairings/", "member", _pairings),
    "visits-committee": ("/api/v1/visits/", "committee", _visits),
    "visits-member": ("/api/v1/visits/", "member", _visits),
    "visits-community": ("/api/v1/visits/", "community_worker", _visits),
    "partnerships": ("/api/v1/partnerships/", "unit_admin", _partnerships),
    "projects": ("/api/v1/partnership-projects/", "unit_admin", _projects),
    "households-unit-admin": ("/api/v1/households/", "unit_admin", _pairings),
}


def _count(paired, url, role, add_rows, n):
    add_rows(paired, n)
    return api_list_queries(getattr(paired.users, role), url)


@pytest.mark.parametrize("name", list(LISTS))
def test_list_query_count_does_not_grow_with_rows(paired, name):
    url, role, add_rows = LISTS[name]
    few, few_rows = _count(paired, url, role, add_rows, 5)
    many, many_rows = _count(paired, url, role, add_rows, 20)
    assert many_rows == few_rows + 20
    assert few == many, f"{name}: {few} queries for {few_rows} rows, {many} for {many_rows}"
    assert many <= BUDGET, f"{name}: {many} queries, budget {BUDGET}"
