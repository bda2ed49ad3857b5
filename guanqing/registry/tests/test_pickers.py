"""The searchable pickers (`registry.pickers`): the search answers only with records the form would
accept, for whoever may use the form; the field validates exactly like the ModelChoiceField it
replaces; the pages that use it still save, with JavaScript (the chosen id) and without (what was
typed in the search box)."""

from __future__ import annotations

import datetime

import pytest
from django import forms

from guanqing.conftest import client_for
from guanqing.core.ids import MAX_ID
from guanqing.frontline.models import Outreach, Place
from guanqing.instructors.forms import AppointForm
from guanqing.instructors.models import InstructorTerm
from guanqing.registry import pickers
from guanqing.registry.models import Member
from guanqing.testing import factories as f

PICK = "/registry/pick/{}/"


def _search(user, kind, text):
    return client_for(user).get(PICK.format(kind), {"q": text})


def _ids(response) -> set[int]:
    body = response.content.decode()
    return {int(part.split('"', 1)[0]) for part in body.split('data-picker-id="')[1:]}


# --- the search endpoint -------------------------------------------------------------------------


def test_a_unit_admin_finds_only_its_own_units_members(world):
    admin = world.users.unit_admin
    assert _ids(_search(admin, "instructor-members", "张三")) == {world.member.pk}
    assert _ids(_search(admin, "instructor-members", "李四")) == set()
    number = world.other_member.id_number
    assert _ids(_search(admin, "instructor-members", number)) == set()
    committee = world.users.committee
    assert _ids(_search(committee, "instructor-members", "李四")) == {world.other_member.pk}


def test_members_are_found_by_name_mobile_prefix_or_id_number(world):
    committee = world.users.committee
    f.MemberFactory(unit=world.unit, name="张三丰", mobile="13900000001")
    by_name = _ids(_search(committee, "instructor-members", "张三"))
    assert world.member.pk in by_name and len(by_name) == 2
    assert _ids(_search(committee, "instructor-members", world.member.mobile[:7])) >= {
        world.member.pk
    }
    assert _ids(_search(committee, "instructor-members", "1390000")) != set()
    assert _ids(_search(committee, "instructor-members", world.member.mobile[:7] + "x")) == set()
    by_number = _search(committee, "instructor-members", world.member.id_number)
    assert _ids(by_number) == {world.member.pk}
    assert world.member.id_number not in by_number.content.decode()  # masked


def test_the_search_offers_only_what_the_form_accepts(world):
    committee = world.users.committee
    gone = f.MemberFactory(unit=world.unit, name="张三退", status="retired")
    found = _ids(_search(committee, "instructor-members", "张三"))
    assert gone.pk not in found and world.member.pk in found
    villages = _ids(_search(committee, "villages", "社区"))
    assert villages == {world.community.pk, world.other_community.pk}
    assert _ids(_search(committee, "villages", "测试街道")) == villages  # by the street's name


def test_divisions_are_found_by_name_or_code_with_their_path_current_ones_only(world):
    admin = world.users.unit_admin
    f.CommunityFactory(
        parent=world.street,
        code="330203001009",
        name="撤销社区",
        valid_until=datetime.date(2020, 1, 1),
    )
    response = _search(admin, "divisions", "徐家漕")
    assert _ids(response) == {world.community.pk}
    assert "海曙区 测试街道 徐家漕社区" in response.content.decode()
    assert _ids(_search(admin, "divisions", "330203001")) == {
        world.street.pk,
        world.community.pk,
        world.other_community.pk,
    }
    assert _ids(_search(admin, "divisions", "海曙 别的")) == {world.other_community.pk}
    assert _ids(_search(admin, "divisions", "撤销")) == set()


def test_the_search_answers_at_most_the_limit_and_says_so(world):
    for n in range(pickers.PICK_LIMIT + 5):
        f.MemberFactory(unit=world.unit, name=f"王{n:02d}")
    response = _search(world.users.unit_admin, "instructor-members", "王")
    assert len(_ids(response)) == pickers.PICK_LIMIT
    assert "只显示前" in response.content.decode()
    assert _search(world.users.unit_admin, "instructor-members", "").content.strip() == b""


