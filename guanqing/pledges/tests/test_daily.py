"""The daily job reminds the lead units' administrators once of a milestone falling due."""

from __future__ import annotations

import pytest

from guanqing.core.models import Notification
from guanqing.pledges import services
from guanqing.pledges.models import Milestone
from guanqing.pledges.tests.helpers import HORIZON, TODAY, D, pledge
from guanqing.testing import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today", "official_calendar")]


def step(world, row, due):
    return services.milestone_add(actor=world.users.committee, pledge=row, title="节点", due_on=due)


def test_a_milestone_due_within_the_horizon_is_reminded_once(world):
    row = pledge(world, units=[world.unit, world.other_unit])
    other_admin = f.UserFactory(username="other_admin", role="unit_admin", unit=world.other_unit)
    due = step(world, row, HORIZON)
    step(world, row, D(2026, 5, 21))  # beyond the horizon
    step(world, row, D(2026, 5, 12))  # past: late, not reminded
    result = services.pledges_daily(TODAY)
    assert result.reminded == 1
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {world.users.unit_admin.pk, other_admin.pk}
    assert Milestone.objects.get(pk=due.pk).reminded_on == TODAY
    assert services.pledges_daily(TODAY).reminded == 0
    assert Notification.objects.count() == 2


def test_done_milestones_and_drafts_are_not_reminded(world):
    row = pledge(world)
    done = step(world, row, TODAY)
    services.milestone_done(actor=world.users.committee, milestone=done, evidence_note="完成")
    draft = pledge(world, number=2, publish=False)
    step(world, draft, TODAY)
    assert services.pledges_daily(TODAY).reminded == 0
    assert not Notification.objects.exists()
