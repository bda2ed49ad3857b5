"""The pairing part of the demo at scale 0.1, loaded once and shared with the wishes' checks at
that scale (`pytest.mark.shared_demo`): pairings scale with the households. The demos at 0.05 and
1 are checked in test_demo.py and test_demo_full.py."""

from __future__ import annotations

import pytest

from guanqing.pairing.models import Pairing, Visit
from guanqing.registry.models import Household

# The demo is built around today: its figures are checked on one fixed day (what every account
# needs, on many: registry/tests/test_demo_builds.py).
pytestmark = [
    pytest.mark.shared_demo(scale=0.1),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today"),
]


def test_demo_pairings_scale_with_households(shared_demo):
    pairing = shared_demo.parts["pairing"]
    households = Household.objects.count()
    assert pairing.pairings == Pairing.objects.count() == households
    assert pairing.units == min(92, households)
    assert 6 * households < Visit.objects.count() < 12 * households