@pytest.mark.parametrize(
    "role,status",
    [
        ("committee", 200),
        ("unit_admin", 200),
        ("member", 403),
        ("community_worker", 403),
        ("window_clerk", 403),
        ("system_admin", 403),
        ("security_admin", 403),
    ],
)
def test_only_who_may_appoint_searches_the_appointment_pickers(world, role, status):
    user = getattr(world.users, role)
    assert _search(user, "instructor-members", "张").status_code == status
    assert _search(user, "villages", "社区").status_code == status


def test_an_unknown_kind_is_not_found_and_anonymous_users_sign_in(world, client):
    assert _search(world.users.committee, "everything", "张").status_code == 404
    assert client.get(PICK.format("divisions"), {"q": "海曙"}).status_code == 302


# --- the field -------------------------------------------------------------------------------------


def _appoint(world, user, **overrides):
    data = {
        "member": world.member.pk,
        "village": world.community.pk,
        "starts_on": "2026-05-01",
        "ends_on": "2028-04-30",
    }
    data.update(overrides)
    return AppointForm(data, user=user)


@pytest.mark.parametrize(
    "value", ["999999", str(MAX_ID + 1), "9" * 40, "-1", "1.0", "abc", "１", "0"]
)
def test_a_posted_id_that_is_not_a_choice_is_refused(world, value):
    form = _appoint(world, world.users.committee, member=value, village=value)
    assert not form.is_valid()
    assert form.errors.as_data()["member"][0].code == "invalid_choice"
    assert form.errors.as_data()["village"][0].code == "invalid_choice"


def test_an_id_out_of_the_users_scope_is_refused(world):
    form = _appoint(world, world.users.unit_admin, member=world.other_member.pk)
    assert not form.is_valid() and "member" in form.errors
    assert _appoint(world, world.users.committee, member=world.other_member.pk).is_valid()
    form = _appoint(world, world.users.committee, village=world.street.pk)
    assert not form.is_valid() and "village" in form.errors


