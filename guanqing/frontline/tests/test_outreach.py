"""走访: the place registry (found, not entered twice), recording a visit, its pages and API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from stdnum.cn import uscc

from guanqing.conftest import api_as, api_list_queries, client_for
from guanqing.core.models import AuditEvent
from guanqing.frontline.choices import PlaceKind
from guanqing.frontline.models import Outreach, Place
from guanqing.frontline.outreach_services import outreach_record, place_register
from guanqing.registry.models import Unit
from guanqing.testing import factories as f

D = datetime.date
TODAY = D(2026, 5, 13)  # PINNED_TODAY


def code(body: str) -> str:
    """A valid 统一社会信用代码 from its first 17 characters."""
    return body + uscc.calc_check_digit(body)


CODE = code("91330203144213456")
OTHER_CODE = code("91330200MA2H0R5X3")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.fixture
def places(world):
    village = place_register(
        actor=world.users.committee,
        kind=PlaceKind.VILLAGE,
        name="徐家漕村",
        division=world.community,
    )[0]
    enterprise = place_register(
        actor=world.users.committee,
        kind=PlaceKind.ENTERPRISE,
        name="宁波甬江机械有限公司",
        division=world.street,
        credit_code=CODE,
    )[0]
    return village, enterprise


def _record(world, place, **kwargs):
    data = {
        "actor": world.users.unit_admin,
        "unit": world.unit,
        "visited_on": D(2026, 5, 12),
        "place": place,
        "cadres": [world.member],
    }
    data.update(kwargs)
    return outreach_record(**data)


def _errors(exc) -> dict:
    return exc.value.message_dict


# --- places -------------------------------------------------------------------------------------


def test_a_new_place_is_registered_and_audited(world):
    place, created = place_register(
        actor=world.users.unit_admin,
        kind=PlaceKind.ENTERPRISE,
        name="  宁波  甬江机械 ",
        division=world.street,
        credit_code=CODE.lower(),
    )
    assert created is True
    assert (place.name, place.credit_code, place.created_by) == (
        "宁波 甬江机械",
        CODE,
        world.users.unit_admin,
    )
    assert AuditEvent.objects.filter(
        object_type="frontline.place", object_id=str(place.pk)
    ).exists()


def test_the_same_credit_code_returns_the_registered_place_full_width_or_spaced(world, places):
    _, enterprise = places
    typed = full_width(CODE[:9]) + " " + CODE[9:]
    again, created = place_register(
        actor=world.users.unit_admin,
        kind=PlaceKind.ENTERPRISE,
        name="甬江机械（另一个名字）",
        division=world.community,
        credit_code=typed,
    )
    assert (again, created) == (enterprise, False)
    assert Place.objects.count() == 2


def test_the_same_name_in_the_same_division_returns_the_registered_place(world, places):
    village, _ = places
    again, created = place_register(
        actor=world.users.unit_admin,
        kind=PlaceKind.VILLAGE,
        name=" 徐家漕村 ",
        division=world.community,
    )
    assert (again, created) == (village, False)


def test_an_enterprise_typed_without_its_code_finds_the_registered_one_by_name(world, places):
    _, enterprise = places
    again, created = place_register(
        actor=world.users.unit_admin,
        kind=PlaceKind.ENTERPRISE,
        name="宁波甬江机械有限公司",
        division=world.street,
    )
    assert (again, created) == (enterprise, False)


def test_the_same_name_in_another_division_is_another_place(world, places):
    village, _ = places
    other, created = place_register(
        actor=world.users.unit_admin,
        kind=PlaceKind.VILLAGE,
        name="徐家漕村",
        division=world.other_community,
    )
    assert created is True
    assert other != village


def test_a_namesake_enterprise_with_another_code_is_refused_naming_the_name(world, places):
    with pytest.raises(ValidationError) as exc:
        place_register(
            actor=world.users.unit_admin,
            kind=PlaceKind.ENTERPRISE,
            name="宁波甬江机械有限公司",
            division=world.street,
            credit_code=OTHER_CODE,
        )
    assert CODE in _errors(exc)["name"][0]


@pytest.mark.parametrize(
    "kind, credit_code, message",
    [
        (PlaceKind.ENTERPRISE, "", "请填写"),
        (PlaceKind.ENTERPRISE, CODE[:-1], "18 位"),
        (PlaceKind.ENTERPRISE, CODE[:-1] + ("0" if CODE[-1] != "0" else "1"), "校验位"),
        (PlaceKind.VILLAGE, CODE, "只有企业"),
    ],
)
def test_credit_code_refusals_are_named(world, kind, credit_code, message):
    with pytest.raises(ValidationError) as exc:
        place_register(
            actor=world.users.committee,
            kind=kind,
            name="新登记的对象",
            division=world.community,
            credit_code=credit_code,
        )
    assert message in _errors(exc)["credit_code"][0]
    assert not Place.objects.filter(name="新登记的对象").exists()


def test_name_kind_and_division_are_required(world):
    with pytest.raises(ValidationError) as exc:
        place_register(actor=world.users.committee, kind="shop", name=" ", division=None)
    assert set(_errors(exc)) == {"kind", "name", "division"}


@pytest.mark.parametrize("role", ["member", "window_clerk", "community_worker"])
def test_only_the_committee_and_unit_administrators_register_places(world, role):
    with pytest.raises(PermissionDenied):
        place_register(
            actor=getattr(world.users, role),
            kind=PlaceKind.VILLAGE,
            name="某村",
            division=world.community,
        )
    assert not Place.objects.exists()


# --- recording a visit --------------------------------------------------------------------------


def test_a_visit_is_recorded_with_its_cadres_and_donations(world, places, pinned_today):
    village, _ = places
    bureau = f.MemberFactory(unit=world.unit, name="王局长", rank="bureau")
    outreach = _record(
        world,
        village,
        cadres=[world.member, bureau, world.member],
        discussed=" 村道硬化 ",
        donated_money="1200.50",
        donated_goods=Decimal("300"),
        goods_note="米油",
    )
    outreach.refresh_from_db()
    assert set(outreach.cadres.all()) == {world.member, bureau}
    assert (outreach.discussed, outreach.donated_money, outreach.donated_goods) == (
        "村道硬化",
        Decimal("1200.50"),
        Decimal("300.00"),
    )
    assert outreach.recorded_by == world.users.unit_admin
    event = AuditEvent.objects.get(object_type="frontline.outreach", object_id=str(outreach.pk))
    assert sorted(event.changes["cadres"][1]) == sorted(["张三", "王局长"])


def test_cadres_of_another_unit_are_named(world, places, pinned_today):
    village, _ = places
    with pytest.raises(ValidationError) as exc:
        _record(world, village, cadres=[world.member, world.other_member])
    message = _errors(exc)["cadres"][0]
    assert "李四" in message and "张三" not in message
    assert not Outreach.objects.exists()


def test_at_least_one_cadre(world, places, pinned_today):
    with pytest.raises(ValidationError) as exc:
        _record(world, places[0], cadres=[])
    assert "cadres" in _errors(exc)


def test_a_visit_cannot_be_dated_after_today(world, places, pinned_today):
    with pytest.raises(ValidationError) as exc:
        _record(world, places[0], visited_on=TODAY + datetime.timedelta(days=1))
    assert "visited_on" in _errors(exc)
    assert _record(world, places[0], visited_on=TODAY).visited_on == TODAY


@pytest.mark.parametrize(
    "field, value", [("donated_money", "-1"), ("donated_money", "1.005"), ("donated_goods", "x")]
)
def test_money_is_not_negative_with_at_most_two_decimals(world, places, pinned_today, field, value):
    with pytest.raises(ValidationError) as exc:
        _record(world, places[0], **{field: value, "goods_note": "物资"})
    assert field in _errors(exc)


def test_goods_need_a_note(world, places, pinned_today):
    with pytest.raises(ValidationError) as exc:
        _record(world, places[0], donated_goods="100")
    assert "goods_note" in _errors(exc)


def test_a_unit_administrator_records_only_for_its_own_unit(world, places, pinned_today):
    with pytest.raises(ValidationError) as exc:
        _record(world, places[0], unit=world.other_unit, cadres=[world.other_member])
    assert "unit" in _errors(exc)
    outreach = _record(
        world,
        places[0],
        actor=world.users.committee,
        unit=world.other_unit,
        cadres=[world.other_member],
    )
    assert outreach.unit == world.other_unit


@pytest.mark.parametrize("role", ["member", "window_clerk"])
def test_members_and_clerks_do_not_record_visits(world, places, pinned_today, role):
    with pytest.raises(PermissionDenied):
        _record(world, places[0], actor=getattr(world.users, role))


# --- pages --------------------------------------------------------------------------------------


def _form(world, **extra):
    data = {"visited_on": "2026-05-12", "cadres": [world.member.pk], "discussed": "征求意见"}
    data.update(extra)
    return data


def test_the_entry_form_offers_the_units_members_with_their_rank(world, places, pinned_today):
    f.MemberFactory(unit=world.unit, name="王局长", rank="bureau")
    page = client_for(world.users.unit_admin).get("/frontline/outreach/new/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "王局长" in body and "张三" in body and "李四" not in body
    assert 'data-filter-boxes="id_cadres_grid"' in body


def test_recording_with_an_existing_place(world, places, pinned_today):
    village, _ = places
    client = client_for(world.users.unit_admin)
    response = client.post("/frontline/outreach/new/", _form(world, place=village.pk))
    outreach = Outreach.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/frontline/outreach/{outreach.pk}/"
    assert outreach.place == village and outreach.unit == world.unit


def test_a_place_added_inline_is_registered_with_the_visit(world, pinned_today):
    client = client_for(world.users.unit_admin)
    response = client.post(
        "/frontline/outreach/new/",
        _form(
            world,
            new_kind=PlaceKind.ENTERPRISE,
            new_name="甬江新材料",
            new_division=world.street.pk,
            new_credit_code=CODE,
        ),
    )
    assert response.status_code == 302
    assert Outreach.objects.get().place == Place.objects.get(credit_code=CODE)


def test_a_place_added_inline_that_exists_is_used_and_the_page_says_so(world, places, pinned_today):
    _, enterprise = places
    client = client_for(world.users.unit_admin)
    response = client.post(
        "/frontline/outreach/new/",
        _form(
            world,
            new_kind=PlaceKind.ENTERPRISE,
            new_name="另一个名字",
            new_division=world.community.pk,
            new_credit_code=full_width(CODE),
        ),
        follow=True,
    )
    assert Place.objects.count() == 2
    assert Outreach.objects.get().place == enterprise
    assert "已经登记过" in response.content.decode()


def test_a_refused_visit_shows_the_error_and_keeps_no_new_place(world, pinned_today):
    client = client_for(world.users.unit_admin)
    response = client.post(
        "/frontline/outreach/new/",
        _form(
            world,
            cadres=[world.other_member.pk],
            new_kind=PlaceKind.VILLAGE,
            new_name="新村",
            new_division=world.community.pk,
        ),
    )
    assert response.status_code == 200
    assert 'id="id_cadres_error"' in response.content.decode()
    assert not Place.objects.filter(name="新村").exists()


def test_an_invalid_inline_credit_code_is_shown_next_to_its_field(world, pinned_today):
    response = client_for(world.users.unit_admin).post(
        "/frontline/outreach/new/",
        _form(
            world,
            new_kind=PlaceKind.ENTERPRISE,
            new_name="某公司",
            new_division=world.street.pk,
            new_credit_code="123",
        ),
    )
    assert 'id="id_new_credit_code_error"' in response.content.decode()
    assert not Outreach.objects.exists()


def test_no_place_at_all_is_named(world, pinned_today):
    response = client_for(world.users.unit_admin).post("/frontline/outreach/new/", _form(world))
    assert 'id="id_place_error"' in response.content.decode()


def test_the_committee_picks_the_unit_first(world, places, pinned_today):
    client = client_for(world.users.committee)
    first = client.get("/frontline/outreach/new/").content.decode()
    assert 'name="unit"' in first and "id_cadres_grid" not in first
    page = client.get(f"/frontline/outreach/new/?unit={world.other_unit.pk}").content.decode()
    assert "李四" in page and "张三" not in page
    client.post(
        "/frontline/outreach/new/",
        _form(world, unit=world.other_unit.pk, cadres=[world.other_member.pk], place=places[0].pk),
    )
    assert Outreach.objects.get().unit == world.other_unit


def test_the_committee_may_type_the_units_full_name_and_is_told_when_none_matches(
    world, places, pinned_today
):
    client = client_for(world.users.committee)
    typed = client.get(
        "/frontline/outreach/new/", {"unit": "", "unit_q": world.other_unit.name}
    ).content.decode()
    assert "李四" in typed and f'name="unit" value="{world.other_unit.pk}"' in typed
    for sent, error in (
        ({"unit": "", "unit_q": "没有这个单位"}, "没有与“没有这个单位”完全相符的记录"),
        ({"unit": "", "unit_q": ""}, "该字段是必填项"),
    ):
        page = client.get("/frontline/outreach/new/", sent).content.decode()
        assert error in page, sent
        assert "id_cadres" not in page  # still at the unit step
    assert not Outreach.objects.exists()


def test_the_unit_step_lists_few_units_and_searches_many(world, pinned_today):
    """A province has thousands of units: past thirty, the step is a search, not a list of all."""
    client = client_for(world.users.committee)
    few = client.get("/frontline/outreach/new/").content.decode()
    assert f'<option value="{world.other_unit.pk}"' in few
    Unit.objects.bulk_create(Unit(name=f"测试单位{n:02d}", sort_order=100 + n) for n in range(40))
    many = client.get("/frontline/outreach/new/").content.decode()
    assert 'name="unit_q"' in many and "测试单位07" not in many


def test_place_search_finds_by_name_and_by_code(world, places, pinned_today):
    client = client_for(world.users.unit_admin)
    by_name = client.get("/frontline/places/search/", {"place_q": "徐家漕"}).content.decode()
    by_code = client.get("/frontline/places/search/", {"place_q": CODE}).content.decode()
    assert "徐家漕村" in by_name and "甬江机械" not in by_name
    assert "甬江机械" in by_code


def test_lists_and_details_keep_to_the_scope(world, places, pinned_today):
    own = _record(world, places[0])
    other = _record(
        world,
        places[1],
        actor=world.users.committee,
        unit=world.other_unit,
        cadres=[world.other_member],
    )
    admin = client_for(world.users.unit_admin)
    listing = admin.get("/frontline/outreach/").content.decode()
    assert f"/frontline/outreach/{own.pk}/" in listing
    assert f"/frontline/outreach/{other.pk}/" not in listing
    assert admin.get(f"/frontline/outreach/{own.pk}/").status_code == 200
    assert admin.get(f"/frontline/outreach/{other.pk}/").status_code == 404
    member = client_for(world.users.member)
    assert member.get(f"/frontline/outreach/{own.pk}/").status_code == 200
    assert member.get(f"/frontline/outreach/{other.pk}/").status_code == 404


def test_the_places_page_registers_and_says_when_it_was_there(world, places, pinned_today):
    client = client_for(world.users.unit_admin)
    data = {"kind": PlaceKind.VILLAGE, "name": "徐家漕村", "division": world.community.pk}
    response = client.post("/frontline/places/", data, follow=True)
    assert "已经登记过" in response.content.decode()
    assert Place.objects.count() == 2
    assert client_for(world.users.member).post("/frontline/places/", data).status_code == 403


def test_the_pages_answer_in_english(world, places, pinned_today):
    outreach = _record(world, places[0])
    client = client_for(world.users.unit_admin)
    client.cookies["django_language"] = "en"
    for url in (
        "/frontline/outreach/",
        "/frontline/outreach/new/",
        f"/frontline/outreach/{outreach.pk}/",
        "/frontline/places/",
        "/frontline/figures/",
    ):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "走访" not in body and "捐赠" not in body, url


# --- API ----------------------------------------------------------------------------------------


def test_api_records_a_visit_for_the_administrators_own_unit(world, places, pinned_today):
    response = api_as(world.users.unit_admin).post(
        "/api/v1/frontline/outreach/",
        {
            "visited_on": "2026-05-12",
            "place": places[0].pk,
            "cadres": [world.member.pk],
            "donated_money": "10.00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["unit"], body["person_times"], body["cadre_names"]) == (world.unit.pk, 1, ["张三"])


def test_api_names_the_wrong_cadres_and_future_dates(world, places, pinned_today):
    response = api_as(world.users.committee).post(
        "/api/v1/frontline/outreach/",
        {
            "unit": world.unit.pk,
            "visited_on": "2026-05-14",
            "place": places[0].pk,
            "cadres": [world.other_member.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"cadres", "visited_on"} <= set(response.json())
    assert not Outreach.objects.exists()


def test_api_places_201_when_new_and_200_with_the_registered_one(world, pinned_today):
    client = api_as(world.users.unit_admin)
    data = {
        "kind": "enterprise",
        "name": "甬江机械",
        "division": world.street.pk,
        "credit_code": CODE,
    }
    first = client.post("/api/v1/frontline/places/", data, format="json")
    again = client.post(
        "/api/v1/frontline/places/",
        {**data, "name": "别名", "credit_code": full_width(CODE)},
        format="json",
    )
    assert (first.status_code, first.json()["created"]) == (201, True)
    assert (again.status_code, again.json()["created"], again.json()["id"]) == (
        200,
        False,
        first.json()["id"],
    )
    bad = client.post("/api/v1/frontline/places/", {**data, "credit_code": "1"}, format="json")
    assert bad.status_code == 400 and "credit_code" in bad.json()


def test_api_list_filters_and_scope(world, places, pinned_today):
    _record(world, places[0])
    _record(world, places[1], visited_on=D(2026, 4, 1))
    _record(
        world,
        places[1],
        actor=world.users.committee,
        unit=world.other_unit,
        cadres=[world.other_member],
    )
    admin = api_as(world.users.unit_admin)
    assert admin.get("/api/v1/frontline/outreach/").json()["count"] == 2
    assert admin.get("/api/v1/frontline/outreach/", {"kind": "enterprise"}).json()["count"] == 1
    committee = api_as(world.users.committee)
    assert committee.get("/api/v1/frontline/outreach/").json()["count"] == 3
    dated = committee.get("/api/v1/frontline/outreach/", {"date_from": "2026-05-01"})
    assert dated.json()["count"] == 2
    by_member = committee.get("/api/v1/frontline/outreach/", {"member": world.other_member.pk})
    assert by_member.json()["count"] == 1
    assert api_as(world.users.member).get("/api/v1/frontline/outreach/").json()["count"] == 2
    assert api_as(world.users.window_clerk).get("/api/v1/frontline/outreach/").status_code == 403


def _visits(world, place, n):
    for i in range(n):
        member = f.MemberFactory(unit=world.unit, rank="bureau" if i % 2 else "section")
        _record(world, place, cadres=[member, world.member])


def test_list_query_counts_do_not_grow_with_rows(world, places, pinned_today):
    _visits(world, places[0], 5)
    few, few_rows = api_list_queries(world.users.committee, "/api/v1/frontline/outreach/")
    _visits(world, places[1], 20)
    many, many_rows = api_list_queries(world.users.committee, "/api/v1/frontline/outreach/")
    assert (few_rows, many_rows) == (5, 25)
    assert few == many <= 6
    client = client_for(world.users.unit_admin)
    client.get("/frontline/outreach/")  # the session and the caches warmed
    with CaptureQueriesContext(connection) as small:
        client.get("/frontline/outreach/")
    _visits(world, places[0], 10)
    with CaptureQueriesContext(connection) as large:
        client.get("/frontline/outreach/")
    assert len(small) == len(large)


def test_the_place_list_query_count_does_not_grow_with_rows(world, places):
    def add(n):
        for i in range(n):
            place_register(
                actor=world.users.committee,
                kind=PlaceKind.GRASSROOTS,
                name=f"基层单位{Place.objects.count()}-{i}",
                division=world.community,
            )

    add(3)
    few, few_rows = api_list_queries(world.users.unit_admin, "/api/v1/frontline/places/")
    add(20)
    many, many_rows = api_list_queries(world.users.unit_admin, "/api/v1/frontline/places/")
    assert (few_rows, many_rows) == (5, 25)
    assert few == many <= 6


# endpoint -> statuses for committee, unit_admin, member, community_worker, window_clerk,
# fund_officer, system_admin, security_admin, audit_admin (written out, not read from the table)
API_READS = {
    "/api/v1/frontline/outreach/": [200, 200, 200, 403, 403, 403, 403, 403, 403],
    "/api/v1/frontline/places/": [200, 200, 200, 403, 403, 403, 403, 403, 403],
    "/api/v1/frontline/figures/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
}
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


@pytest.mark.parametrize("url", list(API_READS))
def test_api_reads_by_role(world, pinned_today, url):
    got = [api_as(getattr(world.users, role)).get(url).status_code for role in ROLES]
    assert got == API_READS[url]


@pytest.mark.parametrize("role", ["member", "community_worker", "window_clerk", "system_admin"])
def test_api_writes_are_refused_to_other_roles(world, places, pinned_today, role):
    client = api_as(getattr(world.users, role))
    visit = client.post(
        "/api/v1/frontline/outreach/",
        {"visited_on": "2026-05-12", "place": places[0].pk, "cadres": [world.member.pk]},
        format="json",
    )
    place = client.post(
        "/api/v1/frontline/places/",
        {"kind": "village", "name": "新村", "division": world.community.pk},
        format="json",
    )
    assert (visit.status_code, place.status_code) == (403, 403)
    assert not Outreach.objects.exists() and not Place.objects.filter(name="新村").exists()


def test_api_detail_outside_the_scope_is_404(world, places, pinned_today):
    other = _record(
        world,
        places[0],
        actor=world.users.committee,
        unit=world.other_unit,
        cadres=[world.other_member],
    )
    url = f"/api/v1/frontline/outreach/{other.pk}/"
    assert api_as(world.users.committee).get(url).status_code == 200
    assert api_as(world.users.unit_admin).get(url).status_code == 404
    assert api_as(world.users.member).get(url).status_code == 404


# --- the day counts behind the list's totals -------------------------------------------------------


def _live_totals(visits) -> dict:
    money = sum((v.donated_money for v in visits), Decimal(0))
    goods = sum((v.donated_goods for v in visits), Decimal(0))
    return {
        "visits": visits.count(),
        "person_times": sum(v.cadres.count() for v in visits),
        "money_yuan": f"{money:.2f}",
        "goods_yuan": f"{goods:.2f}",
    }


@pytest.mark.parametrize("dates", [{}, {"date_from": "2026-05-02"}, {"date_to": "2026-05-08"}])
def test_the_committee_s_totals_by_dates_come_from_the_day_counts(
    world, places, pinned_today, dates
):
    from django.core.management import call_command

    bureau = f.MemberFactory(unit=world.unit, name="王局长", rank="bureau")
    for day in range(1, 11):
        _record(
            world,
            places[day % 2],
            visited_on=D(2026, 5, day),
            cadres=[world.member, bureau][: 1 + day % 2],
            donated_money=f"{day * 100}.25",
            donated_goods=Decimal(day),
            goods_note="米油",
        )
    moved = Outreach.objects.order_by("visited_on").first()
    Outreach.objects.filter(pk=moved.pk).update(visited_on=D(2026, 5, 11), donated_money=7)
    Outreach.objects.order_by("visited_on").last().cadres.clear()
    call_command("counters")  # the counts equal the visits, however they were written
    visits = Outreach.objects.all()
    if "date_from" in dates:
        visits = visits.filter(visited_on__gte=dates["date_from"])
    if "date_to" in dates:
        visits = visits.filter(visited_on__lte=dates["date_to"])
    client = client_for(world.users.committee)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/frontline/outreach/", {**dates, "per_page": 5})
    totals = response.context["totals"]
    assert {key: totals[key] for key in _live_totals(visits)} == _live_totals(visits)
    assert response.context["page_obj"].paginator.count == visits.count()
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "core_daycount" in sql and 'COUNT(*) AS "__count" FROM "frontline_outreach"' not in sql
    # another filter, or a narrower reader, counts the visits themselves
    response = client.get("/frontline/outreach/", {**dates, "kind": PlaceKind.VILLAGE})
    village = visits.filter(place__kind=PlaceKind.VILLAGE)
    totals = response.context["totals"]
    assert {key: totals[key] for key in _live_totals(village)} == _live_totals(village)
    with CaptureQueriesContext(connection) as ctx:
        response = client_for(world.users.unit_admin).get("/frontline/outreach/", dates)
    totals = response.context["totals"]
    assert {key: totals[key] for key in _live_totals(visits)} == _live_totals(visits)
    assert "core_daycount" not in " ".join(q["sql"] for q in ctx.captured_queries)
