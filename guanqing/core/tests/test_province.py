"""The demo grown to a province's scale (`core/demo/province.py`), on the shared small demo: each
root multiplied to its number, what belongs to a record copied with it and pointing at its copy,
what is shared left alone, unique values kept unique, the counters recounted, the committee's
pages answering on the grown data, and a second run adding nothing."""

from __future__ import annotations

import math

import pytest
from django.db.models import Count

from guanqing.core import counters
from guanqing.core.demo import province
from guanqing.fund.models import Donation
from guanqing.pairing.models import Pairing, Visit
from guanqing.registry.models import Division, Household, Member, Person, Unit
from guanqing.window.models import Case, Matter, Window
from guanqing.wishes.models import Wish, WishClaim

pytestmark = [
    pytest.mark.shared_demo(scale=0.05),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar"),
]


@pytest.fixture
def before(shared_demo):
    models = (Household, Person, Member, Pairing, Visit, Wish, WishClaim, Case, Division, Unit)
    counts = {m: m._base_manager.count() for m in models}
    counts.update(
        {
            Window: Window.objects.count(),
            Matter: Matter.objects.count(),
            Donation: Donation.objects.count(),
        }
    )
    return counts


def targets(before) -> dict[str, int]:
    return {
        "registry.Household": 3 * before[Household],
        "registry.Member": 2 * before[Member],
        "wishes.Wish": 2 * before[Wish] - 1,  # rounds up to two copies
        "window.Case": 4 * before[Case],
    }


def test_the_roots_grow_to_their_numbers_and_the_rest_follows(before):
    written = province.grow(targets=targets(before), progress=lambda line: None)
    assert Household.objects.count() == 3 * before[Household]
    assert Member.objects.count() == 2 * before[Member]
    assert Wish.objects.count() == 2 * before[Wish]
    assert Case.objects.count() == 4 * before[Case]
    # what belongs to a household, a pairing, a wish: as many copies as what it belongs to
    assert Person.objects.count() == 3 * before[Person]
    assert Pairing.objects.count() == 3 * before[Pairing]
    assert Visit.objects.count() == 3 * before[Visit]
    assert WishClaim.objects.count() == 2 * before[WishClaim]
    assert written["pairing.Visit"] == 3 * before[Visit]
    # shared: the divisions, units, windows, matters; kept: the fund's ledger-linked donations
    for model in (Division, Unit, Window, Matter):
        assert model._base_manager.count() == before[model], model
    assert Donation.objects.count() == before[Donation]


def test_a_copy_points_at_the_copies_of_what_it_belongs_to(before):
    offset = Household.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1
    pairings = Pairing.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1
    province.grow(targets=targets(before), progress=lambda line: None)
    original = Pairing.objects.filter(pk__lt=pairings, visits__isnull=False).first()
    copy = Pairing.objects.get(pk=original.pk + 2 * pairings)
    assert copy.household_id == original.household_id + 2 * offset
    assert copy.unit_id == original.unit_id  # a shared unit
    assert copy.household.community_id == original.household.community_id
    assert list(copy.visits.values_list("date", flat=True).order_by("date")) == list(
        original.visits.values_list("date", flat=True).order_by("date")
    )
    assert Person.objects.filter(household=copy.household).count() == (
        Person.objects.filter(household=original.household).count()
    )


def test_communities_are_copied_with_their_households_and_streets_are_shared(before):
    from guanqing.registry.choices import DivisionLevel
    from guanqing.registry.models import PartyOrg

    communities = Division.objects.filter(level=DivisionLevel.COMMUNITY)
    others = Division.objects.exclude(level=DivisionLevel.COMMUNITY).count()
    first = list(communities.order_by("pk").values_list("pk", "parent_id", "code"))
    households = {c: Household.objects.filter(community_id=c).count() for c, _p, _c in first}
    offset = Division.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1
    homes = Household.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1
    orgs = PartyOrg.objects.count()
    village_orgs = PartyOrg.objects.filter(division__isnull=False).count()
    found = targets(before) | {"registry.Division": 3 * len(first)}
    written = province.grow(targets=found, progress=lambda line: None)

    assert communities.count() == 3 * len(first)
    assert written["registry.Division"] == 3 * len(first) + others
    assert Division.objects.exclude(level=DivisionLevel.COMMUNITY).count() == others
    community, street, code = first[0]
    copy = Division.objects.get(pk=community + 2 * offset)
    assert copy.parent_id == street  # the street is shared
    assert copy.code == f"9{community + 2 * offset:011d}" and copy.code != code
    assert len(set(Division.objects.values_list("code", flat=True))) == Division.objects.count()
    copy.full_clean()  # the code passes the model's own rules
    # each community keeps its own households; copy k of a household lives in copy k of its
    # community, so a community's worker sees about as many as before
    for pk, _parent, _code in first:
        assert Household.objects.filter(community_id=pk).count() == households[pk]
    original = Household.objects.filter(pk__lt=homes).first()
    assert Household.objects.get(pk=original.pk + 2 * homes).community_id == (
        original.community_id + 2 * offset
    )
    # a village's party organisation is copied with the village, a unit's is not (units shared)
    assert PartyOrg.objects.count() == orgs + 2 * village_orgs
    for counter in counters.counters():
        assert counters.differences(counter) == [], counter.key


