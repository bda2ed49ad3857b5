"""Open311 GeoReport v2 at /open311/v2/, driven with requests built from the specification's
examples, in both formats: discovery, services and their definitions, requests (search and post)
and one request; the specification's error list with its HTTP codes; application keys (a revoked
key is refused; the system administrator's page shows a key once and audits issue and revoke);
nothing about the reporter in any answer.

Today is pinned to Wednesday 2026-05-13, 10:00 in Asia/Shanghai (UTC+8): the default window of
90 days starts 2026-02-12T10:00+08:00.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from guanqing.conftest import client_for
from guanqing.core.models import AuditEvent
from guanqing.frontline import services
from guanqing.frontline.choices import ProblemSource, ProblemState, Urgency
from guanqing.frontline.models import Open311Key, Problem, ProblemCategory
from guanqing.frontline.open311.keys import open311_key_issue, open311_key_revoke

pytestmark = pytest.mark.django_db

D = datetime.date
BASE = "/open311/v2"
FORMATS = ["json", "xml"]
REPORTER = {
    "first_name": "小明",
    "last_name": "王",
    "phone": "13812345678",
    "email": "wxm@example.com",
}
SECRETS = ("13812345678", "王小明", "小明", "wxm@example.com", "device-7f3a", "acct-42")
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
ROAD_ATTRIBUTES = [
    {
        "code": "SIZE",
        "datatype": "singlevaluelist",
        "required": True,
        "description": "破损程度",
        "order": 1,
        "values": [{"key": "small", "name": "小坑"}, {"key": "large", "name": "大坑"}],
    },
    {
        "code": "KINDS",
        "datatype": "multivaluelist",
        "required": False,
        "description": "涉及设施",
        "order": 2,
        "values": [
            {"key": "road", "name": "路面"},
            {"key": "kerb", "name": "路沿"},
            {"key": "drain", "name": "井盖"},
        ],
    },
    {"code": "DEPTH", "datatype": "number", "description": "深度（厘米）", "order": 3},
    {"code": "SEEN", "datatype": "datetime", "description": "发现时间", "order": 4},
    {
        "code": "NOTICE",
        "variable": False,
        "datatype": "text",
        "description": "危及安全请拨打 110",
        "order": 5,
    },
]


# ---------------------------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def env(world, official_calendar, pinned_today):
    road = ProblemCategory.objects.create(
        code="ROAD",
        name="道路破损",
        group="市政设施",
        description="道路、人行道破损",
        keywords="道路, 坑洼",
        urgency=Urgency.PROBLEM,
        attributes=ROAD_ATTRIBUTES,
        sort_order=1,
    )
    light = ProblemCategory.objects.create(
        code="LIGHT", name="路灯不亮", group="市政设施", urgency=Urgency.ENQUIRY, sort_order=2
    )
    ProblemCategory.objects.create(code="OLD", name="停用类别", is_active=False, sort_order=3)
    key_row, key = open311_key_issue(actor=world.users.system_admin, application="宁波通")
    world.road, world.light, world.key, world.key_row = road, light, key, key_row
    return world


def url(path: str, fmt: str) -> str:
    return f"{BASE}/{path}.{fmt}"


def parse(response, fmt):
    """JSON as it comes; XML as nested dicts/lists, read with xml.etree."""
    body = response.content.decode()
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        return json.loads(body)
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(body)


def xml_record(element) -> dict:
    """<request><service_request_id>…</service_request_id>…</request> → {tag: text}."""
    return {child.tag: (child.text or "") for child in element}


def requests_of(response, fmt) -> list[dict]:
    data = parse(response, fmt)
    if fmt == "json":
        return data
    assert data.tag == "service_requests"
    assert all(child.tag == "request" for child in data)
    return [xml_record(child) for child in data]


def errors_of(response, fmt) -> list[tuple[int, str]]:
    data = parse(response, fmt)
    if fmt == "json":
        return [(item["code"], item["description"]) for item in data]
    assert data.tag == "errors"
    return [(int(e.find("code").text), e.find("description").text) for e in data.iter("error")]


def form_post(client, path: str, data: dict, **extra):
    """A POST as the specification sends it: application/x-www-form-urlencoded."""
    body = urlencode(data, doseq=True)
    return client.post(path, body, content_type="application/x-www-form-urlencoded", **extra)


def post(client, fmt, env, **fields):
    return form_post(client, url("requests", fmt), {"api_key": env.key, **fields})


def report(env, *, category=None, received_on=None, description="人行道上有一个大坑", **extra):
    """A problem the public reported on the page without an account (published like those that
    came through Open311)."""
    return services.problem_report(
        actor=None,
        source=ProblemSource.PUBLIC,
        category=category or env.light,
        title=description[:20],
        description=description,
        address="中山西路 1 号",
        received_on=received_on,
        **extra,
    )


def assert_no_reporter(response):
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body


# ---------------------------------------------------------------------------------------------
# discovery, services, service definitions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_specification_and_the_formats(client, env, fmt):
    response = client.get(url("discovery", fmt))
    assert response.status_code == 200
    data = parse(response, fmt)
    if fmt == "json":
        endpoint = data["endpoints"][0]
        formats_ = endpoint["formats"]
        assert data["changeset"]
    else:
        assert data.tag == "discovery"
        endpoint = xml_record(data.find("endpoints/endpoint"))
        formats_ = [f.text for f in data.findall("endpoints/endpoint/formats/format")]
        assert data.findtext("changeset")
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert set(formats_) == {"text/xml", "application/json"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_lists_the_active_categories(client, env, fmt):
    response = client.get(url("services", fmt))
    assert response.status_code == 200
    data = parse(response, fmt)
    if fmt == "xml":
        assert data.tag == "services"
        assert all(child.tag == "service" for child in data)
        data = [xml_record(child) for child in data]
    by_code = {s["service_code"]: s for s in data}
    assert list(by_code) == ["ROAD", "LIGHT"]  # the inactive one is not offered
    road, light = by_code["ROAD"], by_code["LIGHT"]
    assert road["service_name"] == "道路破损"
    assert road["description"] == "道路、人行道破损"
    assert road["keywords"] == "道路, 坑洼"
    assert road["group"] == "市政设施"
    assert road["type"] == light["type"] == "realtime"
    if fmt == "json":
        assert road["metadata"] is True and light["metadata"] is False
    else:
        assert road["metadata"] == "true" and light["metadata"] == "false"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_lists_its_attributes(client, env, fmt):
    response = client.get(url("services/ROAD", fmt))
    assert response.status_code == 200
    data = parse(response, fmt)
    if fmt == "json":
        assert data["service_code"] == "ROAD"
        attributes = data["attributes"]
        values = attributes[0]["values"]
    else:
        assert data.tag == "service_definition"
        assert data.findtext("service_code") == "ROAD"
        elements = data.findall("attributes/attribute")
        attributes = [xml_record(e) for e in elements]
        values = [xml_record(v) for v in elements[0].findall("values/value")]
        for attribute in attributes:
            for flag in ("variable", "required"):
                attribute[flag] = {"true": True, "false": False}[attribute[flag]]
            attribute["order"] = int(attribute["order"])
    assert [a["code"] for a in attributes] == ["SIZE", "KINDS", "DEPTH", "SEEN", "NOTICE"]
    assert [a["datatype"] for a in attributes] == [
        "singlevaluelist",
        "multivaluelist",
        "number",
        "datetime",
        "text",
    ]
    assert [a["order"] for a in attributes] == [1, 2, 3, 4, 5]
    assert [a["required"] for a in attributes] == [True, False, False, False, False]
    assert [a["variable"] for a in attributes] == [True, True, True, True, False]
    assert attributes[0]["description"] == "破损程度"
    assert all("datatype_description" in a for a in attributes)
    assert values == [{"key": "small", "name": "小坑"}, {"key": "large", "name": "大坑"}]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["NOPE", "OLD"])
def test_an_unknown_or_inactive_service_code_is_404_in_the_error_format(client, env, fmt, code):
    response = client.get(url(f"services/{code}", fmt))
    assert response.status_code == 404
    [(status, description)] = errors_of(response, fmt)
    assert status == 404 and code in description


@pytest.mark.parametrize("fmt", FORMATS)
def test_another_method_is_405_in_the_error_format(client, env, fmt):
    response = form_post(client, url("services", fmt), {"api_key": env.key})
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    [(status, description)] = errors_of(response, fmt)
    assert status == 405 and "POST" in description
    assert client.delete(url("requests", fmt)).status_code == 405


def test_an_unknown_format_is_not_found(client, env):
    assert client.get(f"{BASE}/services.csv").status_code == 404
    assert client.get(f"{BASE}/services").status_code == 404


# ---------------------------------------------------------------------------------------------
# POST requests
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_posting_a_request_with_a_point_and_attributes(env, fmt):
    client = Client(enforce_csrf_checks=True)  # an application has no CSRF token: its key counts
    response = post(
        client,
        fmt,
        env,
        jurisdiction_id="ningbo.gov.cn",
        service_code="ROAD",
        lat="29.8683210987",
        long="121.5440",
        description="人行道上有一个大坑\n靠近公交站",
        media_url="https://example.com/hole.jpg",
        device_id="device-7f3a",
        account_id="acct-42",
        **{
            "attribute[SIZE]": "large",
            "attribute[KINDS][]": ["road", "drain"],
            "attribute[DEPTH]": "12.5",
            "attribute[SEEN]": "2026-05-12T21:30:00+08:00",
        },
        **REPORTER,
    )
    assert response.status_code == 200, response.content
    [answer] = requests_of(response, fmt)
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert answer["account_id"] == (None if fmt == "json" else "")
    assert_no_reporter(response)
    problem = Problem.objects.get(public_id=answer["service_request_id"])
    assert problem.source == ProblemSource.OPEN311
    assert problem.open311_key == env.key_row
    assert problem.category == env.road
    assert problem.state == ProblemState.RECEIVED
    assert str(problem.lat) == "29.868321" and str(problem.long) == "121.544000"
    assert problem.title == "人行道上有一个大坑"
    assert problem.description == "人行道上有一个大坑\n靠近公交站"
    assert problem.media_url == "https://example.com/hole.jpg"
    assert problem.attributes == {
        "SIZE": "large",
        "KINDS": ["road", "drain"],
        "DEPTH": "12.5",
        "SEEN": "2026-05-12T21:30:00+08:00",
    }
    # the reporter is kept (encrypted), never echoed
    assert problem.reporter_phone == "13812345678"
    assert problem.reporter_name == "王小明"
    assert str(problem.deadline) in answer["service_notice"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_posting_with_an_address_string_or_an_address_id(client, env, fmt):
    by_address = post(
        client,
        fmt,
        env,
        service_code="LIGHT",
        address_string="海曙区中山西路 1 号",
        description="路灯不亮",
    )
    by_division = post(
        client,
        fmt,
        env,
        service_code="LIGHT",
        address_id=env.community.code,
        description="路灯不亮",
    )
    assert by_address.status_code == by_division.status_code == 200
    first = Problem.objects.get(public_id=requests_of(by_address, fmt)[0]["service_request_id"])
    second = Problem.objects.get(public_id=requests_of(by_division, fmt)[0]["service_request_id"])
    assert first.address == "海曙区中山西路 1 号" and first.lat is None
    assert second.division == env.community
    # and the request reads them back
    [read] = requests_of(client.get(url(f"requests/{second.public_id}", fmt)), fmt)
    assert read["address_id"] == env.community.code


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("api_key", [None, "", "not-a-key", "revoked"])
def test_posting_without_a_valid_key_is_403_in_the_error_format(client, env, fmt, api_key):
    data = {"service_code": "LIGHT", "address_string": "中山西路 1 号", "description": "路灯不亮"}
    if api_key == "revoked":
        open311_key_revoke(actor=env.users.system_admin, key=env.key_row)
        data["api_key"] = env.key
    elif api_key is not None:
        data["api_key"] = api_key
    response = form_post(client, url("requests", fmt), data)
    assert response.status_code == 403
    [(status, description)] = errors_of(response, fmt)
    assert status == 403 and "api_key" in description
    assert not Problem.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"address_string": "中山西路 1 号"}, "service_code"),
        ({"service_code": "NOPE", "address_string": "中山西路 1 号"}, "service_code"),
        ({"service_code": "OLD", "address_string": "中山西路 1 号"}, "service_code"),
        ({"service_code": "LIGHT"}, "address_string"),
        ({"service_code": "LIGHT", "lat": "29.86"}, "long"),
        ({"service_code": "LIGHT", "lat": "north", "long": "121.5"}, "lat"),
        ({"service_code": "LIGHT", "lat": "95", "long": "121.5"}, "lat"),
        ({"service_code": "LIGHT", "address_id": "999999999999"}, "address_id"),
        ({"service_code": "ROAD", "address_string": "中山西路 1 号"}, "attribute[SIZE]"),
        (
            {"service_code": "ROAD", "address_string": "x", "attribute[SIZE]": "huge"},
            "attribute[SIZE]",
        ),
        (
            {
                "service_code": "ROAD",
                "address_string": "x",
                "attribute[SIZE]": "small",
                "attribute[KINDS][]": ["road", "bridge"],
            },
            "attribute[KINDS]",
        ),
        (
            {
                "service_code": "ROAD",
                "address_string": "x",
                "attribute[SIZE]": "small",
                "attribute[DEPTH]": "deep",
            },
            "attribute[DEPTH]",
        ),
        (
            {
                "service_code": "ROAD",
                "address_string": "x",
                "attribute[SIZE]": "small",
                "attribute[SEEN]": "yesterday",
            },
            "attribute[SEEN]",
        ),
        ({"service_code": "LIGHT", "address_string": "x", "phone": "12345"}, "phone"),
        ({"service_code": "LIGHT", "address_string": "x", "email": "not-mail"}, "email"),
        ({"service_code": "LIGHT", "address_string": "x", "media_url": "ftp://x/y"}, "media_url"),
    ],
)
def test_a_wrong_post_is_400_naming_the_parameter(client, env, fmt, fields, named):
    response = post(client, fmt, env, description="路灯不亮", **fields)
    assert response.status_code == 400, response.content
    found = errors_of(response, fmt)
    assert all(status == 400 for status, _ in found)
    assert any(named in description for _, description in found), found
    assert not Problem.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_posting_is_throttled_per_client_address(client, env, fmt, settings):
    rates = {**settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}), "open311_post": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    data = {"service_code": "LIGHT", "address_string": "中山西路 1 号", "description": "路灯不亮"}
    statuses = [post(client, fmt, env, **data).status_code for _ in range(2)]
    throttled = post(client, fmt, env, **data)
    other_address = form_post(
        client, url("requests", fmt), {"api_key": env.key, **data}, REMOTE_ADDR="10.0.0.9"
    )
    assert statuses == [200, 200]
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    [(status, _)] = errors_of(throttled, fmt)
    assert status == 429
    assert other_address.status_code == 200
    assert Problem.objects.count() == 3


def test_posting_is_throttled_per_key(client, env, settings):
    rates = {**settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}), "open311_key": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    data = {"api_key": env.key, "service_code": "LIGHT", "address_string": "x", "description": "y"}
    statuses = [
        form_post(client, url("requests", "json"), data, REMOTE_ADDR=f"10.0.0.{n}").status_code
        for n in range(1, 4)
    ]
    _other_row, other_key = open311_key_issue(
        actor=env.users.system_admin, application="另一个应用"
    )
    other = form_post(
        client, url("requests", "json"), {**data, "api_key": other_key}, REMOTE_ADDR="10.0.0.4"
    )
    assert statuses == [200, 200, 429]
    assert other.status_code == 200


# ---------------------------------------------------------------------------------------------
# GET requests and one request
# ---------------------------------------------------------------------------------------------


def _loop(env, problem, *, note):
    """Dispatch to the unit, accept, and write a public note."""
    services.problem_dispatch(actor=env.users.committee, problem=problem, unit=env.unit)
    services.problem_accept(actor=env.users.unit_admin, problem=problem)
    services.problem_progress(actor=env.users.unit_admin, problem=problem, note=note, public=True)
    services.problem_progress(
        actor=env.users.unit_admin, problem=problem, note="内部：联系了施工方", public=False
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_reads_back_every_field_and_nothing_of_the_reporter(client, env, fmt):
    created = post(
        client,
        fmt,
        env,
        service_code="LIGHT",
        lat="29.868321",
        long="121.544",
        address_string="中山西路 1 号",
        description="路灯不亮",
        device_id="device-7f3a",
        account_id="acct-42",
        **REPORTER,
    )
    public_id = requests_of(created, fmt)[0]["service_request_id"]
    problem = Problem.objects.get(public_id=public_id)
    fresh = requests_of(client.get(url(f"requests/{public_id}", fmt)), fmt)[0]
    assert fresh["status"] == "open"
    assert fresh["status_notes"] == "已受理"  # the public note of 受理
    # what is not known yet is null in JSON and an empty element in XML
    assert fresh["agency_responsible"] == (None if fmt == "json" else "")
    _loop(env, problem, note="已安排维修")
    response = client.get(url(f"requests/{public_id}", fmt))
    assert response.status_code == 200
    [read] = requests_of(response, fmt)
    assert list(read) == REQUEST_FIELDS
    problem.refresh_from_db()
    assert read["service_request_id"] == public_id
    assert read["status"] == "open"
    assert read["status_notes"] == "已安排维修"  # the latest public note, not the internal one
    assert read["service_name"] == "路灯不亮" and read["service_code"] == "LIGHT"
    assert read["description"] == "路灯不亮"
    assert read["agency_responsible"] == "市纪委"
    assert read["address"] == "中山西路 1 号"
    assert float(read["lat"]) == pytest.approx(29.868321)
    assert float(read["long"]) == pytest.approx(121.544)
    requested = datetime.datetime.fromisoformat(read["requested_datetime"])
    assert requested.utcoffset() == datetime.timedelta(hours=8)
    assert requested.date() == D(2026, 5, 13)
    assert read["expected_datetime"] == f"{problem.deadline.isoformat()}T23:59:59+08:00"
    assert datetime.datetime.fromisoformat(read["updated_datetime"]) >= requested
    assert problem.deadline.isoformat() in read["service_notice"]
    for answer in (created, response, client.get(url("requests", fmt))):
        assert_no_reporter(answer)
    # the reporter is kept all the same
    assert problem.reporter_phone == "13812345678"


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_request_is_404_in_the_error_format(client, env, fmt):
    response = client.get(url("requests/NT20260513-9999", fmt))
    assert response.status_code == 404
    [(status, description)] = errors_of(response, fmt)
    assert status == 404 and "NT20260513-9999" in description


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_merged_request_reports_its_masters_status(client, env, fmt):
    master = report(env, description="路灯不亮（主单）")
    duplicate = report(env, description="路灯不亮（重复）")
    services.problem_merge(actor=env.users.committee, problem=duplicate, into=master)
    _loop(env, master, note="已安排维修")

    def status():
        [read] = requests_of(client.get(url(f"requests/{duplicate.public_id}", fmt)), fmt)
        return read["status"]

    assert status() == "open"
    services.problem_answer(actor=env.users.unit_admin, problem=master, answer="已修复")
    assert status() == "closed"
    closed = requests_of(client.get(url("requests", fmt), {"status": "closed"}), fmt)
    assert {r["service_request_id"] for r in closed} == {master.public_id, duplicate.public_id}


@pytest.mark.parametrize("fmt", FORMATS)
def test_searching_by_ids_service_code_and_status(client, env, fmt):
    lights = [report(env, description=f"路灯不亮 {n}") for n in range(3)]
    road = report(env, category=env.road, description="道路破损", attributes={"SIZE": "small"})
    _loop(env, lights[0], note="已安排维修")
    services.problem_answer(actor=env.users.unit_admin, problem=lights[0], answer="已修复")

    def ids(**params):
        response = client.get(url("requests", fmt), params)
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in requests_of(response, fmt)}

    every = {p.public_id for p in [*lights, road]}
    assert ids() == every
    assert ids(service_code="ROAD") == {road.public_id}
    assert ids(service_code="ROAD,LIGHT") == every
    assert ids(status="closed") == {lights[0].public_id}
    assert ids(status="open") == every - {lights[0].public_id}
    assert ids(status="open,closed") == every
    assert ids(service_code="LIGHT", status="open") == {lights[1].public_id, lights[2].public_id}
    # service_request_id overrides every other argument
    wanted = f"{lights[0].public_id},{road.public_id},NT20200101-0001"
    assert ids(service_request_id=wanted, service_code="NOPE", status="open") == {
        lights[0].public_id,
        road.public_id,
    }
    assert ids(jurisdiction_id="ningbo.gov.cn") == every


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_default_window_is_the_last_90_days(client, env, fmt):
    old = report(env, received_on=D(2026, 2, 11), description="九十天以前")
    inside = report(env, received_on=D(2026, 2, 13), description="九十天以内")
    today = report(env, description="今天")
    found = {r["service_request_id"] for r in requests_of(client.get(url("requests", fmt)), fmt)}
    assert found == {inside.public_id, today.public_id}
    assert old.public_id not in found
    # and the old one is still there by its id
    [read] = requests_of(client.get(url(f"requests/{old.public_id}", fmt)), fmt)
    assert read["requested_datetime"] == "2026-02-11T00:00:00+08:00"


@pytest.mark.parametrize("fmt", FORMATS)
def test_date_filters_are_w3c_datetimes_with_their_time_zones(client, env, fmt):
    march = report(env, received_on=D(2026, 3, 31), description="三月三十一日")
    april = report(env, received_on=D(2026, 4, 1), description="四月一日")  # 00:00+08:00
    may = report(env, received_on=D(2026, 5, 6), description="五月六日")

    def ids(**params):
        response = client.get(url("requests", fmt), params)
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in requests_of(response, fmt)}

    # the same instant, written in Beijing time and in UTC
    assert ids(start_date="2026-04-01T00:00:00+08:00") == {april.public_id, may.public_id}
    assert ids(start_date="2026-03-31T16:00:00Z") == {april.public_id, may.public_id}
    assert ids(start_date="2026-03-31T16:00:01Z") == {may.public_id}
    # a "+" left unencoded in the query string arrives as a space, and still counts
    response = client.get(f"{url('requests', fmt)}?start_date=2026-04-01T00:00:00+08:00")
    assert {r["service_request_id"] for r in requests_of(response, fmt)} == {
        april.public_id,
        may.public_id,
    }
    assert ids(end_date="2026-04-01T00:00:00+08:00") == {march.public_id, april.public_id}
    assert ids(end_date="2026-03-31T23:59:59+08:00") == {march.public_id}
    assert ids(start_date="2026-03-01T00:00:00-05:00", end_date="2026-04-30T23:00:00-05:00") == {
        march.public_id,
        april.public_id,
    }
    assert ids(start_date="2026-05-01", end_date="2026-05-13") == {may.public_id}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"start_date": "2026-13-01T00:00:00Z"}, "start_date"),
        ({"end_date": "last week"}, "end_date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"}, "90"),
        ({"start_date": "2026-05-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"}, "end_date"),
        ({"status": "pending"}, "status"),
        ({"start_date": "9999-12-31T23:59:59Z"}, "start_date"),
        ({"end_date": "0001-01-01"}, "end_date"),
    ],
)
def test_a_wrong_search_is_400_in_the_error_format(client, env, fmt, params, named):
    response = client.get(url("requests", fmt), params)
    assert response.status_code == 400
    found = errors_of(response, fmt)
    assert found and all(status == 400 for status, _ in found)
    assert any(named in description for _, description in found), found


def test_a_search_returns_at_most_1000_requests_newest_first(client, env, monkeypatch):
    from guanqing.frontline.open311 import views

    monkeypatch.setattr(views, "MAX_REQUESTS", 3)
    made = [
        report(env, received_on=D(2026, 5, day), description=f"五月{day}日")
        for day in (4, 6, 7, 8, 11)
    ]
    found = [
        r["service_request_id"] for r in requests_of(client.get(url("requests", "json")), "json")
    ]
    assert found == [p.public_id for p in reversed(made)][:3]
    assert views.MAX_REQUESTS == 3 and views.DEFAULT_DAYS == 90


# ---------------------------------------------------------------------------------------------
# Keys: the services and the system administrator's page
# ---------------------------------------------------------------------------------------------


def test_only_the_hash_and_a_prefix_of_a_key_are_kept(env):
    row, key = open311_key_issue(actor=env.users.system_admin, application="甬派", contact="张工")
    row.refresh_from_db()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert row.key_prefix == key[:8] and len(key) > 8
    assert key not in json.dumps(list(Open311Key.objects.values()), default=str)
    event = AuditEvent.objects.filter(object_type__icontains="open311key", object_id=str(row.pk))
    assert event.get().action == "create"
    assert key not in json.dumps(event.get().changes, ensure_ascii=False)


def test_only_the_system_administrator_issues_and_revokes_keys(env):
    from django.core.exceptions import PermissionDenied

    for role in ("committee", "unit_admin", "security_admin", "audit_admin"):
        with pytest.raises(PermissionDenied):
            open311_key_issue(actor=getattr(env.users, role), application="x")
        with pytest.raises(PermissionDenied):
            open311_key_revoke(actor=getattr(env.users, role), key=env.key_row)
    env.key_row.refresh_from_db()
    assert env.key_row.revoked_at is None


def test_the_keys_page_shows_a_new_key_once(env):
    client = client_for(env.users.system_admin)
    page = client.get("/frontline/keys/")
    assert page.status_code == 200
    assert "宁波通" in page.content.decode()
    issued = client.post("/frontline/keys/", {"application": "甬派", "contact": "张工"})
    assert issued.status_code == 200
    assert issued["Cache-Control"].startswith("no-store") or "no-store" in issued["Cache-Control"]
    html = issued.content.decode()
    row = Open311Key.objects.get(application="甬派")
    raw = html.split('data-key="raw-key">', 1)[1].split("<", 1)[0]
    assert hashlib.sha256(raw.encode()).hexdigest() == row.key_hash
    assert row.issued_by == env.users.system_admin
    again = client.get("/frontline/keys/").content.decode()
    assert raw not in again and row.key_prefix in again
    # the key works at once
    answer = form_post(
        Client(),
        url("requests", "json"),
        {"api_key": raw, "service_code": "LIGHT", "address_string": "x", "description": "路灯不亮"},
    )
    assert answer.status_code == 200


def test_a_key_without_an_application_is_refused_on_the_page(env):
    client = client_for(env.users.system_admin)
    response = client.post("/frontline/keys/", {"application": "  ", "contact": "张工"})
    assert response.status_code == 400
    assert 'data-key="raw-key"' not in response.content.decode()
    assert Open311Key.objects.count() == 1


def test_revoking_on_the_page_is_audited_and_the_key_is_refused(env):
    client = client_for(env.users.system_admin)
    response = client.post(f"/frontline/keys/{env.key_row.pk}/revoke/")
    assert response.status_code == 302
    env.key_row.refresh_from_db()
    assert env.key_row.revoked_at is not None and env.key_row.revoked_by == env.users.system_admin
    events = AuditEvent.objects.filter(object_id=str(env.key_row.pk), action="update")
    assert "revoked_at" in events.get().changes
    again = client.post(f"/frontline/keys/{env.key_row.pk}/revoke/", follow=True)
    assert "已经吊销" in again.content.decode()
    refused = form_post(
        Client(),
        url("requests", "xml"),
        {"api_key": env.key, "service_code": "LIGHT", "address_string": "x", "description": "y"},
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "role",
    [
        "committee",
        "unit_admin",
        "member",
        "community_worker",
        "window_clerk",
        "fund_officer",
        "security_admin",
        "audit_admin",
    ],
)
def test_other_roles_may_not_open_the_keys_page(env, role):
    client = client_for(getattr(env.users, role))
    assert client.get("/frontline/keys/").status_code == 403
    assert client.post("/frontline/keys/", {"application": "x"}).status_code == 403
    assert client.post(f"/frontline/keys/{env.key_row.pk}/revoke/").status_code == 403
    assert Open311Key.objects.count() == 1
    env.key_row.refresh_from_db()
    assert env.key_row.revoked_at is None


def test_the_keys_page_answers_in_english(env):
    client = client_for(env.users.system_admin)
    client.cookies["django_language"] = "en"
    html = client.post("/frontline/keys/", {"application": "Ningbo app"}).content.decode()
    assert "Open311" in html
    assert "密钥" not in html and "发放" not in html


# ---------------------------------------------------------------------------------------------
# A stock GeoReport v2 client (georeport, reading only), unchanged
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def georeport_client(client, monkeypatch):
    """georeport's GeoReport as published; its HTTP GETs are answered by the app in process."""
    import requests
    from georeport import georeport as module

    def get(address, params=None, **kwargs):
        answer = client.get(urlsplit(address).path, params or {})
        response = requests.models.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers.update(dict(answer.items()))
        response.url = address
        response.encoding = "utf-8"
        return response

    monkeypatch.setattr(module, "requests", SimpleNamespace(get=get))

    def make(fmt):
        return module.GeoReport(
            "http://testserver/open311/v2/", jurisdiction="ningbo.gov.cn", output_format=fmt
        )

    return make


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_stock_client_reads_services_and_definitions(env, georeport_client, fmt):
    geo = georeport_client(fmt)
    services_ = geo.get_service_list()
    assert [s["service_code"] for s in services_] == ["ROAD", "LIGHT"]
    assert str(services_[0]["metadata"]).lower() == "true"
    definition = geo.get_service_definition("ROAD")
    attributes = definition["attributes"]
    if fmt == "xml":  # xmltodict keeps the element names: attributes/attribute/values/value
        attributes = attributes["attribute"]
        values = attributes[0]["values"]["value"]
    else:
        values = attributes[0]["values"]
    assert definition["service_code"] == "ROAD"
    assert [a["code"] for a in attributes] == ["SIZE", "KINDS", "DEPTH", "SEEN", "NOTICE"]
    assert [v["key"] for v in values] == ["small", "large"]


