"""Inputs that broke earlier apps, sent to 走亲连心's API, its pages, the resident's pages and
Open311: each is a 400 naming the field (a re-rendered form with the error beside the field, or
the GeoReport error list with the specification's HTTP code), never a 500, and nothing is written
(no row, no audit record, no problem's state changed), so the lists read what they read before.
Unusual but valid values are kept, and every list page and API list still opens with them."""

from __future__ import annotations

import datetime
import json
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from guanqing.conftest import BUSINESS_TZ, api_as, client_for
from guanqing.core.models import AuditEvent
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.frontline import book_services as bs
from guanqing.frontline import services
from guanqing.frontline.choices import PlaceKind, ProblemSource, ProblemState
from guanqing.frontline.models import (
    Extension,
    GoodPractice,
    Outreach,
    Place,
    PocketBook,
    Problem,
    ProblemCategory,
    ProblemEvent,
    ServiceBrand,
)
from guanqing.frontline.open311.keys import open311_key_issue
from guanqing.frontline.outreach_services import outreach_record, place_register
from guanqing.frontline.tests import factories as ff
from guanqing.frontline.tests.test_books import PNG
from guanqing.frontline.tests.test_outreach import CODE, full_width
from guanqing.testing.module_rows import module_rows, module_world

D = datetime.date
TODAY = D(2026, 5, 13)  # PINNED_TODAY
API = "/api/v1/frontline/"
HUGE = "长" * 100_000
LONG = "长" * (LONG_TEXT_MAX + 1)
BIG_ID = 2**63


def _rows(world):
    world.committee = world.users.committee
    world.admin = world.users.unit_admin
    world.cat = ff.category(unit=world.unit)
    world.village = place_register(
        actor=world.committee, kind=PlaceKind.VILLAGE, name="徐家漕村", division=world.community
    )[0]
    world.visit = outreach_record(
        actor=world.admin,
        unit=world.unit,
        visited_on=D(2026, 5, 12),
        place=world.village,
        cadres=[world.member],
        discussed="座谈",
    )
    world.brand = bs.brand_save(actor=world.admin, unit=world.unit, name="千方百计")
    return world


# written once for the module: every test meets them as written (testing/module_rows)
_module_rows, h = module_rows("h", _rows)
world = module_world("h", lambda rows: rows)


def _counts():
    return (
        Place.objects.count(),
        Outreach.objects.count(),
        Problem.objects.count(),
        ProblemEvent.objects.count(),
        Extension.objects.count(),
        ProblemCategory.objects.count(),
        ServiceBrand.objects.count(),
        GoodPractice.objects.count(),
        PocketBook.objects.count(),
        AuditEvent.objects.count(),
    )


def _states():
    return sorted(Problem.objects.values_list("pk", "state", "deadline", "answer"))


def _lists_open(user):
    client = client_for(user)
    for path in (
        "/frontline/outreach/",
        "/frontline/places/",
        "/frontline/problems/",
        "/frontline/practices/",
        "/frontline/brands/",
        "/frontline/figures/",
        f"{API}outreach/",
        f"{API}places/",
        f"{API}problems/",
    ):
        response = client.get(path)
        assert response.status_code in (200, 403), (path, response.status_code)


def _post(api, url, body):
    """JSON as a client sends it: every character outside ASCII escaped, so a lone surrogate
    travels as the six characters \\ud800 (the test client could not encode it otherwise)."""
    return api.post(url, json.dumps(body), content_type="application/json")


def _form_errors(response, name="form") -> dict:
    assert response.status_code in (200, 400), response.status_code
    form = response.context[name]
    assert form.errors, "the form was accepted"
    return form.errors


# --- the API: places and visits -----------------------------------------------------------------


