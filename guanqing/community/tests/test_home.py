"""What 党员进社区 puts on the home page (工作台): each role sees its own numbers, counted through
its scope (a record outside it is not counted), the other roles see nothing of them, every number
links to a list that opens for that user and shows as many rows as the number says, and the
sections keep to a few queries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone

from guanqing.community import home as community_home
from guanqing.community.access import access
from guanqing.community.tests import community_world
from guanqing.community.tests import factories as cf
from guanqing.conftest import client_for
from guanqing.core.ui import home
from guanqing.testing import factories as f

ROLES = [
    "committee",
    "unit_admin",
    "member",
    "community_worker",
    "window_clerk",
    "fund_officer",
    "system_admin",
    "security_admin",
    "audit_admin",
]
# role -> the community sections it sees (written out by hand)
SEEN = {
    "committee": {"community.city"},
    "unit_admin": {"community.unit"},
    "member": {"community.member"},
    "community_worker": {"community.worker"},
}


@pytest.fixture
def cw(world):
    return community_world(world)


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _sections(user) -> dict[str, dict]:
    shown = home.sections_for(_request(user))
    return {s["key"]: s for s in shown if s["key"].startswith("community.")}


def _items(section) -> dict[str, dict]:
    return {str(item["text"]): item for item in section["items"]}


def _page(user, url) -> str:
    response = client_for(user).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _rows(user, url) -> int:
    """How many rows the list behind a number shows."""
    text = _page(user, url)
    if url.startswith("/community/registrations/"):
        return len(re.findall(r'<tr id="reg-', text))
    if url.startswith("/community/activities/"):
        return len(re.findall(r'<td class="stack-title"><a href="/community/activities/', text))
    if url.startswith("/community/ratings/"):
        return len(re.findall(r'<tr id="rate-', text))
    if url.startswith("/community/roster/"):
        return len(re.findall(r'<tr data-member="', text))
    raise AssertionError(url)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_its_community_sections(cw, role):
    assert set(_sections(getattr(cw.users, role))) == SEEN.get(role, set())


# --- a member ---------------------------------------------------------------------------------


def test_the_member_sees_its_registration_hours_and_activities(cw):
    member = cw.users.member
    section = _sections(member)["community.member"]
    items = _items(section)
    assert items["本半年进社区报到：已确认"]["meta"] == cw.community.name
    # 0.5 h added by hand (the check-in of `activity` has no check-out yet); 李四's not counted
    assert items["本半年服务时长（小时）"]["count"] == Decimal("0.5")
    signed = items["已报名、尚未结束的活动"]
    assert signed["count"] == 3  # activity, live, booked; not 李四's, not 王五's `upcoming`
    listed = [item["url"] for item in section["items"] if "#activity-" in item["url"]]
    assert listed == [
        f"/community/#activity-{a.pk}"
        for a in sorted((cw.activity, cw.live, cw.booked), key=_start)
    ]
    page = _page(member, signed["url"])
    assert 'data-key="hours-total">0.5' in page
    for activity in (cw.activity, cw.live, cw.booked):
        assert f'id="activity-{activity.pk}"' in page


def _start(activity):
    return (activity.starts_at, activity.pk)


def test_a_member_without_a_registration_is_told_where_to_register(cw):
    someone = f.MemberFactory(unit=cw.unit, branch=cw.org, home_community=cw.community)
    user = f.UserFactory(username="someone", role="member", member=someone, unit=cw.unit)
    items = _items(_sections(user)["community.member"])
    first = items["本半年尚未进社区报到"]
    assert cw.community.name in first["meta"]
    assert first["url"] == "/community/#register"
    assert items["本半年服务时长（小时）"]["count"] == Decimal("0.0")
    assert items["已报名、尚未结束的活动"]["count"] == 0
    assert _page(user, first["url"])


# --- a community worker -----------------------------------------------------------------------


def test_the_worker_sees_its_community_to_do(cw):
    worker = cw.users.community_worker
    # outside its community: another community's confirmed member, not yet rated
    stranger = f.MemberFactory(
        unit=cw.other_unit, branch=cw.other_org, home_community=cw.other_community
    )
    cf.RegistrationFactory(member=stranger)
    section = _sections(worker)["community.worker"]
    items = _items(section)
    term = community_home.term_label(cw.term)
    pending = items[f"{term}待确认的报到"]
    assert pending["count"] == 1  # 王五; not 赵六 of 别的社区
    assert _rows(worker, pending["url"]) == 1
    due = items[f"{term}待评价的党员"]
    assert due["count"] == 1  # 钱七
    assert _rows(worker, due["url"]) == 1
    today = timezone.localdate()
    ours = (cw.activity, cw.live, cw.upcoming, cw.booked)
    starts = [timezone.localtime(a.starts_at).date() for a in ours]
    monday = today - timezone.timedelta(days=today.weekday())
    expected = {
        "今天的活动": sum(1 for day in starts if day == today),
        "本周的活动": sum(
            1 for day in starts if monday <= day <= monday + timezone.timedelta(days=6)
        ),
    }
    for text, count in expected.items():
        assert items[text]["count"] == count, text
        assert _rows(worker, items[text]["url"]) == count, text
    codes = [item["url"] for item in section["items"] if item["url"].endswith("/code/")]
    assert len(codes) == expected["今天的活动"]
    for url in codes:
        assert _page(worker, url)


# --- a unit administrator, the committee ------------------------------------------------------


def test_the_unit_sees_its_members_by_registration(cw):
    admin = cw.users.unit_admin
    f.MemberFactory(unit=cw.other_unit, branch=cw.other_org)  # another unit's, not registered
    before = {str(s["label"]): s for s in _sections(admin)["community.unit"]["stats"]}
    f.MemberFactory(unit=cw.unit, branch=cw.org)  # its own, not registered
    stats = {str(s["label"]): s for s in _sections(admin)["community.unit"]["stats"]}
    assert stats["未报到"]["value"] == before["未报到"]["value"] + 1
    assert stats["待社区确认"]["value"] == 1  # 王五
    assert stats["已确认报到"]["value"] == 2  # 张三, 钱七
    for stat in stats.values():
        assert _rows(admin, stat["url"]) == stat["value"], stat["label"]


def test_the_committee_sees_the_units_with_members_not_registered(cw):
    committee = cw.users.committee
    for _i in range(2):
        f.MemberFactory(unit=cw.other_unit, branch=cw.other_org)
    section = _sections(committee)["community.city"]
    assert section["items"]
    counts = [item["count"] for item in section["items"]]
    assert counts == sorted(counts, reverse=True)
    for item in section["items"]:
        assert _rows(committee, item["url"]) == item["count"], item["text"]
    assert _page(committee, section["more_url"])


# --- queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["committee", "unit_admin", "member", "community_worker"])
def test_the_sections_keep_to_a_few_queries(cw, role, django_assert_max_num_queries):
    user = getattr(cw.users, role)
    request = _request(user)
    mine = [s for s in community_home.SECTIONS if access.allows(user, s.rule.split(".")[1])]
    assert mine
    with django_assert_max_num_queries(5):
        for section in mine:
            assert section.provider(request)


def test_the_unit_and_city_sections_count_in_one_query(cw, django_assert_max_num_queries):
    """The registration counts without the roster's hours and ratings: one query each."""
    for _i in range(3):
        f.MemberFactory(unit=cw.unit, branch=cw.org)
    with django_assert_max_num_queries(1):
        community_home.unit_section(_request(cw.users.unit_admin))
    with django_assert_max_num_queries(1):
        community_home.city_section(_request(cw.users.committee))


@pytest.mark.parametrize("role", ["committee", "unit_admin", "member", "community_worker"])
def test_the_home_page_shows_the_section(cw, role):
    page = _page(getattr(cw.users, role), "/")
    for key in SEEN[role]:
        assert f'id="home-{key.replace(".", "")}"' in page