def as_list(found) -> list:
    """xmltodict reads a single <request> as a dict, several as a list."""
    return [found] if isinstance(found, dict) else list(found)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_stock_client_searches_and_reads_requests(env, georeport_client, fmt):
    import requests

    april = report(env, received_on=D(2026, 4, 1), description="四月一日")
    may = report(env, category=env.road, description="道路破损", attributes={"SIZE": "large"})
    _loop(env, may, note="已安排维修")
    geo = georeport_client(fmt)
    found = as_list(
        geo.get_service_requests(start_date="2026-03-31T16:00:00Z", status="open,closed")
    )
    assert {r["service_request_id"] for r in found} == {april.public_id, may.public_id}
    [road] = as_list(
        geo.get_service_requests(
            service_code="ROAD", status="open", end_date="2026-05-13T12:00:00+08:00"
        )
    )
    assert road["service_request_id"] == may.public_id
    one = geo.get_service_request(may.public_id)
    assert one["status"] == "open"
    assert one["status_notes"] == "已安排维修"
    assert one["agency_responsible"] == "市纪委"
    assert one["requested_datetime"].endswith("+08:00")
    with pytest.raises(requests.HTTPError) as caught:
        geo.get_service_request("NT20260513-9999")
    assert caught.value.response.status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_search_costs_the_same_queries_for_3_or_12_requests(client, env, fmt):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("requests", fmt))
        return len(requests_of(response, fmt)), len(captured)

    for n in range(3):
        _loop(env, report(env, description=f"路灯不亮 {n}"), note="已安排维修")
    few = queries()
    for n in range(9):
        _loop(env, report(env, description=f"路灯又不亮 {n}"), note="已安排维修")
    many = queries()
    assert (few[0], many[0]) == (3, 12)
    assert many[1] == few[1] <= 4


@pytest.mark.parametrize("fmt", FORMATS)
def test_only_what_the_public_reported_is_published(client, env, fmt):
    """Problems collected on outreach or handed over from 12345/81890 are the units' working
    records: GeoReport neither lists them nor answers for their ids."""
    public = report(env, description="公开反映的问题")
    internal = services.problem_report(
        actor=env.users.committee,
        source=ProblemSource.HOTLINE,
        category=env.light,
        title="热线转办",
        description="热线转办的问题",
        address="中山西路 2 号",
    )
    listed = client.get(url("requests", fmt))
    assert listed.status_code == 200
    body = listed.content.decode()
    assert public.public_id in body
    assert internal.public_id not in body
    assert client.get(url(f"requests/{internal.public_id}", fmt)).status_code == 404