@pytest.mark.parametrize(
    "field,value",
    [
        ("name", "徐家\x00漕"),
        ("name", "徐家\x07漕"),
        ("name", "长" * 5000),
        ("name", "\ud800村"),
        ("address", "中山路\x1b1 号"),
        ("address", HUGE),
        ("credit_code", "91330203144213450"),
        ("credit_code", CODE[:-1] + "X"),
        ("credit_code", full_width(CODE[:-1]) + "\uff38"),
        ("credit_code", "９１３３０２０３１４４２１３４５６²"),
        ("credit_code", CODE + "\x00"),
        ("division", BIG_ID),
        ("division", -1),
    ],
)
def test_a_hostile_place_is_a_400_naming_its_field(h, field, value):
    body = {"kind": PlaceKind.ENTERPRISE, "name": "甬江机械", "division": h.street.pk}
    body["credit_code"] = CODE
    body[field] = value
    before = _counts()
    response = _post(api_as(h.admin), f"{API}places/", body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert _counts() == before


def test_a_credit_code_typed_in_full_width_is_the_same_code(h):
    body = {"kind": PlaceKind.ENTERPRISE, "name": "甬江机械", "division": h.street.pk}
    response = api_as(h.admin).post(
        f"{API}places/", {**body, "credit_code": full_width(CODE)}, format="json"
    )
    assert response.status_code == 201, response.content
    assert Place.objects.get(pk=response.json()["id"]).credit_code == CODE


def _visit(h, **overrides):
    body = {
        "visited_on": str(TODAY - datetime.timedelta(days=1)),
        "place": h.village.pk,
        "cadres": [h.member.pk],
        "discussed": "座谈",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    "field,value",
    [
        ("visited_on", "9999-12-31"),
        ("visited_on", "0001-01-01"),
        ("visited_on", str(TODAY + datetime.timedelta(days=1))),
        ("visited_on", "2026-02-30"),
        ("place", BIG_ID),
        ("place", -1),
        ("cadres", [BIG_ID]),
        ("cadres", [-1]),
        ("unit", BIG_ID),
        ("discussed", "座谈\x00"),
        ("discussed", "座谈\x07"),
        ("discussed", "座\ud800谈"),
        ("discussed", HUGE),
        ("goods_note", "大米\x1b"),
        ("goods_note", "米" * 5000),
        ("donated_money", "1e400"),
        ("donated_money", "NaN"),
        ("donated_money", "Infinity"),
        ("donated_money", "-0.01"),
        ("donated_money", "0.001"),
        ("donated_money", 99999999999999),
        ("donated_money", "99999999999999"),
        ("donated_goods", "-1"),
        ("donated_goods", "1e400"),
    ],
)
def test_a_hostile_visit_is_a_400_naming_its_field(h, field, value):
    before = _counts()
    response = _post(api_as(h.admin), f"{API}outreach/", _visit(h, **{field: value}))
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert _counts() == before


def test_ids_past_2_63_in_a_path_or_a_filter(h):
    api = api_as(h.committee)
    for path in ("outreach", "places", "problems"):
        assert api.get(f"{API}{path}/{BIG_ID}/").status_code == 404
        assert api.get(f"{API}{path}/-1/").status_code == 404
    for path, name in (("outreach", "place"), ("outreach", "unit"), ("places", "division")):
        response = api.get(f"{API}{path}/", {name: BIG_ID})
        assert response.status_code in (200, 400), (path, name)
        if response.status_code == 400:
            assert name in response.json()
    response = api.get(f"{API}outreach/", {"date_from": "9999-99-99"})
    assert response.status_code == 400 and "date_from" in response.json()
    assert api.get(f"{API}figures/", {"from": "0001-01-01", "to": "9999-12-31"}).status_code == 400


# --- the API: problems and their loop ---------------------------------------------------------


def _report(h, **overrides):
    body = {
        "category": h.cat.pk,
        "title": "路灯不亮",
        "description": "小区门口的路灯坏了",
        "address": "中山路 1 号",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    "field,value",
    [
        ("title", "路灯\x00不亮"),
        ("title", "路灯\x07不亮"),
        ("title", "路灯\ud800"),
        ("title", "长" * 5000),
        ("description", HUGE),
        ("description", "坏了\x00"),
        ("description", "坏了\x1b[31m"),
        ("address", "中山路\x00"),
        ("address", "长" * 5000),
        ("reporter_name", "王\x00"),
        ("reporter_name", "王" * 5000),
        ("reporter_phone", "１３８０５７４１２３²"),
        ("reporter_phone", "1380574123\u0661"),
        ("reporter_email", "a\x00@example.com"),
        ("received_on", "9999-12-31"),
        ("received_on", "0001-01-01"),
        ("received_on", str(TODAY + datetime.timedelta(days=1))),
        ("category", BIG_ID),
        ("category", -1),
        ("division", BIG_ID),
        ("outreach", BIG_ID),
        ("lat", "NaN"),
        ("lat", "1e400"),
        ("lat", 999),
        ("long", "text"),
        ("media_url", "http://x/\x00"),
        ("attributes", {"k": "v\x00"}),
        ("attributes", {"k": HUGE}),
    ],
)
def test_a_hostile_report_is_a_400_naming_its_field(h, field, value):
    body = _report(h, **{field: value})
    if field in ("lat", "long"):
        body.setdefault("lat", "29.86")
        body.setdefault("long", "121.55")
    before = _counts()
    response = _post(api_as(h.committee), f"{API}problems/", body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert _counts() == before


@pytest.mark.parametrize(
    "step,body,field,who",
    [
        ("return", {"reason": "不归我\x00"}, "reason", "admin"),
        ("return", {"reason": HUGE}, "reason", "admin"),
        ("return", {"reason": "\ud800"}, "reason", "admin"),
        ("dispatch", {"unit": BIG_ID}, "unit", "committee"),
        ("dispatch", {"unit": -1}, "unit", "committee"),
        ("dispatch", {"note": "派\x07"}, "note", "committee"),
    ],
)
def test_a_hostile_step_on_an_assigned_problem_changes_nothing(h, step, body, field, who):
    problem = ff.assigned(category=h.cat, unit=h.unit)
    if step == "dispatch":
        problem = ff.reported(category=h.cat, actor=h.committee)
    actor = h.committee if who == "committee" else h.admin
    before, states = _counts(), _states()
    response = _post(api_as(actor), f"{API}problems/{problem.pk}/{step}/", body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert (_counts(), _states()) == (before, states)


@pytest.mark.parametrize(
    "step,body,field",
    [
        ("answer", {"answer": "修好了\x00"}, "answer"),
        ("answer", {"answer": HUGE}, "answer"),
        ("answer", {"answer": "修好了", "date": "9999-12-31"}, "date"),
        ("answer", {"answer": "修好了", "date": "0001-01-01"}, "date"),
        ("answer", {"answer": "修好了", "date": "2026-05-14"}, "date"),
        ("progress", {"note": "进展\x1b"}, "note"),
        ("progress", {"note": HUGE}, "note"),
        ("extension", {"workdays": BIG_ID, "reason": "材料多"}, "workdays"),
        ("extension", {"workdays": -1, "reason": "材料多"}, "workdays"),
        ("extension", {"workdays": 0, "reason": "材料多"}, "workdays"),
        ("extension", {"workdays": "1e400", "reason": "材料多"}, "workdays"),
        ("extension", {"workdays": 3, "reason": "材料\x00多"}, "reason"),
        ("extension", {"workdays": 3, "reason": HUGE}, "reason"),
    ],
)
def test_a_hostile_step_on_a_handled_problem_changes_nothing(h, step, body, field):
    problem = ff.handling(category=h.cat, unit_admin=h.admin)
    before, states = _counts(), _states()
    response = _post(api_as(h.admin), f"{API}problems/{problem.pk}/{step}/", body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert (_counts(), _states()) == (before, states)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"note": "回访\x00"}, "note"),
        ({"note": HUGE}, "note"),
        ({"note": "回访", "date": "9999-12-31"}, "date"),
        ({"note": "回访", "date": "0001-01-01"}, "date"),
    ],
)
def test_a_hostile_callback_changes_nothing(h, body, field):
    with time_machine.travel(datetime.datetime(2026, 5, 8, 10, tzinfo=BUSINESS_TZ)):
        problem = ff.closed(category=h.cat, unit_admin=h.admin)
    before, states = _counts(), _states()
    response = _post(api_as(h.committee), f"{API}problems/{problem.pk}/callback/", body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert (_counts(), _states()) == (before, states)


def test_a_hostile_merge_target_or_problem_filter(h):
    problem = ff.reported(category=h.cat, actor=h.committee)
    api = api_as(h.committee)
    before = _counts()
    for into in (BIG_ID, -1, "x\x00"):
        response = _post(api, f"{API}problems/{problem.pk}/merge/", {"into": into})
        assert response.status_code == 400 and "into" in response.json(), response.content
    assert _counts() == before
    for name, value in (("category", BIG_ID), ("unit", BIG_ID), ("q", "灯\x00")):
        assert api.get(f"{API}problems/", {name: value}).status_code in (200, 400), name


# --- the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field,value",
    [
        ("visited_on", "9999-12-31"),
        ("visited_on", "0001-01-01"),
        ("visited_on", str(TODAY + datetime.timedelta(days=1))),
        ("discussed", "座谈\x00"),
        ("discussed", "座谈\x07"),
        ("discussed", HUGE),
        ("donated_money", "1e400"),
        ("donated_money", "NaN"),
        ("donated_money", "-0.01"),
        ("donated_money", "99999999999999"),
        ("goods_note", "大米\x1b"),
        ("place", str(BIG_ID)),
        ("cadres", str(BIG_ID)),
        ("new_name", "新村\x00"),
        ("new_credit_code", "９１３３０２０３１４４２１３４５６²"),
    ],
)
def test_the_visit_form_shows_a_hostile_value_beside_its_field(h, field, value):
    data = {
        "visited_on": "2026-05-12",
        "place": h.village.pk,
        "cadres": [h.member.pk],
        "discussed": "座谈",
    }
    data[field] = value
    if field.startswith("new_"):
        data.pop("place")
        data.update({"new_kind": PlaceKind.ENTERPRISE, "new_division": h.street.pk})
        data.setdefault("new_name", "甬江机械")
        data.setdefault("new_credit_code", CODE)
    client = client_for(h.admin)
    before = _counts()
    response = client.post("/frontline/outreach/new/", data)
    assert field in _form_errors(response), _form_errors(response)
    assert _counts() == before


