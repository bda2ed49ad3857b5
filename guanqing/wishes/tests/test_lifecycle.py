"""The lifecycle tables of `wishes/rules.py` against the services, cell by cell: every move the
table allows succeeds and leads where the table says; every move it does not allow is refused with
the table's error (or, for the daily job, left alone) and changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanqing.core.errors import Conflict
from guanqing.wishes import services
from guanqing.wishes.choices import ClaimStatus, WishStatus
from guanqing.wishes.models import Wish, WishClaim
from guanqing.wishes.rules import CLAIM, WISH, after_claim, after_release
from guanqing.wishes.tests.factories import WishClaimFactory, make_wish

YESTERDAY = datetime.timedelta(days=-1)
HELD = (WishStatus.FULL, WishStatus.FULFILLED, WishStatus.CONFIRMED)


def _wish(ww, state, *, claims=None):
    """A wish in `state`; 王五 (the colleague) holds a claim on the wishes that have one (or when
    `claims` is True; never when it is False), active while the wish is open, fulfilled after; a
    published wish keeps a free place."""
    claimed = state in HELD if claims is None else claims
    claimants = [ww.colleague] if claimed else []
    capacity = 2 if state == WishStatus.PUBLISHED else 1
    return make_wish(ww, state, capacity=capacity, claimants=claimants)


def _seen_by(wish, member):
    """A claim the member withdrew: the wish stays in its scope, whatever becomes of it."""
    WishClaimFactory(wish=wish, member=member, status=ClaimStatus.WITHDRAWN)


def _colleague_claim(wish, ww):
    return WishClaim.objects.get(wish=wish, member=ww.colleague, status=ClaimStatus.ACTIVE)


def _lapse_due(wish, ww):
    claim = _colleague_claim(wish, ww)
    claim.due_on = timezone.localdate() + YESTERDAY
    claim.save(update_fields=["due_on"])
    services.claims_lapse(timezone.localdate())


def _expire(wish, ww):
    Wish.objects.filter(pk=wish.pk).update(deadline=timezone.localdate() + YESTERDAY)
    services.claims_lapse(timezone.localdate())


def _by_token(wish, ww):
    if wish.status == WishStatus.FULFILLED:
        token = services.wish_confirmation_code(actor=ww.users.community_worker, wish=wish)
    else:  # a code left on a wish in another state: the table still refuses the move
        token = "a-code-for-a-wish-in-another-state"
        Wish.objects.filter(pk=wish.pk).update(confirm_token_hash=services.token_hash(token))
    services.wish_confirm_by_token(token=token)


def _claim(wish, ww):
    _seen_by(wish, ww.member)
    services.wish_claim(actor=ww.users.member, wish=wish)


def _fulfil(wish, ww):
    if not WishClaim.objects.filter(wish=wish, member=ww.colleague).exists():
        _seen_by(wish, ww.colleague)
    services.wish_fulfil(actor=ww.users.colleague, wish=wish, note="陪老人去了东钱湖")


# action -> (how to take it on a wish, 王五's claim where the move is allowed (None: where the
# state has one), the refusal's error)
RUN = {
    "approve": (
        lambda w, ww: services.wish_approve(actor=ww.users.worker2, wish=w),
        None,
        ValidationError,
    ),
    "reject": (
        lambda w, ww: services.wish_reject(actor=ww.users.worker2, wish=w, reason="信息不全"),
        None,
        ValidationError,
    ),
    "cancel": (
        lambda w, ww: services.wish_cancel(actor=ww.users.worker2, wish=w, reason="已解决"),
        None,
        ValidationError,
    ),
    "claim": (_claim, None, ValidationError),
    "withdraw": (
        lambda w, ww: services.claim_withdraw(
            actor=ww.users.colleague, claim=_colleague_claim(w, ww), reason="出差"
        ),
        True,
        None,
    ),
    "lapse": (_lapse_due, True, None),
    "fulfil": (_fulfil, True, ValidationError),
    "confirm": (
        lambda w, ww: services.wish_confirm(actor=ww.users.community_worker, wish=w),
        None,
        ValidationError,
    ),
    "issue_code": (
        lambda w, ww: services.wish_confirmation_code(actor=ww.users.community_worker, wish=w),
        None,
        ValidationError,
    ),
    "confirm_by_token": (_by_token, None, ValidationError),
    # nobody holds a claim: a wish whose deadline passed expires (a claim would lapse first)
    "expire": (_expire, False, "unchanged"),
}

# An active claim keeps its wish published or full: a claim that ends from another state cannot
# be set up through the services (the claim's own table, below, covers those refusals).
CELLS = [
    (action, state)
    for action in WISH.steps
    for state in WishStatus.values
    if WISH.can(state, action) or RUN[action][2] is not None
]


def test_every_action_of_the_table_is_exercised():
    assert set(RUN) == set(WISH.steps)


def _expected(state, action, wish):
    if action == "claim":
        return after_claim(wish.claimed_count + 1, wish.capacity)
    if action in ("withdraw", "lapse"):
        return after_release(
            state, action, claimed_count=wish.claimed_count - 1, past_deadline=False
        )
    return WISH.target(state, action)


@pytest.mark.parametrize(("action", "state"), CELLS, ids=[f"{a}-{s}" for a, s in CELLS])
def test_the_wish_table_against_the_services(ww, action, state):
    run, claims, refusal = RUN[action]
    wish = _wish(ww, state, claims=claims if claims is False or WISH.can(state, action) else None)
    if WISH.can(state, action):
        expected = _expected(state, action, wish)
        run(wish, ww)
        wish.refresh_from_db()
        assert wish.status == expected
        return
    before = Wish.objects.values("status", "claimed_count").get(pk=wish.pk)
    if refusal == "unchanged":  # the daily job passes the wish by
        run(wish, ww)
    else:
        error = Conflict if (action, state) == ("claim", WishStatus.FULL) else refusal
        with pytest.raises(error):
            run(wish, ww)
    assert Wish.objects.values("status", "claimed_count").get(pk=wish.pk) == before


CLAIM_CELLS = [(action, state) for action in CLAIM.steps for state in ClaimStatus.values]


@pytest.mark.parametrize(("action", "state"), CLAIM_CELLS, ids=[f"{a}-{s}" for a, s in CLAIM_CELLS])
def test_the_claim_table_against_the_services(ww, action, state):
    wish = make_wish(ww, WishStatus.PUBLISHED, capacity=3, claimants=[ww.member])
    claim = WishClaim.objects.get(wish=wish, member=ww.member)
    WishClaim.objects.filter(pk=claim.pk).update(
        status=state,
        due_on=timezone.localdate() + (YESTERDAY if action == "lapse" else datetime.timedelta(9)),
    )
    member = ww.users.member
    take = {
        "withdraw": lambda: services.claim_withdraw(actor=member, claim=claim, reason="出差"),
        "lapse": lambda: services.claims_lapse(timezone.localdate()),
        "fulfil": lambda: services.wish_fulfil(actor=member, wish=wish, note="完成"),
    }[action]
    if CLAIM.can(state, action):
        take()
        claim.refresh_from_db()
        assert claim.status == CLAIM.target(state, action)
    elif action == "lapse":  # the daily job passes an ended claim by
        take()
        claim.refresh_from_db()
        assert claim.status == state
    else:
        with pytest.raises(ValidationError):
            take()
        claim.refresh_from_db()
        assert claim.status == state
