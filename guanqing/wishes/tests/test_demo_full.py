"""The micro-wish part of the full demo (the shared demo at scale 1): the article's figure (6,550
members claimed 4,819 wishes), a live wall, the claim rules on the generated rows, and every
wish's events replayed through the state machine. The replay is also run on the demo at scale 0.1
in test_demo_scaled.py."""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
from django.utils import timezone

from guanqing.accounts.models import User
from guanqing.core.models import AuditEvent
from guanqing.core.roles import Role
from guanqing.registry.choices import DivisionLevel
from guanqing.registry.models import Division
from guanqing.wishes import selectors, services
from guanqing.wishes.choices import ClaimStatus, WishCategory, WishStatus
from guanqing.wishes.demo import demo_period
from guanqing.wishes.figures import wish_figures
from guanqing.wishes.models import Wish, WishClaim, WishEvent, WishFulfilment

# The demo is built around today: its figures are checked on one fixed day.
pytestmark = [
    pytest.mark.shared_demo(scale=1),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today"),
]


S = WishStatus
# (event kind) -> the (from, to) statuses the services can write
TRANSITIONS = {
    "posted": {("", S.PENDING)},
    "approved": {(S.PENDING, S.PUBLISHED)},
    "rejected": {(S.PENDING, S.REJECTED)},
    "cancelled": {(S.PENDING, S.CANCELLED), (S.PUBLISHED, S.CANCELLED)},
    "claimed": {(S.PUBLISHED, S.PUBLISHED), (S.PUBLISHED, S.FULL)},
    "withdrawn": {(a, b) for a in (S.PUBLISHED, S.FULL) for b in (S.PUBLISHED, S.EXPIRED)},
    "lapsed": {(a, b) for a in (S.PUBLISHED, S.FULL) for b in (S.PUBLISHED, S.EXPIRED)},
    "fulfilled": {(S.PUBLISHED, S.FULFILLED), (S.FULL, S.FULFILLED)},
    "link_issued": {(S.FULFILLED, S.FULFILLED)},
    "confirmed": {(S.FULFILLED, S.CONFIRMED)},
    "expired": {(a, S.EXPIRED) for a in (S.PENDING, S.PUBLISHED, S.FULL)},
}
ENDED = {"withdrawn": ClaimStatus.WITHDRAWN, "lapsed": ClaimStatus.LAPSED}


def _same_moment(a, b) -> bool:
    """A row and the event that tells its change: one moment in the generated rows; a few
    milliseconds apart where a service wrote them (the demo's daily job lapses a claim)."""
    return abs(a - b) <= datetime.timedelta(seconds=2)


def _replay(wish: Wish, events: list[WishEvent], claims: dict, claims_of_wish: dict, users):
    """Walk a wish's events through the state machine and compare the end with the rows."""
    where = f"wish #{wish.pk} {wish.title}"
    state, count, active, seen, last_at, previous_kind = "", 0, set(), set(), None, ""
    for event in events:
        step = f"{where}: {event.kind} {event.from_status}->{event.to_status}"
        assert (event.from_status, event.to_status) in TRANSITIONS[event.kind], step
        assert event.from_status == state, step
        assert last_at is None or event.at >= last_at, step
        day = timezone.localtime(event.at).date()
        actor = users.get(event.actor_id)
        if event.kind == "posted":
            assert actor.role == Role.COMMUNITY_WORKER and actor.community_id == wish.community_id
            assert actor.pk == wish.posted_by_id, step
        elif event.kind in ("approved", "rejected"):
            assert actor.pk != wish.posted_by_id, step  # a second pair of eyes
            assert actor.role == Role.COMMITTEE or actor.community_id == wish.community_id, step
            assert wish.approved_by_id == actor.pk, step
        elif event.kind == "claimed":
            claim = claims[event.claim_id]
            assert claim.wish_id == wish.pk and claim.pk not in seen, step
            assert claim.created_at == event.at and day <= wish.deadline, step
            seen.add(claim.pk)
            active.add(claim.pk)
            count += 1
            assert (event.to_status == S.FULL) == (count == wish.capacity), step
        elif event.kind in ENDED:
            claim = claims[event.claim_id]
            assert claim.pk in active and claim.status == ENDED[event.kind], step
            assert _same_moment(claim.ended_at, event.at), step
            if event.kind == "lapsed":
                assert event.actor_id is None and day > claim.due_on, step
            active.discard(claim.pk)
            count -= 1
            assert (event.to_status == S.EXPIRED) == (count == 0 and wish.deadline < day), step
        elif event.kind == "fulfilled":
            assert event.claim_id in active, step
            for pk in active:
                claim = claims[pk]
                assert claim.status == ClaimStatus.FULFILLED and claim.ended_at == event.at, step
                assert day <= claim.due_on, step
            assert wish.fulfilment.fulfilled_by_id == claims[event.claim_id].member_id, step
            active = set()
        elif event.kind == "confirmed":
            if event.actor_id is None:  # the resident, with the code a worker handed over
                assert event.actor_name == services.RESIDENT and previous_kind == "link_issued"
            else:
                assert actor.community_id == wish.community_id, step
        elif event.kind == "expired":
            assert count == 0 and wish.deadline < day and event.actor_id is None, step
        state, last_at, previous_kind = event.to_status, event.at, event.kind
    assert state == wish.status, where
    assert count == wish.claimed_count, where
    own = claims_of_wish.get(wish.pk, [])
    assert seen == {c.pk for c in own}, where
    assert active == {c.pk for c in own if c.status == ClaimStatus.ACTIVE}, where


