"""Inputs that broke earlier apps, sent to the window's API: each is a 400 naming the field (or a 404
for an id in a path), nothing is written, and the pages that show cases still open afterwards."""

from __future__ import annotations

import pytest

from guanqing.conftest import api_as, client_for
from guanqing.window.models import Case, CaseEvent, CasePause
from guanqing.window.tests import factories as wf

CASES = "/api/v1/window/cases/"


@pytest.fixture
def d(world, official_calendar, pinned_today):
    return wf.desk(world)


def _body(d, **overrides):
    body = {
        "matter": d.matter.code,
        "applicant_name": "王小明",
        "applicant_id": wf.id_number(),
        "applicant_phone": wf.PHONE,
        "accepted_on": "2026-05-13",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    "field,value",
    [
        ("applicant_name", "王\x00小明"),
        ("applicant_name", "王\x07小明"),
        ("applicant_name", "王" * 5000),
        ("applicant_phone", "１３８²２３４５６７８"),
        ("applicant_phone", "1381234567\u0661"),
        ("applicant_id", "33020319900101²234"),
        ("accepted_on", "9999-12-31"),
        ("accepted_on", "0001-01-01"),
        ("matter", "SPYP\x00"),
        ("window", 2**63),
        ("deferred_materials", [2**63]),
        ("supply_by", "9999-12-31"),
    ],
)
def test_a_hostile_value_is_a_400_naming_its_field_and_writes_nothing(d, field, value):
    before = (Case.objects.count(), CaseEvent.objects.count())
    body = _body(d, **{field: value})
    if field == "supply_by":
        body["deferred_materials"] = [
            m.pk for m in d.matter.current.materials.all() if m.deferrable
        ][:1]
        body["deferral_promise"] = "按期补齐"
    response = api_as(d.clerk).post(CASES, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert (Case.objects.count(), CaseEvent.objects.count()) == before


def test_ids_past_2_63_in_a_path_or_a_filter(d):
    api = api_as(d.clerk)
    assert api.get(f"{CASES}{2**63}/").status_code == 404
    response = api.get(CASES, {"window": 2**63})
    assert response.status_code == 400 and "window" in response.json()


def test_a_pause_in_year_9999_or_with_control_characters_writes_nothing(d):
    case = wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    api = api_as(d.clerk)
    url = f"{CASES}{case.pk}/pause/"
    far = api.post(url, {"date": "9999-01-04", "kind": "hearing", "reason": "听证"}, format="json")
    assert far.status_code == 400 and "date" in far.json()
    bad = api.post(
        url, {"date": "2026-05-13", "kind": "hearing", "reason": "听\x00证"}, format="json"
    )
    assert bad.status_code == 400 and "reason" in bad.json()
    assert not CasePause.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.state == "accepted"


def test_the_pages_open_after_a_case_with_unusual_but_valid_text(d):
    case = wf.accepted_case(
        actor=d.clerk,
        window=d.window,
        matter=d.matter,
        applicant_name="<script>alert(1)</script>王小明",
    )
    client = client_for(d.clerk)
    for path in (
        "/window/cases/",
        f"/window/cases/{case.pk}/",
        f"/window/cases/{case.pk}/receipt/",
        f"/window/cases/{case.pk}/receipt/pdf/",
        "/window/figures/",
    ):
        response = client.get(path)
        assert response.status_code in (200, 403), path
        assert b"<script>alert(1)</script>" not in response.content, path