@pytest.mark.parametrize(
    "field,value",
    [
        ("name", "徐家\x00漕"),
        ("name", "长" * 5000),
        ("address", "中山路\x07"),
        ("credit_code", "９１３３０２０３１４４２１３４５６²"),
        ("credit_code", "91330203144213450"),
    ],
)
def test_the_place_form_shows_a_hostile_value_beside_its_field(h, field, value):
    data = {
        "kind": PlaceKind.ENTERPRISE,
        "name": "甬江机械",
        "division": h.street.pk,
        "credit_code": CODE,
    }
    data[field] = value
    client = client_for(h.admin)
    before = _counts()
    response = client.post("/frontline/places/", data)
    assert field in _form_errors(response, "add_form")
    assert _counts() == before


@pytest.mark.parametrize(
    "field,value",
    [
        ("title", "路灯\x00"),
        ("title", "长" * 5000),
        ("description", HUGE),
        ("description", "坏了\x07"),
        ("address", "中山路\x1b"),
        ("reporter_name", "王\x00"),
        ("reporter_phone", "１３８０５７４１２３²"),
        ("received_on", "9999-12-31"),
        ("received_on", "0001-01-01"),
        ("received_on", str(TODAY + datetime.timedelta(days=1))),
        ("lat", "NaN"),
        ("lat", "1e400"),
        ("lat", "999"),
        ("category", str(BIG_ID)),
    ],
)
def test_the_report_form_shows_a_hostile_value_beside_its_field(h, field, value):
    data = {
        "source": ProblemSource.HOTLINE,
        "category": h.cat.pk,
        "title": "路灯不亮",
        "description": "坏了",
        "address": "中山路 1 号",
        "long": "121.55",
        "lat": "29.86",
    }
    data[field] = value
    client = client_for(h.committee)
    before = _counts()
    response = client.post("/frontline/problems/new/", data)
    assert field in _form_errors(response)
    assert _counts() == before


