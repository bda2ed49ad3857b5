"""What 微心愿 puts on the home page (工作台): each role sees its own numbers, counted through its
scope (a record outside it is not counted), the other roles see nothing of them, and every number
links to a list that opens for that user and shows as many rows as the number says."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import RequestFactory
from django.utils import timezone

from guanqing.conftest import client_for
from guanqing.core import access
from guanqing.core.ui import home
from guanqing.testing import factories as f
from guanqing.wishes import services
from guanqing.wishes.models import Wish, WishClaim
from guanqing.wishes.tests.factories import WishClaimFactory, make_wish

TODAY = timezone.localdate


def _sections(user) -> dict[str, dict]:
    request = RequestFactory().get("/")
    request.user = user
    return {s["key"]: s for s in home.sections_for(request) if s["key"].startswith("wishes.")}


def _stats(section) -> dict[str, dict]:
    return {str(stat["label"]): stat for stat in section["stats"]}


def _rows(user, url) -> int:
    """How many rows the list behind a number shows (cards, table rows or claims)."""
    response = client_for(user).get(url)
    assert response.status_code == 200, url
    text = response.content.decode()
    if url.startswith("/wishes/manage/"):
        return len(re.findall(r'<tr data-wish="', text))
    if url.startswith("/wishes/mine/"):
        return len(re.findall(r'class="card wish-mine__item"', text))
    return len(re.findall(r'<article class="card wish-card', text))


def _due(claim_wish, member, days):
    claim = WishClaim.objects.get(wish=claim_wish, member=member)
    claim.due_on = TODAY() + datetime.timedelta(days=days)
    claim.save(update_fields=["due_on"])
    return claim


# --- a member ---------------------------------------------------------------------------------


@pytest.fixture
def member_home(ww):
    """张三 holds two claims (one due in two days, one in twenty); three wishes are on the wall
    for it to claim, one is full, one of another community is pending (not on the wall)."""
    soon = make_wish(ww, "published", capacity=2, claimants=[ww.member], title="轮椅")
    later = make_wish(ww, "full", claimants=[ww.member], title="助听器")
    _due(soon, ww.member, 2)
    _due(later, ww.member, 20)
    for title in ("台灯", "书包", "电饭煲"):
        make_wish(ww, "published", title=title)
    make_wish(ww, "full", claimants=[ww.colleague], title="棉被")
    make_wish(ww, "pending", community=ww.other_community, title="收音机")
    return ww


def test_a_member_sees_its_claims_due_soonest_first(member_home):
    ww = member_home
    section = _sections(ww.users.member)["wishes.member_claims"]
    assert [item["text"] for item in section["items"]] == ["轮椅", "助听器"]
    assert section["items"][0]["tone"] == "warn"
    assert _rows(ww.users.member, section["more_url"]) == len(section["items"])
    for item in section["items"]:
        assert client_for(ww.users.member).get(item["url"]).status_code == 200


def test_a_member_sees_how_many_wishes_it_may_claim(member_home):
    ww = member_home
    stats = _stats(_sections(ww.users.member)["wishes.member_wall"])
    assert stats["认领中"]["value"] == 2
    assert stats["我能认领的心愿"]["value"] == 3
    for stat in stats.values():
        assert _rows(ww.users.member, stat["url"]) == stat["value"], stat["url"]


def test_a_member_at_its_claim_limit_may_claim_nothing(member_home):
    ww = member_home
    services.wish_settings_update(actor=ww.users.committee, max_unfulfilled_claims=2)
    stat = _stats(_sections(ww.users.member)["wishes.member_wall"])["我能认领的心愿"]
    assert stat["value"] == 0
    assert _rows(ww.users.member, stat["url"]) == 0


# --- a community worker -----------------------------------------------------------------------


def test_a_worker_sees_what_waits_for_it(ww):
    worker = ww.users.community_worker
    make_wish(ww, "pending", posted_by=ww.users.worker2, title="颈椎枕")  # a colleague's: counted
    make_wish(ww, "pending", posted_by=ww.users.worker2, title="老花镜")
    make_wish(ww, "pending", title="拐杖")  # its own post: a colleague reviews it
    make_wish(
        ww, "pending", community=ww.other_community, posted_by=ww.users.other_worker
    )  # out of scope
    make_wish(ww, "fulfilled", claimants=[ww.member], title="新书包")
    make_wish(ww, "fulfilled", community=ww.other_community, claimants=[ww.other_member])
    stats = _stats(_sections(worker)["wishes.worker_todo"])
    assert stats["待我审核"]["value"] == 2
    assert stats["待居民确认"]["value"] == 1
    for stat in stats.values():
        assert _rows(worker, stat["url"]) == stat["value"], stat["url"]


# --- the committee ----------------------------------------------------------------------------


def test_the_committee_sees_what_is_slipping_city_wide(ww):
    committee = ww.users.committee
    late = make_wish(ww, "full", claimants=[ww.member], title="晚了")
    _due(late, ww.member, -1)  # overdue: the daily job lapses it tonight
    close = make_wish(
        ww, "full", capacity=2, claimants=[ww.colleague, ww.other_member], title="快到期"
    )
    _due(close, ww.colleague, 1)
    _due(close, ww.other_member, 2)  # two claims slipping on one wish: one wish
    far = make_wish(ww, "full", community=ww.other_community, claimants=[ww.other_member])
    _due(far, ww.other_member, 20)  # not slipping
    old = make_wish(ww, "pending", title="等了很久")
    Wish.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=5))
    make_wish(ww, "pending", title="刚发布")  # posted today: not slipping
    stats = _stats(_sections(committee)["wishes.committee_watch"])
    assert stats["认领逾期或 3 天内到期"]["value"] == 2
    assert stats["待审核超过 3 天"]["value"] == 1
    for stat in stats.values():
        assert _rows(committee, stat["url"]) == stat["value"], stat["url"]


# --- a unit administrator ---------------------------------------------------------------------


def test_a_unit_admin_sees_its_members_active_claims(ww):
    admin = ww.users.unit_admin
    make_wish(ww, "published", capacity=2, claimants=[ww.member, ww.colleague])  # one wish
    make_wish(ww, "full", claimants=[ww.colleague])
    make_wish(ww, "full", claimants=[ww.other_member])  # another unit's member
    withdrawn = make_wish(ww, "published")
    WishClaimFactory(wish=withdrawn, member=ww.member, status="withdrawn")
    make_wish(ww, "fulfilled", claimants=[ww.member])  # done: no longer active
    stat = _stats(_sections(admin)["wishes.unit_claims"])["本单位党员认领中的心愿"]
    assert stat["value"] == 2
    assert _rows(admin, stat["url"]) == 2


# --- who sees what ----------------------------------------------------------------------------

SECTIONS_OF = {
    "committee": {"wishes.committee_watch"},
    "unit_admin": {"wishes.unit_claims"},
    "member": {"wishes.member_claims", "wishes.member_wall"},
    "community_worker": {"wishes.worker_todo"},
    "window_clerk": set(),
    "fund_officer": set(),
    "system_admin": set(),
    "security_admin": set(),
    "audit_admin": set(),
}


@pytest.mark.parametrize("role", list(SECTIONS_OF))
def test_each_role_sees_only_its_sections(ww, role):
    assert set(_sections(getattr(ww.users, role))) == SECTIONS_OF[role]


@pytest.mark.parametrize("role", ["committee", "unit_admin", "member", "community_worker"])
def test_the_sections_take_a_few_queries_whatever_the_data(ww, role, django_assert_max_num_queries):
    for n in range(6):
        wish = make_wish(ww, "published", capacity=3, claimants=[ww.colleague])
        make_wish(ww, "pending", posted_by=ww.users.worker2)
        make_wish(ww, "fulfilled", claimants=[f.MemberFactory(unit=ww.unit)])
        _due(wish, ww.colleague, n)
    for wish in Wish.objects.filter(status="published")[:3]:
        services.wish_claim(actor=ww.users.member, wish=wish)
    user = getattr(ww.users, role)
    request = RequestFactory().get("/")
    request.user = user
    mine = [
        s for s in home.sections() if s.key.startswith("wishes.") and access.allows(user, s.rule)
    ]
    assert {s.key for s in mine} == SECTIONS_OF[role]
    # all of the app's sections for this user together
    with django_assert_max_num_queries(6):
        for section in mine:
            assert section.provider(request)
    response = client_for(user).get("/")
    assert response.status_code == 200
    for key in SECTIONS_OF[role]:
        assert f'id="home-{key.replace(".", "")}' in response.content.decode()
