"""The claim guards at their exact edges, through the service: the last place, the deadline day,
the claim limit. The day is pinned by hand (Wednesday 13 May 2026 in Ningbo); every refused claim
names its exact error and leaves the wish's counter and status as they were."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from guanqing.core.errors import Conflict
from guanqing.testing import factories as f
from guanqing.wishes import services
from guanqing.wishes.models import Wish, WishClaim
from guanqing.wishes.tests.factories import make_wish

NINGBO = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 5, 13)
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def pinned_day():
    with time_machine.travel(datetime.datetime(2026, 5, 13, 10, 0, tzinfo=NINGBO), tick=False):
        yield


def member_user(ww):
    member = f.MemberFactory(unit=ww.unit, branch=ww.org)
    return f.UserFactory(role="member", member=member, unit=ww.unit)


def state(wish):
    wish.refresh_from_db()
    return wish.status, wish.claimed_count


def test_the_last_place_fills_the_wish_and_the_next_claim_is_a_conflict(ww):
    wish = make_wish(ww, "published", capacity=2, deadline=TODAY + 30 * DAY)
    services.wish_claim(actor=member_user(ww), wish=wish)
    assert state(wish) == ("published", 1)
    services.wish_claim(actor=member_user(ww), wish=wish)
    assert state(wish) == ("full", 2)
    late = member_user(ww)
    with pytest.raises(Conflict) as excinfo:
        services.wish_claim(actor=late, wish=wish)
    assert str(excinfo.value) == "这个心愿已被认领满了"
    assert state(wish) == ("full", 2)
    assert not WishClaim.objects.filter(wish=wish, member=late.member).exists()


def test_a_wish_is_claimed_on_its_deadline_day_and_due_that_day(ww):
    wish = make_wish(ww, "published", capacity=1, deadline=TODAY)
    claim = services.wish_claim(actor=member_user(ww), wish=wish)
    assert claim.due_on == TODAY
    assert state(wish) == ("full", 1)


def test_a_wish_the_day_after_its_deadline_is_refused(ww):
    wish = make_wish(ww, "published", capacity=1, deadline=TODAY - DAY)
    with pytest.raises(ValidationError) as excinfo:
        services.wish_claim(actor=member_user(ww), wish=wish)
    assert excinfo.value.message_dict == {"deadline": ["这个心愿已于 2026-05-12 截止"]}
    assert state(wish) == ("published", 0)


def test_a_claim_is_due_after_the_claim_period_unless_the_deadline_is_sooner(ww):
    far = make_wish(ww, "published", capacity=1, deadline=TODAY + 31 * DAY)
    near = make_wish(ww, "published", capacity=1, deadline=TODAY + 29 * DAY)
    actor = member_user(ww)
    assert services.wish_claim(actor=actor, wish=far).due_on == TODAY + 30 * DAY
    assert services.wish_claim(actor=actor, wish=near).due_on == TODAY + 29 * DAY


def test_the_claim_limit_refuses_the_claim_at_the_limit_not_the_one_before(ww):
    actor = member_user(ww)
    wishes = [make_wish(ww, "published", capacity=1, deadline=TODAY + 9 * DAY) for _ in range(4)]
    for wish in wishes[:3]:  # the default limit: three unfulfilled claims at once
        services.wish_claim(actor=actor, wish=wish)
    with pytest.raises(ValidationError) as excinfo:
        services.wish_claim(actor=actor, wish=wishes[3])
    assert excinfo.value.message_dict == {
        "member": ["您已有 3 个未实现的认领（最多 3 个），请先实现或退出其中一个"]
    }
    assert state(wishes[3]) == ("published", 0)
    assert Wish.objects.filter(status="full", pk__in=[w.pk for w in wishes]).count() == 3
