"""The demo at scale 0.05, loaded once and shared (`pytest.mark.shared_demo`): the members and
households scale with it. The full demo is checked in test_demo_full.py; demos built afresh (other
scales and seeds, other dates, `guanqing demo`, refusals) in test_demo_builds.py."""

from __future__ import annotations

import pytest

from guanqing.registry.models import Household, Member

# The demo is built around today: its figures are checked on one fixed day.
pytestmark = [
    pytest.mark.shared_demo(scale=0.05),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today"),
]


def test_scale_multiplies_members_and_households(shared_demo):
    registry = shared_demo.parts["registry"]
    assert registry.members == Member.objects.count() == 750
    assert registry.households == Household.objects.count() == round(1594 * 0.05)