@pytest.mark.parametrize(
    "field,value",
    [
        ("title", "井盖\x00"),
        ("title", "长" * 5000),
        ("description", HUGE),
        ("description", "坏了\x07"),
        ("address", "中山路\x1b"),
        ("reporter_name", "王\x00"),
        ("reporter_phone", "１３９０５７４１１１²"),
        ("category", str(BIG_ID)),
    ],
)
def test_the_public_report_page_shows_a_hostile_value_beside_its_field(h, field, value):
    data = {
        "category": h.cat.pk,
        "title": "井盖缺失",
        "description": "人行道井盖丢了",
        "address": "中山路 1 号",
    }
    data[field] = value
    before = _counts()
    response = Client().post("/frontline/report/", data)
    assert field in _form_errors(response)
    assert _counts() == before


def _step(client, problem, action, **data):
    return client.post(
        f"/frontline/problems/{problem.pk}/steps/{action}/",
        {f"{action}-{k}": v for k, v in data.items()},
    )


@pytest.mark.parametrize(
    "action,data,field",
    [
        ("answer", {"answer": "修好了\x00"}, "answer"),
        ("answer", {"answer": HUGE}, "answer"),
        ("answer", {"answer": "修好了", "on": "9999-12-31"}, "on"),
        ("answer", {"answer": "修好了", "on": "0001-01-01"}, "on"),
        ("progress", {"note": "进展\x07"}, "note"),
        ("request_extension", {"workdays": str(BIG_ID), "reason": "材料多"}, "workdays"),
        ("request_extension", {"workdays": "-1", "reason": "材料多"}, "workdays"),
        ("request_extension", {"workdays": "3", "reason": "材料\x00多"}, "reason"),
        ("request_extension", {"workdays": "3", "reason": HUGE}, "reason"),
        ("return", {"reason": "不归我\x00"}, "reason"),
    ],
)
def test_a_step_form_shows_a_hostile_value_beside_its_field(h, action, data, field):
    problem = ff.handling(category=h.cat, unit_admin=h.admin)
    if action == "return":
        problem = ff.assigned(category=h.cat, unit=h.unit)
    client = client_for(h.admin)
    before, states = _counts(), _states()
    response = _step(client, problem, action, **data)
    assert response.status_code in (200, 400), response.status_code
    (form,) = [form for form in _context_forms(response) if form.prefix == action]
    assert field in form.errors, form.errors
    assert (_counts(), _states()) == (before, states)
    assert client_for(h.admin).get(f"/frontline/problems/{problem.pk}/").status_code == 200