def test_unique_values_stay_unique(before):
    province.grow(targets=targets(before), progress=lambda line: None)
    for model in (Household, Person, Member):
        hashes = model._base_manager.exclude(id_number_hash=None)
        assert hashes.values("id_number_hash").annotate(n=Count("id")).filter(n__gt=1).count() == 0
        assert hashes.count() > 0
    receipts = set(Case.objects.values_list("receipt_no", flat=True))
    assert len(receipts) == Case.objects.count()
    copied = Case.objects.filter(receipt_no__contains="~").count()
    assert copied == 3 * before[Case]


def test_the_counters_are_recounted(before):
    province.grow(targets=targets(before), progress=lambda line: None)
    for counter in counters.counters():
        assert counters.differences(counter) == [], counter.key


def test_the_committee_s_pages_answer_on_the_grown_data(before, client):
    from guanqing.accounts.models import User

    province.grow(targets=targets(before), progress=lambda line: None)
    client.force_login(User.objects.get(username="committee"))
    for url in ("/", "/pairing/", "/wishes/figures/", "/window/figures/", "/api/v1/households/"):
        assert client.get(url).status_code == 200, url
    page = client.get("/api/v1/households/").json()
    assert page["count"] == 3 * before[Household]


def test_a_second_run_adds_nothing(before):
    province.grow(targets=targets(before), progress=lambda line: None)
    assert province.plan(targets=targets(before)) == []
    assert province.grow(targets=targets(before), progress=lambda line: None) == {}
    assert Household.objects.count() == 3 * before[Household]


def test_a_copy_follows_its_unique_group_not_the_most_copied_model_it_names(before):
    """A member holds one instructor term: the terms are copied as often as the members, not as
    often as the units (copied more); a raised problem names one problem and is not copied."""
    from guanqing.instructors.models import InstructorTerm, RaisedProblem

    found = targets(before) | {"registry.Unit": 5 * before[Unit]}
    copies = {item.model: item.copies for item in province.plan(targets=found)}
    assert copies[Unit] == 5 and copies[Member] == 2
    assert copies.get(InstructorTerm, 1) == 2
    assert RaisedProblem not in copies


def test_a_root_that_would_repeat_a_unique_value_is_refused_before_anything_is_written(before):
    from guanqing.instructors.models import InstructorTerm

    terms = InstructorTerm.objects.count()
    if not terms:
        pytest.skip("the small demo appoints no instructor")
    found = {"instructors.InstructorTerm": 3 * terms}  # members not copied: one term each
    with pytest.raises(province.ProvinceError, match="instructors.InstructorTerm"):
        province.grow(targets=found, progress=lambda line: None)
    assert InstructorTerm.objects.count() == terms


def test_the_declared_numbers_are_a_province(shared_demo):
    found, keep, _labels = province.declared()
    assert found["registry.Household"] == 1_000_000
    assert found["pairing.Visit"] == 10_000_000
    assert found["window.Case"] == 2_000_000
    assert "fund.Entry" in keep
    rows = {item.model._meta.label: item.rows * item.copies for item in province.plan(0.5)}
    assert math.isclose(rows["registry.Household"], 500_000, rel_tol=0.05)
    assert rows["pairing.Pairing"] == rows["registry.Household"]  # a pairing per household
    # about 25,000 communities and villages, each with a real one's forty-odd households
    communities = rows["registry.Division"]
    assert math.isclose(communities, 12_500, rel_tol=0.05)
    assert 30 <= rows["registry.Household"] / communities <= 50
