"""The pairing part of the demo built afresh in each test: the 91 partnerships with their
projects (scale 0.02) and pairings scaling with the households (scale 0.1); determinism for a
seed is core/tests/test_demo_determinism.py. The shared demos are checked in test_demo.py (scale 0.05) and test_demo_full.py (scale 1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Count

from guanqing.core.demo import load_demo
from guanqing.pairing.choices import ProjectKind, ProjectStatus
from guanqing.pairing.models import Pairing, Partnership, PartnershipProject, Visit
from guanqing.registry.models import Household

# The demo is built around today: its figures are checked on one fixed day (what every account
# needs, on many: registry/tests/test_demo_builds.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]


def test_demo_builds_the_91_partnerships_with_projects_including_the_articles():
    load_demo(scale=0.02)
    assert Partnership.objects.count() == 91
    assert Partnership.objects.values("village_org").distinct().count() == 91
    assert Partnership.objects.values("unit_org__unit").distinct().count() == 91
    assert not Partnership.objects.exclude(unit_org__kind="committee").exists()
    counts = Partnership.objects.annotate(n=Count("projects")).values_list("n", flat=True)
    assert min(counts) >= 1 and max(counts) <= 3
    kinds = set(PartnershipProject.objects.values_list("kind", flat=True))
    assert {
        ProjectKind.INFRASTRUCTURE,
        ProjectKind.MEDICAL,
        ProjectKind.LEGAL,
        ProjectKind.TECHNOLOGY,
        ProjectKind.CULTURE,
        ProjectKind.AGRICULTURE,
    } <= kinds
    assert set(PartnershipProject.objects.values_list("status", flat=True)) == set(
        ProjectStatus.values
    )

    def project(unit, words):
        return PartnershipProject.objects.get(
            partnership__unit_org__unit__short_name=unit, note__contains=words
        )

    water = project("市编委办", "10万元")
    assert water.kind == ProjectKind.INFRASTRUCTURE and "水利" in water.title
    assert water.funds == Decimal("100000")
    assert water.status == ProjectStatus.DONE
    medical = project("市国安局", "送医下乡")
    assert medical.kind == ProjectKind.MEDICAL and "送医下乡" in medical.title
    vegetables = project("市民政局", "有机高山蔬菜")
    assert vegetables.kind == ProjectKind.AGRICULTURE and "有机高山蔬菜品牌" in vegetables.title


def test_demo_pairings_scale_with_households():
    summary = load_demo(scale=0.1)
    pairing = summary.parts["pairing"]
    households = Household.objects.count()
    assert pairing.pairings == Pairing.objects.count() == households
    assert pairing.units == min(92, households)
    assert 6 * households < Visit.objects.count() < 12 * households