@pytest.mark.parametrize(
    "field,value",
    [
        ("code", "ROAD\x00"),
        ("name", "道路\x07"),
        ("name", "长" * 5000),
        ("description", "说明\x1b"),
        ("keywords", "长" * 5000),
        ("sort_order", str(BIG_ID)),
        ("sort_order", "-1"),
        ("attributes", '[{"code": "k\\u0000", "datatype": "string", "description": "x"}]'),
        (
            "attributes",
            '[{"code": "k", "datatype": "string", "description": "' + "长" * 50_000 + '"}]',
        ),
    ],
)
def test_the_category_editor_shows_a_hostile_value_beside_its_field(h, field, value):
    data = {"form": "category", "code": "ROAD", "name": "道路破损", "urgency": "complaint"}
    data[field] = value
    client = client_for(h.committee)
    before = _counts()
    response = client.post("/frontline/categories/", data)
    assert response.status_code in (200, 400), response.status_code
    errors = {k: v for form in _context_forms(response) for k, v in form.errors.items()}
    assert field in errors, errors
    assert _counts() == before
    assert client_for(h.committee).get("/frontline/categories/").status_code == 200


def _context_forms(response):
    from django import forms

    seen = []
    for context in response.context:
        for value in context.flatten().values():
            if isinstance(value, forms.BaseForm) and value.is_bound and value not in seen:
                seen.append(value)
    return seen


