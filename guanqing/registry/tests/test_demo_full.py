"""The full demo (scale 1), loaded once and shared (`pytest.mark.shared_demo`): the article's
figures, places and people, valid data, and a second load that reuses the data. The demo at scale
0.05 is checked in test_demo.py; demos built afresh in test_demo_builds.py."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.utils import timezone

from guanqing.accounts.models import User
from guanqing.core.demo import load_demo
from guanqing.core.models import AuditEvent
from guanqing.core.sensitive import validate_id_number
from guanqing.registry.choices import DivisionKind, DivisionLevel, OrgKind, Rank
from guanqing.registry.demo import data
from guanqing.registry.models import Division, Household, Member, PartyOrg, Person, Unit
from guanqing.registry.selectors import household_counts_by_district

# The demo is built around today: its figures are checked on one fixed day.
pytestmark = [
    pytest.mark.shared_demo(scale=1),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today"),
]


def _age(birth, today):
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def test_full_demo_has_the_articles_figures_places_and_people(shared_demo):
    assert shared_demo.parts["registry"].households == 1594

    # 1,594 households, 92+ units (every one the article names), 91 village orgs, ~15,000 members.
    assert Household.objects.count() == 1594
    assert Unit.objects.count() >= 92
    short_names = set(Unit.objects.values_list("short_name", flat=True))
    assert set(data.ARTICLE_UNITS) <= short_names
    village_orgs = PartyOrg.objects.filter(unit__isnull=True, division__isnull=False)
    assert village_orgs.count() == 91
    assert village_orgs.values("division").distinct().count() == 91
    assert not village_orgs.exclude(division__kind=DivisionKind.VILLAGE).exists()
    assert 14_250 <= Member.objects.count() <= 15_750
    communities = Division.objects.filter(level=DivisionLevel.COMMUNITY)
    assert communities.count() >= 150

    # Rank mix: few bureau-level, about a fifth division-level, about two fifths section-level.
    total = Member.objects.count()
    share = {r: Member.objects.filter(rank=r).count() / total for r in Rank.values}
    assert share[Rank.BUREAU] < 0.05
    assert 0.15 < share[Rank.DIVISION] < 0.25
    assert 0.35 < share[Rank.SECTION] < 0.45

    # Every unit has a 机关党委 with 2–6 branches, and every member sits in a branch of their unit.
    for unit in Unit.objects.all():
        committees = PartyOrg.objects.filter(unit=unit, kind=OrgKind.COMMITTEE)
        assert committees.count() == 1, unit
        assert 2 <= PartyOrg.objects.filter(unit=unit, kind=OrgKind.BRANCH).count() <= 6, unit
    assert not Member.objects.exclude(branch__unit=F("unit")).exists()
    assert PartyOrg.objects.filter(name="市人民检察院控申处支部", kind=OrgKind.BRANCH).exists()
    assert PartyOrg.objects.filter(kind=OrgKind.GENERAL_BRANCH).exists()

    # The places the article names, under the districts they belonged to.
    def place(name):
        return Division.objects.select_related("parent", "district").get(name=name)

    assert place("徐家漕社区").district.name == "海曙区"
    xurong = place("徐戎三村")
    assert xurong.district.name == "江东区" and xurong.district.code == "330204000000"
    assert xurong.district.is_abolished and xurong.district.successor.name == "鄞州区"
    zhuangqiao = place("庄桥街道")
    assert zhuangqiao.level == DivisionLevel.STREET and zhuangqiao.district.name == "江北区"
    assert zhuangqiao.children.filter(kind=DivisionKind.COMMUNITY).exists()
    assert place("东湖花园").level == DivisionLevel.COMMUNITY
    assert place("日月星辰社区").district.name == "江东区"
    baofeng = place("宝峰社区")
    assert baofeng.parent.name == "慈城镇" and baofeng.district.name == "江北区"
    assert place("山门村").district.name in {"奉化市", "奉化区"}
    assert place("珠涂村").district.name == "象山县"
    fenghua = Division.objects.get(code="330283000000")
    assert fenghua.is_abolished and fenghua.successor.code == "330213000000"

    # A district's district is itself; below it, the district it was created under.
    for division in Division.objects.select_related("parent__parent", "district"):
        if division.level == DivisionLevel.DISTRICT:
            assert division.district_id == division.pk
            assert division.parent_id is None
        elif division.level == DivisionLevel.STREET:
            assert division.district_id == division.parent_id
        else:
            assert division.district_id == division.parent.parent_id
            assert division.code[:9] == division.parent.code[:9]

    # Lists by current district roll 江东区 and 奉化市 up: no abolished district, nothing lost.
    committee = User.objects.get(username="committee")
    rows = household_counts_by_district(committee)
    assert {r["district"] for r in rows}.isdisjoint({"江东区", "奉化市"})
    assert sum(r["households"] for r in rows) == 1594

    # The people the article names.
    today = timezone.localdate()
    zhang = Household.objects.get(head_name="张国宝")
    assert zhang.community.name == "徐家漕社区"
    assert zhang.people.count() == 1
    assert _age(zhang.people.get().birth_date, today) == 77
    assert "左下肢截肢" in zhang.hardship_cause and "独居" in zhang.situation
    shao = Household.objects.get(head_name="邵国樑")
    assert shao.community.name == "徐戎三村" and shao.people.count() == 1
    assert _age(shao.people.get().birth_date, today) == 90
    yang = Household.objects.get(head_name="杨周宝")
    assert yang.community.parent.name == "庄桥街道"
    assert yang.people.filter(relation="child", note__contains="找工作").exists()

    liang = Member.objects.get(name="梁峰")
    assert liang.unit.short_name == "市发改委" and liang.rank == Rank.DIVISION
    assert Member.objects.get(name="朱斌荣").home_community.name == "东湖花园"
    wu = Member.objects.get(name="吴宗良")
    assert wu.unit.short_name == "市审计局" and wu.home_community.name == "日月星辰社区"
    assert Member.objects.get(name="吴鹏").unit.short_name == "市食品药品监管局"

    # Every ID number is checksum-valid and unique; mobiles follow 1[3-9]; most have a home.
    for model in (Member, Household, Person):
        rows = list(model.objects.all())
        for row in rows:
            validate_id_number(row.id_number)
        assert len({row.id_number_hash for row in rows}) == len(rows)
    assert not Member.objects.exclude(mobile__regex=r"^1[3-9][0-9]{9}$").exists()
    assert Member.objects.filter(home_community__isnull=False).count() > 0.8 * total
    people_per_household = Person.objects.count() / Household.objects.count()
    assert 1 < people_per_household <= 4
    assert Household.objects.values("category").distinct().count() >= 6
    assert Household.objects.values("situation").distinct().count() > 50

    # One audit event summarises the load.
    events = AuditEvent.objects.filter(action="import", actor_username="demo")
    assert events.count() == 1
    assert events.get().changes["households"] == [None, 1594]

    # Running it again reuses the data.
    assert load_demo(scale=1) is None
    assert Household.objects.count() == 1594
    assert AuditEvent.objects.filter(actor_username="demo").count() == 1
