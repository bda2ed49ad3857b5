"""The pairing part of the full demo (scale 1), loaded once and shared (`pytest.mark.shared_demo`):
every household paired, the visits and the article's help figure, and some duties overdue by the
rules. The demos at scale 0.05 and 0.1 are checked in test_demo.py and
test_demo_scaled.py."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Count, F, Sum
from django.utils import timezone

from guanqing.core.models import AuditEvent
from guanqing.pairing import rules
from guanqing.pairing.demo import last_complete_new_year_window
from guanqing.pairing.figures import pairing_figures
from guanqing.pairing.models import Pairing, PairingTerm, Visit
from guanqing.pairing.tests.test_demo import _facts
from guanqing.registry.choices import HouseholdStatus, MemberStatus
from guanqing.registry.models import Household

# The demo is built around today: its figures are checked on one fixed day.
pytestmark = [
    pytest.mark.shared_demo(scale=1),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today"),
]


def _help_in(window: rules.Period) -> Decimal:
    totals = Visit.objects.filter(date__range=(window.start, window.end)).aggregate(
        cash=Sum("cash_amount"), goods=Sum("in_kind_value")
    )
    return (totals["cash"] or 0) + (totals["goods"] or 0)


def test_full_demo_pairs_every_household_and_holds_the_articles_figures(shared_demo):
    today = timezone.localdate()

    # 92 units pair with the 1,594 households; each household in difficulty has an active pairing.
    assert Pairing.objects.values("household").distinct().count() == Household.objects.count()
    assert Pairing.objects.count() == 1594
    assert Pairing.objects.values("unit").distinct().count() >= 92
    in_difficulty = Household.objects.filter(status=HouseholdStatus.ACTIVE)
    assert not in_difficulty.exclude(pairings__ended_on__isnull=True).exists()
    # Every active pairing has one open term held by an active member of its unit.
    open_terms = PairingTerm.objects.filter(ends_on__isnull=True, pairing__ended_on__isnull=True)
    assert open_terms.count() == Pairing.objects.active().count()
    assert not open_terms.exclude(member__unit=F("pairing__unit")).exists()
    assert not open_terms.exclude(member__status=MemberStatus.ACTIVE).exists()
    # Start dates spread over the years, most before 2025.
    years = set(Pairing.objects.values_list("started_on__year", flat=True))
    assert len(years) >= 8
    assert Pairing.objects.filter(started_on__year__lt=2025).count() > 1594 / 2

    # Over 157万元 of help (cash and goods) in the most recent complete New Year window.
    window = last_complete_new_year_window(today)
    assert window.end < today
    total = _help_in(window)
    assert total > Decimal("1570000")
    assert total < Decimal("1700000")
    assert shared_demo.parts["pairing"].new_year_help == total
    # The window's figures, as the figures page and API compute them, are the article's.
    shown = pairing_figures(Pairing.objects.all(), window.start, window.end, today)
    assert shown["units"] == 92
    assert shown["households"] == 1594
    assert Decimal(shown["help"]["total_yuan"]) == total
    festival = Visit.objects.filter(date__range=(window.start, window.end), festival=True)
    assert festival.values("pairing__household").distinct().count() > 1400
    assert festival.exclude(in_kind_items="").count() == festival.count()

    # Visits: from 1 January last year to today, never in the future, within each pairing's life.
    assert Visit.objects.filter(date__gt=today).count() == 0
    first = Visit.objects.order_by("date").first().date
    assert first.year == today.year - 1
    assert not Visit.objects.filter(date__lt=F("pairing__started_on")).exists()
    assert not Visit.objects.filter(date__gt=F("pairing__ended_on")).exists()
    assert Visit.objects.filter(support=True, support_kind="employment").count() >= 10
    # Participants: the holder on the day, sometimes with a colleague of the same unit.
    sizes = Counter(Visit.objects.annotate(n=Count("participants")).values_list("n", flat=True))
    assert sizes[1] > sizes[2] > 0 and not set(sizes) - {1, 2}

    # The load is summarised in the one audit event of the demo.
    event = AuditEvent.objects.get(actor_username="demo", action="import")
    assert event.changes["pairings"] == [None, 1594]
    assert event.changes["visits"] == [None, Visit.objects.count()]


def test_demo_leaves_some_duties_overdue_by_the_rules():
    today = timezone.localdate()
    statuses = []
    for facts in _facts().values():
        for year in (today.year - 1, today.year):
            statuses.extend(rules.year_statuses(facts, year, today).values())
    overdue = statuses.count(rules.Status.OVERDUE)
    done = statuses.count(rules.Status.DONE)
    assert overdue > 0
    rate = rules.compliance_rate(statuses)
    assert 0.8 < rate < 0.98, (done, overdue)
