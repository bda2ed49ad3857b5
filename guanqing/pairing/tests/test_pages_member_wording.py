"""A member's pairing pages: the 我的结对 card leads to the pairing's story, and the visit form's
long list of colleagues (同行党员) has a filter box that finds a name by its 拼音."""

from __future__ import annotations

import pytest

from guanqing.conftest import client_for
from guanqing.pairing.tests import pair_world
from guanqing.testing import factories as f


@pytest.fixture
def paired(world):
    return pair_world(world)


def test_my_pairing_card_links_to_the_pairings_story(paired):
    member = client_for(paired.users.member)
    html = member.get("/pairing/mine/").content.decode()
    story = f"/pairing/{paired.pairing.pk}/"
    assert f'href="{story}"' in html
    assert member.get(story).status_code == 200


def test_a_long_list_of_colleagues_gets_a_filter_box(paired):
    for i in range(15):
        f.MemberFactory(unit=paired.unit, branch=paired.org, name=f"同事{i:02d}")
    f.MemberFactory(unit=paired.unit, branch=paired.org, name="邵国樑")
    html = client_for(paired.users.member).get(f"/pairing/{paired.pairing.pk}/visit/")
    html = html.content.decode()
    assert "data-filter-boxes=" in html
    assert 'data-keys="shaoguoliang sgl"><input' in html


def test_a_short_list_of_colleagues_has_no_filter_box(paired):
    html = client_for(paired.users.member).get(f"/pairing/{paired.pairing.pk}/visit/")
    assert "data-filter-boxes=" not in html.content.decode()


def test_colleagues_are_listed_by_pinyin_after_the_holder(paired):
    # code-point order would put 张 (U+5F20) before 王 (U+738B) before 阿 (U+963F)
    for name in ("张伟", "王芳", "阿明"):
        f.MemberFactory(unit=paired.unit, branch=paired.org, name=name)
    html = client_for(paired.users.member).get(f"/pairing/{paired.pairing.pk}/visit/")
    html = html.content.decode()
    assert html.index("阿明") < html.index("王芳") < html.index("张伟")
