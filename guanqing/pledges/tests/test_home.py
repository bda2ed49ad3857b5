"""The pledges on the home page: the committee sees this year's pledges by status, a lead unit
its pledges with the next milestone and whether this month's report is in, a member a short list
with progress bars; other roles and empty years show nothing."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanqing.conftest import client_for
from guanqing.core.tests.test_i18n import english_client
from guanqing.pledges import home as sections
from guanqing.pledges import services
from guanqing.pledges.tests.helpers import D, pledge, report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today", "official_calendar")]


@pytest.fixture
def year(world):
    """This year's pledges (today 2026-05-13): 1 on track, 2 at risk (a milestone due on
    5-15), 3 late (a milestone due on 5-08), 4 done (target reached), 5 led by the other unit,
    6 still a draft, and one of last year."""
    committee = world.users.committee
    rows = {
        "on_track": pledge(world, 1, title="菜单式培训"),
        "at_risk": pledge(world, 2, title="阅读平台"),
        "late": pledge(world, 3, title="母婴室"),
        "done": pledge(world, 4, title="一站式窗口", target_value=1),
        "other": pledge(world, 5, title="廉政教育基地开放日", units=[world.other_unit]),
        "draft": pledge(world, 6, title="草稿实事", publish=False),
        "old": pledge(world, 1, title="去年的实事", year=2025),
    }
    services.milestone_add(
        actor=committee, pledge=rows["on_track"], title="年终总结", due_on=D(2026, 12, 20)
    )
    services.milestone_add(
        actor=committee, pledge=rows["at_risk"], title="平台上线", due_on=D(2026, 5, 15)
    )
    services.milestone_add(
        actor=committee, pledge=rows["late"], title="完成装修", due_on=D(2026, 5, 8)
    )
    report(world, rows["done"], value=1)
    return rows


def section(html: str, key: str) -> str | None:
    found = re.search(rf'<section[^>]*id="home-{key}".*?</section>', html, re.S)
    return found.group(0) if found else None


def home(user) -> str:
    response = client_for(user).get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_committee_sees_the_years_pledges_by_status(world, year):
    part = section(home(world.users.committee), "pledgescity")
    assert part is not None
    figures = dict(
        re.findall(r'stat__label">([^<]+)</div>\s*<div class="stat__value">(\d+)', part, re.S)
    )
    # the draft and last year's pledge are not counted; the other unit's is (on track)
    assert figures == {"正常推进": "2", "临近节点": "1", "滞后": "1", "已完成": "1"}
    assert reverse("pledges:list") + "?year=2026" in part
    assert section(home(world.users.committee), "pledgesyear") is None


def test_a_lead_unit_sees_its_pledges_next_milestone_and_this_months_report(world, year):
    html = home(world.users.unit_admin)
    part = section(html, "pledgesunit")
    assert part is not None
    assert "廉政教育基地" not in part and "草稿实事" not in part and "去年" not in part
    items = re.findall(r'<li class="todo__item">(.*?)</li>', part, re.S)
    assert len(items) == 4
    late = next(i for i in items if "母婴室" in i)
    assert "完成装修" in late and "滞后" in late and "本月进展未报送" in late
    assert reverse("pledges:report", args=[year["late"].pk]) in late
    done = next(i for i in items if "一站式窗口" in i)
    assert "本月进展已报送" in done and "节点均已完成" in done
    assert reverse("pledges:detail", args=[year["done"].pk]) in done
    risky = next(i for i in items if "阅读平台" in i)
    assert "平台上线" in risky and "临近节点" in risky


def test_a_member_sees_a_short_list_with_progress_bars(world, year):
    part = section(home(world.users.member), "pledgesyear")
    assert part is not None
    titles = re.findall(r'href="/pledges/\d+/">(\d+)\. ([^<]+)</a>', part)
    assert [number for number, _ in titles] == ["1", "2", "3", "4", "5"]
    assert "草稿实事" not in part and "去年的实事" not in part
    assert part.count("<progress") == 5
    assert 'value="100"' in part  # the done one, full
    assert section(home(world.users.member), "pledgescity") is None


def test_the_unit_of_a_lead_unit_reporting_this_month_is_marked_in(world, year):
    report(world, year["late"], value=0, text="装修招标中")
    part = section(home(world.users.unit_admin), "pledgesunit")
    late = next(i for i in re.findall(r"<li.*?</li>", part, re.S) if "母婴室" in i)
    assert "本月进展已报送" in late


@pytest.mark.parametrize("role", ["community_worker", "window_clerk", "fund_officer"])
def test_other_roles_see_no_pledges(world, year, role):
    html = home(getattr(world.users, role))
    assert "home-pledges" not in html


def test_no_pledges_this_year_no_section(world):
    pledge(world, 1, title="去年的实事", year=2025)
    for user in (world.users.committee, world.users.unit_admin, world.users.member):
        assert "home-pledges" not in home(user)


def test_the_sections_do_not_grow_with_the_pledges(world, year):
    def queries(provider, user):
        request = RequestFactory().get("/")
        request.user = user
        with CaptureQueriesContext(connection) as ctx:
            assert provider(request)
        return len(ctx.captured_queries)

    cases = [
        (sections.city_pledges, world.users.committee),
        (sections.unit_pledges, world.users.unit_admin),
        (sections.year_pledges, world.users.member),
    ]
    [queries(p, u) for p, u in cases]  # the official calendar's year is read once and kept
    before = [queries(p, u) for p, u in cases]
    for number in range(7, 11):
        row = pledge(world, number, title=f"实事{number}")
        services.milestone_add(
            actor=world.users.committee, pledge=row, title="节点", due_on=D(2026, 9, 1)
        )
    assert [queries(p, u) for p, u in cases] == before
    assert max(before) <= 5


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("role", "key"),
    [("committee", "pledgescity"), ("unit_admin", "pledgesunit"), ("member", "pledgesyear")],
)
def test_the_sections_read_english_for_an_english_user(world, year, role, key):
    html = english_client(getattr(world.users, role)).get(reverse("core:home")).content.decode()
    part = section(html, key)
    assert part is not None
    # the pledges' and milestones' titles and units are data; the section's own words are not
    for data in ("菜单式培训", "阅读平台", "母婴室", "一站式窗口", "廉政教育基地开放日"):
        part = part.replace(data, "")
    for data in ("年终总结", "平台上线", "完成装修", "场"):
        part = part.replace(data, "")
    assert not CJK.findall(part), CJK.findall(part)[:20]
