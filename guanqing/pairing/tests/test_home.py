"""The home page (工作台) sections of 结对帮困: each role sees its own counts, read through its
scope; the other roles see none of them; every link opens for the user and lists as many rows as
the number says; and the sections cost a few queries whatever the data.

The day is 20 May 2025 (2025 Q2; Q1 and the new-year window have ended). 市纪委 has 张国宝户 (A,
held by 张三) and a whole-unit pairing (B) in 徐家漕社区, and D (held by 张三) in 别的社区; 市发改委
has C (held by 李四) in 别的社区. A talk: A on 15 April; B on 10 February and 5 May. Visits that are
not talks: C on 20 April, D on 6 May. With due_soon_days 60 every Q2 duty not done is due soon:
Q1 — A overdue, B done, C overdue, D overdue; Q2 — A done, B done, C due soon, D due soon; the
new-year window (no festival visit) — all four overdue.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import RequestFactory
from django.utils import translation

from guanqing.conftest import client_for
from guanqing.core import access
from guanqing.core.roles import Role
from guanqing.core.ui import home
from guanqing.pairing.models import ComplianceSettings
from guanqing.testing import factories as f

D = datetime.date
NOON = datetime.datetime(2025, 5, 20, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
START = D(2024, 1, 1)
PAIRING_SECTIONS = {
    Role.MEMBER: "pairing.member_duties",
    Role.UNIT_ADMIN: "pairing.unit_duties",
    Role.COMMITTEE: "pairing.city_headline",
    Role.COMMUNITY_WORKER: "pairing.community_visits",
}


@pytest.fixture
def home_world(world):
    with time_machine.travel(NOON, tick=False):
        ComplianceSettings.objects.create(due_soon_days=60)
        colleague = f.MemberFactory(unit=world.unit, branch=world.org, name="王五")
        a = f.PairingFactory(
            household=world.household, unit=world.unit, member=world.member, started_on=START
        )
        b = f.PairingFactory(
            household=f.HouseholdFactory(community=world.community, head_name="周大伯"),
            unit=world.unit,
            member=None,
            started_on=START,
        )
        c = f.PairingFactory(
            household=world.other_household,
            unit=world.other_unit,
            member=world.other_member,
            started_on=START,
        )
        d = f.PairingFactory(
            household=f.HouseholdFactory(community=world.other_community, head_name="钱阿婆"),
            unit=world.unit,
            member=world.member,
            started_on=START,
        )
        f.VisitFactory(pairing=a, date=D(2025, 4, 15), participants=[world.member])
        f.VisitFactory(pairing=b, date=D(2025, 2, 10), participants=[world.member, colleague])
        f.VisitFactory(pairing=b, date=D(2025, 5, 5), participants=[colleague])
        f.VisitFactory(
            pairing=c,
            date=D(2025, 4, 20),
            talk=False,
            brief=True,
            participants=[world.other_member],
        )
        f.VisitFactory(
            pairing=d, date=D(2025, 5, 6), talk=False, brief=True, participants=[world.member]
        )
        world.a, world.b, world.c, world.d = a, b, c, d
        yield world


def _sections(user) -> dict[str, dict]:
    """The pairing sections the user sees (the other apps' providers are not called)."""
    request = RequestFactory().get("/")
    request.user = user
    shown = {}
    with translation.override("zh-hans"):
        for section in home.sections():
            if not section.key.startswith("pairing."):
                continue
            if section.rule is not None and not access.allows(user, section.rule):
                continue
            content = section.provider(request)
            if content:
                shown[section.key] = {"key": section.key, **content}
    return shown


def _texts(section) -> list:
    return [(str(i["text"]), i["count"], str(i["meta"])) for i in section["items"]]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_only_its_own_section(home_world, role):
    shown = set(_sections(getattr(home_world.users, role.value)))
    assert shown == ({PAIRING_SECTIONS[role]} if role in PAIRING_SECTIONS else set())


def test_member_sees_the_duties_it_answers_for_with_their_deadlines(home_world):
    section = _sections(home_world.users.member)["pairing.member_duties"]
    # B is the whole unit's, C the other unit's: neither is 张三's to do
    assert sorted(_texts(section)) == sorted(
        [
            ("张国宝户 · 2025 年第 1 季度", None, "已逾期，截止 2025-03-31"),
            ("钱阿婆户 · 2025 年第 1 季度", None, "已逾期，截止 2025-03-31"),
            ("钱阿婆户 · 2025 年第 2 季度", None, "即将到期，截止 2025-06-30"),
        ]
    )
    assert {i["url"] for i in section["items"]} == {
        f"/pairing/{home_world.a.pk}/",
        f"/pairing/{home_world.d.pk}/",
    }
    assert section["more_url"] == "/pairing/mine/"


def test_unit_admin_sees_its_units_overdue_and_due_soon_duties(home_world):
    section = _sections(home_world.users.unit_admin)["pairing.unit_duties"]
    # C (市发改委) is overdue and due soon too, but it is not this unit's
    assert _texts(section) == [
        ("2025 年第 2 季度 · 即将到期", 1, ""),
        ("2025 年第 1 季度 · 已逾期", 2, ""),
    ]
    assert [i["url"] for i in section["items"]] == [
        "/pairing/board/?period=2025Q2&status=due_soon",
        "/pairing/board/?period=2025Q1&status=overdue",
    ]


def _stats(section) -> dict[str, tuple[int, str]]:
    return {str(s["label"]): (s["value"], s["url"]) for s in section["stats"]}


def test_committee_sees_the_city_headline(home_world):
    section = _sections(home_world.users.committee)["pairing.city_headline"]
    assert _stats(section) == {
        "在结对": (4, "/pairing/?status=active"),
        "本季度走访": (4, "/pairing/visits/?date_from=2025-04-01&date_to=2025-05-20"),
        "逾期单位": (2, "/pairing/board/?period=2025-new_year&status=overdue"),
        "本年走访人次": (6, "/pairing/figures/?preset=2025"),
    }


def test_community_worker_sees_its_communitys_visits_this_month(home_world):
    section = _sections(home_world.users.community_worker)["pairing.community_visits"]
    # D's visit of 6 May is in 别的社区
    assert _stats(section) == {
        "本月走访": (1, "/pairing/visits/?date_from=2025-05-01&date_to=2025-05-20"),
        "在结对": (2, "/pairing/?status=active"),
    }


def _rows_behind(response) -> int:
    """How many rows the linked page lists (or sums up to the number it shows)."""
    context = response.context
    if "board" in context:
        board = context["board"]
        # a unit's board lists its pairings; the city's ranks its units (all counted)
        return len(board["pairings"]) if "pairings" in board else board["by_unit"].total
    if "result" in context:  # the figures
        return context["result"]["visit_person_times"]
    return context["page_obj"].paginator.count


@pytest.mark.parametrize("role", list(PAIRING_SECTIONS))
def test_every_link_opens_and_lists_as_many_rows_as_it_says(home_world, role):
    user = getattr(home_world.users, role.value)
    section = _sections(user)[PAIRING_SECTIONS[role]]
    client = client_for(user)
    if "stats" in section:
        for stat in section["stats"]:
            response = client.get(stat["url"])
            assert response.status_code == 200, stat["url"]
            assert _rows_behind(response) == stat["value"], stat["url"]
    for item in section.get("items", []):
        response = client.get(item["url"])
        assert response.status_code == 200, item["url"]
        if item["count"] is not None:
            assert _rows_behind(response) == item["count"], item["url"]
    if section.get("more_url"):
        assert client.get(section["more_url"]).status_code == 200


@pytest.mark.parametrize("role", list(PAIRING_SECTIONS))
def test_the_sections_keep_to_a_few_queries(home_world, role, django_assert_max_num_queries):
    user = getattr(home_world.users, role.value)
    with django_assert_max_num_queries(6):
        _sections(user)


def test_the_home_page_shows_the_section(home_world):
    client = client_for(home_world.users.unit_admin)
    body = client.get("/").content.decode()
    assert 'id="home-pairingunit_duties"' in body
    assert "/pairing/board/?period=2025Q1&amp;status=overdue" in body


def test_the_board_lists_all_rows_without_or_with_an_unknown_status(home_world):
    client = client_for(home_world.users.unit_admin)
    for query in ("", "&status=", "&status=bogus"):
        response = client.get(f"/pairing/board/?period=2025Q1{query}")
        assert len(response.context["board"]["pairings"]) == 3  # A, B, D
        assert response.context["status"] == ""
    response = client.get("/pairing/board/?period=2025Q1&status=done")
    assert [row["pairing"] for row in response.context["board"]["pairings"]] == [home_world.b.pk]
    assert "只看“已完成”" in response.content.decode()