SETTINGS = {
    "emergency_workdays": 0,
    "enquiry_workdays": 4,
    "complaint_workdays": 13,
    "problem_workdays": 13,
    "notice_after_workdays": 5,
    "max_extension_workdays": 10,
    "instructor_days_per_month": 10,
}


@pytest.mark.parametrize("field", sorted(SETTINGS))
@pytest.mark.parametrize("value", [str(BIG_ID), "-1", "1e400", "NaN"])
def test_the_settings_refuse_days_past_sense(h, field, value):
    client = client_for(h.committee)
    before = _counts()
    response = client.post("/frontline/settings/", {**SETTINGS, field: value})
    assert field in _form_errors(response)
    assert _counts() == before


@pytest.mark.parametrize(
    "data,field",
    [
        ({"satisfaction": "satisfied", "note": "满意\x00"}, "note"),
        ({"satisfaction": "satisfied", "note": HUGE}, "note"),
        ({"satisfaction": "satisfied\x00"}, "satisfaction"),
    ],
)
def test_the_rating_page_refuses_hostile_text_and_keeps_the_code(h, data, field):
    problem = ff.reported(category=h.cat)
    code = ff.closed(problem=problem, unit_admin=h.admin).rating_codes[problem.public_id]
    before, states = _counts(), _states()
    response = Client().post(f"/frontline/rate/{code}/", data)
    assert field in _form_errors(response)
    assert (_counts(), _states()) == (before, states)
    problem.refresh_from_db()
    assert problem.satisfaction == ""
    ok = Client().post(f"/frontline/rate/{code}/", {"satisfaction": "satisfied"})
    assert 'data-key="thanks"' in ok.content.decode()


@pytest.mark.parametrize("code", ["\x00" * 16, "A" * 5000, "ABCDEFGH\x07JKMNPQR"])
def test_a_hostile_rating_code_or_public_id_is_the_one_answer(h, code):
    client = Client()
    for path in (f"/frontline/rate/{code}/", f"/frontline/report/{code}/"):
        assert client.get(path).status_code in (200, 404), path
    response = client.post(f"/frontline/rate/{code}/", {"satisfaction": "satisfied"})
    assert response.status_code in (200, 404)
    assert client.post("/frontline/rate/", {"code": code}).status_code in (200, 302, 400)
    assert client.post("/frontline/report/status/", {"public_id": code}).status_code in (
        200,
        302,
        400,
    )


# --- 金点子, brands, books ------------------------------------------------------------------------


def _brand_data(h, **overrides):
    data = {"unit": h.unit.pk, "name": "服务先锋", "slogan": "服务", "is_active": "on"}
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "field,value",
    [
        ("name", "服务\x00"),
        ("name", "长" * 5000),
        ("slogan", "口号\x07"),
        ("aims", HUGE),
        ("measures", "举措\x1b"),
        ("unit", str(BIG_ID)),
        ("logo", SimpleUploadedFile("logo.png", b"GIF89a not a png", content_type="image/png")),
        ("logo", SimpleUploadedFile("logo.png", b"", content_type="image/png")),
        (
            "logo",
            SimpleUploadedFile(
                "logo.png", PNG + b"\x00" * (bs.LOGO_MAX_BYTES + 1), content_type="image/png"
            ),
        ),
    ],
)
def test_the_brand_form_shows_a_hostile_value_beside_its_field(h, field, value):
    client = client_for(h.admin)
    before = _counts()
    response = client.post("/frontline/brands/new/", _brand_data(h, **{field: value}))
    assert field in _form_errors(response)
    assert _counts() == before
    assert not ServiceBrand.objects.exclude(pk=h.brand.pk).exists()


