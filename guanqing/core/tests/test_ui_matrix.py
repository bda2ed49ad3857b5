"""Every page × every role: the status a signed-in user gets, declared here as a table.

Own / other: the `world` fixture holds a record each role may see ("own") and one outside every
non-committee scope ("other"); outside scope must answer 404, exactly like a missing record.
"""

from __future__ import annotations

import pytest

from guanqing.conftest import client_for
from guanqing.testing.module_rows import module_rows, module_world

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

# A thousand tests read the same world (a test's own rows, such as a wish or a pairing, are rolled
# back after it): it is written once for the module, on the day the tests run.
_module_rows, ui_world = module_rows("ui_world", lambda world: world, pinned=False)
world = module_world("ui_world", lambda rows: rows)

# page -> statuses for the roles above, in order
PAGES: dict[str, list[int]] = {
    "/": [200] * 9,
    "/registry/households/": [200, 200, 200, 200, 200, 200, 403, 403, 403],
    "/registry/members/": [200, 200, 200, 200, 200, 200, 200, 403, 403],
    "/registry/units/": [200, 200, 200, 200, 200, 200, 200, 403, 403],
    "/registry/party-orgs/": [200, 200, 200, 200, 200, 200, 403, 403, 403],
    "/registry/divisions/": [200, 200, 200, 200, 200, 200, 200, 403, 403],
    "/registry/excel/": [200, 200, 403, 200, 403, 403, 403, 403, 403],
    "/accounts/users/": [403, 403, 403, 403, 403, 403, 200, 403, 403],
    "/accounts/security/": [403, 403, 403, 403, 403, 403, 403, 200, 403],
    "/audit/": [403, 403, 403, 403, 403, 403, 403, 403, 200],
    # the official calendar: everyone reads it, the committee and the system administrator edit it
    "/calendar/": [200] * 9,
    "/calendar/2026/": [200] * 9,
    "/calendar/new/": [200, 403, 403, 403, 403, 403, 200, 403, 403],
    "/calendar/import/": [200, 403, 403, 403, 403, 403, 200, 403, 403],
    "/calendar/day/2026-03-02/": [200, 403, 403, 403, 403, 403, 200, 403, 403],
    # 结对帮困: a member's own pairings; the boards for the committee and unit administrators
    "/pairing/mine/": [403, 403, 200, 403, 403, 403, 403, 403, 403],
    "/pairing/board/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    # pairing management: the list for the pairing roles, each in its scope; only the committee
    # creates pairings; the partnerships (结对共建) for the committee and unit administrators
    "/pairing/": [200, 200, 200, 200, 403, 403, 403, 403, 403],
    "/pairing/new/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    "/pairing/partnerships/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    # the visit list and its Excel export: the roles that work with pairings, each in its scope
    "/pairing/visits/": [200, 200, 200, 200, 403, 403, 403, 403, 403],
    "/pairing/visits/export/": [200, 200, 200, 200, 403, 403, 403, 403, 403],
    # every signed-in user reads its own notifications; the figures for the committee and units
    "/notifications/": [200] * 9,
    "/pairing/figures/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    # 党员进社区: a member's community and check-in; a worker's registrations, activities and
    # ratings; the unit roster for units and the committee; the figures for all three
    "/community/": [403, 403, 200, 403, 403, 403, 403, 403, 403],
    "/community/checkin/": [403, 403, 200, 403, 403, 403, 403, 403, 403],
    "/community/registrations/": [403, 403, 403, 200, 403, 403, 403, 403, 403],
    "/community/activities/": [403, 403, 403, 200, 403, 403, 403, 403, 403],
    "/community/activities/new/": [403, 403, 403, 200, 403, 403, 403, 403, 403],
    "/community/ratings/": [403, 403, 403, 200, 403, 403, 403, 403, 403],
    "/community/roster/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/community/figures/": [200, 200, 403, 200, 403, 403, 403, 403, 403],
    # 微心愿: the wall for the roles that work with wishes (each in its scope); a member's claims;
    # the community's list (workers, the committee), the post form (workers); the figures
    "/wishes/": [200, 200, 200, 200, 403, 403, 403, 403, 403],
    "/wishes/mine/": [403, 403, 200, 403, 403, 403, 403, 403, 403],
    "/wishes/manage/": [200, 403, 403, 200, 403, 403, 403, 403, 403],
    "/wishes/new/": [403, 403, 403, 200, 403, 403, 403, 403, 403],
    "/wishes/figures/": [200, 200, 403, 200, 403, 403, 403, 403, 403],
    # 满意窗口: the catalogue (事项目录) and its export for every business role; its editors
    # (the committee, unit administrators) import and add items; windows for the same two; the
    # committee's settings
    "/window/catalogue/": [200, 200, 200, 200, 200, 200, 403, 403, 403],
    "/window/catalogue/export/": [200, 200, 200, 200, 200, 200, 403, 403, 403],
    "/window/catalogue/import/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/window/items/new/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/window/windows/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/window/windows/new/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/window/settings/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    # cases (办件): the clerk's queue, and the same list for the unit and the committee in their
    # scope; only the clerk receives an applicant
    "/window/cases/": [200, 200, 403, 403, 200, 403, 403, 403, 403],
    "/window/cases/new/": [403, 403, 403, 403, 200, 403, 403, 403, 403],
    # 窗口统计 and the boards: the committee (every window), unit administrators (their own)
    "/window/figures/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/window/board/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    # 好差评: the ratings for the clerks (without who rated), unit administrators and the
    # committee; 差评 follow-ups for the unit and the committee; the rating choices for the committee
    "/window/ratings/": [200, 200, 403, 403, 200, 403, 403, 403, 403],
    "/window/ratings/follow-ups/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/window/ratings/questions/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    # 六零: the board for the clerks, unit administrators and the committee; the items for the
    # committee
    "/window/zero/": [200, 200, 403, 403, 200, 403, 403, 403, 403],
    "/window/zero/items/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    # Open311 application keys: the system administrator issues and revokes them
    "/frontline/keys/": [403, 403, 403, 403, 403, 403, 200, 403, 403],
    # 走访: the visits and the places for the committee, unit administrators and members (each in
    # its scope); the committee and unit administrators record visits; the figures for those two
    "/frontline/outreach/": [200, 200, 200, 403, 403, 403, 403, 403, 403],
    "/frontline/outreach/new/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/frontline/places/": [200, 200, 200, 403, 403, 403, 403, 403, 403],
    "/frontline/places/search/": [200, 200, 200, 403, 403, 403, 403, 403, 403],
    "/frontline/figures/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    # 难题: the queue for those in the loop (each its scope), the report form for the committee,
    # units and the window; the dispatch desk, the catalogue and the settings for the committee
    "/frontline/problems/": [200, 200, 200, 403, 200, 403, 403, 403, 403],
    "/frontline/problems/new/": [200, 200, 403, 403, 200, 403, 403, 403, 403],
    "/frontline/problems/desk/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    "/frontline/categories/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    "/frontline/settings/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    # 金点子, service brands, pocket books: read by the committee, unit administrators and
    # members (each its scope); written by the committee and unit administrators
    "/frontline/practices/": [200, 200, 200, 403, 403, 403, 403, 403, 403],
    "/frontline/practices/new/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/frontline/brands/": [200, 200, 200, 403, 403, 403, 403, 403, 403],
    "/frontline/brands/new/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/frontline/books/": [200, 200, 200, 403, 403, 403, 403, 403, 403],
    "/frontline/books/new/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    # 关怀帮扶: the open obligations, recording an event and the events for the committee and
    # unit administrators; a member's own page; the board and the catalogue for the committee;
    # the figures for the committee and unit administrators
    "/care/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/care/record/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/care/events/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/care/mine/": [403, 403, 200, 403, 403, 403, 403, 403, 403],
    "/care/board/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    "/care/figures/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/care/rules/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    "/care/rules/new/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    # 汇爱帮扶金: the books for the fund officer and the committee (posting: the fund officer);
    # donations and applications for them, the unit (its own) and a member (its own); the rule
    # table for the committee; the yearly 公示 for every business role
    "/fund/books/": [200, 403, 403, 403, 403, 200, 403, 403, 403],
    "/fund/books/vouchers/": [200, 403, 403, 403, 403, 200, 403, 403, 403],
    "/fund/books/post/": [403, 403, 403, 403, 403, 200, 403, 403, 403],
    "/fund/books/report/": [200, 403, 403, 403, 403, 200, 403, 403, 403],
    "/fund/donations/": [200, 200, 200, 403, 403, 200, 403, 403, 403],
    "/fund/donations/new/": [403, 403, 403, 403, 403, 200, 403, 403, 403],
    "/fund/donations/import/": [403, 403, 403, 403, 403, 200, 403, 403, 403],
    "/fund/aid/": [200, 200, 200, 403, 403, 200, 403, 403, 403],
    "/fund/aid/new/": [403, 200, 403, 403, 403, 200, 403, 403, 403],
    "/fund/aid/rules/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    "/fund/aid/publicity/": [200, 200, 200, 200, 200, 200, 403, 403, 403],
    # 十件实事: the list for the committee, unit administrators and members (each in its scope);
    # a lead unit's page for unit administrators; the editor for the committee; the year report
    # (Excel, PDF) for the committee and unit administrators
    "/pledges/": [200, 200, 200, 403, 403, 403, 403, 403, 403],
    "/pledges/unit/": [403, 200, 403, 403, 403, 403, 403, 403, 403],
    "/pledges/manage/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    "/pledges/new/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    "/pledges/export/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/pledges/export/pdf/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    # 工作情况统计: the committee any area, a unit's administrators their own unit's report
    "/reports/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/reports/published/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    "/reports/xlsx/": [200, 200, 403, 403, 403, 403, 403, 403, 403],
    # 轮训: the plans and the plan form for the committee; a unit's people for its administrator;
    # a member's own rotation
    "/training/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    "/training/new/": [200, 403, 403, 403, 403, 403, 403, 403, 403],
    "/training/unit/": [403, 200, 403, 403, 403, 403, 403, 403, 403],
    "/training/mine/": [403, 403, 200, 403, 403, 403, 403, 403, 403],
}

