"""The state machine of a wish, table-driven: every allowed transition (with its event and audit
record) and every refused one (which writes nothing)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanqing.core.errors import Conflict
from guanqing.core.models import AuditEvent
from guanqing.core.services import OutOfScope, ScopeError
from guanqing.wishes import services
from guanqing.wishes.choices import ClaimStatus, WishStatus
from guanqing.wishes.models import Wish, WishClaim, WishEvent
from guanqing.wishes.tests.factories import WishClaimFactory, make_wish

ALL = [s.value for s in WishStatus]
P, FULL, FF, C = "published", "full", "fulfilled", "confirmed"


def _claim_of(wish, member):
    return WishClaim.objects.get(wish=wish, member=member, status=ClaimStatus.ACTIVE)


# action name -> how to call the service: (world, actor, wish) -> anything
ACTIONS = {
    "approve": lambda w, a, wish: services.wish_approve(actor=a, wish=wish),
    "reject": lambda w, a, wish: services.wish_reject(actor=a, wish=wish, reason="信息不全"),
    "reject_no_reason": lambda w, a, wish: services.wish_reject(actor=a, wish=wish, reason=" "),
    "cancel": lambda w, a, wish: services.wish_cancel(actor=a, wish=wish, reason="已由亲属解决"),
    "claim": lambda w, a, wish: services.wish_claim(actor=a, wish=wish),
    "withdraw": lambda w, a, wish: services.claim_withdraw(
        actor=a, claim=_claim_of(wish, w.colleague), reason="出差三个月"
    ),
    "withdraw_no_reason": lambda w, a, wish: services.claim_withdraw(
        actor=a, claim=_claim_of(wish, w.colleague), reason=""
    ),
    "fulfil": lambda w, a, wish: services.wish_fulfil(
        actor=a, wish=wish, note="陪老人游了东钱湖", money_spent="180.50"
    ),
    "fulfil_no_note": lambda w, a, wish: services.wish_fulfil(actor=a, wish=wish, note=""),
    "confirm": lambda w, a, wish: services.wish_confirm(actor=a, wish=wish),
}

# (action, wish status before, capacity, claimed by 王五?, actor, expected status or error)
CASES = [
    # review: a second worker of the community, or the committee; never the poster
    ("approve", "pending", 1, False, "worker2", P),
    ("approve", "pending", 1, False, "committee", P),
    ("approve", "pending", 1, False, "community_worker", ScopeError),  # the poster itself
    ("approve", "pending", 1, False, "other_worker", OutOfScope),
    ("approve", "pending", 1, False, "member", OutOfScope),  # not on the wall yet
    ("approve", "pending", 1, False, "unit_admin", OutOfScope),
    *[("approve", s, 1, False, "worker2", ValidationError) for s in ALL if s != "pending"],
    ("reject", "pending", 1, False, "worker2", "rejected"),
    ("reject", "pending", 1, False, "committee", "rejected"),
    ("reject", "pending", 1, False, "community_worker", ScopeError),
    ("reject", "pending", 1, False, "other_worker", OutOfScope),
    ("reject_no_reason", "pending", 1, False, "worker2", ValidationError),
    *[("reject", s, 1, False, "worker2", ValidationError) for s in ALL if s != "pending"],
    # the community takes a wish back while nobody holds a claim
    ("cancel", "pending", 1, False, "community_worker", "cancelled"),
    ("cancel", "published", 1, False, "worker2", "cancelled"),
    ("cancel", "published", 1, False, "committee", "cancelled"),
    ("cancel", "published", 2, True, "community_worker", ValidationError),  # 王五 holds a claim
    ("cancel", "published", 1, False, "member", OutOfScope),  # seen on the wall, not editable
    ("cancel", "published", 1, False, "other_worker", OutOfScope),
    *[
        ("cancel", s, 1, s in (FULL, FF, C), "community_worker", ValidationError)
        for s in ALL
        if s not in ("pending", "published")
    ],
    # claiming
    ("claim", "published", 1, False, "member", FULL),  # the last place makes it full
    ("claim", "published", 3, True, "member", P),  # 2 of 3 places taken
    ("claim", "published", 2, True, "member", FULL),
    ("claim", "full", 1, True, "member", Conflict),
    ("claim", "published", 2, True, "colleague", ValidationError),  # already claimed by it
    ("claim", "pending", 1, False, "member", OutOfScope),
    ("claim", "rejected", 1, False, "member", OutOfScope),
    ("claim", "cancelled", 1, False, "member", OutOfScope),
    ("claim", "expired", 1, False, "member", OutOfScope),
    ("claim", "fulfilled", 1, True, "member", OutOfScope),  # not its claim: off the wall
    ("claim", "fulfilled", 1, True, "colleague", ValidationError),  # its own, but done
    ("claim", "published", 1, False, "community_worker", ScopeError),
    ("claim", "published", 1, False, "committee", ScopeError),
    ("claim", "published", 1, False, "unit_admin", ScopeError),
    # withdrawing (王五's claim)
    ("withdraw", "full", 1, True, "colleague", P),  # back on the wall
    ("withdraw", "published", 2, True, "colleague", P),
    ("withdraw_no_reason", "full", 1, True, "colleague", ValidationError),
    ("withdraw", "full", 1, True, "member", OutOfScope),  # not its claim
    ("withdraw", "full", 1, True, "unit_admin", ScopeError),  # sees it, may not withdraw it
    ("withdraw", "full", 1, True, "community_worker", ScopeError),
    # fulfilling (a claimant with an active claim)
    ("fulfil", "full", 1, True, "colleague", FF),
    ("fulfil", "published", 2, True, "colleague", FF),  # one of two places: still fulfilled
    ("fulfil_no_note", "full", 1, True, "colleague", ValidationError),
    ("fulfil", "published", 1, False, "member", ValidationError),  # holds no claim
    ("fulfil", "full", 1, True, "community_worker", ScopeError),
    # confirming (a worker of the community)
    ("confirm", "fulfilled", 1, True, "community_worker", C),
    ("confirm", "fulfilled", 1, True, "worker2", C),
    ("confirm", "fulfilled", 1, True, "committee", ScopeError),
    ("confirm", "fulfilled", 1, True, "other_worker", OutOfScope),
    ("confirm", "fulfilled", 1, True, "colleague", ScopeError),
    *[("confirm", s, 1, s == FULL, "community_worker", ValidationError) for s in ALL if s != FF],
]


def _id(case):
    action, status, capacity, claimed, actor, expected = case
    outcome = expected if isinstance(expected, str) else expected.__name__
    return f"{action}-{status}-cap{capacity}-{'claimed' if claimed else 'open'}-{actor}-{outcome}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_transition(ww, case):
    action, status, capacity, claimed, actor_key, expected = case
    wish = make_wish(ww, status, capacity=capacity, claimants=[ww.colleague] if claimed else [])
    actor = getattr(ww.users, actor_key)
    events, audits = WishEvent.objects.count(), AuditEvent.objects.count()
    claimed_before = Wish.objects.get(pk=wish.pk).claimed_count
    if isinstance(expected, str):
        ACTIONS[action](ww, actor, wish)
        wish.refresh_from_db()
        assert wish.status == expected
        event = WishEvent.objects.filter(wish=wish).order_by("-id").first()
        assert event is not None and WishEvent.objects.count() > events
        assert (event.from_status, event.to_status) == (status, expected)
        assert event.actor_id == actor.pk
        logged = AuditEvent.objects.filter(root_type="wishes.wish", root_id=str(wish.pk))
        assert logged.filter(actor=actor).exists()
        assert wish.claimed_count <= wish.capacity
    else:
        with pytest.raises(expected) as info:
            ACTIONS[action](ww, actor, wish)
        assert info.type is expected, info.value
        wish.refresh_from_db()
        assert wish.status == status  # nothing half-written
        assert wish.claimed_count == claimed_before
        assert WishEvent.objects.count() == events
        assert AuditEvent.objects.count() == audits


def test_fulfilling_credits_every_active_claimant_together(ww):
    wish = make_wish(ww, "full", capacity=2, claimants=[ww.colleague, ww.member])
    fulfilment = services.wish_fulfil(
        actor=ww.users.member, wish=wish, note="两人一起陪老人去了东钱湖", money_spent="320"
    )
    statuses = dict(WishClaim.objects.filter(wish=wish).values_list("member_id", "status"))
    assert statuses == {ww.colleague.pk: "fulfilled", ww.member.pk: "fulfilled"}
    fulfilment.refresh_from_db()
    assert fulfilment.fulfilled_by == ww.member
    assert str(fulfilment.money_spent) == "320.00"


def test_withdrawn_claims_are_not_credited_on_fulfilment(ww):
    wish = make_wish(ww, "published", capacity=2, claimants=[ww.colleague])
    services.wish_claim(actor=ww.users.member, wish=wish)
    services.claim_withdraw(
        actor=ww.users.colleague, claim=_claim_of(wish, ww.colleague), reason="病假"
    )
    services.wish_fulfil(actor=ww.users.member, wish=wish, note="完成")
    statuses = dict(WishClaim.objects.filter(wish=wish).values_list("member_id", "status"))
    assert statuses == {ww.colleague.pk: "withdrawn", ww.member.pk: "fulfilled"}


def test_a_claim_past_its_due_date_cannot_be_fulfilled(ww):
    wish = make_wish(ww, "full", capacity=1, claimants=[ww.colleague])
    WishClaim.objects.filter(wish=wish).update(due_on=timezone.localdate() - datetime.timedelta(1))
    with pytest.raises(ValidationError, match="到期"):
        services.wish_fulfil(actor=ww.users.colleague, wish=wish, note="晚了")


def test_claim_refused_after_the_deadline(ww):
    wish = make_wish(ww, "published", deadline=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as info:
        services.wish_claim(actor=ww.users.member, wish=wish)
    assert "deadline" in info.value.message_dict


def test_claim_refused_when_the_member_holds_the_most_unfulfilled_claims(ww):
    for _ in range(3):
        services.wish_claim(actor=ww.users.member, wish=make_wish(ww, "published"))
    fourth = make_wish(ww, "published")
    with pytest.raises(ValidationError) as info:
        services.wish_claim(actor=ww.users.member, wish=fourth)
    assert "最多 3 个" in info.value.message_dict["member"][0]
    # a fulfilled claim no longer counts
    done = WishClaim.objects.filter(member=ww.member).first().wish
    services.wish_fulfil(actor=ww.users.member, wish=done, note="完成")
    services.wish_claim(actor=ww.users.member, wish=fourth)


def test_the_claim_limit_follows_the_settings(ww):
    services.wish_settings_update(actor=ww.users.committee, max_unfulfilled_claims=1)
    services.wish_claim(actor=ww.users.member, wish=make_wish(ww, "published"))
    with pytest.raises(ValidationError, match="最多 1 个"):
        services.wish_claim(actor=ww.users.member, wish=make_wish(ww, "published"))


def test_a_claim_is_due_within_the_claim_period_and_never_after_the_deadline(ww):
    today = timezone.localdate()
    far = make_wish(ww, "published", deadline=today + datetime.timedelta(days=90))
    near = make_wish(ww, "published", deadline=today + datetime.timedelta(days=5))
    assert services.wish_claim(
        actor=ww.users.member, wish=far
    ).due_on == today + datetime.timedelta(30)
    assert services.wish_claim(actor=ww.users.member, wish=near).due_on == near.deadline


def test_a_member_may_claim_again_after_withdrawing(ww):
    wish = make_wish(ww, "published", capacity=1)
    claim = services.wish_claim(actor=ww.users.member, wish=wish)
    services.claim_withdraw(actor=ww.users.member, claim=claim, reason="临时出差")
    again = services.wish_claim(actor=ww.users.member, wish=wish)
    assert again.pk != claim.pk
    wish.refresh_from_db()
    assert (wish.status, wish.claimed_count) == ("full", 1)


def test_withdrawing_after_the_deadline_expires_the_wish(ww):
    wish = make_wish(ww, "full", claimants=[ww.colleague])
    Wish.objects.filter(pk=wish.pk).update(deadline=timezone.localdate() - datetime.timedelta(1))
    services.claim_withdraw(
        actor=ww.users.colleague, claim=_claim_of(wish, ww.colleague), reason="来不及了"
    )
    wish.refresh_from_db()
    assert (wish.status, wish.claimed_count) == ("expired", 0)


def test_posting_checks_every_field_and_names_it(ww):
    with pytest.raises(ValidationError) as info:
        services.wish_post(
            actor=ww.users.community_worker,
            community=ww.other_community,
            household=ww.other_household,
            title=" ",
            category="car",
            deadline=timezone.localdate(),
            estimated_cost="-1",
            capacity=0,
        )
    assert set(info.value.message_dict) == {
        "community",
        "title",
        "category",
        "deadline",
        "estimated_cost",
        "capacity",
    }
    assert not Wish.objects.exists()


def test_posting_refuses_a_household_of_another_community(ww):
    with pytest.raises(ValidationError) as info:
        services.wish_post(
            actor=ww.users.community_worker,
            community=ww.community,
            household=ww.other_household,
            title="轮椅",
            category="goods",
            deadline=timezone.localdate() + datetime.timedelta(days=10),
        )
    assert list(info.value.message_dict) == ["household"]


def test_posting_writes_a_pending_wish_with_its_first_event(ww):
    wish = services.wish_post(
        actor=ww.users.community_worker,
        community=ww.community,
        household=ww.household,
        title="再看一次东钱湖",
        category="trip",
        estimated_cost="300",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        capacity=3,
    )
    assert (wish.status, wish.capacity, wish.claimed_count) == ("pending", 3, 0)
    event = WishEvent.objects.get(wish=wish)
    assert (event.kind, event.from_status, event.to_status) == ("posted", "", "pending")
    assert AuditEvent.objects.filter(object_type="wishes.wish", action="create").count() == 1


def test_only_a_community_worker_posts(ww):
    with pytest.raises(ScopeError):
        services.wish_post(
            actor=ww.users.committee,
            community=ww.community,
            title="轮椅",
            category="goods",
            deadline=timezone.localdate() + datetime.timedelta(days=10),
        )


def test_the_active_claim_constraint_holds_in_the_database(ww):
    from django.db import IntegrityError, transaction

    wish = make_wish(ww, "published", capacity=2, claimants=[ww.member])
    with pytest.raises(IntegrityError), transaction.atomic():
        WishClaimFactory(wish=wish, member=ww.member)


def test_a_failed_audit_write_rolls_the_claim_back(ww, monkeypatch):
    from guanqing.core import audit

    wish = make_wish(ww, "published")

    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.wish_claim(actor=ww.users.member, wish=wish)
    wish.refresh_from_db()
    assert (wish.status, wish.claimed_count) == ("published", 0)
    assert not WishClaim.objects.exists() and not WishEvent.objects.exists()


def test_the_communitys_workers_are_asked_to_confirm_a_fulfilled_wish(ww):
    from guanqing.core.models import Notification

    wish = make_wish(ww, "full", claimants=[ww.member])
    services.wish_fulfil(actor=ww.users.member, wish=wish, note="完成")
    told = set(
        Notification.objects.filter(kind="wish_fulfilled").values_list("recipient_id", flat=True)
    )
    assert told == {ww.users.community_worker.pk, ww.users.worker2.pk}


def test_unchanged_settings_write_nothing(ww):
    services.wish_settings_update(actor=ww.users.committee, claim_period_days=20)
    logged = AuditEvent.objects.count()
    services.wish_settings_update(actor=ww.users.committee, claim_period_days=20)
    assert AuditEvent.objects.count() == logged
