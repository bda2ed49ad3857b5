import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from guanqing.core.models import AuditEvent
from guanqing.core.scope.querysets import _extensions, register_scope_extension
from guanqing.core.services import ScopeError
from guanqing.registry import selectors, services
from guanqing.registry.models import Division, Household, Member, Person
from guanqing.testing import factories as f
from guanqing.testing.idnumbers import make_id_number

pytestmark = pytest.mark.django_db


def _merge_setup(world):
    committee = world.users.committee
    jiangdong = services.division_create(
        actor=committee, code="330204", name="江东区", kind="district"
    )
    yinzhou = services.division_create(
        actor=committee, code="330212", name="鄞州区", kind="district"
    )
    street = services.division_create(
        actor=committee, code="330204003", name="东郊街道", kind="street", parent=jiangdong
    )
    village = services.division_create(
        actor=committee, code="330204003001", name="徐戎三村", kind="community", parent=street
    )
    return committee, jiangdong, yinzhou, village


def test_a_merged_district_keeps_its_records_and_rolls_up_into_its_successor(world):
    committee, jiangdong, yinzhou, village = _merge_setup(world)
    household = f.HouseholdFactory(community=village, head_name="邵国樑")
    services.division_abolish(
        actor=committee, division=jiangdong, on=datetime.date(2016, 9, 23), successor=yinzhou
    )
    household.refresh_from_db()
    assert household.community == village  # the old record still points where it pointed
    assert village.district_id == jiangdong.pk
    rolled = selectors.households_in_current_district(Household.objects.all(), yinzhou)
    assert list(rolled) == [household]
    by_district = {
        r["district"]: r["households"] for r in selectors.household_counts_by_district(committee)
    }
    assert by_district["鄞州区"] == 1
    assert "江东区" not in by_district
    assert selectors.current_district_map()[jiangdong.pk] == yinzhou.pk


def test_renaming_chains_are_followed_to_todays_district(world):
    committee = world.users.committee
    old = services.division_create(
        actor=committee, code="330283", name="奉化市", kind="county_city"
    )
    new = services.division_create(actor=committee, code="330213", name="奉化区", kind="district")
    newer = services.division_create(actor=committee, code="330299", name="假想区", kind="district")
    services.division_abolish(
        actor=committee, division=old, on=datetime.date(2016, 9, 23), successor=new
    )
    services.division_abolish(
        actor=committee, division=new, on=datetime.date(2030, 1, 1), successor=newer
    )
    assert selectors.current_district_map()[old.pk] == newer.pk
    assert set(selectors.district_ids_rolling_up_to(newer)) == {old.pk, new.pk, newer.pk}


def test_division_rules_are_enforced(world):
    committee = world.users.committee
    with pytest.raises(ValidationError) as exc:
        services.division_create(actor=committee, code="3302", name="坏代码", kind="district")
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.division_create(
            actor=committee, code="330203009001", name="无街道社区", kind="community"
        )
    assert "parent" in exc.value.message_dict
    with pytest.raises(ScopeError):
        services.division_create(
            actor=world.users.unit_admin, code="330299", name="x", kind="district"
        )
    district = world.district
    with pytest.raises(ValidationError) as exc:
        services.division_abolish(
            actor=committee, division=district, on=datetime.date(2020, 1, 1), successor=district
        )
    assert "successor" in exc.value.message_dict


def test_household_create_validates_and_audits_in_one_go(world):
    worker = world.users.community_worker
    number = make_id_number("330204", datetime.date(1936, 4, 1), 21, gender="female")
    before = AuditEvent.objects.count()
    household = services.household_create(
        actor=worker,
        head_name="王阿婆",
        id_number=number,
        phone="13900001111",
        address="徐家漕 8 幢",
        category="extreme",
        situation="独居",
        people=[
            {
                "name": "王小弟",
                "relation": "child",
                "id_number": make_id_number("330203", datetime.date(1970, 1, 1), 8),
            }
        ],
    )
    assert household.community == world.community  # a worker registers in its own community
    assert household.head_gender == "female"  # derived from the ID number
    head, child = household.people.order_by("id")
    assert (head.name, head.relation, head.id_number) == ("王阿婆", "head", number)
    assert head.birth_date == datetime.date(1936, 4, 1)
    assert child.birth_date == datetime.date(1970, 1, 1)
    events = AuditEvent.objects.order_by("id")[before:]
    assert [e.action for e in events] == ["create", "create", "create"]
    assert events[0].changes["id_number"] == [None, number[:6] + "********" + number[-4:]]
    assert number not in str(events[0].changes)
    assert all(
        e.root_type == "registry.household" and e.root_id == str(household.pk) for e in events
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("id_number", "330203196005170012"), ("phone", "12345"), ("community", "other")],
)
def test_household_create_refuses_bad_input_and_writes_nothing(world, field, value):
    worker = world.users.community_worker
    data = {"head_name": "王阿婆", "id_number": make_id_number(sequence=77), "phone": "13900001111"}
    data[field] = world.other_community if value == "other" else value
    households, events = Household.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.household_create(actor=worker, **data)
    assert field in exc.value.message_dict
    assert (Household.objects.count(), AuditEvent.objects.count()) == (households, events)


