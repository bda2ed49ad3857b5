"""The 党员进社区 figures group digits like every other page (23,911 人次, 63,447.2 小时), and the
roster's unit select and bars keep their text whole."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

from guanqing.community import selectors
from guanqing.conftest import client_for


def test_community_figures_group_digits_like_the_other_pages(world):
    real = selectors.community_figures

    def at_city_scale(*args, **kwargs):
        data = real(*args, **kwargs)
        data["volunteer_person_times"] = 23911
        data["registrations"]["total"] = 12345
        data["hours"].update(
            total=Decimal("63447.2"), checkin=Decimal("52000.0"), manual=Decimal("11447.2")
        )
        return data

    with mock.patch.object(selectors, "community_figures", at_city_scale):
        html = client_for(world.users.committee).get("/community/figures/").content.decode()
    assert 'data-key="person_times">23,911<' in html
    assert 'data-key="registrations">12,345<' in html
    assert 'data-key="hours">63,447.2<' in html
    assert "签到 52,000.0 · 补录 11,447.2" in html
    assert "23911" not in html and "63447.2" not in html


def test_the_roster_unit_select_and_bars_have_room_for_their_text(world):
    html = client_for(world.users.committee).get("/community/roster/").content.decode()
    assert 'class="field cm-unit-field"' in html
    assert 'class="bars cm-bars cm-bars--rates"' in html
