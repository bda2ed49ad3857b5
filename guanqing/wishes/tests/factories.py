"""Factories of the micro-wish module. They write rows directly, as fixtures do; the code under
test writes only through `guanqing.wishes.services`."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from guanqing.testing import factories as f
from guanqing.wishes.choices import ClaimStatus, WishStatus
from guanqing.wishes.models import Wish, WishClaim, WishFulfilment


class WishFactory(DjangoModelFactory):
    class Meta:
        model = Wish

    community = factory.SubFactory(f.CommunityFactory)
    household = None
    title = factory.Sequence(lambda n: f"心愿{n}")
    description = "想再去一次东钱湖"
    category = "trip"
    estimated_cost = 200
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    capacity = 1
    claimed_count = 0
    status = WishStatus.PUBLISHED
    posted_by = factory.SubFactory(f.UserFactory, role="committee")
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status != WishStatus.PENDING else None
    )


class WishClaimFactory(DjangoModelFactory):
    class Meta:
        model = WishClaim

    wish = factory.SubFactory(WishFactory)
    member = factory.SubFactory(f.MemberFactory)
    status = ClaimStatus.ACTIVE
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class WishFulfilmentFactory(DjangoModelFactory):
    class Meta:
        model = WishFulfilment

    wish = factory.SubFactory(WishFactory)
    note = "陪老人去了东钱湖"
    money_spent = 180
    fulfilled_by = factory.SubFactory(f.MemberFactory)


def make_wish(world, status: str, *, capacity: int = 1, claimants=(), **kwargs) -> Wish:
    """A wish of 徐家漕社区 (for 张国宝户) in `status`, posted by the community worker, with an
    active claim by each of `claimants` (members); fulfilled and confirmed wishes have their
    claims fulfilled and a fulfilment record."""
    claimants = list(claimants)
    claim_status = {
        WishStatus.FULFILLED: ClaimStatus.FULFILLED,
        WishStatus.CONFIRMED: ClaimStatus.FULFILLED,
    }.get(status, ClaimStatus.ACTIVE)
    active = claim_status == ClaimStatus.ACTIVE
    now = timezone.now()
    wish = WishFactory(
        community=kwargs.pop("community", world.community),
        household=kwargs.pop("household", world.household),
        posted_by=kwargs.pop("posted_by", world.users.community_worker),
        capacity=capacity,
        claimed_count=len(claimants) if active else 0,
        status=status,
        fulfilled_at=now if claim_status == ClaimStatus.FULFILLED else None,
        confirmed_at=now if status == WishStatus.CONFIRMED else None,
        **kwargs,
    )
    if status in (WishStatus.FULFILLED, WishStatus.CONFIRMED):
        # a fulfilled wish counts its credited claimants, not open places
        wish.claimed_count = len(claimants)
        wish.save(update_fields=["claimed_count"])
    for member in claimants:
        WishClaimFactory(wish=wish, member=member, status=claim_status)
    if claim_status == ClaimStatus.FULFILLED and claimants:
        WishFulfilmentFactory(wish=wish, fulfilled_by=claimants[0])
    return wish


def wish_world(world):
    """`world` plus: a second worker of 徐家漕社区 (`worker2`, the second pair of eyes), a worker
    of the other community, 王五 (张三's colleague at 市纪委) and 李四 (市发改委) with accounts."""
    users = world.users
    users.worker2 = f.UserFactory(
        username="worker2", role="community_worker", community=world.community
    )
    users.other_worker = f.UserFactory(
        username="other_worker", role="community_worker", community=world.other_community
    )
    world.colleague = f.MemberFactory(unit=world.unit, branch=world.org, name="王五")
    users.colleague = f.UserFactory(
        username="colleague", role="member", member=world.colleague, unit=world.unit
    )
    users.other_member = f.UserFactory(
        username="other_member", role="member", member=world.other_member, unit=world.other_unit
    )
    users.other_unit_admin = f.UserFactory(
        username="other_unit_admin", role="unit_admin", unit=world.other_unit
    )
    return world
