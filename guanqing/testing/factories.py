"""factory-boy factories for every registry and account model.

Factories build rows directly (fast fixtures); tests of write behaviour call the service functions.
"""

from __future__ import annotations

import datetime
import itertools

import factory
from factory.django import DjangoModelFactory

from guanqing.accounts.models import User
from guanqing.registry.choices import DivisionKind, DivisionLevel, OrgKind
from guanqing.registry.models import Division, Household, Member, PartyOrg, Person, Unit
from guanqing.testing.idnumbers import make_id_number

_codes = itertools.count(1)
# Generated codes stay clear of the low numbers tests write by hand (330203, 330203001001, …):
# districts 330260–330279 (no real Ningbo code), streets and communities 500–999 under their parent.
_ids = itertools.count(1)


def _next_id_number(region="330203"):
    n = next(_ids)
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=n % 20000)
    return make_id_number(region, birth, n % 1000)


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = Division
        skip_postgeneration_save = True

    code = factory.LazyFunction(lambda: f"3302{60 + next(_codes) % 20:02d}000000")
    name = factory.Sequence(lambda n: f"测试区{n}")
    level = DivisionLevel.DISTRICT
    kind = DivisionKind.DISTRICT

    @factory.post_generation
    def set_district(obj, create, extracted, **kwargs):
        obj.district = obj
        if create:
            obj.save(update_fields=["district"])


class StreetFactory(DjangoModelFactory):
    class Meta:
        model = Division
        skip_postgeneration_save = True

    parent = factory.SubFactory(DistrictFactory)
    district = factory.SelfAttribute("parent")
    code = factory.LazyAttribute(lambda o: f"{o.parent.code[:6]}{500 + next(_codes) % 500:03d}000")
    name = factory.Sequence(lambda n: f"测试街道{n}")
    level = DivisionLevel.STREET
    kind = DivisionKind.STREET


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Division
        skip_postgeneration_save = True

    parent = factory.SubFactory(StreetFactory)
    district = factory.SelfAttribute("parent.district")
    code = factory.LazyAttribute(lambda o: f"{o.parent.code[:9]}{500 + next(_codes) % 500:03d}")
    name = factory.Sequence(lambda n: f"测试社区{n}")
    level = DivisionLevel.COMMUNITY
    kind = DivisionKind.COMMUNITY


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"市测试局{n}")
    short_name = factory.Sequence(lambda n: f"测试局{n}")


class PartyOrgFactory(DjangoModelFactory):
    class Meta:
        model = PartyOrg

    name = factory.Sequence(lambda n: f"第{n}党支部")
    kind = OrgKind.BRANCH
    unit = factory.SubFactory(UnitFactory)


class MemberFactory(DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"党员{n}")
    gender = "male"
    mobile = factory.Sequence(lambda n: f"138{n % 100000000:08d}")
    unit = factory.SubFactory(UnitFactory)
    rank = "section"
    joined_party = datetime.date(2000, 7, 1)

    @factory.post_generation
    def id_number(obj, create, extracted, **kwargs):
        obj.set_id_number(extracted or _next_id_number())
        if create:
            obj.save(update_fields=["id_number_hash", "id_number_encrypted"])


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    head_name = factory.Sequence(lambda n: f"户主{n}")
    head_gender = "male"
    phone = factory.Sequence(lambda n: f"139{n % 100000000:08d}")
    community = factory.SubFactory(CommunityFactory)
    address = "测试路 1 号"
    category = "minimum_living"
    situation = "独居老人"
    hardship_cause = "因病"
    needs = "日常照料"

    @factory.post_generation
    def id_number(obj, create, extracted, **kwargs):
        obj.set_id_number(extracted or _next_id_number())
        if create:
            obj.save(update_fields=["id_number_hash", "id_number_encrypted"])


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"成员{n}")
    relation = "spouse"
    gender = "female"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = "committee"
    password = factory.PostGenerationMethodCall("set_password", "Passw0rd-demo")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


PASSWORD = "Passw0rd-demo"


# ---------------------------------------------------------------------------------------------
# Pairing (结对帮困)
# ---------------------------------------------------------------------------------------------


class PairingFactory(DjangoModelFactory):
    """A pairing with its first term (held by `member`, or by the whole unit when None)."""

    class Meta:
        model = "pairing.Pairing"
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    unit = factory.SubFactory(UnitFactory)
    started_on = datetime.date(2025, 1, 1)

    @factory.post_generation
    def member(obj, create, extracted, **kwargs):
        if create:
            from guanqing.pairing.models import PairingTerm

            PairingTerm.objects.create(
                pairing=obj, member=extracted, starts_on=obj.started_on, ends_on=obj.ended_on
            )


class PairingTermFactory(DjangoModelFactory):
    class Meta:
        model = "pairing.PairingTerm"

    pairing = factory.SubFactory(PairingFactory)
    member = factory.SubFactory(MemberFactory)
    starts_on = datetime.date(2025, 1, 1)


class VisitFactory(DjangoModelFactory):
    class Meta:
        model = "pairing.Visit"
        skip_postgeneration_save = True

    pairing = factory.SubFactory(PairingFactory)
    date = factory.LazyAttribute(lambda o: o.pairing.started_on)
    talk = True
    notes = "入户谈心"
    recorded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def participants(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.participants.set(extracted)


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = "pairing.Partnership"

    unit_org = factory.SubFactory(PartyOrgFactory, kind=OrgKind.COMMITTEE)
    village_org = factory.SubFactory(
        PartyOrgFactory,
        unit=None,
        division=factory.SubFactory(CommunityFactory, kind=DivisionKind.VILLAGE),
    )
    started_on = datetime.date(2024, 1, 1)


class PartnershipProjectFactory(DjangoModelFactory):
    class Meta:
        model = "pairing.PartnershipProject"

    partnership = factory.SubFactory(PartnershipFactory)
    kind = "infrastructure"
    title = factory.Sequence(lambda n: f"共建项目{n}")
    funds = 100000
