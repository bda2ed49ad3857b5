"""The 党员进社区 part of the demo built afresh: the same seed gives the same registrations,
activities and ratings. The shared demos are checked in test_demo.py (scale 0.05) and
test_demo_full.py (scale 1)."""

from __future__ import annotations

import pytest
from django.db import transaction

from guanqing.community.models import Activity, Rating, Registration
from guanqing.core.demo import load_demo

# The demo is built around today: its figures are checked on one fixed day (what every account
# needs, on many: registry/tests/test_demo_builds.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]


def test_demo_community_data_is_deterministic_for_a_seed():
    def snapshot():
        with transaction.atomic():
            load_demo(scale=0.02, seed=7)
            registrations = list(
                Registration.objects.order_by("pk").values_list(
                    "member__name", "role", "status", "year", "half"
                )
            )
            activities = list(
                Activity.objects.order_by("pk").values_list(
                    "community__name", "title", "starts_at", "places", "signed_up"
                )
            )
            ratings = list(Rating.objects.order_by("pk").values_list("member__name", "grade"))
            transaction.set_rollback(True)
        return registrations, activities, ratings

    first = snapshot()
    assert all(first)
    assert snapshot() == first