def test_a_bad_person_rolls_back_the_whole_household(world):
    households, people = Household.objects.count(), Person.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.household_create(
            actor=world.users.committee,
            head_name="赵",
            id_number=make_id_number(sequence=81),
            community=world.community,
            people=[
                {"name": "好", "relation": "child"},
                {"name": "坏", "relation": "child", "id_number": "1"},
            ],
        )
    assert "people[1].id_number" in exc.value.message_dict
    assert (Household.objects.count(), Person.objects.count()) == (households, people)


def test_duplicate_id_number_names_the_record_only_when_visible(world):
    existing_number = world.household.id_number
    with pytest.raises(ValidationError) as exc:
        services.household_create(
            actor=world.users.community_worker, head_name="重复", id_number=existing_number
        )
    assert "张国宝" in exc.value.message_dict["id_number"][0]

    other_number = world.other_household.id_number
    with pytest.raises(ValidationError) as exc:
        services.household_create(
            actor=world.users.community_worker, head_name="重复", id_number=other_number
        )
    message = exc.value.message_dict["id_number"][0]
    assert "邵国樑" not in message and "权限范围以外" in message


def test_update_records_only_changed_fields_old_to_new(world):
    household = world.household
    services.household_update(
        actor=world.users.community_worker, household=household, needs="轮椅", outlook="乐观"
    )
    event = AuditEvent.objects.latest("id")
    assert event.action == "update"
    assert set(event.changes) == {"needs", "outlook"}
    assert event.changes["needs"] == ["日常照料", "轮椅"]
    count = AuditEvent.objects.count()
    services.household_update(actor=world.users.community_worker, household=household, needs="轮椅")
    assert AuditEvent.objects.count() == count  # nothing changed, nothing recorded
    timeline = list(selectors.household_timeline(household))
    assert timeline[0].changes["needs"] == ["日常照料", "轮椅"]


def test_writers_outside_scope_are_refused(world):
    with pytest.raises(ScopeError):
        services.household_update(
            actor=world.users.community_worker, household=world.other_household, needs="x"
        )
    with pytest.raises(ScopeError):
        services.household_update(
            actor=world.users.unit_admin, household=world.household, needs="x"
        )
    with pytest.raises(ScopeError):
        services.member_update(actor=world.users.unit_admin, member=world.other_member, name="x")
    with pytest.raises(ScopeError):
        services.member_create(
            actor=world.users.member, id_number=make_id_number(sequence=3), name="x"
        )


def test_unit_admin_registers_members_only_in_its_unit(world):
    admin = world.users.unit_admin
    member = services.member_create(
        actor=admin, id_number=make_id_number(sequence=301), name="新党员", rank="section"
    )
    assert member.unit == world.unit
    with pytest.raises(ValidationError) as exc:
        services.member_create(
            actor=admin, id_number=make_id_number(sequence=302), name="越界", unit=world.other_unit
        )
    assert "unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.member_create(
            actor=admin,
            id_number=make_id_number(sequence=303),
            name="错支部",
            branch=world.other_org,
        )
    assert "branch" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.member_create(
            actor=admin, id_number=make_id_number(sequence=304), name="坏手机", mobile="1234"
        )
    assert "mobile" in exc.value.message_dict


def test_reveal_needs_the_grant_and_is_audited(world):
    worker = world.users.community_worker
    with pytest.raises(ScopeError):
        services.id_number_reveal(actor=worker, obj=world.household)
    worker.can_reveal_sensitive = True
    worker.save()
    assert services.id_number_reveal(actor=worker, obj=world.household) == world.household.id_number
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_id, event.actor) == (
        "reveal",
        str(world.household.pk),
        worker,
    )
    with pytest.raises(ScopeError):
        services.id_number_reveal(actor=worker, obj=world.other_household)