def test_a_whole_id_number_or_code_typed_without_choosing_is_taken(world):
    form = _appoint(
        world,
        world.users.unit_admin,
        member="",
        member_q=world.member.id_number,
        village="",
        village_q="330203001001",
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["member"] == world.member
    assert form.cleaned_data["village"] == world.community


def test_typed_text_that_names_no_single_record_is_refused_beside_the_field(world):
    f.CommunityFactory(parent=world.street, code="330203001003", name="徐家漕社区")
    form = _appoint(
        world,
        world.users.unit_admin,
        member="",
        member_q=world.other_member.id_number,  # another unit's cadre
        village="",
        village_q="徐家漕社区",  # two of them
    )
    assert not form.is_valid()
    assert "完全相符" in form.errors["member"][0]
    assert "不止一条" in form.errors["village"][0]


def test_the_widget_renders_a_search_not_a_list(world):
    for n in range(30):
        f.MemberFactory(unit=world.unit, name=f"候选{n}")
    html = str(_appoint(world, world.users.committee)["member"])
    assert "<select" not in html and "<option" not in html
    assert "候选" not in html
    assert f'name="member" id="id_member" value="{world.member.pk}"' in html
    assert "张三 · 市纪委" in html  # the chosen record's label
    assert 'hx-get="/registry/pick/instructor-members/"' in html
    out_of_scope = str(
        _appoint(world, world.users.unit_admin, member=world.other_member.pk)["member"]
    )
    assert "李四" not in out_of_scope and f'value="{world.other_member.pk}"' not in out_of_scope


def test_a_picker_field_stays_a_model_choice_field(world):
    field = AppointForm(user=world.users.committee).fields["member"]
    assert isinstance(field, forms.ModelChoiceField)
    assert set(field.queryset) == set(
        pickers.kind("instructor-members").queryset(world.users.committee)
    )


# --- several records, in order ----------------------------------------------------------------------


class _Several(forms.Form):
    def __init__(self, data, *, user, required=False):
        super().__init__(data)
        self.fields["members"] = pickers.PickerMultipleField(
            "instructor-members",
            queryset=Member.objects.visible_to(user),
            required=required,
            ordered=True,
        )


def _several(world, user, ids=(), text="", required=False):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.setlist("members", [str(pk) for pk in ids])
    if text:
        data["members_q"] = text
    return _Several(data, user=user, required=required)


def test_several_records_clean_to_a_list_in_the_order_sent_each_once(world):
    third = f.MemberFactory(unit=world.unit, name="王五")
    form = _several(world, world.users.unit_admin, [third.pk, world.member.pk, third.pk], text="")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["members"] == [third, world.member]
    # a whole ID number typed without choosing joins the end (once, if already chosen)
    fourth = f.MemberFactory(unit=world.unit, name="赵六")
    form = _several(world, world.users.unit_admin, [third.pk], text=fourth.id_number)
    assert form.is_valid() and form.cleaned_data["members"] == [third, fourth]
    form = _several(world, world.users.unit_admin, [third.pk], text=third.id_number)
    assert form.is_valid() and form.cleaned_data["members"] == [third]
    nothing = _several(world, world.users.unit_admin)
    assert nothing.is_valid() and nothing.cleaned_data["members"] == []
    required = _several(world, world.users.unit_admin, required=True)
    assert not required.is_valid() and required.errors.as_data()["members"][0].code == "required"


@pytest.mark.parametrize("value", ["999999", str(MAX_ID + 1), "-1", "1.0", "abc", "１", "0"])
def test_one_bad_id_among_several_refuses_them_all(world, value):
    form = _several(world, world.users.committee, [world.member.pk, value])
    assert not form.is_valid()
    assert form.errors.as_data()["members"][0].code == "invalid_choice"


def test_several_out_of_scope_or_typed_wrong_are_refused(world):
    form = _several(world, world.users.unit_admin, [world.member.pk, world.other_member.pk])
    assert not form.is_valid() and "members" in form.errors
    form = _several(world, world.users.unit_admin, text=world.other_member.id_number)
    assert not form.is_valid() and "完全相符" in form.errors["members"][0]
    form = _several(world, world.users.unit_admin, text="长" * 5000)  # cut, then names nothing
    assert not form.is_valid() and "完全相符" in form.errors["members"][0]


def test_a_nul_byte_searched_or_typed_names_nothing(world):
    response = _search(world.users.committee, "units", "纪\x00委")
    assert response.status_code == 200 and _ids(response) == set()
    form = _several(world, world.users.committee, text="张\x00三")
    assert not form.is_valid() and "完全相符" in form.errors["members"][0]
    form = _appoint(world, world.users.committee, member="", member_q="张\x00三")
    assert not form.is_valid() and "完全相符" in form.errors["member"][0]


def test_the_several_widget_lists_the_chosen_ticked_in_order_and_searches(world):
    third = f.MemberFactory(unit=world.unit, name="王五")
    form = _several(
        world, world.users.unit_admin, [third.pk, world.member.pk, world.other_member.pk]
    )
    html = str(form["members"])
    assert "<option" not in html and "data-picker-many" in html
    assert 'hx-get="/registry/pick/instructor-members/"' in html
    assert html.index(f'value="{third.pk}" checked') < html.index(
        f'value="{world.member.pk}" checked'
    )
    # a record outside the user's scope is not shown, even when posted
    assert f'value="{world.other_member.pk}"' not in html and "李四" not in html
    assert "data-picker-up" in html and "<template data-picker-template>" in html


# --- the pages -------------------------------------------------------------------------------------


def test_the_appointment_page_saves_with_the_pickers(world, official_calendar, pinned_today):
    client = client_for(world.users.unit_admin)
    page = client.get("/instructors/terms/new/").content.decode()
    assert 'name="member_q"' in page and 'name="village_q"' in page
    assert '<select name="member"' not in page and '<select name="village"' not in page
    data = {
        "member": world.member.pk,
        "member_q": "",
        "village": world.community.pk,
        "village_q": "",
        "starts_on": "2026-05-01",
        "ends_on": "2028-04-30",
    }
    response = client.post("/instructors/terms/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    term = InstructorTerm.objects.get()
    assert term.member == world.member and term.village == world.community


def test_the_outreach_page_registers_a_new_place_in_the_chosen_division(world, pinned_today):
    client = client_for(world.users.unit_admin)
    page = client.get("/frontline/outreach/new/").content.decode()
    assert 'hx-get="/registry/pick/divisions/"' in page
    response = client.post(
        "/frontline/outreach/new/",
        {
            "visited_on": "2026-05-12",
            "cadres": [world.member.pk],
            "new_kind": "village",
            "new_name": "徐家漕村",
            "new_division": "",
            "new_division_q": "330203001001",  # typed, not chosen: no JavaScript
        },
    )
    assert response.status_code == 302
    assert Outreach.objects.get().place.division == world.community


def test_a_large_units_cadres_are_searched_among_its_members(world, pinned_today, monkeypatch):
    from guanqing.frontline import forms_outreach

    monkeypatch.setattr(forms_outreach, "CADRE_BOXES_UP_TO", 1)
    second = f.MemberFactory(unit=world.unit, name="王五")
    f.MemberFactory(unit=world.other_unit, name="王六")
    committee = client_for(world.users.committee)
    page = committee.get("/frontline/outreach/new/", {"unit": world.unit.pk}).content.decode()
    assert "data-picker-many" in page and f'data-picker-within="{world.unit.pk}"' in page
    assert "participant-box" not in page and "王五" not in page
    # the search finds the unit's members only (another unit's 王六 is not one of its cadres)
    found = committee.get(
        PICK.format("outreach-cadres"), {"q": "王", "within": world.unit.pk}
    ).content.decode()
    assert "王五" in found and "王六" not in found
    assert _search(world.users.member, "outreach-cadres", "王").status_code == 403

    data = {"unit": world.unit.pk, "visited_on": "2026-05-12", "new_kind": "village"}
    data |= {"new_name": "徐家漕村", "new_division": world.community.pk}
    response = committee.post(
        "/frontline/outreach/new/", {**data, "cadres": [second.pk, world.member.pk]}
    )
    assert response.status_code == 302
    assert set(Outreach.objects.get().cadres.all()) == {second, world.member}
    response = committee.post(
        "/frontline/outreach/new/", {**data, "cadres": [world.other_member.pk]}
    )
    assert "只能选择本单位的党员" in response.context["form"].errors["cadres"][0]
    # a small unit keeps its list of boxes
    small = client_for(world.users.unit_admin)
    monkeypatch.setattr(forms_outreach, "CADRE_BOXES_UP_TO", 300)
    assert "participant-box" in small.get("/frontline/outreach/new/").content.decode()


def test_the_places_page_registers_with_the_division_picker(world, pinned_today):
    client = client_for(world.users.unit_admin)
    data = {"kind": "village", "name": "徐家漕村", "division": world.community.pk}
    assert client.post("/frontline/places/", data).status_code == 302
    assert Place.objects.get().division == world.community
    bad = client.post("/frontline/places/", {**data, "name": "别村", "division": str(MAX_ID + 1)})
    assert bad.status_code == 200 and Place.objects.count() == 1


def test_the_picker_answers_in_english(world):
    client = client_for(world.users.committee)
    client.cookies["django_language"] = "en"
    body = client.get(PICK.format("divisions"), {"q": "不存在"}).content.decode()
    assert "没有找到" not in body and "Nothing found" in body
    page = client.get("/instructors/terms/new/").content.decode()
    for chinese in ("已选择", "输入姓名", "搜索后点选"):
        assert chinese not in page


def test_the_member_search_of_the_accounts_page_uses_the_same_rules(world):
    client = client_for(world.users.system_admin)
    response = client.get("/accounts/users/members/", {"member_q": world.other_member.mobile})
    assert f'data-member-id="{world.other_member.pk}"' in response.content.decode()
    response = client.get("/accounts/users/members/", {"member_q": world.other_member.id_number})
    assert f'data-member-id="{world.other_member.pk}"' in response.content.decode()
    assert Member.objects.count() == 2


# --- units and party organisations: the registry's own forms ---------------------------------


def test_units_and_party_orgs_are_found_by_words_of_their_names_within_scope(world):
    committee, admin = world.users.committee, world.users.unit_admin
    f.UnitFactory(name="市纪律检查委员会办公室", short_name="纪委办")
    assert _ids(_search(committee, "units", "发改")) == {world.other_unit.pk}
    assert len(_ids(_search(committee, "units", "纪委"))) == 2  # by the short name too
    assert _ids(_search(admin, "units", "发改")) == set()  # another unit: not found
    assert _ids(_search(admin, "units", "纪委")) == {world.unit.pk}
    assert _ids(_search(committee, "unit-party-orgs", "发改 机关")) == {world.other_org.pk}
    assert _ids(_search(admin, "unit-party-orgs", "发改")) == set()
    page = _search(committee, "unit-party-orgs", "发改").content.decode()
    assert "市发改委 · 市发改委机关党委" in page  # chosen with its unit's name


def test_a_party_org_search_narrows_to_the_chosen_unit_within_scope(world):
    committee, admin = world.users.committee, world.users.unit_admin
    second = f.PartyOrgFactory(unit=world.other_unit, name="第二支部", kind="branch")
    f.PartyOrgFactory(unit=world.unit, name="第二支部", kind="branch")
    client = client_for(committee)
    url = PICK.format("unit-party-orgs")
    assert len(_ids(client.get(url, {"q": "第二支部"}))) == 2
    assert _ids(client.get(url, {"q": "第二支部", "within": world.other_unit.pk})) == {second.pk}
    # a unit outside the reader's scope narrows to nothing; a bad id is ignored
    outside = client_for(admin).get(url, {"q": "第二支部", "within": world.other_unit.pk})
    assert _ids(outside) == set()
    assert len(_ids(client.get(url, {"q": "第二支部", "within": "x" * 30}))) == 2
    # a kind that does not narrow ignores it
    units = client.get(PICK.format("units"), {"q": "发改", "within": world.unit.pk})
    assert _ids(units) == {world.other_unit.pk}


def test_the_member_form_searches_units_and_branches_when_there_are_many(world):
    from guanqing.registry.forms import SELECT_UP_TO, MemberForm

    for n in range(SELECT_UP_TO):
        unit = f.UnitFactory(name=f"候选单位{n}")
        f.PartyOrgFactory(unit=unit, name=f"候选支部{n}", kind="branch")
    html = str(MemberForm(user=world.users.committee))
    assert "候选单位" not in html and "候选支部" not in html
    assert 'hx-get="/registry/pick/units/"' in html
    assert 'hx-get="/registry/pick/unit-party-orgs/"' in html
    # the branch is searched among the chosen unit's organisations (picker.js sends the unit)
    assert 'data-picker-narrow="unit"' in str(html.split('name="branch_q"', 1)[1][:900])
    # A unit administrator sees one unit and its few organisations: drop-downs.
    own = MemberForm(user=world.users.unit_admin)
    assert str(own["unit"]).count("<option") == 1  # the one unit, chosen
    assert f'value="{world.unit.pk}"' in str(own["unit"])
    assert "市纪委 · 市纪委机关党委" in str(own["branch"])
    assert "市发改委" not in str(own)


def test_a_member_saves_with_a_unit_and_branch_named_without_choosing(world):
    from guanqing.registry.forms import MemberForm

    data = {
        "name": "王五",
        "gender": "male",
        "unit_q": "市发改委",
        "branch_q": "市发改委 · 市发改委机关党委",
        "status": "active",
    }
    form = MemberForm(data=data, user=world.users.committee)
    form.is_valid()
    assert (form.cleaned_data.get("unit"), form.cleaned_data.get("branch")) == (
        world.other_unit,
        world.other_org,
    )
    refused = MemberForm(data={**data, "unit_q": "发改"}, user=world.users.committee)
    assert not refused.is_valid()
    assert "没有与“发改”完全相符的记录" in str(refused.errors["unit"])
    out_of_scope = MemberForm(data=data, user=world.users.unit_admin)
    assert not out_of_scope.is_valid() and "unit" in out_of_scope.errors


UNIT_KINDS = [
    "units",
    "window-item-units",
    "window-units",
    "frontline-brand-units",
    "frontline-practice-units",
    "fund-donor-units",
    "fund-listed-units",
    "care-units",
    "pairing-units",
    "frontline-units",
    "instructor-units",
]


@pytest.mark.parametrize("kind", UNIT_KINDS)
def test_every_unit_picker_finds_a_unit_for_who_fills_its_form(world, kind):
    assert pickers.kind(kind).model.__name__ == "Unit"
    user = world.users.fund_officer if kind.startswith("fund-") else world.users.committee
    assert _ids(_search(user, kind, "发改")) == {world.other_unit.pk}


@pytest.mark.parametrize("kind", UNIT_KINDS)
def test_a_role_without_the_forms_page_is_refused_its_unit_search(world, kind):
    # the audit administrator fills none of these forms, nor reads the registry
    response = _search(world.users.audit_admin, kind, "发改")
    assert response.status_code == 403
    assert "发改" not in response.content.decode()


def test_the_account_forms_scope_is_searched_by_the_system_administrator_only(world):
    admin = world.users.system_admin
    assert _ids(_search(admin, "account-units", "发改")) == {world.other_unit.pk}
    assert _ids(_search(admin, "account-communities", "徐家漕")) == {world.community.pk}
    for kind in ("account-units", "account-communities"):
        assert _search(world.users.committee, kind, "发改").status_code == 403


def test_the_front_lines_unit_choices_search_once_there_are_many(world):
    from guanqing.frontline.forms_problems import (
        UNITS_IN_A_LIST,
        DispatchRuleForm,
        ProblemFilterForm,
        UnitStepForm,
    )

    assert "<select" in str(DispatchRuleForm()["unit"])
    for n in range(UNITS_IN_A_LIST):
        f.UnitFactory(name=f"候选单位{n}")
    for field in (
        DispatchRuleForm()["unit"],
        UnitStepForm(prefix="dispatch")["unit"],
        ProblemFilterForm(committee=True)["unit"],
    ):
        html = str(field)
        assert "<select" not in html and "候选单位" not in html
        assert 'hx-get="/registry/pick/frontline-units/"' in html
        # the search swaps its own results, whatever htmx the form around it uses
        assert 'data-picker hx-disinherit="*"' in html
    form = UnitStepForm({"dispatch-unit": world.other_unit.pk}, prefix="dispatch")
    assert form.is_valid() and form.cleaned_data["unit"] == world.other_unit


def test_the_window_form_searches_units_once_there_are_many(world):
    from guanqing.window.forms import UNITS_IN_A_LIST, WindowForm

    assert "<select" in str(WindowForm(user=world.users.committee)["unit"])
    for n in range(UNITS_IN_A_LIST):
        f.UnitFactory(name=f"候选单位{n}")
    html = str(WindowForm(user=world.users.committee)["unit"])
    assert "<select" not in html and "候选单位" not in html
    assert 'hx-get="/registry/pick/window-units/"' in html
    form = WindowForm(
        data={"unit": world.other_unit.pk, "name": "窗口"}, user=world.users.committee
    )
    assert form.is_valid() and form.cleaned_data["unit"] == world.other_unit
