"""The pairing part of the demo at scale 0.05, loaded once and shared (`pytest.mark.shared_demo`):
the named pairings, the relay, pairings ended with the reason, and the 91 partnerships with their
projects. The full demo is checked in test_demo_full.py, a demo at scale 0.1 in
test_demo_scaled.py, determinism for a seed in core/tests/test_demo_determinism.py."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import Count
from django.utils import timezone

from guanqing.accounts.models import User
from guanqing.pairing import rules
from guanqing.pairing.choices import EndReason, ProjectKind, ProjectStatus
from guanqing.pairing.demo import last_complete_new_year_window
from guanqing.pairing.models import (
    Pairing,
    PairingTerm,
    Partnership,
    PartnershipProject,
    Visit,
)
from guanqing.registry.choices import HouseholdStatus, MemberStatus
from guanqing.registry.models import Member

# The demo is built around today: its figures are checked on one fixed day.
pytestmark = [
    pytest.mark.shared_demo(scale=0.05),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today"),
]


def _facts() -> dict[int, rules.PairingFacts]:
    """Every pairing's story as the pure rules see it, built from the loaded rows."""
    terms = defaultdict(list)
    for term in PairingTerm.objects.all():
        terms[term.pairing_id].append(rules.Term(term.member_id, term.starts_on, term.ends_on))
    going = defaultdict(set)
    for visit_id, member_id in Visit.participants.through.objects.values_list(
        "visit_id", "member_id"
    ):
        going[visit_id].add(member_id)
    visits = defaultdict(list)
    for visit in Visit.objects.all():
        visits[visit.pairing_id].append(rules.VisitFact(visit.date, visit.kinds, going[visit.pk]))
    return {
        pairing.pk: rules.PairingFacts(
            started_on=pairing.started_on,
            ended_on=pairing.ended_on,
            terms=tuple(terms[pairing.pk]),
            visits=tuple(visits[pairing.pk]),
        )
        for pairing in Pairing.objects.all()
    }


def _pairing_of(head_name: str) -> Pairing:
    return Pairing.objects.select_related("unit").get(household__head_name=head_name)


def _holder(pairing: Pairing) -> Member:
    return pairing.terms.get(ends_on__isnull=True).member


def test_demo_households_no_longer_in_difficulty_have_their_pairing_ended_with_the_reason():
    window = last_complete_new_year_window(timezone.localdate())
    ended = Pairing.objects.filter(ended_on__isnull=False).select_related("household")
    assert ended.exists()
    reasons = {
        HouseholdStatus.LIFTED: EndReason.LIFTED,
        HouseholdStatus.MOVED: EndReason.MOVED,
    }
    for pairing in ended:
        assert pairing.household.status != HouseholdStatus.ACTIVE
        assert pairing.ended_on > window.end
        if pairing.household.status in reasons:
            assert pairing.end_reason == reasons[pairing.household.status]
        assert pairing.terms.get(ends_on=pairing.ended_on)
        assert not pairing.terms.filter(ends_on__isnull=True).exists()


def test_demo_names_the_articles_pairings_and_gives_member_demo_something_to_do():
    zhang = _pairing_of("张国宝")
    demo = User.objects.get(username="member_demo")
    assert zhang.unit.short_name == "市纪委"
    assert _holder(zhang) == demo.member
    shao = _pairing_of("邵国樑")
    assert shao.unit.short_name == "市人民检察院"
    assert _holder(shao).branch.name == "市人民检察院控申处支部"
    yang = _pairing_of("杨周宝")
    assert yang.unit.short_name == "市发改委"
    assert _holder(yang).name == "梁峰"
    assert yang.visits.filter(support=True, support_kind="employment").exists()
    assert shao.visits.filter(brief=True, notes__contains="30页").exists()

    # The member account sees its pairing and has an open duty on its to-do list.
    assert Pairing.objects.visible_to(demo).filter(pk=zhang.pk).exists()
    today = timezone.localdate()
    facts = _facts()
    periods = [p for p in rules.periods_of_year(today.year) if p.start <= today]
    todo = rules.member_todo({zhang.pk: facts[zhang.pk]}, demo.member_id, periods, today)
    assert any(duty.status in (rules.Status.DUE, rules.Status.DUE_SOON) for duty in todo)


def test_demo_relay_keeps_both_terms_and_visits_on_both_sides():
    relayed = Pairing.objects.annotate(n=Count("terms")).filter(n__gt=1).select_related("unit")
    assert relayed.count() == 1
    pairing = relayed.get()
    assert pairing.unit.short_name == "市纪委" and pairing.is_active
    first, second = pairing.terms.order_by("starts_on")
    assert first.starts_on == pairing.started_on
    assert (second.starts_on - first.ends_on).days == 1 and second.ends_on is None
    assert second.reason
    assert first.member.status == MemberStatus.TRANSFERRED
    assert second.member.status == MemberStatus.ACTIVE
    assert first.member.unit_id == second.member.unit_id == pairing.unit_id
    assert first.member.pk != User.objects.get(username="member_demo").member_id

    facts = _facts()[pairing.pk]
    credited = {rules.credited_member(facts, visit) for visit in facts.visits}
    assert credited == {first.member_id, second.member_id}
    before = pairing.visits.filter(date__lt=second.starts_on)
    after = pairing.visits.filter(date__gte=second.starts_on)
    assert before.exists() and after.exists()
    assert not before.exclude(participants=first.member).exists()
    assert not after.exclude(participants=second.member).exists()
    assert not after.filter(participants=first.member).exists()
    # The transferred cadre holds nothing any more.
    assert not PairingTerm.objects.filter(member=first.member, ends_on__isnull=True).exists()


def test_the_91_partnerships_with_projects_including_the_articles():
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
