"""The report API's permission matrix, every endpoint and role written out by hand: the
committee reads any area and publishes; a unit's administrators read their own unit's live report
and versions; every other role is turned away at the door (403)."""

from __future__ import annotations

import pytest

from guanqing.conftest import api_as
from guanqing.core.roles import Role

pytestmark = pytest.mark.django_db

# role -> status of: the live report (its default area), the list of versions, publishing the
# city's 2026-Q3, publishing the role's own unit's 2026-Q3
MATRIX = {
    "committee": {"live": 200, "list": 200, "publish_city": 201, "publish_unit": 201},
    "unit_admin": {"live": 200, "list": 200, "publish_city": 403, "publish_unit": 403},
    "member": {"live": 403, "list": 403, "publish_city": 403, "publish_unit": 403},
    "community_worker": {"live": 403, "list": 403, "publish_city": 403, "publish_unit": 403},
    "window_clerk": {"live": 403, "list": 403, "publish_city": 403, "publish_unit": 403},
    "fund_officer": {"live": 403, "list": 403, "publish_city": 403, "publish_unit": 403},
    "system_admin": {"live": 403, "list": 403, "publish_city": 403, "publish_unit": 403},
    "security_admin": {"live": 403, "list": 403, "publish_city": 403, "publish_unit": 403},
    "audit_admin": {"live": 403, "list": 403, "publish_city": 403, "publish_unit": 403},
}


def test_every_role_is_in_the_matrix():
    assert set(MATRIX) == {r.value for r in Role}


@pytest.mark.parametrize("role", list(MATRIX))
def test_report_api_by_role(world, today, role):
    client = api_as(getattr(world.users, role))
    got = {
        "live": client.get("/api/v1/reports/live/?period=2026-Q3").status_code,
        "list": client.get("/api/v1/reports/publications/").status_code,
        "publish_city": client.post(
            "/api/v1/reports/publications/", {"period": "2026-Q3", "where": "city"}, format="json"
        ).status_code,
        "publish_unit": client.post(
            "/api/v1/reports/publications/",
            {"period": "2026-Q3", "where": f"unit:{world.unit.pk}"},
            format="json",
        ).status_code,
    }
    assert got == MATRIX[role]


def test_anonymous_callers_must_sign_in(client, world):
    assert client.get("/api/v1/reports/live/").status_code in (401, 403)
    assert client.get("/api/v1/reports/publications/").status_code in (401, 403)
