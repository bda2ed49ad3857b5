"""The wall's 我的认领 badge follows a claim without a reload; the figures page shows the top of
the ranking and folds the rest (each unit listed once up front), counts this year to date by
default like the other figures pages, and runs a fixed number of queries whatever the units."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanqing.conftest import client_for
from guanqing.testing import factories as f
from guanqing.wishes.tests.factories import make_wish

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "wish-card"}


def _held_badge(html: str) -> str:
    match = re.search(r'<span id="held-badge"[^>]*>([^<]*)</span>', html)
    assert match, "no 我的认领 badge"
    return match.group(0)


def test_a_claim_from_the_wall_updates_the_my_claims_badge_in_place(ww):
    wish = make_wish(ww, "published")
    member = client_for(ww.users.member)
    wall = member.get("/wishes/").content.decode()
    assert ">0/3</span>" in _held_badge(wall)

    response = member.post(f"/wishes/{wish.pk}/claim/", **HTMX)

    assert response.status_code == 201
    badge = _held_badge(response.content.decode())
    assert 'hx-swap-oob="true"' in badge and ">1/3</span>" in badge


def test_a_refused_claim_still_answers_the_true_count(ww):
    wish = make_wish(ww, "published")
    make_wish(ww, "published", claimants=[ww.colleague])
    client_for(ww.users.colleague).post(f"/wishes/{wish.pk}/claim/", **HTMX)

    response = client_for(ww.users.member).post(f"/wishes/{wish.pk}/claim/", **HTMX)

    assert response.status_code == 409
    assert ">0/3</span>" in _held_badge(response.content.decode())


def _units_fulfilling(ww, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        unit = f.UnitFactory(name=f"测试单位{i:02d}")
        member = f.MemberFactory(unit=unit, name=f"党员{i:02d}")
        for _ in range(i % 3 + 1):
            make_wish(ww, "fulfilled", claimants=[member])


def test_the_figures_page_shows_the_top_ten_units_and_folds_the_rest(ww):
    _units_fulfilling(ww, 14)
    html = client_for(ww.users.committee).get("/wishes/figures/").content.decode()

    up_front, folded = html.split('data-key="ranking-more"')
    assert up_front.count('data-unit="') == 10
    assert folded.count('data-unit="') == 4
    assert "显示全部 14 个单位" in html
    # the table by unit is there for whoever wants it, folded: no unit is listed twice up front
    table = html.split('data-key="by-unit"')
    assert len(table) == 2 and table[0].rstrip().endswith('<details class="wish-units"')
    assert table[1].count("data-unit-row=") >= 14


def test_the_figures_page_runs_the_same_queries_for_3_or_30_units(ww):
    committee = client_for(ww.users.committee)
    _units_fulfilling(ww, 3)
    committee.get("/wishes/figures/")  # warm the session and the settings row
    with CaptureQueriesContext(connection) as few:
        assert committee.get("/wishes/figures/").status_code == 200
    _units_fulfilling(ww, 27, start=3)
    with CaptureQueriesContext(connection) as many:
        assert committee.get("/wishes/figures/").status_code == 200
    assert len(many) == len(few) <= 25


@pytest.mark.parametrize(
    "url",
    ["/wishes/figures/", "/community/figures/", "/pairing/figures/"],
)
def test_every_figures_page_counts_this_year_to_date_by_default(world, url):
    today = timezone.localdate()
    html = client_for(world.users.committee).get(url).content.decode()
    first = datetime.date(today.year, 1, 1)
    # the period shown is 1 January to today, in words or in the date fields
    assert first.isoformat() in html and today.isoformat() in html


def test_the_figures_count_whole_shanghai_days_at_both_ends(ww):
    """The range is bounded on the stored instant (fast), still by Asia/Shanghai days."""
    from guanqing.wishes.figures import wish_figures

    tz = timezone.get_default_timezone()
    first, last = datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)
    for moment in (
        datetime.datetime(2026, 2, 28, 23, 59, tzinfo=tz),  # the day before: out
        datetime.datetime(2026, 3, 1, 0, 0, tzinfo=tz),  # in
        datetime.datetime(2026, 3, 31, 23, 59, tzinfo=tz),  # in
        datetime.datetime(2026, 4, 1, 0, 0, tzinfo=tz),  # the day after: out
    ):
        wish = make_wish(ww, "fulfilled", claimants=[ww.member])
        type(wish).objects.filter(pk=wish.pk).update(created_at=moment, fulfilled_at=moment)
    totals = wish_figures(ww.users.committee, first, last)["totals"]
    assert totals["posted"] == 2 and totals["fulfilled"] == 2


def test_the_walls_community_is_chosen_in_a_picker_of_the_communities_with_wishes(ww):
    """The wall's community filter lists the communities with wishes on the wall while they are
    few, and is a search past that (a province has some 25,000), a member's search included; the
    page names the community by id (the API by its code)."""
    here = make_wish(ww, "published", title="读书角")
    there = make_wish(ww, "published", community=ww.other_community, title="助浴椅")
    member = client_for(ww.users.member)
    html = member.get("/wishes/").content.decode()
    assert f'<option value="{ww.other_community.pk}"' in html
    shown = member.get("/wishes/", {"community": ww.other_community.pk})
    assert [card.pk for card in shown.context["cards"]] == [there.pk]
    with mock.patch("guanqing.wishes.views_wall.PICKER_SELECT_UP_TO", 1):
        html = member.get("/wishes/").content.decode()
    assert 'name="community_q"' in html and 'hx-get="/registry/pick/wall-communities/"' in html
    found = member.get("/registry/pick/wall-communities/", {"q": ww.other_community.name})
    assert found.status_code == 200 and ww.other_community.name in found.content.decode()
    assert here.community.name != ww.other_community.name
    # only the communities with wishes on the wall are offered, and only to the wall's readers
    empty = f.CommunityFactory(name="空空社区")
    assert empty.name not in member.get("/registry/pick/wall-communities/", {"q": "空空"}).text
    auditor = client_for(ww.users.audit_admin).get(
        "/registry/pick/wall-communities/", {"q": "社区"}
    )
    assert auditor.status_code == 403
