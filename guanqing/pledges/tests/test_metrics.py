"""The live metrics read the other work methods through their interfaces."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from guanqing.core.calendar.workdays import spring_festival
from guanqing.pledges import metrics, selectors
from guanqing.pledges.choices import Status, TargetKind
from guanqing.pledges.tests.helpers import TODAY, pledge
from guanqing.testing import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today", "official_calendar")]


def test_the_two_metrics_are_registered():
    assert {"wishes_fulfilled", "households_visited_before_spring_festival"} <= set(
        metrics.metrics()
    )
    assert metrics.value("gone", 2026) == 0


def test_wishes_fulfilled_this_year_drive_a_live_pledge(world):
    from guanqing.wishes.tests.factories import make_wish

    row = pledge(world, target_kind=TargetKind.LIVE, metric="wishes_fulfilled", target_value=2)
    make_wish(world, "fulfilled", claimants=[world.member])
    make_wish(world, "published")  # not fulfilled
    last_year = make_wish(world, "confirmed", claimants=[world.member])
    last_year.fulfilled_at = timezone.now() - datetime.timedelta(days=400)
    last_year.save(update_fields=["fulfilled_at"])
    assert metrics.value("wishes_fulfilled", 2026) == 1
    assert selectors.row(row, TODAY).percent == 50
    make_wish(world, "confirmed", claimants=[world.member])
    found = selectors.row(row, TODAY)
    assert (found.progress, found.status) == (2, Status.DONE)


def test_households_visited_before_the_spring_festival(world):
    from guanqing.pairing.tests import pair_world

    paired = pair_world(world)  # two visits, 110 days ago
    festival = spring_festival(2026)  # 2026-02-17
    f.VisitFactory(
        pairing=paired.pairing,
        date=festival - datetime.timedelta(days=1),  # 除夕
        participants=[world.member],
        recorded_by=world.users.member,
    )
    f.VisitFactory(
        pairing=paired.pairing,
        date=festival - datetime.timedelta(days=3),  # the same household again
        participants=[world.member],
        recorded_by=world.users.member,
    )
    f.VisitFactory(
        pairing=paired.other_pairing,
        date=festival,  # 正月初一: after
        participants=[world.other_member],
        recorded_by=world.users.committee,
    )
    expected = {paired.pairing.household_id}
    for visit in (paired.visit, paired.other_visit):
        if datetime.date(2026, 1, 19) <= visit.date < festival:  # 腊月初一 .. 除夕
            expected.add(visit.pairing.household_id)
    assert metrics.value("households_visited_before_spring_festival", 2026) == len(expected)


def test_every_metric_key_fits_the_pledge_and_the_api():
    # SQLite stores a key of any length; PostgreSQL refuses one longer than the column
    from guanqing.pledges.api.serializers import PledgeWriteSerializer
    from guanqing.pledges.models import Pledge

    column = Pledge._meta.get_field("metric").max_length
    accepted = PledgeWriteSerializer().fields["metric"].max_length
    keys = list(metrics.metrics())
    assert "households_visited_before_spring_festival" in keys
    assert all(len(key) <= min(column, accepted) for key in keys)
