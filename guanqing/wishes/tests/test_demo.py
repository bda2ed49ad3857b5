"""The micro-wish part of the demo, read from the shared small demo (scale 0.05): 张国宝's trip to
东钱湖 and the work left for the member and the community accounts. The article's figure and every
wish's events replayed through the state machine: test_demo_full.py (the shared full demo) and
test_demo_scaled.py (scale 0.1)."""

from __future__ import annotations

import pytest

from guanqing.accounts.models import User
from guanqing.registry.models import Household
from guanqing.wishes import selectors, services
from guanqing.wishes.choices import ClaimStatus, WishCategory, WishStatus
from guanqing.wishes.models import Wish, WishClaim

# The demo is built around today: it is checked on one fixed day (what every account needs, on
# many: registry/tests/test_demo.py).
pytestmark = [
    pytest.mark.shared_demo(scale=0.05),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today"),
]

S = WishStatus


def test_demo_tells_zhang_guobaos_trip_to_dongqian_lake():
    zhang = Household.objects.get(head_name="张国宝")
    wish = Wish.objects.get(household=zhang, category=WishCategory.TRIP)
    assert "东钱湖" in wish.title
    assert "张国宝" not in wish.description and "77岁" in wish.description
    assert wish.community.name == "徐家漕社区"
    assert wish.status == S.CONFIRMED and wish.capacity == wish.claimed_count == 3
    claims = wish.claims.select_related("member__unit")
    assert claims.count() == 3
    assert {c.member.unit.short_name for c in claims} == {"市纪委"}
    assert {c.status for c in claims} == {ClaimStatus.FULFILLED}
    demo = User.objects.get(username="member_demo")
    assert claims.filter(member_id=demo.member_id).exists()
    kinds = list(wish.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == [
        "posted",
        "approved",
        "claimed",
        "claimed",
        "claimed",
        "fulfilled",
        "link_issued",
        "confirmed",
    ]
    confirmed = wish.events.get(kind="confirmed")
    assert confirmed.actor is None and confirmed.actor_name == services.RESIDENT
    assert wish.fulfilment.money_spent > 0 and "东钱湖" in wish.fulfilment.note
    # the unit sees the wish its members fulfilled; the member sees its own
    assert Wish.objects.visible_to(User.objects.get(username="unit_jiwei")).filter(pk=wish.pk)
    assert Wish.objects.visible_to(demo).filter(pk=wish.pk).exists()


def test_demo_leaves_work_for_the_member_and_the_community_accounts():
    demo = User.objects.get(username="member_demo")
    active = WishClaim.objects.visible_to(demo).filter(status=ClaimStatus.ACTIVE)
    assert active.exists()
    assert active.count() < selectors.wish_settings().max_unfulfilled_claims
    # it can claim another wish from the wall
    mine = WishClaim.objects.filter(member_id=demo.member_id).values("wish")
    other = Wish.objects.filter(status=S.PUBLISHED).exclude(pk__in=mine).first()
    services.wish_claim(actor=demo, wish=other)

    # community_xujiacao approves what its colleague posted, and confirms a fulfilled wish
    worker = User.objects.get(username="community_xujiacao")
    colleague = User.objects.get(username="community_xujiacao2")
    assert colleague.community_id == worker.community_id and colleague.has_usable_password()
    waiting = Wish.objects.visible_to(worker).filter(status=S.PENDING, posted_by=colleague)
    assert waiting.count() >= 3
    approved = services.wish_approve(actor=worker, wish=waiting.first())
    assert approved.status == S.PUBLISHED
    own = Wish.objects.visible_to(worker).filter(status=S.PENDING, posted_by=worker).first()
    assert services.wish_approve(actor=colleague, wish=own).status == S.PUBLISHED
    fulfilled = Wish.objects.visible_to(worker).filter(status=S.FULFILLED).first()
    assert services.wish_confirm(actor=worker, wish=fulfilled).status == S.CONFIRMED


@pytest.mark.parametrize("username", ["committee", "community_xujiacao"])
def test_the_management_tabs_count_each_status_as_the_wishes_stand(username):
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    user = User.objects.get(username=username)
    wishes = Wish.objects.visible_to(user)
    every = dict(wishes.order_by().values_list("status").annotate(n=Count("*")))
    assert every.get(S.CONFIRMED) and len(every) >= 5  # the demo has a history
    with CaptureQueriesContext(connection) as seen:
        assert selectors.counts_by_status(wishes) == every
    if username == "committee":
        # only the statuses still in play are counted; the confirmed are the rest of the table
        assert all("confirmed" not in q["sql"] for q in seen.captured_queries)
    # a wish confirmed now moves from one tab to the other at once
    fulfilled = wishes.filter(status=S.FULFILLED).first()
    Wish.objects.filter(pk=fulfilled.pk).update(status=S.CONFIRMED)
    counts = selectors.counts_by_status(wishes)
    assert counts[S.CONFIRMED] == every[S.CONFIRMED] + 1
    assert counts.get(S.FULFILLED, 0) == every[S.FULFILLED] - 1
