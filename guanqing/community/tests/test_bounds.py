"""An activity's dates and description are bounded: a clear 400 naming the field, nothing
written."""

from __future__ import annotations

import datetime

import pytest

from guanqing.community import services
from guanqing.community.models import Activity
from guanqing.conftest import api_as
from guanqing.core.calendar.workdays import business_date
from guanqing.core.models import AuditEvent
from guanqing.core.text import LONG_TEXT_MAX

API = "/api/v1/community/activities/"


def _body(day: datetime.date, **extra):
    return {
        "title": "政策宣讲",
        "role": "all",
        "starts_at": f"{day}T09:00:00+08:00",
        "ends_at": f"{day}T11:00:00+08:00",
        "place": "社区会议室",
        "places": 20,
        **extra,
    }


def _counts():
    return Activity.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize("day", ["9999-06-01", "next_year_and_a_day"])
def test_an_activity_more_than_a_year_ahead_is_refused(world, day):
    latest = business_date() + services.ACTIVITY_HORIZON
    value = datetime.date(9999, 6, 1) if day == "9999-06-01" else latest + datetime.timedelta(1)
    client = api_as(world.users.community_worker)
    before = _counts()
    response = client.post(API, _body(value), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["starts_at"]
    assert str(latest) in response.json()["starts_at"][0]
    assert _counts() == before
    assert client.post(API, _body(latest), format="json").status_code == 201


def test_an_activity_description_is_bounded(world):
    before = _counts()
    response = api_as(world.users.community_worker).post(
        API,
        _body(business_date() + datetime.timedelta(7), description="长" * (LONG_TEXT_MAX + 1)),
        format="json",
    )
    assert response.status_code == 400 and list(response.json()) == ["description"]
    assert _counts() == before
