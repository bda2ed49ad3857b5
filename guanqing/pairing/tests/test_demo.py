"""The pairing part of the demo: every household paired, the named pairings, the relay, visits
with duties missed, the article's help figure, the 91 partnerships, and determinism."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from guanqing.accounts.models import User
from guanqing.core.demo import load_demo
from guanqing.core.models import AuditEvent
from guanqing.pairing import rules
from guanqing.pairing.choices import EndReason, ProjectKind, ProjectStatus
from guanqing.pairing.demo import last_complete_new_year_window
from guanqing.pairing.figures import pairing_figures
from guanqing.pairing.models import Pairing, PairingTerm, Partnership, PartnershipProject, Visit
from guanqing.registry.choices import HouseholdStatus, MemberStatus
from guanqing.registry.models import Household, Member

# The demo is built around today: its figures are checked on one fixed day (what every account
# needs, on many: registry/tests/test_demo.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]


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


def _help_in(window: rules.Period) -> Decimal:
    totals = Visit.objects.filter(date__range=(window.start, window.end)).aggregate(
        cash=Sum("cash_amount"), goods=Sum("in_kind_value")
    )
    return (totals["cash"] or 0) + (totals["goods"] or 0)


def _pairing_of(head_name: str) -> Pairing:
    return Pairing.objects.select_related("unit").get(household__head_name=head_name)


def _holder(pairing: Pairing) -> Member:
    return pairing.terms.get(ends_on__isnull=True).member


def test_full_demo_pairs_every_household_and_holds_the_articles_figures():
    summary = load_demo(scale=1)
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
    assert summary.parts["pairing"].new_year_help == total
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


def test_demo_households_no_longer_in_difficulty_have_their_pairing_ended_with_the_reason():
    load_demo(scale=0.2)
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
    load_demo(scale=0.05)
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
    load_demo(scale=0.05)
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


def test_demo_leaves_some_duties_overdue_by_the_rules():
    load_demo(scale=0.2)
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


def test_demo_pairings_are_deterministic_for_a_seed():
    def snapshot():
        with transaction.atomic():
            load_demo(scale=0.05, seed=7)
            pairings = list(
                Pairing.objects.order_by("pk").values_list(
                    "household__head_name", "unit__short_name", "started_on", "ended_on"
                )
            )
            visits = list(
                Visit.objects.order_by("pk").values_list(
                    "pairing__household__head_name", "date", "cash_amount", "in_kind_value"
                )
            )
            projects = list(
                PartnershipProject.objects.order_by("pk").values_list(
                    "partnership__village_org__name", "title", "funds", "status"
                )
            )
            transaction.set_rollback(True)
        return pairings, visits, projects

    first = snapshot()
    assert first[0] and first[1] and first[2]
    assert snapshot() == first
