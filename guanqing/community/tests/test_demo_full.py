"""The 党员进社区 part of the full demo (scale 1), loaded once and shared
(`pytest.mark.shared_demo`): the article's 27,820 volunteer person-times, 报到率 around 85% varying
by unit, hours that keep the rules, and ratings of the last completed half-year. The demo at scale
0.05 is checked in test_demo.py."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from guanqing.accounts.models import User
from guanqing.community import selectors
from guanqing.community.choices import (
    ActivityRole,
    ActivityStatus,
    Grade,
    RegistrationStatus,
    ServiceRole,
    SignupStatus,
)
from guanqing.community.demo import demo_period
from guanqing.community.models import (
    Activity,
    ActivitySignup,
    Attendance,
    ManualHours,
    Rating,
    Registration,
)
from guanqing.community.rules import Term
from guanqing.community.tests.test_demo import _check_the_rules
from guanqing.core.models import AuditEvent

# The demo is built around today: its figures are checked on one fixed day.
pytestmark = [
    pytest.mark.shared_demo(scale=1),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today"),
]


def test_full_demo_has_the_articles_person_times_and_keeps_the_rules(shared_demo):
    today = timezone.localdate()
    first, last = demo_period(today)
    committee = User.objects.get(username="committee")
    current = Term.of(today)

    # 27,820 volunteer person-times, as the figures page and API count them
    figures = selectors.community_figures(committee, first, last)
    assert figures["volunteer_person_times"] == 27820
    assert Attendance.objects.count() == 27820
    assert shared_demo.parts["community"].person_times == 27820
    event = AuditEvent.objects.get(actor_username="demo", action="import")
    assert event.changes["volunteer_person_times"] == [None, 27820]
    assert figures["hours"]["checkin"] > 27820  # activities last 1.5 to 3.5 hours
    assert 0 < figures["hours"]["manual"] < figures["hours"]["checkin"] / 20

    # 报到率 about 85% (a little less in the running half-year: some wait for confirmation),
    # lower in a few units
    rates = {r["term"]: r["rate"] for r in figures["report_rate"]}
    assert Decimal(83) < rates[current.previous().label] < Decimal(88), rates
    assert Decimal(80) < rates[current.label] < rates[current.previous().label], rates
    rate = next(r for r in figures["report_rate"] if r["term"] == current.label)
    unit_rates = [row["rate"] for row in rate["by_unit"] if row["members"] >= 20]
    assert max(unit_rates) - min(unit_rates) > 15
    assert sum(1 for r in unit_rates if r < 80) >= 3
    statuses = Counter(Registration.objects.values_list("status", flat=True))
    assert statuses[RegistrationStatus.CONFIRMED] > 0.9 * sum(statuses.values())
    assert statuses[RegistrationStatus.PENDING] > 0 and statuses[RegistrationStatus.REJECTED] > 0
    roles = set(Registration.objects.values_list("role", flat=True))
    assert roles == set(ServiceRole.values)

    # activities of every role, a few cancelled, some ahead with sign-ups
    assert set(Activity.objects.values_list("role", flat=True)) == set(ActivityRole.values)
    cancelled = Activity.objects.filter(status=ActivityStatus.CANCELLED)
    assert 0 < cancelled.count() < 0.1 * Activity.objects.count()
    ahead = Activity.objects.filter(starts_at__gt=timezone.now())
    assert ahead.exists() and ahead.filter(signed_up__gt=0).exists()
    assert ActivitySignup.objects.filter(status=SignupStatus.CANCELLED).exists()
    reasons = set(ManualHours.objects.values_list("reason", flat=True))
    assert len(reasons) == 3

    # the last completed half-year rated, mostly 优秀 and 称职
    grades = Counter(Rating.objects.values_list("grade", flat=True))
    assert set(grades) == set(Grade.values)
    good = grades[Grade.EXCELLENT] + grades[Grade.COMPETENT]
    assert good > 0.8 * sum(grades.values())
    previous = current.previous()
    confirmed_before = Registration.objects.confirmed().for_term(previous).count()
    assert Rating.objects.count() >= 0.6 * confirmed_before

    _check_the_rules()