# Pages without an account (the resident's one-time confirmation link): everyone gets the page,
# signed in or not; a wrong code answers the same page as a spent one.
PUBLIC_PAGES: dict[str, int] = {
    "/wishes/confirm/not-a-valid-code/": 200,
    "/window/status/": 200,
    # the applicant's rating page: typing a code, and a code (a wrong one answers like a spent one)
    "/window/rate/": 200,
    "/window/rate/not-a-valid-code/": 200,
    # Open311 GeoReport v2: public to every application (posting needs an api_key)
    "/open311/v2/discovery.json": 200,
    "/open311/v2/services.xml": 200,
    "/open311/v2/requests.json": 200,
    "/open311/v2/requests.xml": 200,
    # 难题: the resident's report, status and rating pages (a wrong code answers like a spent one)
    "/frontline/report/": 200,
    "/frontline/report/status/": 200,
    "/frontline/rate/": 200,
    "/frontline/rate/not-a-valid-code/": 200,
    # 十件实事: the year's published pledges and their progress, without an account
    "/pledges/public/": 200,
}

# detail page -> (own, other) statuses per role, in order
DETAILS: dict[str, list[tuple[int, int]]] = {
    "household": [
        (200, 200),
        (404, 404),
        (404, 404),
        (200, 404),
        (404, 404),
        (404, 404),
        (403, 403),
        (403, 403),
        (403, 403),
    ],
    "member": [
        (200, 200),
        (200, 404),
        (200, 404),
        (200, 404),
        (404, 404),
        (404, 404),
        (200, 200),
        (403, 403),
        (403, 403),
    ],
    "unit": [
        (200, 200),
        (200, 404),
        (200, 404),
        (200, 200),
        (200, 200),
        (200, 200),
        (200, 200),
        (403, 403),
        (403, 403),
    ],
    "partyorg": [
        (200, 200),
        (200, 404),
        (200, 404),
        (404, 404),
        (404, 404),
        (404, 404),
        (403, 403),
        (403, 403),
        (403, 403),
    ],
}
DETAIL_URLS = {
    "household": ("/registry/households/{}/", "household", "other_household"),
    "member": ("/registry/members/{}/", "member", "other_member"),
    "unit": ("/registry/units/{}/", "unit", "other_unit"),
    "partyorg": ("/registry/party-orgs/{}/", "org", "other_org"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGES))
