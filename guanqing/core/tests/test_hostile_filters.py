"""Inputs that broke earlier work, sent to the filters that became pickers or snapshots (the visit
list, the wall, the report's area, the fund lists, the ratings summary, the limited exports):
each page answers, names the field when it refuses, and counts nothing it was not asked for."""

from __future__ import annotations

import pytest

from guanqing.conftest import client_for
from guanqing.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]

HOSTILE_IDS = [
    str(2**63),
    str(2**64),
    "١٢",
    "１２",
    "1\x00",
    "-1",
    "1e3",
    "x" * 10_000,
    "9999-12-31",
]

PAGES = [
    ("committee", "/pairing/visits/", "community"),
    ("committee", "/pairing/visits/", "unit"),
    ("member", "/wishes/", "community"),
    ("committee", "/fund/donations/", "unit"),
    ("committee", "/fund/aid/", "unit"),
    ("committee", "/window/ratings/", "window"),
]


@pytest.mark.parametrize(("role", "url", "name"), PAGES)
@pytest.mark.parametrize("value", HOSTILE_IDS, ids=range(len(HOSTILE_IDS)))
def test_a_hostile_id_in_a_list_filter_is_answered_not_crashed(world, role, url, name, value):
    response = client_for(getattr(world.users, role)).get(url, {name: value})
    assert response.status_code in (200, 400), response.status_code
    # and the picker's typed text is read as text, however long or odd
    typed = client_for(getattr(world.users, role)).get(url, {f"{name}_q": value})
    assert typed.status_code in (200, 400)


@pytest.mark.parametrize("value", HOSTILE_IDS, ids=range(len(HOSTILE_IDS)))
def test_a_hostile_unit_in_the_report_chooser_is_named_beside_the_picker(world, value):
    client = client_for(world.users.committee)
    response = client.get("/reports/", {"period": "2026-Q3", "where": "unit", "unit": value})
    assert response.status_code == 200
    assert response.context["form"].errors.get("unit"), value
    assert "where" not in response.context
    # as a unit's key: a well-formed id of no unit is a 404, like one out of scope; anything
    # else is refused beside the field
    keyed = client.get("/reports/", {"period": "2026-Q3", "where": f"unit:{value}"})
    if keyed.status_code != 404:
        assert keyed.status_code == 200 and keyed.context["form"].errors, value
        assert "where" not in keyed.context


def test_far_dates_count_and_export_nothing_and_write_no_half_record(world, settings):
    client = client_for(world.users.committee)
    far = {"date_from": "9999-12-31", "date_to": "9999-12-31"}
    ratings = client.get("/window/ratings/", far)
    assert ratings.status_code == 200 and ratings.context["summary"]["total"] == 0
    assert client.get("/pairing/visits/", far).status_code == 200
    exported = client.get("/pairing/visits/export/", far)
    assert exported.status_code == 200
    assert AuditEvent.objects.filter(action="export").count() == 1
    settings.EXPORT_MAX_ROWS = 1
    refused = client.get("/registry/excel/export/households/")
    assert refused.status_code == 302
    assert AuditEvent.objects.filter(action="export").count() == 1
