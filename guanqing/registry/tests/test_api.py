"""The registry API: writes through the services (validated, audited, all or nothing), masked
ID numbers, reveal, timeline, divisions with history."""

from __future__ import annotations

import datetime

import pytest
from stdnum.cn import ric

from guanqing.accounts import services as account_services
from guanqing.conftest import api_as
from guanqing.core.models import AuditEvent
from guanqing.registry.models import Division, Household, Member, PartyOrg, Person, Unit
from guanqing.testing import factories as f
from guanqing.testing.idnumbers import make_id_number

GOOD_ID = make_id_number("330203", datetime.date(1961, 3, 9), 27)


def _with_check_digit(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


BAD_IDS = {
    "wrong_checksum": GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1"),
    "seventeen_chars": GOOD_ID[:17],
    "bad_birth_date": _with_check_digit("330203" + "19611345" + "027"),
}


def _masked(number: str, head: int = 6, tail: int = 4) -> str:
    return number[:head] + "*" * (18 - head - tail) + number[len(number) - tail :]


def _counts():
    return (
        Household.objects.count(),
        Person.objects.count(),
        Member.objects.count(),
        AuditEvent.objects.count(),
    )


def _household_payload(**overrides):
    data = {
        "head_name": "王阿姨",
        "id_number": GOOD_ID,
        "phone": "13957412345",
        "address": "徐家漕路 8 号",
        "category": "illness",
        "situation": "独居，患慢性病",
        "hardship_cause": "因病致困",
        "outlook": "乐观",
        "skills": "编织",
        "needs": "就医陪护",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------------------------
# Households
# ---------------------------------------------------------------------------------------------


def test_community_worker_creates_a_household_in_its_community_with_one_audit_event(world):
    before = AuditEvent.objects.count()
    response = api_as(world.users.community_worker).post(
        "/api/v1/households/", _household_payload(), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["community"] == world.community.code
    assert body["id_number"] == _masked(GOOD_ID)
    assert GOOD_ID not in response.content.decode()
    household = Household.objects.get(pk=body["id"])
    assert household.id_number == GOOD_ID
    events = AuditEvent.objects.order_by("id")[before:]
    # the household, then its head as the first person in it
    assert [(e.action, e.object_type) for e in events] == [
        ("create", "registry.household"),
        ("create", "registry.person"),
    ]
    event = events[0]
    assert (event.action, event.actor, event.object_id) == (
        "create",
        world.users.community_worker,
        str(household.pk),
    )
    assert event.changes["head_name"] == [None, "王阿姨"]
    assert event.changes["id_number"] == [None, _masked(GOOD_ID)]


def test_committee_creates_a_household_by_twelve_digit_community_code_with_people(world):
    payload = _household_payload(
        community=world.other_community.code,
        people=[
            {"name": "王小明", "relation": "child", "id_number": make_id_number("330203")},
            {"name": "王老伯", "relation": "parent", "health": "serious"},
        ],
    )
    before = AuditEvent.objects.count()
    response = api_as(world.users.committee).post("/api/v1/households/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["community"] == world.other_community.code
    assert [p["name"] for p in body["people"]] == ["王阿姨", "王小明", "王老伯"]
    assert body["people"][0]["relation"] == "head"
    # one event per row written: the household, its head and each other person
    assert AuditEvent.objects.count() - before == 4


@pytest.mark.parametrize("kind", list(BAD_IDS))
def test_bad_id_number_is_refused_naming_id_number_and_nothing_is_written(world, kind):
    before = _counts()
    response = api_as(world.users.community_worker).post(
        "/api/v1/households/", _household_payload(id_number=BAD_IDS[kind]), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["id_number"]
    assert _counts() == before


@pytest.mark.parametrize("phone", ["12345678901", "1395741234", "abc-phone"])
def test_bad_phone_is_refused_naming_phone(world, phone):
    before = _counts()
    response = api_as(world.users.community_worker).post(
        "/api/v1/households/", _household_payload(phone=phone), format="json"
    )
    assert response.status_code == 400
    assert "phone" in response.json()
    assert _counts() == before


def test_a_bad_person_in_the_list_writes_nothing_at_all(world):
    payload = _household_payload(
        people=[
            {"name": "好成员", "relation": "child", "id_number": make_id_number("330203")},
            {"name": "坏成员", "relation": "child", "id_number": BAD_IDS["wrong_checksum"]},
        ]
    )
    before = _counts()
    response = api_as(world.users.community_worker).post(
        "/api/v1/households/", payload, format="json"
    )
    assert response.status_code == 400
    assert "校验位" in response.json()["people"]["1"]["id_number"][0]  # the second person
    assert _counts() == before


def test_duplicate_id_number_names_the_existing_household_when_visible(world):
    response = api_as(world.users.community_worker).post(
        "/api/v1/households/",
        _household_payload(id_number=world.household.id_number),
        format="json",
    )
    assert response.status_code == 400
    message = " ".join(response.json()["id_number"])
    assert "张国宝" in message


def test_duplicate_id_number_outside_scope_does_not_name_the_record(world):
    before = _counts()
    response = api_as(world.users.community_worker).post(
        "/api/v1/households/",
        _household_payload(id_number=world.other_household.id_number),
        format="json",
    )
    assert response.status_code == 400
    message = " ".join(response.json()["id_number"])
    assert "邵国樑" not in message
    assert str(world.other_household.pk) not in message
    assert "权限范围" in message
    assert _counts() == before


def test_historical_region_330204_is_accepted(world):
    jiangdong = make_id_number("330204", datetime.date(1948, 8, 1), 15)
    response = api_as(world.users.community_worker).post(
        "/api/v1/households/", _household_payload(id_number=jiangdong), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["id_number"].startswith("330204")


def test_community_worker_cannot_register_in_another_community(world):
    before = _counts()
    response = api_as(world.users.community_worker).post(
        "/api/v1/households/",
        _household_payload(community=world.other_community.code),
        format="json",
    )
    assert response.status_code == 400
    assert "community" in response.json()
    assert _counts() == before


@pytest.mark.parametrize("code", ["33020300100", "abc", "330203001000"])
def test_community_must_be_a_community_code(world, code):
    # malformed, not digits, and a street's code
    response = api_as(world.users.committee).post(
        "/api/v1/households/", _household_payload(community=code), format="json"
    )
    assert response.status_code == 400
    assert "community" in response.json()


def test_patch_household_records_old_and_new_values(world):
    household = world.household
    old_phone = household.phone
    before = AuditEvent.objects.count()
    response = api_as(world.users.community_worker).patch(
        f"/api/v1/households/{household.pk}/",
        {"phone": "13800001111", "needs": "轮椅"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "13800001111"
    assert AuditEvent.objects.count() - before == 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "update"
    assert event.changes["phone"] == [old_phone, "13800001111"]
    assert event.changes["needs"] == ["日常照料", "轮椅"]
    assert set(event.changes) == {"phone", "needs"}


def test_patch_with_bad_phone_changes_nothing(world):
    household = world.household
    before = _counts()
    response = api_as(world.users.committee).patch(
        f"/api/v1/households/{household.pk}/", {"phone": "999"}, format="json"
    )
    assert response.status_code == 400
    assert "phone" in response.json()
    household.refresh_from_db()
    assert household.phone != "999"
    assert _counts() == before


def test_put_replaces_the_profile(world):
    household = world.household
    payload = _household_payload(
        head_name="张国宝",
        id_number=household.id_number,
        community=world.community.code,
        needs="助学",
    )
    response = api_as(world.users.committee).put(
        f"/api/v1/households/{household.pk}/", payload, format="json"
    )
    assert response.status_code == 200, response.content
    household.refresh_from_db()
    assert household.needs == "助学"


def test_people_cannot_be_replaced_through_the_household(world):
    response = api_as(world.users.committee).patch(
        f"/api/v1/households/{world.household.pk}/",
        {"people": [{"name": "新人", "relation": "child"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "people" in response.json()


def test_add_and_change_a_person_shows_in_the_household_timeline(world):
    client = api_as(world.users.community_worker)
    household = world.household
    response = client.post(
        f"/api/v1/households/{household.pk}/people/",
        {"name": "张小花", "relation": "grandchild", "id_number": make_id_number("330203")},
        format="json",
    )
    assert response.status_code == 201, response.content
    person_id = response.json()["id"]
    assert Person.objects.get(pk=person_id).household == household
    response = client.patch(f"/api/v1/people/{person_id}/", {"occupation": "学生"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["occupation"] == "学生"

    timeline = client.get(f"/api/v1/households/{household.pk}/timeline/").json()
    assert timeline["count"] == 2
    newest, oldest = timeline["results"]
    assert (newest["action"], newest["actor"]) == ("update", "community_worker")
    assert newest["changes"] == {"occupation": ["", "学生"]}
    assert oldest["action"] == "create"
    assert oldest["object_type"] == "registry.person"


def test_person_with_bad_id_number_is_refused(world):
    before = _counts()
    response = api_as(world.users.committee).post(
        f"/api/v1/households/{world.household.pk}/people/",
        {"name": "某人", "relation": "child", "id_number": BAD_IDS["seventeen_chars"]},
        format="json",
    )
    assert response.status_code == 400
    assert "id_number" in response.json()
    assert _counts() == before


def test_adding_a_person_to_a_household_outside_scope_is_404(world):
    response = api_as(world.users.community_worker).post(
        f"/api/v1/households/{world.other_household.pk}/people/",
        {"name": "某人", "relation": "child"},
        format="json",
    )
    assert response.status_code == 404


def test_timeline_shows_who_changed_what(world):
    client = api_as(world.users.committee)
    client.patch(f"/api/v1/households/{world.household.pk}/", {"status": "lifted"}, format="json")
    response = api_as(world.users.community_worker).get(
        f"/api/v1/households/{world.household.pk}/timeline/"
    )
    assert response.status_code == 200
    (event,) = response.json()["results"]
    assert event["actor"] == "committee"
    assert event["changes"] == {"status": ["帮扶中", "已脱困"]}
    assert event["at"]


def test_household_filters_find_by_name_and_by_exact_id_number(world):
    client = api_as(world.users.committee)
    by_name = client.get("/api/v1/households/", {"q": "国宝"}).json()
    assert [r["id"] for r in by_name["results"]] == [world.household.pk]
    by_id = client.get("/api/v1/households/", {"q": world.other_household.id_number}).json()
    assert [r["id"] for r in by_id["results"]] == [world.other_household.pk]
    by_community = client.get("/api/v1/households/", {"community": world.community.code}).json()
    assert [r["id"] for r in by_community["results"]] == [world.household.pk]


def test_list_is_paginated(world):
    for _ in range(3):
        f.HouseholdFactory(community=world.community)
    body = api_as(world.users.committee).get("/api/v1/households/", {"page_size": 2}).json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["next"] and body["previous"] is None


# ---------------------------------------------------------------------------------------------
# Masking and reveal
# ---------------------------------------------------------------------------------------------


def test_id_number_is_masked_six_and_four_by_default(world):
    response = api_as(world.users.committee).get(f"/api/v1/households/{world.household.pk}/")
    number = world.household.id_number
    assert response.json()["id_number"] == _masked(number)
    assert number not in response.content.decode()


def test_masking_follows_the_security_policy(world):
    account_services.policy_update(actor=world.users.security_admin, mask_head=3, mask_tail=2)
    client = api_as(world.users.committee)
    number = world.member.id_number
    member = client.get(f"/api/v1/members/{world.member.pk}/").json()
    assert member["id_number"] == _masked(number, 3, 2)
    rows = client.get("/api/v1/households/").json()["results"]
    for row in rows:
        household = Household.objects.get(pk=row["id"])
        assert row["id_number"] == _masked(household.id_number, 3, 2)


def test_reveal_needs_the_permission(world):
    before = AuditEvent.objects.filter(action="reveal").count()
    response = api_as(world.users.community_worker).post(
        f"/api/v1/households/{world.household.pk}/reveal/"
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="reveal").count() == before


def test_reveal_with_permission_shows_the_full_number_and_is_audited(world):
    worker = world.users.community_worker
    account_services.user_grant_reveal(actor=world.users.security_admin, user=worker, allowed=True)
    worker.refresh_from_db()
    response = api_as(worker).post(f"/api/v1/households/{world.household.pk}/reveal/")
    assert response.status_code == 200
    assert response.json() == {"id_number": world.household.id_number}
    event = AuditEvent.objects.filter(action="reveal").latest("id")
    assert event.actor == worker
    assert event.object_id == str(world.household.pk)


def test_reveal_outside_scope_is_404_even_with_permission(world):
    worker = world.users.community_worker
    account_services.user_grant_reveal(actor=world.users.security_admin, user=worker, allowed=True)
    worker.refresh_from_db()
    response = api_as(worker).post(f"/api/v1/households/{world.other_household.pk}/reveal/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_member_reveal_is_audited(world):
    admin = world.users.unit_admin
    account_services.user_grant_reveal(actor=world.users.security_admin, user=admin, allowed=True)
    admin.refresh_from_db()
    client = api_as(admin)
    assert client.post(f"/api/v1/members/{world.member.pk}/reveal/").json() == {
        "id_number": world.member.id_number
    }
    assert client.post(f"/api/v1/members/{world.other_member.pk}/reveal/").status_code == 404
    assert AuditEvent.objects.filter(action="reveal", object_type="registry.member").count() == 1


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------


def test_unit_admin_creates_a_member_in_its_unit(world):
    number = make_id_number("330203", datetime.date(1985, 7, 1), 33, gender="female")
    before = AuditEvent.objects.count()
    response = api_as(world.users.unit_admin).post(
        "/api/v1/members/",
        {
            "name": "陈静",
            "id_number": number,
            "mobile": "13600001234",
            "rank": "section",
            "branch": world.org.pk,
            "home_community": world.community.code,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["unit"] == world.unit.pk
    assert body["gender"] == "female"  # from the ID number
    assert body["id_number"] == _masked(number)
    assert Member.objects.get(pk=body["id"]).id_number == number
    assert AuditEvent.objects.count() - before == 1
    assert AuditEvent.objects.latest("id").changes["name"] == [None, "陈静"]


@pytest.mark.parametrize("kind", list(BAD_IDS))
def test_member_with_bad_id_number_is_refused(world, kind):
    before = _counts()
    response = api_as(world.users.committee).post(
        "/api/v1/members/",
        {"name": "某人", "id_number": BAD_IDS[kind], "unit": world.unit.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "id_number" in response.json()
    assert _counts() == before


def test_member_with_bad_mobile_is_refused(world):
    response = api_as(world.users.committee).post(
        "/api/v1/members/",
        {"name": "某人", "id_number": GOOD_ID, "unit": world.unit.pk, "mobile": "10000000000"},
        format="json",
    )
    assert response.status_code == 400
    assert "mobile" in response.json()


def test_unit_admin_cannot_put_a_member_into_another_unit(world):
    before = _counts()
    response = api_as(world.users.unit_admin).post(
        "/api/v1/members/",
        {"name": "某人", "id_number": GOOD_ID, "unit": world.other_unit.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "unit" in response.json()
    assert _counts() == before


def test_member_duplicate_id_number_names_the_member_when_visible(world):
    client = api_as(world.users.unit_admin)
    own = client.post(
        "/api/v1/members/",
        {"name": "重复", "id_number": world.member.id_number},
        format="json",
    )
    assert own.status_code == 400
    assert "张三" in " ".join(own.json()["id_number"])
    other = client.post(
        "/api/v1/members/",
        {"name": "重复", "id_number": world.other_member.id_number},
        format="json",
    )
    assert other.status_code == 400
    assert "李四" not in " ".join(other.json()["id_number"])


def test_patch_member_changes_rank_and_id_number_audited_masked(world):
    member = world.member
    old_masked = _masked(member.id_number)
    new_number = make_id_number("330203", datetime.date(1970, 1, 2), 41)
    before = AuditEvent.objects.count()
    response = api_as(world.users.unit_admin).patch(
        f"/api/v1/members/{member.pk}/",
        {"rank": "division", "id_number": new_number},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert AuditEvent.objects.count() - before == 1
    event = AuditEvent.objects.latest("id")
    assert event.changes["rank"] == ["科级", "处级"]
    assert event.changes["id_number"] == [old_masked, _masked(new_number)]
    assert new_number not in str(event.changes)
    member.refresh_from_db()
    assert member.id_number == new_number


def test_member_role_sees_but_cannot_change_itself(world):
    response = api_as(world.users.member).patch(
        f"/api/v1/members/{world.member.pk}/", {"rank": "bureau"}, format="json"
    )
    assert response.status_code == 403
    world.member.refresh_from_db()
    assert world.member.rank == "section"


def test_window_clerk_cannot_create_members(world):
    before = _counts()
    response = api_as(world.users.window_clerk).post(
        "/api/v1/members/", {"name": "某人", "id_number": GOOD_ID}, format="json"
    )
    assert response.status_code == 403
    assert _counts() == before


def test_member_filters(world):
    client = api_as(world.users.committee)
    rows = client.get("/api/v1/members/", {"unit": world.other_unit.pk}).json()["results"]
    assert [r["id"] for r in rows] == [world.other_member.pk]
    rows = client.get("/api/v1/members/", {"q": world.member.id_number}).json()["results"]
    assert [r["id"] for r in rows] == [world.member.pk]


# ---------------------------------------------------------------------------------------------
# Units and party organisations
# ---------------------------------------------------------------------------------------------


def test_committee_creates_and_renames_a_unit(world):
    client = api_as(world.users.committee)
    response = client.post("/api/v1/units/", {"name": "市审计局", "short_name": "审计局"})
    assert response.status_code == 201, response.content
    unit_id = response.json()["id"]
    response = client.patch(f"/api/v1/units/{unit_id}/", {"address": "宁波市民中心"})
    assert response.status_code == 200
    events = AuditEvent.objects.filter(object_type="registry.unit", object_id=str(unit_id))
    assert sorted(e.action for e in events) == ["create", "update"]
    assert events.get(action="update").changes == {"address": ["", "宁波市民中心"]}


def test_duplicate_unit_name_is_refused_naming_name(world):
    before = Unit.objects.count()
    response = api_as(world.users.committee).post("/api/v1/units/", {"name": "市纪委"})
    assert response.status_code == 400
    assert "name" in response.json()
    assert Unit.objects.count() == before


def test_unit_admin_cannot_create_units(world):
    response = api_as(world.users.unit_admin).post("/api/v1/units/", {"name": "新单位"})
    assert response.status_code == 403


def test_unit_admin_adds_a_branch_to_its_own_unit(world):
    response = api_as(world.users.unit_admin).post(
        "/api/v1/party-orgs/",
        {"name": "市纪委第一党支部", "kind": "branch", "parent": world.org.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    org = PartyOrg.objects.get(pk=response.json()["id"])
    assert org.unit == world.unit
    assert org.parent == world.org


def test_party_org_parent_outside_scope_is_refused(world):
    response = api_as(world.users.unit_admin).post(
        "/api/v1/party-orgs/",
        {"name": "某支部", "kind": "branch", "parent": world.other_org.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "parent" in response.json()


# ---------------------------------------------------------------------------------------------
# Divisions
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def merger(world):
    jiangdong = f.DistrictFactory(code="330204000000", name="江东区")
    yinzhou = f.DistrictFactory(code="330212000000", name="鄞州区")
    street = f.StreetFactory(parent=jiangdong, code="330204003000", name="百丈街道")
    village = f.CommunityFactory(parent=street, code="330204003011", name="徐戎三村")
    return jiangdong, yinzhou, village


def test_division_shows_codes_and_current_district(world, merger):
    jiangdong, yinzhou, village = merger
    body = api_as(world.users.member).get(f"/api/v1/divisions/{village.pk}/").json()
    assert body["code"] == "330204003011"
    assert body["gb_code"] == "330204003011"
    assert body["parent"] == "330204003000"
    assert body["district"] == "330204000000"
    assert body["current_district"] == "330204000000"
    assert body["level"] == "community"
    district = api_as(world.users.member).get(f"/api/v1/divisions/{jiangdong.pk}/").json()
    assert district["gb_code"] == "330204"


def test_committee_merges_a_district_and_old_communities_roll_up(world, merger):
    jiangdong, yinzhou, village = merger
    client = api_as(world.users.committee)
    before = AuditEvent.objects.count()
    response = client.post(
        f"/api/v1/divisions/{jiangdong.pk}/abolish/",
        {"on": "2016-09-01", "successor": "330212"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["valid_until"] == "2016-09-01"
    assert response.json()["successor"] == "330212000000"
    assert AuditEvent.objects.count() - before == 1
    body = client.get(f"/api/v1/divisions/{village.pk}/").json()
    assert body["district"] == "330204000000"  # history kept
    assert body["current_district"] == "330212000000"  # rolled up
    current = client.get("/api/v1/divisions/", {"current": "true", "level": "district"}).json()
    assert "330204000000" not in {r["code"] for r in current["results"]}


def test_only_the_committee_abolishes_divisions(world, merger):
    jiangdong, _, _ = merger
    response = api_as(world.users.unit_admin).post(
        f"/api/v1/divisions/{jiangdong.pk}/abolish/", {"on": "2016-09-01"}, format="json"
    )
    assert response.status_code == 403
    jiangdong.refresh_from_db()
    assert jiangdong.valid_until is None


def test_committee_creates_a_community_under_a_street(world):
    response = api_as(world.users.committee).post(
        "/api/v1/divisions/",
        {"code": "330203001003", "name": "新社区", "kind": "community", "parent": "330203001"},
        format="json",
    )
    assert response.status_code == 201, response.content
    division = Division.objects.get(code="330203001003")
    assert division.level == "community"
    assert division.district == world.district
    assert response.json()["district"] == world.district.code


def test_division_in_the_wrong_place_is_refused(world):
    before = Division.objects.count()
    response = api_as(world.users.committee).post(
        "/api/v1/divisions/",
        {"code": "330203001004", "name": "错位社区", "kind": "community", "parent": "330203"},
        format="json",
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    assert Division.objects.count() == before


def test_community_worker_cannot_create_divisions(world):
    response = api_as(world.users.community_worker).post(
        "/api/v1/divisions/",
        {"code": "330203001005", "name": "社区", "kind": "community", "parent": "330203001"},
        format="json",
    )
    assert response.status_code == 403


def test_divisions_have_no_update(world):
    response = api_as(world.users.committee).patch(
        f"/api/v1/divisions/{world.community.pk}/", {"name": "改名"}, format="json"
    )
    assert response.status_code == 405


def test_person_reveal_is_audited_but_kept_off_the_household_timeline(world):
    person = world.person
    number = make_id_number("330203", datetime.date(1990, 2, 3), 55)
    person.set_id_number(number)
    person.save(update_fields=["id_number_hash", "id_number_encrypted"])
    worker = world.users.community_worker
    assert api_as(worker).post(f"/api/v1/people/{person.pk}/reveal/").status_code == 403
    account_services.user_grant_reveal(actor=world.users.security_admin, user=worker, allowed=True)
    worker.refresh_from_db()
    client = api_as(worker)
    assert client.post(f"/api/v1/people/{person.pk}/reveal/").json() == {"id_number": number}
    event = AuditEvent.objects.get(action="reveal")
    assert (event.object_id, event.root_id) == (str(person.pk), str(world.household.pk))
    timeline = client.get(f"/api/v1/households/{world.household.pk}/timeline/").json()
    assert [e["action"] for e in timeline["results"]] == []


def test_ordering_by_a_column_with_ties_pages_without_repeats(world):
    from guanqing.testing import factories as f

    for _ in range(7):
        f.HouseholdFactory(community=world.community, category="illness")
    client = api_as(world.users.committee)
    seen = []
    url = "/api/v1/households/?ordering=category&page_size=3"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == body["count"]


def test_one_400_names_every_malformed_household_field(world):
    client = api_as(world.users.committee)
    response = client.post(
        "/api/v1/households/",
        {"head_name": "", "id_number": "1", "community": "x", "phone": "1"},
        format="json",
    )
    assert response.status_code == 400
    assert {"head_name", "id_number", "community", "phone"} <= set(response.json())