def test_page_status_by_role(world, official_calendar, role, page):
    expected = PAGES[page][ROLES.index(role)]
    response = client_for(getattr(world.users, role)).get(page)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", list(DETAILS))
def test_detail_status_by_role_own_and_other(world, role, kind):
    pattern, own, other = DETAIL_URLS[kind]
    client = client_for(getattr(world.users, role))
    got = (
        client.get(pattern.format(getattr(world, own).pk)).status_code,
        client.get(pattern.format(getattr(world, other).pk)).status_code,
    )
    assert got == DETAILS[kind][ROLES.index(role)]


@pytest.mark.parametrize("page", list(PAGES))
def test_anonymous_visitors_are_sent_to_sign_in(client, official_calendar, page):
    response = client.get(page)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("page", list(PUBLIC_PAGES))
def test_public_pages_answer_anonymous_visitors_and_every_role(client, world, page):
    assert client.get(page).status_code == PUBLIC_PAGES[page]
    for role in ROLES:
        response = client_for(getattr(world.users, role)).get(page)
        assert response.status_code == PUBLIC_PAGES[page], role


def test_a_missing_record_answers_like_one_outside_scope(world):
    client = client_for(world.users.community_worker)
    missing = client.get("/registry/households/999999/")
    outside = client.get(f"/registry/households/{world.other_household.pk}/")
    assert missing.status_code == outside.status_code == 404


