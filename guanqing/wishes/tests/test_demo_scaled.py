"""The micro-wish part of the demo at scale 0.1, loaded once and shared with the pairing's checks at
that scale (`pytest.mark.shared_demo`): it scales the article's figure and keeps the claim rules.
The demos at 0.05 and 1 are checked in test_demo.py and test_demo_full.py, the same seed giving
the same demo in core/tests/test_demo_determinism.py."""

from __future__ import annotations

import pytest
from django.utils import timezone

from guanqing.accounts.models import User
from guanqing.wishes.demo import demo_period
from guanqing.wishes.figures import wish_figures
from guanqing.wishes.tests.test_demo_full import _check_every_wish

# The demo is built around today: its figures are checked on one fixed day.
pytestmark = [
    pytest.mark.shared_demo(scale=0.1),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today"),
]


def test_small_demo_scales_the_figure_and_keeps_the_rules(shared_demo):
    today = timezone.localdate()
    first, last = demo_period(today)
    totals = wish_figures(User.objects.get(username="committee"), first, last)["totals"]
    assert totals["claimed"] == round(4819 * 0.1)
    assert totals["members_who_claimed"] == round(6550 * 0.1)
    assert shared_demo.parts["wishes"].claimed == totals["claimed"]
    _check_every_wish()
