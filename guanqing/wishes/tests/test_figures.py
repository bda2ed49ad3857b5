"""The micro-wish figures: counts in a date range, by unit, district and category; units ranked by
wishes fulfilled, never by claims."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from guanqing.conftest import PINNED_TODAY, api_as
from guanqing.testing import factories as f
from guanqing.wishes import services
from guanqing.wishes.models import Wish
from guanqing.wishes.tests.factories import make_wish

# Pinned: a date read at import goes stale when the run crosses midnight in Asia/Shanghai.
TODAY = PINNED_TODAY.date()


@pytest.fixture(autouse=True)
def _on_the_pinned_day(pinned_today):
    """Every test of this module runs on TODAY."""


@pytest.fixture
def story(ww):
    """市纪委: 张三 and 王五 fulfil one wish together and 张三 another alone (2 fulfilled).
    市发改委: 李四 holds 3 claims, fulfils none (3 claims, 0 fulfilled).
    Plus one pending wish, and one wish of the other community that 李四 claimed."""
    m, c, o = ww.users.member, ww.users.colleague, ww.users.other_member
    together = make_wish(ww, "published", capacity=2, category="trip")
    services.wish_claim(actor=m, wish=together)
    services.wish_claim(actor=c, wish=together)
    services.wish_fulfil(actor=c, wish=together, note="一起完成", money_spent="100.10")
    alone = make_wish(ww, "published", category="goods")
    services.wish_claim(actor=m, wish=alone)
    services.wish_fulfil(actor=m, wish=alone, note="完成", money_spent="50")
    for _ in range(2):
        services.wish_claim(actor=o, wish=make_wish(ww, "published", category="study"))
    ww.elsewhere = make_wish(
        ww,
        "published",
        community=ww.other_community,
        household=ww.other_household,
        posted_by=ww.users.other_worker,
    )
    services.wish_claim(actor=o, wish=ww.elsewhere)
    make_wish(ww, "pending")
    services.wish_confirm(actor=ww.users.community_worker, wish=together)
    return ww


def _figures(user, query=""):
    response = api_as(user).get(f"/api/v1/figures/wishes/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_city_figures_count_each_stage(story):
    body = _figures(story.users.committee)
    assert body["totals"] == {
        "posted": 6,
        "published": 5,
        "claims": 6,
        "claimed": 5,
        "members_who_claimed": 3,
        "fulfilled": 2,
        "confirmed": 1,
        "money_spent_yuan": "150.10",
        "money_spent_wan_yuan": "0.02",
    }
    by_category = {row["category"]: row for row in body["by_category"]}
    # trip: the wish fulfilled together, the other community's and the pending one
    assert (by_category["trip"]["posted"], by_category["trip"]["fulfilled"]) == (3, 1)
    assert (by_category["goods"]["posted"], by_category["goods"]["fulfilled"]) == (1, 1)
    assert (by_category["study"]["posted"], by_category["study"]["fulfilled"]) == (2, 0)
    assert sum(row["posted"] for row in body["by_district"]) == 6


def test_units_are_ranked_by_fulfilled_wishes_never_by_claims(story):
    body = _figures(story.users.committee)
    by_unit = {row["unit"]: row for row in body["by_unit"]}
    assert by_unit["市纪委"] == {
        "unit_id": story.unit.pk,
        "unit": "市纪委",
        "claims": 3,
        "members_who_claimed": 2,
        "fulfilled": 2,
    }
    assert (by_unit["市发改委"]["claims"], by_unit["市发改委"]["fulfilled"]) == (3, 0)
    # 市发改委 made as many claims and fulfilled nothing: it is not ranked at all
    assert body["ranking"] == [
        {"rank": 1, "unit_id": story.unit.pk, "unit": "市纪委", "fulfilled": 2}
    ]


def test_the_range_counts_only_what_happened_in_it(story):
    yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
    body = _figures(story.users.committee, f"?from={yesterday}&to={yesterday}")
    assert set(body["totals"].values()) == {0, "0.00"}
    Wish.objects.update(created_at=timezone.now() - datetime.timedelta(days=1))
    body = _figures(story.users.committee, f"?from={yesterday}&to={yesterday}")
    assert body["totals"]["posted"] == 6 and body["totals"]["fulfilled"] == 0


def test_a_community_worker_sees_its_communitys_figures(story):
    body = _figures(story.users.other_worker)
    assert body["totals"]["posted"] == 1 and body["totals"]["claims"] == 1


def test_a_unit_admin_sees_its_members_figures(story):
    body = _figures(story.users.unit_admin)
    assert body["totals"]["claims"] == 3
    assert body["totals"]["members_who_claimed"] == 2
    assert [row["unit"] for row in body["by_unit"]] == ["市纪委"]


@pytest.mark.parametrize(
    "query",
    ["?from=2026-13-01", "?from=2025-05-01&to=2025-04-01", "?from=2000-01-01&to=2025-01-01"],
)
def test_bad_ranges_are_refused_naming_the_parameter(ww, query):
    response = api_as(ww.users.committee).get(f"/api/v1/figures/wishes/{query}")
    assert response.status_code == 400
    assert set(response.json()) <= {"from", "to"}


@pytest.mark.parametrize("role", ["member", "window_clerk", "fund_officer", "audit_admin"])
def test_other_roles_get_403(ww, role):
    response = api_as(getattr(ww.users, role)).get("/api/v1/figures/wishes/")
    assert response.status_code == 403


def test_a_merged_district_is_counted_in_todays_district(ww):
    yinzhou = f.DistrictFactory(code="330212000000", name="鄞州区")
    jiangdong = f.DistrictFactory(
        code="330204000000",
        name="江东区",
        valid_until=datetime.date(2016, 9, 30),
        successor=yinzhou,
    )
    jd = f.CommunityFactory(parent=f.StreetFactory(parent=jiangdong), name="徐戎三村")
    make_wish(ww, "published", community=jd, household=None)
    body = _figures(ww.users.committee)
    assert [(r["district"], r["posted"]) for r in body["by_district"]] == [("鄞州区", 1)]
