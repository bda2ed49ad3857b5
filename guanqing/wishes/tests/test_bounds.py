"""A wish's deadline and free text are bounded: a clear 400 naming the field, nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from guanqing.conftest import api_as
from guanqing.core.calendar.workdays import business_date
from guanqing.core.models import AuditEvent
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.wishes import services
from guanqing.wishes.models import Wish, WishFulfilment
from guanqing.wishes.tests.factories import make_wish

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def _counts():
    return Wish.objects.count(), WishFulfilment.objects.count(), AuditEvent.objects.count()


def _post(ww, **extra):
    body = {
        "title": "一台助听器",
        "category": "goods",
        "deadline": str(business_date() + 30 * DAY),
        "community": ww.community.code,
        **extra,
    }
    return api_as(ww.users.community_worker).post("/api/v1/wishes/", body, format="json")


@pytest.mark.parametrize("deadline", ["9999-12-31", "far"])
def test_a_deadline_more_than_a_year_ahead_is_refused(ww, deadline):
    today = business_date()
    value = "9999-12-31" if deadline == "9999-12-31" else str(today + 367 * DAY)
    before = _counts()
    response = _post(ww, deadline=value)
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["deadline"]
    assert str(today + services.DEADLINE_HORIZON) in response.json()["deadline"][0]
    assert _counts() == before
    assert _post(ww, deadline=str(today + services.DEADLINE_HORIZON)).status_code == 201


def test_a_wish_story_is_bounded(ww):
    before = _counts()
    response = _post(ww, description="长" * (LONG_TEXT_MAX + 1))
    assert response.status_code == 400 and list(response.json()) == ["description"]
    assert _counts() == before


def test_a_fulfilment_note_is_bounded_and_nothing_is_written(ww):
    wish = make_wish(ww, "full", claimants=[ww.member])
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        services.wish_fulfil(actor=ww.users.member, wish=wish, note="长" * (LONG_TEXT_MAX + 1))
    assert list(excinfo.value.message_dict) == ["note"]
    assert _counts() == before


def test_a_fulfilment_note_keeps_its_line_breaks_and_the_event_reads_as_one_line(ww):
    wish = make_wish(ww, "full", claimants=[ww.member])
    fulfilment = services.wish_fulfil(actor=ww.users.member, wish=wish, note="买好\n送到")
    assert fulfilment.note == "买好\n送到"
    assert wish.events.last().note.endswith("买好 送到")