def test_a_logo_refused_on_edit_keeps_the_brand_as_it_was(h):
    bad = SimpleUploadedFile("logo.png", b"\x00" * 64, content_type="image/png")
    client = client_for(h.admin)
    before = _counts()
    response = client.post(
        f"/frontline/brands/{h.brand.pk}/edit/", _brand_data(h, name="改名", logo=bad)
    )
    assert "logo" in _form_errors(response)
    h.brand.refresh_from_db()
    assert (h.brand.name, bool(h.brand.logo)) == ("千方百计", False)
    assert _counts() == before


@pytest.mark.parametrize(
    "field,value",
    [
        ("title", "出口\x00"),
        ("title", "长" * 5000),
        ("problem", HUGE),
        ("action", "做法\x07"),
        ("result", "成效\x1b"),
        ("category_label", "分类\x00"),
        ("tags", "标签\x00"),
        ("tags", "长" * 5000),
        ("brand", str(BIG_ID)),
        ("source_problem", str(BIG_ID)),
    ],
)
def test_the_practice_form_shows_a_hostile_value_beside_its_field(h, field, value):
    data = {
        "unit": h.unit.pk,
        "brand": h.brand.pk,
        "title": "境外参展补助一次办",
        "problem": "展会补助材料多",
        "action": "材料清单化",
        "category_label": "境外参展",
        "tags": "参展",
    }
    data[field] = value
    client = client_for(h.admin)
    before = _counts()
    response = client.post("/frontline/practices/new/", data)
    assert field in _form_errors(response)
    assert _counts() == before


@pytest.mark.parametrize(
    "field,value",
    [
        ("title", "口袋书\x00"),
        ("title", "长" * 5000),
        ("subtitle", "副\x07"),
        ("filter_tags", "标签\x00"),
        ("practices", str(BIG_ID)),
        ("brand", str(BIG_ID)),
    ],
)
def test_the_book_form_shows_a_hostile_value_beside_its_field(h, field, value):
    data = {"title": "开拓国际市场", "brand": h.brand.pk, field: value}
    client = client_for(h.committee)
    before = _counts()
    response = client.post("/frontline/books/new/", data)
    assert field in _form_errors(response)
    assert _counts() == before
    assert client_for(h.committee).get("/frontline/books/").status_code == 200


# --- Open311 ---------------------------------------------------------------------------------


@pytest.fixture
def o311(h):
    h.key = open311_key_issue(actor=h.users.system_admin, application="宁波通")[1]
    ProblemCategory.objects.filter(pk=h.cat.pk).update(
        attributes=[{"code": "NOTE", "datatype": "string", "description": "说明"}]
    )
    return h


def _o311_errors(response, fmt) -> list[tuple[int, str]]:
    from xml.etree import ElementTree as ET

    body = response.content.decode()
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
        return [(item["code"], item["description"]) for item in json.loads(body)]
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    root = ET.fromstring(body)
    assert root.tag == "errors"
    return [(int(e.find("code").text), e.find("description").text) for e in root.iter("error")]


def _o311_post(fmt, data):
    return Client().post(
        f"/open311/v2/requests.{fmt}",
        urlencode(data, doseq=True),
        content_type="application/x-www-form-urlencoded",
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "fields,named",
    [
        ({"lat": "north", "long": "121.5"}, "lat"),
        ({"lat": "999", "long": "121.5"}, "lat"),
        ({"lat": "NaN", "long": "121.5"}, "lat"),
        ({"lat": "29.86", "long": "Infinity"}, "long"),
        ({"lat": "29.86", "long": "1e400"}, "long"),
        ({"description": HUGE}, "description"),
        ({"description": "路灯\x00不亮"}, "description"),
        ({"description": "路灯\x07不亮"}, "description"),
        ({"attribute[NOTE]": "说明\x00"}, "attribute"),
        ({"address_string": "中山路\x00"}, "address_string"),
        ({"first_name": "小\x00明"}, "first_name"),
        ({"address_id": str(BIG_ID)}, "address_id"),
        ({"service_code": "NOPE"}, "service_code"),
        ({"service_code": "ROAD\x00"}, "service_code"),
        ({"phone": "１３８１２３４５６７８²"}, "phone"),
    ],
)
def test_a_hostile_open311_post_is_400_in_the_error_format(o311, fmt, fields, named):
    data = {
        "api_key": o311.key,
        "service_code": o311.cat.code,
        "description": "路灯不亮",
        "address_string": "中山路 1 号",
        **fields,
    }
    before = _counts()
    response = _o311_post(fmt, data)
    assert response.status_code == 400, response.content
    found = _o311_errors(response, fmt)
    assert found and all(code == 400 for code, _ in found), found
    assert any(named in description for _, description in found), found
    assert _counts() == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", ["", "x\x00", "k" * 5000])