def test_scope_extensions_widen_a_role_without_touching_the_model(world):
    key = ("registry.household", "unit_admin")
    saved = list(_extensions.get(key, []))
    try:
        register_scope_extension(
            "registry.household", "unit_admin", lambda user: Q(head_name="邵国樑")
        )
        assert list(Household.objects.visible_to(world.users.unit_admin)) == [world.other_household]
        assert list(Household.objects.editable_by(world.users.unit_admin)) == []
    finally:
        _extensions[key] = saved


def test_members_are_never_stored_in_clear(world):
    member = Member.objects.get(pk=world.member.pk)
    number = member.id_number
    assert number and number not in member.id_number_encrypted
    assert Member.objects.filter(id_number_hash__isnull=False).count() == 2
    assert Division.objects.count() >= 4


def test_moving_a_member_to_a_branch_of_the_same_name_is_saved_and_audited(world):
    first = f.PartyOrgFactory(unit=world.unit, name="第一党支部")
    second = f.PartyOrgFactory(unit=world.unit, name="第一党支部")
    member = services.member_update(actor=world.users.unit_admin, member=world.member, branch=first)
    services.member_update(actor=world.users.unit_admin, member=member, branch=second)
    member.refresh_from_db()
    assert member.branch == second
    event = AuditEvent.objects.latest("id")
    assert event.changes["branch"] == [f"第一党支部（#{first.pk}）", f"第一党支部（#{second.pk}）"]


def test_the_audit_log_masks_id_numbers_as_the_security_policy_says(world):
    from guanqing.accounts.services import policy_update

    policy_update(actor=world.users.security_admin, mask_head=2, mask_tail=1)
    number = make_id_number("330204", datetime.date(1950, 2, 3), 44)
    household = services.household_create(
        actor=world.users.committee, head_name="钱", id_number=number, community=world.community
    )
    event = AuditEvent.objects.get(
        action="create", object_type="registry.household", object_id=str(household.pk)
    )
    assert event.changes["id_number"] == [None, number[:2] + "*" * 15 + number[-1:]]


def test_an_abolished_district_finds_only_its_own_households(world):
    committee, jiangdong, yinzhou, village = _merge_setup(world)
    street = services.division_create(
        actor=committee, code="330212001", name="钟公庙街道", kind="street", parent=yinzhou
    )
    community = services.division_create(
        actor=committee, code="330212001001", name="某社区", kind="community", parent=street
    )
    old = f.HouseholdFactory(community=village)
    new = f.HouseholdFactory(community=community)
    services.division_abolish(
        actor=committee, division=jiangdong, on=datetime.date(2016, 9, 23), successor=yinzhou
    )
    everything = Household.objects.all()
    assert set(selectors.households_in_current_district(everything, yinzhou)) == {old, new}
    assert list(selectors.households_in_current_district(everything, jiangdong)) == [old]


def test_the_head_row_follows_changes_to_the_household_head(world):
    worker = world.users.community_worker
    household = services.household_create(
        actor=worker, head_name="孙", id_number=make_id_number(sequence=611, gender="male")
    )
    new_number = make_id_number(sequence=612, gender="female")
    services.household_update(
        actor=worker, household=household, head_name="孙阿姨", id_number=new_number
    )
    head = household.people.get(relation="head")
    assert (head.name, head.id_number, head.gender) == ("孙阿姨", new_number, "male")


def test_removing_a_person_is_audited_on_the_household_timeline(world):
    person = world.person
    services.person_remove(actor=world.users.community_worker, person=person, reason="已迁出")
    assert not Person.objects.filter(pk=person.pk).exists()
    event = selectors.household_timeline(world.household).first()
    assert (event.action, event.object_type, event.object_id) == (
        "delete",
        "registry.person",
        str(person.pk),
    )
    assert (event.changes, event.message) == ({"name": ["张小宝", None]}, "已迁出")
    with pytest.raises(ScopeError):
        services.person_remove(actor=world.users.community_worker, person=world.other_person)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda w: services.unit_update(actor=w.users.committee, unit=w.unit, address="新址"), 1),
        (lambda w: services.party_org_update(actor=w.users.unit_admin, org=w.org, name="新名"), 1),
        (
            lambda w: services.member_update(
                actor=w.users.unit_admin, member=w.member, rank="division"
            ),
            1,
        ),
        (
            lambda w: services.person_update(
                actor=w.users.committee, person=w.person, occupation="退休"
            ),
            1,
        ),
        (lambda w: services.unit_create(actor=w.users.committee, name="市新设局"), 1),
    ],
)
def test_each_write_appends_exactly_one_audit_event(world, call, expected):
    before = AuditEvent.objects.count()
    call(world)
    assert AuditEvent.objects.count() - before == expected
