"""A visit's notes and a project's note are bounded; control characters are refused. A clear
400 naming the field, nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from guanqing.conftest import api_as
from guanqing.core.models import AuditEvent
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.pairing import services
from guanqing.pairing.models import Visit
from guanqing.pairing.tests import pair_world

DAY = datetime.timedelta(days=1)


@pytest.fixture
def paired(world):
    return pair_world(world)


def _counts():
    return Visit.objects.count(), AuditEvent.objects.count()


def _payload(paired, **overrides):
    return {
        "pairing": paired.pairing.pk,
        "date": str(paired.today - DAY),
        "kinds": ["talk"],
        "participants": [paired.member.pk],
        **overrides,
    }


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"notes": "长" * (LONG_TEXT_MAX + 1)}, "notes"),
        ({"notes": "谈心\x01"}, "notes"),
        ({"in_kind_items": "米\n油", "in_kind_value": "10"}, "in_kind_items"),
        ({"profile_updates": {"needs": "长" * (LONG_TEXT_MAX + 1)}}, "profile_updates.needs"),
    ],
)
def test_a_visit_with_unbounded_or_control_text_is_refused(paired, overrides, field):
    before = _counts()
    response = api_as(paired.users.member).post(
        "/api/v1/visits/", _payload(paired, **overrides), format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert _counts() == before


def test_visit_notes_keep_their_line_breaks(paired):
    visit = services.visit_record(
        actor=paired.users.member,
        pairing=paired.pairing,
        date=paired.today - DAY,
        kinds=["talk"],
        participants=[paired.member],
        notes="谈心\n了解就医困难",
    )
    assert visit.notes == "谈心\n了解就医困难"


def test_a_project_note_is_bounded(paired):
    with pytest.raises(ValidationError) as excinfo:
        services.project_update(
            actor=paired.users.committee, project=paired.project, note="长" * (LONG_TEXT_MAX + 1)
        )
    assert list(excinfo.value.message_dict) == ["note"]
