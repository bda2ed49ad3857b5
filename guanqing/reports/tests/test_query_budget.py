"""What the live report page costs with every work method's section, on the shared small demo
(scale 0.05): each section asks for the numbers it shows in a few aggregate queries (its by-month
chart among them), so the page's queries are a fixed number for the committee's city report, a
district's and a unit administrator's own unit, whatever the volume."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guanqing.accounts.models import User
from guanqing.registry.models import Division

pytestmark = [
    pytest.mark.shared_demo(scale=0.05),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar", "real_sections"),
]


def _queries(username: str, query: str) -> tuple[int, str]:
    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get(f"/reports/{query}")  # the session, the calendar and the settings warmed up
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/reports/{query}")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_committees_city_report_has_a_query_budget():
    n, page = _queries("committee", "?period=2026-Q1&where=city")
    assert 'data-key="pairing.visits"' in page and 'data-key="frontline.visits"' in page
    assert n <= BUDGET["city"], n


def test_a_districts_report_has_a_query_budget():
    district = Division.objects.districts().current().order_by("code").first()
    n, page = _queries("committee", f"?period=2026-Q1&where=district:{district.pk}")
    assert 'data-key="community.registered"' in page
    assert n <= BUDGET["district"], n


def test_a_unit_admins_own_report_has_a_query_budget():
    n, page = _queries("unit_jiwei", "?period=2026-Q1")
    assert 'data-key="pairing.visits"' in page and 'data-key="window.accepted"' in page
    assert n <= BUDGET["unit"], n


# Each section's own figures, tables and by-month chart, and the page around them (78, 55 and 61
# queries): before the sections asked only for what they show, the same pages took 90, 73 and 82.
BUDGET = {"city": 80, "district": 58, "unit": 64}
