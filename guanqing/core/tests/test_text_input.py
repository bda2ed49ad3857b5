"""Text at the boundary: control characters are refused (multi-line text keeps its line breaks),
free text is bounded, names need something visible; each a clear error naming the field, nothing
written. The API, the forms, the services (and so the Excel import) answer alike."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guanqing.conftest import api_as, client_for
from guanqing.core import text
from guanqing.core.excel import Sheet
from guanqing.core.models import AuditEvent
from guanqing.registry import imports
from guanqing.registry import services as registry
from guanqing.registry.models import Household, Person
from guanqing.testing.idnumbers import make_id_number

GOOD_ID = make_id_number("330203", datetime.date(1958, 4, 2), 31, "female")


def _counts():
    return Household.objects.count(), Person.objects.count(), AuditEvent.objects.count()


def _payload(**overrides):
    data = {
        "head_name": "王阿姨",
        "id_number": GOOD_ID,
        "address": "徐家漕路 8 号",
        "category": "illness",
        "situation": "独居\n患慢性病",
        "needs": "就医陪护",
    }
    data.update(overrides)
    return data


# -- the shared cleaner ------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f", "\x7f"])
def test_control_characters_are_refused_in_every_kind_of_text(char):
    assert text.control_message(f"a{char}b") is not None
    assert text.control_message(f"a{char}b", multiline=True) is not None


def test_multi_line_text_keeps_tab_and_line_breaks_single_line_text_does_not():
    assert text.control_message("一行\r\n二行\t三", multiline=True) is None
    assert text.control_message("一行\n二行") == text.SINGLE_LINE_MESSAGE


def test_zero_width_characters_are_stripped_at_the_edges_only():
    assert text.strip_edges("\u200b\ufeff 张三\u200d\u3000") == "张三"
    assert text.strip_edges("张\u200b三") == "张\u200b三"
    assert text.strip_edges("\u200b\u200c\u2060\u3164") == ""
    # a rare character outside Python's Unicode tables or in private use is a character
    assert text.strip_edges("王\ue000") == "王\ue000"


# -- services (and so forms, the API and the Excel import) ---------------------------------------


@pytest.mark.parametrize(
    "field,value",
    [
        ("head_name", "王\x00阿姨"),
        ("address", "徐家漕路\x018 号"),
        ("address", "徐家漕路\n8 号"),
        ("situation", "独居\x01"),
        ("needs", "\x1b[31m就医"),
    ],
)
def test_a_service_refuses_control_characters_naming_the_field(world, field, value):
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        registry.household_create(actor=world.users.community_worker, **_payload(**{field: value}))
    assert list(excinfo.value.message_dict) == [field]
    assert "控制字符" in excinfo.value.message_dict[field][0]
    assert _counts() == before


def test_multi_line_profile_text_keeps_its_line_breaks(world):
    household = registry.household_create(actor=world.users.community_worker, **_payload())
    assert household.situation == "独居\n患慢性病"


@pytest.mark.parametrize("field", ["situation", "head_name"])
@pytest.mark.parametrize("char", ["\x00", "\x01"])
def test_the_api_answers_400_naming_the_field_for_a_control_character(world, field, char):
    before = _counts()
    response = api_as(world.users.community_worker).post(
        "/api/v1/households/", _payload(**{field: f"王{char}阿姨"}), format="json"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == [field]
    assert "控制字符" in body[field][0]  # not Django's "不允许是用空字符串" for a NUL
    assert _counts() == before


@pytest.mark.parametrize(
    "field,value",
    [("address", "中山路\x002 号"), ("address", "中山路\x012 号"), ("situation", "夫妻二人\x01")],
)
def test_the_form_shows_the_control_character_error_next_to_the_field(world, field, value):
    client = client_for(world.users.community_worker)
    before = _counts()
    data = {
        "head_name": world.household.head_name,
        "id_number": "",
        "phone": world.household.phone,
        "community": world.community.pk,
        "address": "中山路 2 号",
        "category": world.household.category,
        "status": "active",
        "situation": "夫妻二人",
    }
    data[field] = value
    response = client.post(reverse("registry:household_edit", args=[world.household.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert "控制字符" in errors[field][0]
    assert _counts() == before


def test_the_excel_import_reports_a_control_character_by_row_and_column(world):
    sheet = Sheet(
        headers=["户主姓名", "身份证号码", "社区/村代码", "困难类别", "家庭情况"],
        rows=[
            (
                2,
                {
                    "户主姓名": "王阿姨",
                    "身份证号码": GOOD_ID,
                    "社区/村代码": world.community.code,
                    "困难类别": "因病致困",
                    "家庭情况": "独居\x01",
                },
            )
        ],
    )
    before = _counts()
    result = imports.import_sheet(
        actor=world.users.community_worker, kind="households", sheet=sheet, file_name="x.xlsx"
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "家庭情况")]
    assert "控制字符" in result.errors[0].reason
    assert _counts() == before


def test_a_failed_sign_in_stores_the_username_without_control_characters(world):
    client = api_as(world.users.committee)
    client.force_authenticate(None)
    response = client.post(
        "/api/v1/auth/token/", {"username": "apiprobe\u0001\u001f", "password": "x"}, format="json"
    )
    assert response.status_code in (400, 401)
    event = AuditEvent.objects.filter(action="login_failed").latest("pk")
    assert event.actor_username == "apiprobe" and event.object_repr == "apiprobe"
    export = client_for(world.users.audit_admin).get(reverse("audit:event_export"))
    assert export.status_code == 200


def test_a_sign_in_with_a_nul_in_the_username_is_refused_before_it_reaches_the_database(world):
    # PostgreSQL cannot store a NUL in text: the attempt must not get as far as the lockout table
    client = api_as(world.users.committee)
    client.force_authenticate(None)
    response = client.post(
        "/api/v1/auth/token/", {"username": "apiprobe\u0000", "password": "x"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["username"]
    export = client_for(world.users.audit_admin).get(reverse("audit:event_export"))
    assert export.status_code == 200


# -- bounds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["situation", "hardship_cause", "outlook", "skills", "needs"])
def test_profile_text_is_bounded_by_service_and_api(world, field):
    before = _counts()
    long = "长" * (text.LONG_TEXT_MAX + 1)
    with pytest.raises(ValidationError) as excinfo:
        registry.household_update(
            actor=world.users.community_worker, household=world.household, **{field: long}
        )
    assert list(excinfo.value.message_dict) == [field]
    assert str(text.LONG_TEXT_MAX) in excinfo.value.message_dict[field][0]
    response = api_as(world.users.community_worker).patch(
        f"/api/v1/households/{world.household.pk}/", {field: long}, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == [field]
    assert _counts() == before
    registry.household_update(
        actor=world.users.community_worker,
        household=world.household,
        **{field: "长" * text.LONG_TEXT_MAX},
    )


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200c\u200d", " \ufeff\u2060 ", "\u3164"])
def test_a_name_of_nothing_visible_is_refused(world, name):
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        registry.household_create(actor=world.users.community_worker, **_payload(head_name=name))
    assert list(excinfo.value.message_dict) == ["head_name"]
    with pytest.raises(ValidationError) as excinfo:
        registry.person_add(
            actor=world.users.community_worker,
            household=world.household,
            name=name,
            relation="child",
        )
    assert list(excinfo.value.message_dict) == ["name"]
    assert "可见" in excinfo.value.message_dict["name"][0]
    response = api_as(world.users.committee).post(
        "/api/v1/members/",
        {
            "name": name,
            "id_number": make_id_number("330203", datetime.date(1980, 1, 1), 7),
            "unit": world.unit.pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "name" in response.json()
    assert _counts() == before


def test_zero_width_characters_at_the_edges_of_a_name_are_dropped(world):
    person = registry.person_add(
        actor=world.users.community_worker,
        household=world.household,
        name="\u200b张小妹\u200d",
        relation="child",
    )
    assert person.name == "张小妹"


@pytest.mark.parametrize(
    "joined,ok",
    [
        (datetime.date(1979, 12, 31), False),  # before birth
        (datetime.date(1997, 12, 31), False),  # seventeen
        (datetime.date(1998, 1, 1), True),  # the eighteenth birthday
    ],
)
def test_a_member_joins_the_party_at_eighteen_at_the_earliest(world, joined, ok):
    number = make_id_number("330203", datetime.date(1980, 1, 1), 9)
    data = dict(name="陈入党", unit=world.unit, branch=world.org, joined_party=joined)
    if ok:
        registry.member_create(actor=world.users.committee, id_number=number, **data)
        return
    with pytest.raises(ValidationError) as excinfo:
        registry.member_create(actor=world.users.committee, id_number=number, **data)
    assert list(excinfo.value.message_dict) == ["joined_party"]
    assert "1998-01-01" in excinfo.value.message_dict["joined_party"][0]


def test_a_member_update_checks_a_new_joining_date_against_the_id_number(world):
    number = make_id_number("330203", datetime.date(1990, 6, 1), 5)
    member = registry.member_create(
        actor=world.users.committee,
        id_number=number,
        name="孙新",
        unit=world.unit,
        branch=world.org,
        joined_party=datetime.date(2015, 7, 1),
    )
    with pytest.raises(ValidationError) as excinfo:
        registry.member_update(
            actor=world.users.committee, member=member, joined_party=datetime.date(1989, 1, 1)
        )
    assert list(excinfo.value.message_dict) == ["joined_party"]
    response = api_as(world.users.committee).patch(
        f"/api/v1/members/{member.pk}/", {"joined_party": "1990-05-31"}, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["joined_party"]


def test_a_household_holds_at_most_twenty_people(world):
    household = world.household
    for n in range(registry.MAX_HOUSEHOLD_PEOPLE - household.people.count()):
        registry.person_add(
            actor=world.users.community_worker,
            household=household,
            name=f"成员{n}",
            relation="other",
        )
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        registry.person_add(
            actor=world.users.community_worker, household=household, name="多一人", relation="other"
        )
    assert list(excinfo.value.message_dict) == ["household"]
    assert "20" in excinfo.value.message_dict["household"][0]
    response = api_as(world.users.community_worker).post(
        f"/api/v1/households/{household.pk}/people/",
        {"name": "多一人", "relation": "other"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert _counts() == before


def test_a_new_household_with_too_many_people_is_refused_whole(world):
    before = _counts()
    people = [{"name": f"成员{n}", "relation": "other"} for n in range(20)]
    response = api_as(world.users.community_worker).post(
        "/api/v1/households/", _payload(people=people), format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["people"]
    assert _counts() == before


def test_accounts_and_the_calendar_refuse_control_characters_too(world, official_calendar):
    from guanqing.accounts import services as accounts
    from guanqing.core.calendar import services as calendar_services

    with pytest.raises(ValidationError) as excinfo:
        accounts.user_create(
            actor=world.users.system_admin,
            username="clerk9",
            password="Passw0rd-demo-9",
            role="window_clerk",
            display_name="窗口\x01",
        )
    assert list(excinfo.value.message_dict) == ["display_name"]
    with pytest.raises(ValidationError) as excinfo:
        calendar_services.calendar_day_set(
            actor=world.users.committee,
            day=datetime.date(2026, 1, 3),
            is_workday=True,
            holiday="元旦\x07",
        )
    assert list(excinfo.value.message_dict) == ["holiday"]
