"""The capacity edges of a wish and the guard of a claim, without a database.

`rules.after_claim` / `rules.after_release` decide where a claim that takes or gives back a place
leaves the wish; `selectors.claim_refusal` is the one guard the claim service and the wall's
button share. Each case sits on an edge — the last place, the deadline day, the claim limit —
and names the exact state or the exact error, so that a mutation run (`scripts/mutate`,
`docs/testing.md`) finds no guard that a test does not pin. Dates are written out by hand.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from guanqing.core.errors import Conflict
from guanqing.wishes.choices import WishStatus
from guanqing.wishes.models import Wish
from guanqing.wishes.rules import after_claim, after_release
from guanqing.wishes.selectors import ALREADY_CLAIMED, FULL, ClaimPosition, claim_refusal

D = datetime.date
TODAY = D(2026, 5, 13)


# --- where a claim leaves the wish --------------------------------------------------------------


@pytest.mark.parametrize(
    ("claimed_count", "capacity", "expected"),
    [
        (1, 1, WishStatus.FULL),  # the only place
        (1, 2, WishStatus.PUBLISHED),  # one left
        (2, 2, WishStatus.FULL),  # the last place
        (2, 3, WishStatus.PUBLISHED),
        (3, 2, WishStatus.FULL),  # never more than full
    ],
)
def test_the_last_place_makes_the_wish_full(claimed_count, capacity, expected):
    assert after_claim(claimed_count, capacity) == expected


@pytest.mark.parametrize("action", ["withdraw", "lapse"])
@pytest.mark.parametrize("state", [WishStatus.PUBLISHED, WishStatus.FULL])
def test_a_place_given_back_puts_the_wish_back_on_the_wall(state, action):
    assert after_release(state, action, claimed_count=0, past_deadline=False) == "published"
    assert after_release(state, action, claimed_count=1, past_deadline=True) == "published"


@pytest.mark.parametrize("action", ["withdraw", "lapse"])
def test_the_last_claim_ended_after_the_deadline_expires_the_wish(action):
    assert after_release(WishStatus.FULL, action, claimed_count=0, past_deadline=True) == "expired"
    assert (
        after_release(WishStatus.PUBLISHED, action, claimed_count=0, past_deadline=True)
        == "expired"
    )


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("fulfilled", "withdraw"),  # the stored value, as the services pass it
        ("pending", "lapse"),
        ("expired", "withdraw"),
    ],
)
def test_a_release_outside_the_table_is_refused(state, action):
    with pytest.raises(ValueError, match=rf"wish: '{action}' is not allowed from '{state}'"):
        after_release(state, action, claimed_count=0, past_deadline=True)


# --- the claim guard ----------------------------------------------------------------------------


def wish(status=WishStatus.PUBLISHED, deadline=TODAY, pk=7):
    return Wish(pk=pk, status=status, deadline=deadline, capacity=2, claimed_count=0)


def position(*, active=True, held=(), limit=3, today=TODAY):
    return ClaimPosition(member_active=active, held=frozenset(held), limit=limit, today=today)


def refusal_messages(refusal):
    assert isinstance(refusal, ValidationError)
    return {field: [str(m) for m in messages] for field, messages in refusal.message_dict.items()}


def test_a_published_wish_on_its_deadline_day_may_be_claimed():
    assert claim_refusal(wish(deadline=TODAY), position()) is None


def test_a_wish_the_day_after_its_deadline_is_refused_naming_the_deadline():
    refusal = claim_refusal(wish(deadline=TODAY - datetime.timedelta(days=1)), position())
    assert refusal_messages(refusal) == {"deadline": ["这个心愿已于 2026-05-12 截止"]}


def test_a_full_wish_is_a_conflict():
    refusal = claim_refusal(wish(status=WishStatus.FULL), position())
    assert isinstance(refusal, Conflict)
    assert str(refusal) == str(FULL)


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (WishStatus.PENDING, "待审核"),
        (WishStatus.FULFILLED, "已实现"),
        (WishStatus.CANCELLED, "已撤回"),
        (WishStatus.EXPIRED, "已过期"),
    ],
)
def test_a_wish_off_the_wall_is_refused_naming_its_state(status, label):
    refusal = claim_refusal(wish(status=status), position())
    assert refusal_messages(refusal) == {"status": [f"这个心愿{label}，不能认领"]}


def test_an_inactive_member_is_refused_first():
    refusal = claim_refusal(wish(status=WishStatus.FULL), position(active=False, held={7}))
    assert refusal_messages(refusal) == {"member": ["您的党员状态不是在职，不能认领"]}


def test_a_second_claim_on_the_same_wish_is_refused():
    refusal = claim_refusal(wish(), position(held={7}))
    assert refusal_messages(refusal) == {"wish": [str(ALREADY_CLAIMED)]}


@pytest.mark.parametrize(
    ("held", "limit", "refused"),
    [
        ({1, 2}, 3, False),  # one below the limit
        ({1, 2, 3}, 3, True),  # at the limit
        ({1, 2, 3, 4}, 3, True),
        (set(), 1, False),
        ({1}, 1, True),
    ],
)
def test_the_claim_limit_refuses_at_the_limit_not_below(held, limit, refused):
    pos = position(held=held, limit=limit)
    assert pos.at_limit is refused
    refusal = claim_refusal(wish(pk=99), pos)
    if not refused:
        assert refusal is None
    else:
        assert refusal_messages(refusal) == {
            "member": [
                f"您已有 {len(held)} 个未实现的认领（最多 {limit} 个），请先实现或退出其中一个"
            ]
        }