def test_a_hostile_open311_key_is_403(o311, fmt, key):
    response = _o311_post(
        fmt, {"api_key": key, "service_code": o311.cat.code, "description": "x", "lat": "NaN"}
    )
    assert response.status_code == 403
    assert [code for code, _ in _o311_errors(response, fmt)] == [403]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "params,named",
    [
        ({"start_date": "9999-12-31T23:59:59Z"}, "start_date"),
        ({"start_date": "garbage\x00"}, "start_date"),
        ({"end_date": "0001-01-01T00:00:00Z"}, "end_date"),
        ({"end_date": "99999-01-01"}, "end_date"),
        ({"start_date": "2026-05-01T00:00:00+99:00"}, "start_date"),
        ({"status": "open\x00"}, "status"),
    ],
)
def test_a_hostile_open311_search_is_400_in_the_error_format(o311, fmt, params, named):
    response = Client().get(f"/open311/v2/requests.{fmt}", params)
    assert response.status_code == 400, response.content
    found = _o311_errors(response, fmt)
    assert found and all(code == 400 for code, _ in found)
    assert any(named in description for _, description in found), found


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("value", [str(BIG_ID), "-1", "x\x00", "%00", "A" * 5000])
def test_a_hostile_service_code_or_request_id_is_404_in_the_error_format(o311, fmt, value):
    client = Client()
    for path in (f"services/{value}", f"requests/{value}"):
        response = client.get(f"/open311/v2/{path}.{fmt}")
        assert response.status_code == 404, (path, response.status_code)
        assert [code for code, _ in _o311_errors(response, fmt)] == [404]
    response = client.get(f"/open311/v2/requests.{fmt}", {"service_request_id": value})
    assert response.status_code in (200, 400), response.status_code


def test_the_lists_still_open_after_a_problem_with_unusual_but_valid_text(h):
    problem = ff.reported(
        category=h.cat,
        title="<script>alert(1)</script>路灯",
        description="第一行\n第二行\t缩进",
    )
    assert problem.description == "第一行\n第二行\t缩进"
    services.problem_dispatch(actor=h.committee, problem=problem, unit=h.unit)
    for user in (h.committee, h.admin):
        _lists_open(user)
    for user in (h.committee, h.admin):
        client = client_for(user)
        for path in ("/frontline/problems/", f"/frontline/problems/{problem.pk}/"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert b"<script>alert(1)</script>" not in response.content
    for fmt in ("json", "xml"):
        assert Client().get(f"/open311/v2/requests/{problem.public_id}.{fmt}").status_code == 200
    assert problem.state == ProblemState.ASSIGNED or problem.refresh_from_db() is None


def test_a_visit_entered_late_is_kept_back_to_the_first_of_last_year(h):
    api = api_as(h.admin)
    response = _post(api, f"{API}outreach/", _visit(h, visited_on="2025-01-01"))
    assert response.status_code == 201, response.content
    before = _counts()
    response = _post(api, f"{API}outreach/", _visit(h, visited_on="2024-12-31"))
    assert response.status_code == 400 and "2025-01-01" in response.json()["visited_on"][0]
    assert _counts() == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_open311_error_quoting_a_control_character_is_well_formed(o311, fmt):
    response = Client().get(f"/open311/v2/services/A\x07B.{fmt}")
    assert response.status_code == 404
    assert [code for code, _ in _o311_errors(response, fmt)] == [404]