def _check_every_wish() -> None:
    """The services' rules hold on every generated row, and every story replays."""
    today = timezone.localdate()
    now = timezone.now()
    first, last = demo_period(today)
    users = {u.pk: u for u in User.objects.all()}
    claims = {c.pk: c for c in WishClaim.objects.select_related("member")}
    claims_of_wish = defaultdict(list)
    for claim in claims.values():
        claims_of_wish[claim.wish_id].append(claim)
    events = defaultdict(list)
    for event in WishEvent.objects.order_by("wish_id", "at", "id"):
        events[event.wish_id].append(event)
    wishes = list(Wish.objects.select_related("fulfilment"))
    assert wishes
    config = selectors.wish_settings()
    period = datetime.timedelta(days=config.claim_period_days)
    for wish in wishes:
        _replay(wish, events[wish.pk], claims, claims_of_wish, users)
        assert timezone.localtime(wish.created_at).date() >= first
        assert _same_moment(wish.updated_at, events[wish.pk][-1].at)
        assert events[wish.pk][-1].at <= now
        assert 50 <= wish.estimated_cost <= 3000
        has_fulfilment = hasattr(wish, "fulfilment")
        assert has_fulfilment == (wish.status in (S.FULFILLED, S.CONFIRMED)), wish.pk
        if wish.status in (S.PENDING, S.PUBLISHED, S.FULL):
            # the daily job would find nothing to expire
            assert wish.deadline >= today, wish.pk
        if wish.status in (S.PUBLISHED, S.FULL):
            assert wish.published_at is not None
            assert (wish.status == S.FULL) == (wish.claimed_count == wish.capacity)
    by_member = defaultdict(list)
    for claim in claims.values():
        made = timezone.localtime(claim.created_at).date()
        assert first <= made <= last
        assert claim.member.status == "active"
        by_member[claim.member_id].append(claim)
        if claim.status == ClaimStatus.ACTIVE:
            assert claim.due_on >= today and claim.ended_at is None  # nothing to lapse today
        else:
            assert claim.ended_at is not None and claim.ended_at <= now
    deadlines = {w.pk: w.deadline for w in wishes}
    for claim in claims.values():
        made = timezone.localtime(claim.created_at).date()
        assert claim.due_on == min(made + period, deadlines[claim.wish_id]), claim.pk
    # a member never held more unfulfilled claims at once than allowed, never two on one wish
    limit = config.max_unfulfilled_claims
    for member_claims in by_member.values():
        assert len({c.wish_id for c in member_claims}) == len(member_claims)
        moments = sorted(
            [(c.created_at, 1) for c in member_claims]
            + [(c.ended_at, -1) for c in member_claims if c.ended_at is not None],
            key=lambda m: (m[0], m[1]),
        )
        held = 0
        for _at, change in moments:
            held += change
            assert held <= limit


def test_full_demo_reproduces_the_articles_wish_figure_and_every_story_replays(shared_demo):
    summary = shared_demo
    today = timezone.localdate()
    first, last = demo_period(today)
    committee = User.objects.get(username="committee")

    # 6,550 members claimed 4,819 micro-wishes: as the figures page and API count them
    totals = wish_figures(committee, first, last)["totals"]
    assert totals["claimed"] == 4819
    assert totals["members_who_claimed"] == 6550
    assert totals["claims"] == WishClaim.objects.count()
    assert WishClaim.objects.values("wish").distinct().count() == 4819
    assert WishClaim.objects.values("member").distinct().count() == 6550
    wishes = summary.parts["wishes"]
    assert (wishes.claimed, wishes.claimants) == (4819, 6550)
    event = AuditEvent.objects.get(actor_username="demo", action="import")
    assert event.changes["wishes_claimed"] == [None, 4819]
    assert event.changes["wish_claimants"] == [None, 6550]

    # a wall with every kind of story; most claimed wishes confirmed
    counts = {s: Wish.objects.filter(status=s).count() for s in WishStatus.values}
    assert all(counts.values()), counts
    assert counts[S.CONFIRMED] > 0.8 * 4819
    claimed = Wish.objects.filter(claims__isnull=False).distinct()
    assert claimed.filter(status=S.EXPIRED).exists()  # a claim lapsed, then the deadline passed
    assert claimed.filter(status=S.PUBLISHED, claimed_count=0).exists()  # back on the wall
    assert Wish.objects.filter(status=S.PUBLISHED, claimed_count__gt=0).exists()  # half-claimed
    assert set(Wish.objects.values_list("category", flat=True)) == set(WishCategory.values)
    assert set(Wish.objects.values_list("capacity", flat=True)) == {1, 2, 3}
    assert WishClaim.objects.filter(status=ClaimStatus.WITHDRAWN).exclude(reason="").exists()
    assert WishClaim.objects.filter(status=ClaimStatus.LAPSED).exists()
    resident = WishEvent.objects.filter(kind="confirmed", actor__isnull=True)
    assert 0 < resident.count() < WishEvent.objects.filter(kind="confirmed").count()
    money = WishFulfilment.objects.values_list("money_spent", flat=True)
    assert min(money) >= 10 and max(money) <= 3000
    # two workers in every community: a second pair of eyes
    communities = Division.objects.filter(level=DivisionLevel.COMMUNITY).count()
    assert User.objects.filter(role=Role.COMMUNITY_WORKER).count() == 2 * communities

    _check_every_wish()

    # the wall names nobody: no household head's full name in a title or story
    for wish in Wish.objects.filter(household__isnull=False).select_related("household"):
        name = wish.household.head_name
        assert name not in wish.title and name not in wish.description, wish.pk

    # the daily job finds nothing left undone
    result = services.claims_lapse(today)
    assert (result.lapsed, result.expired) == (0, 0)