# pairing page -> (own, other) statuses per role, in order; `own` is 张三's pairing with 张国宝户
# in the community worker's community, `other` the other unit's (see pairing.tests.pair_world)
PAIRING_DETAILS: dict[str, list[tuple[int, int]]] = {
    "/pairing/{}/": [(200, 200), (200, 404), (200, 404), (200, 404)] + [(403, 403)] * 5,
    "/pairing/{}/handover/": [(200, 200), (200, 404)] + [(403, 403)] * 7,
    "/pairing/{}/end/": [(200, 200), (200, 404)] + [(403, 403)] * 7,
    "/pairing/partnerships/{}/": [(200, 200), (200, 404)] + [(403, 403)] * 7,
}
PAIRING_DETAIL_OBJECTS = {
    "/pairing/{}/": ("pairing", "other_pairing"),
    "/pairing/{}/handover/": ("pairing", "other_pairing"),
    "/pairing/{}/end/": ("pairing", "other_pairing"),
    "/pairing/partnerships/{}/": ("partnership", "other_partnership"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("pattern", list(PAIRING_DETAILS))
def test_pairing_page_status_by_role_own_and_other(world, role, pattern):
    from guanqing.pairing.tests import pair_world

    paired = pair_world(world)
    own, other = PAIRING_DETAIL_OBJECTS[pattern]
    client = client_for(getattr(paired.users, role))
    got = (
        client.get(pattern.format(getattr(paired, own).pk)).status_code,
        client.get(pattern.format(getattr(paired, other).pk)).status_code,
    )
    assert got == PAIRING_DETAILS[pattern][ROLES.index(role)]


# wish page -> (own, other) statuses per role, in order; `own` is a published wish of the
# community worker's community claimed by the member (so its unit administrator sees it), `other`
# a pending wish of another community (on nobody's wall)
WISH_DETAILS: dict[str, list[tuple[int, int]]] = {
    "/wishes/{}/": [(200, 200), (200, 404), (200, 404), (200, 404)] + [(403, 403)] * 5,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("pattern", list(WISH_DETAILS))
def test_wish_page_status_by_role_own_and_other(world, role, pattern):
    from guanqing.wishes.tests.factories import make_wish

    own = make_wish(world, "published", capacity=2, claimants=[world.member])
    other = make_wish(
        world,
        "pending",
        community=world.other_community,
        household=world.other_household,
        posted_by=world.users.committee,
    )
    client = client_for(getattr(world.users, role))
    got = (
        client.get(pattern.format(own.pk)).status_code,
        client.get(pattern.format(other.pk)).status_code,
    )
    assert got == WISH_DETAILS[pattern][ROLES.index(role)]
