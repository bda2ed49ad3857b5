"""The 结对统计 page: it shows what `pairing_figures` computes for the chosen period and scope,
formatted with thousands separators; unit administrators see their own unit only (another unit
answers 404 like a missing one); bad dates name the field; the page prints."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from guanqing.conftest import client_for
from guanqing.core.ui import ranking
from guanqing.pairing import compliance, rules
from guanqing.pairing.figures import pairing_figures
from guanqing.pairing.models import Pairing
from guanqing.testing import factories as f

D = datetime.date
URL = "/pairing/figures/"
RANGE = {"preset": "custom", "from": "2025-01-01", "to": "2025-03-31"}
FIRST, LAST = D(2025, 1, 1), D(2025, 3, 31)


@pytest.fixture
def data(world):
    """市纪委 × 张国宝 (two members on a festival visit, 12,345.67 + 5,000.00 in kind, and a talk
    with 1,000,000.50); 市发改委 × 邵国樑 (a festival visit, 2,000.00 + 654.33); 市纪委 × a
    household in 江北区 with no visit; one visit before the range that must not count."""
    north = f.DistrictFactory(name="江北区")
    north_household = f.HouseholdFactory(
        community=f.CommunityFactory(parent=f.StreetFactory(parent=north))
    )
    colleague = f.MemberFactory(unit=world.unit, branch=world.org, name="王五")
    start = D(2024, 1, 1)
    a = f.PairingFactory(
        household=world.household, unit=world.unit, member=world.member, started_on=start
    )
    b = f.PairingFactory(
        household=world.other_household,
        unit=world.other_unit,
        member=world.other_member,
        started_on=start,
    )
    f.PairingFactory(household=north_household, unit=world.unit, member=colleague, started_on=start)
    f.VisitFactory(
        pairing=a,
        date=D(2025, 1, 5),
        talk=False,
        festival=True,
        cash_amount=Decimal("12345.67"),
        in_kind_value=Decimal("5000.00"),
        participants=[world.member, colleague],
    )
    f.VisitFactory(
        pairing=a,
        date=D(2025, 3, 1),
        cash_amount=Decimal("1000000.50"),
        participants=[world.member],
    )
    f.VisitFactory(
        pairing=b,
        date=D(2025, 1, 20),
        talk=False,
        festival=True,
        cash_amount=Decimal("2000"),
        in_kind_value=Decimal("654.33"),
        participants=[world.other_member],
    )
    f.VisitFactory(
        pairing=a, date=D(2024, 12, 31), cash_amount=Decimal("99999"), participants=[world.member]
    )
    world.north = north
    return world


def shown(html: str) -> dict[str, str]:
    """The figure cards as the page shows them: data-key → text before any unit."""
    return dict(re.findall(r'data-key="([a-z_]+)">([^<]*)<', html))


def money(value: str) -> str:
    return f"{Decimal(value):,.2f}"


def expected_cards(result: dict) -> dict[str, str]:
    rate = result["compliance_rate"]
    return {
        "units": f"{result['units']:,}",
        "households": f"{result['households']:,}",
        "pairings": f"{result['pairings']:,}",
        "visit_person_times": f"{result['visit_person_times']:,}",
        "festival_person_times": f"{result['festival_person_times']:,}",
        "cash_wan": money(result["help"]["cash_wan_yuan"]),
        "in_kind_wan": money(result["help"]["in_kind_wan_yuan"]),
        "total_wan": money(result["help"]["total_wan_yuan"]),
        "rate": "—" if rate is None else f"{rate * 100:.1f}%",
    }


def sub_figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-key="([a-z_]+_yuan)">([^<]*) 元<', html))


def figures_for(user, first=FIRST, last=LAST, **kwargs) -> dict:
    pairings = Pairing.objects.visible_to(user)
    if "unit" in kwargs:
        pairings = pairings.filter(unit=kwargs.pop("unit"))
    return pairing_figures(pairings, first, last, timezone.localdate(), **kwargs)


# --- what the page shows -------------------------------------------------------------------------


def test_committee_page_shows_the_city_figures_pairing_figures_computes(data):
    expected = figures_for(data.users.committee)
    html = client_for(data.users.committee).get(URL, RANGE).content.decode()
    cards = shown(html)
    assert {key: cards[key] for key in expected_cards(expected)} == expected_cards(expected)
    assert sub_figures(html) == {
        "cash_yuan": money(expected["help"]["cash_yuan"]),
        "in_kind_yuan": money(expected["help"]["in_kind_yuan"]),
        "total_yuan": money(expected["help"]["total_yuan"]),
    }
    # the data set is small but the money is large enough to need separators
    assert money(expected["help"]["cash_yuan"]).count(",") == 2
    assert money(expected["help"]["cash_yuan"]) in html


def test_committee_page_lists_every_unit_and_district_with_their_figures(data):
    expected = figures_for(data.users.committee)
    html = client_for(data.users.committee).get(URL, RANGE).content.decode()
    for row in expected["by_unit"]:
        assert row["unit"]["name"] in html
        assert money(row["help"]["total_wan_yuan"]) in html
    for row in expected["by_district"]:
        assert f'data-value="{row["district"]["name"]}"' in html
    assert "按单位" in html and "按区（县、市）" in html


def test_unit_admin_sees_only_its_own_unit(data):
    admin = data.users.unit_admin
    expected = figures_for(admin, unit=data.unit)
    response = client_for(admin).get(URL, RANGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert {k: shown(html)[k] for k in expected_cards(expected)} == expected_cards(expected)
    assert expected["units"] == 1
    assert "市发改委" not in html
    assert 'name="unit"' not in html  # no unit choice for a unit administrator
    assert response.context["scope"] == data.unit.name


def test_unit_admin_gets_404_for_another_unit_exactly_like_a_missing_one(data):
    client = client_for(data.users.unit_admin)
    other = client.get(URL, {**RANGE, "unit": data.other_unit.pk})
    missing = client.get(URL, {**RANGE, "unit": 999999})
    assert other.status_code == missing.status_code == 404
    assert client.get(URL, {**RANGE, "unit": data.unit.pk}).status_code == 200


def test_committee_narrows_to_one_unit(data):
    expected = figures_for(data.users.committee, unit=data.other_unit)
    html = client_for(data.users.committee).get(URL, {**RANGE, "unit": data.other_unit.pk})
    html = html.content.decode()
    assert {k: shown(html)[k] for k in expected_cards(expected)} == expected_cards(expected)
    assert "市发改委" in html


def test_committee_narrows_to_one_district(data):
    expected = figures_for(data.users.committee, district=data.north)
    html = client_for(data.users.committee).get(URL, {**RANGE, "district": data.north.pk})
    html = html.content.decode()
    assert {k: shown(html)[k] for k in expected_cards(expected)} == expected_cards(expected)
    assert expected["pairings"] == 1


# --- periods -------------------------------------------------------------------------------------


def test_a_festival_window_preset_uses_the_window_of_the_calendar(data):
    config = compliance.current_config()
    window, _july = rules.festival_windows(2025, config)
    response = client_for(data.users.committee).get(URL, {"preset": "2025-new_year"})
    assert (response.context["first"], response.context["last"]) == (window.start, window.end)
    expected = figures_for(data.users.committee, window.start, window.end)
    html = response.content.decode()
    assert {k: shown(html)[k] for k in expected_cards(expected)} == expected_cards(expected)
    assert f"{window.start:%Y-%m-%d} 至 {window.end:%Y-%m-%d}" in html


def test_the_default_period_is_this_year_up_to_today(data):
    today = timezone.localdate()
    response = client_for(data.users.committee).get(URL)
    assert (response.context["first"], response.context["last"]) == (D(today.year, 1, 1), today)


def test_presets_offer_both_years_their_quarters_and_festival_windows(data):
    today = timezone.localdate()
    html = client_for(data.users.committee).get(URL).content.decode()
    last = today.year - 1
    for key in (str(today.year), str(last), f"{last}Q1", f"{last}Q4", f"{last}-new_year"):
        assert f'value="{key}"' in html
    assert f'value="{last}-july"' in html and f'value="{today.year}-new_year"' in html
    assert 'value="custom"' in html


def test_custom_dates_without_a_start_begin_on_the_first_of_january(data):
    response = client_for(data.users.committee).get(URL, {"preset": "custom", "to": "2025-03-31"})
    assert (response.context["first"], response.context["last"]) == (FIRST, LAST)


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "label"),
    [
        ({"preset": "custom", "from": "2025-13-01"}, "开始日期"),
        ({"preset": "custom", "to": "yesterday"}, "结束日期"),
    ],
)
def test_a_bad_date_shows_an_error_naming_the_field(data, params, label):
    response = client_for(data.users.committee).get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf"<li>{label}：[^<]+</li>", html)
    assert "result" not in response.context or not response.context.get("result")
    assert 'data-key="units"' not in html


def test_an_end_before_the_start_is_an_error_on_the_end(data):
    params = {"preset": "custom", "from": "2025-03-01", "to": "2025-02-01"}
    html = client_for(data.users.committee).get(URL, params).content.decode()
    assert "<li>结束日期：结束日期早于开始日期</li>" in html


def test_an_unknown_district_is_an_error_naming_the_field(data):
    html = client_for(data.users.committee).get(URL, {"district": 999999}).content.decode()
    assert re.search(r"<li>区（县、市）：[^<]+</li>", html)


# --- printing, menu, access ----------------------------------------------------------------------


def test_page_has_a_print_button_and_a_print_stylesheet_served_locally(data):
    html = client_for(data.users.committee).get(URL, RANGE).content.decode()
    assert "data-print" in html and "打印" in html
    assert "/static/js/figures.js" in html and "/static/css/figures.css" in html
    assert "打印时间" in html
    assert "onclick" not in html
    assert "http://" not in html and "https://" not in html


def test_menu_shows_the_figures_to_the_committee_and_unit_admins_only(world):
    for role in ("committee", "unit_admin"):
        html = client_for(getattr(world.users, role)).get("/").content.decode()
        assert 'href="/pairing/figures/"' in html and "结对统计" in html
    html = client_for(world.users.member).get("/").content.decode()
    assert 'href="/pairing/figures/"' not in html


@pytest.mark.parametrize("role", ["member", "community_worker", "window_clerk", "audit_admin"])
def test_other_roles_may_not_open_the_figures(world, role):
    assert client_for(getattr(world.users, role)).get(URL).status_code == 403


def test_queries_do_not_grow_with_the_number_of_units_and_pairings(data):
    def queries() -> int:
        client = client_for(data.users.committee)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, RANGE).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for _ in range(5):
        unit = f.UnitFactory()
        pairing = f.PairingFactory(unit=unit, member=None, started_on=D(2024, 6, 1))
        f.VisitFactory(pairing=pairing, date=D(2025, 2, 1), cash_amount=Decimal("10"))
    assert queries() == few


# --- the table by unit at a province's scale ----------------------------------------------------


def _by_unit_rows(html: str) -> list[str]:
    table = html.split('id="by-unit"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row" class="figures-name" data-value="([^"]+)"', table)


def test_the_table_by_unit_shows_the_first_rows_sorted_on_the_server(data, monkeypatch):
    monkeypatch.setattr(ranking, "TOP_ROWS", 1)
    client = client_for(data.users.committee)
    html = client.get(URL, RANGE).content.decode()
    # by pairings by default: 市纪委 has two, 市发改委 one
    assert _by_unit_rows(html) == ["市纪委"]
    assert "按“在结对”从高到低，显示前 1 行，共 2 个单位。" in html
    # the smallest first, by the help in 元: 市发改委 gave 2,654.33, 市纪委 over a million
    html = client.get(URL, {**RANGE, "sort": "-total"}).content.decode()
    assert _by_unit_rows(html) == ["市发改委"]
    assert 'aria-sort="ascending"><a class="sort-link" href="?' in html


def test_the_whole_table_by_unit_downloads_in_the_order_shown(data, monkeypatch):
    monkeypatch.setattr(ranking, "TOP_ROWS", 1)
    response = client_for(data.users.committee).get(
        URL, {**RANGE, "sort": "-total", "export": "units"}
    )
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("单位", "结对家庭（户）")
    # money as numbers, not text
    assert [(row[0], row[7]) for row in rows[1:]] == [("市发改委", 2654.33), ("市纪委", 1017346.17)]


def test_a_unit_administrators_download_holds_its_own_unit_only(data):
    response = client_for(data.users.unit_admin).get(URL, {**RANGE, "export": "units"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["市纪委"]


def test_past_thirty_units_the_committee_searches_for_a_unit(data):
    client = client_for(data.users.committee)
    html = client.get(URL, RANGE).content.decode()
    assert '<select name="unit" id="id_unit">' in html and "全市汇总" in html
    for i in range(30):
        f.UnitFactory(name=f"测试单位{i:02d}")
    html = client.get(URL, RANGE).content.decode()
    assert '<select name="unit"' not in html and "data-picker-search" in html
    assert "测试单位07" not in html  # not listed
    # typed without JavaScript: a whole name picks the unit, anything else is named as wrong
    response = client.get(URL, {**RANGE, "unit_q": "市发改委"})
    assert response.context["unit"] == data.other_unit
    response = client.get(URL, {**RANGE, "unit_q": "测试单位"})
    assert response.context["unit"] is None
    assert "没有与“测试单位”完全相符的记录" in response.content.decode()
