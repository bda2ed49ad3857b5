"""Every figures page's table by unit (or by window, item, matter, clerk) is ranked on the server
and downloads whole (core/ui/ranking.py): the link each page shows answers a sheet under the
table's own headings, within the reader's scope, and the headings re-sort the table."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook

from guanqing.conftest import client_for
from guanqing.testing import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today", "official_calendar")]

# page, the query that opens it, the export link's table, the sheet's first headings
PAGES = [
    ("/pairing/figures/", {}, "units", ("单位", "结对家庭（户）")),
    ("/pairing/board/", {}, "units", ("单位", "走访达标率（%）")),
    ("/wishes/figures/", {}, "units", ("单位", "认领（人次）")),
    ("/community/figures/", {}, "rate-2026H1", ("单位", "报到率（%）")),
    ("/community/roster/", {"term": "2026H1"}, "rate", ("单位", "报到率（%）")),
    ("/frontline/figures/", {}, "units", ("单位", "走访次数")),
    ("/care/figures/", {}, "units", ("单位", "事件")),
    ("/window/figures/", {}, "windows", ("窗口", "受理（件）")),
    ("/window/figures/", {}, "clerk", ("受理人", "受理（件）")),
    ("/window/figures/", {}, "ratings-window", ("窗口", "评价（次）")),
    ("/window/figures/", {}, "ratings-clerk", ("受理人", "评价（次）")),
]


def _export_links(html: str) -> set[str]:
    return {
        unescape(link).split("export=")[1].split("&")[0]
        for link in re.findall(r'class="ranked-foot__export" href="([^"]+)"', html)
    }


@pytest.mark.parametrize(("url", "query", "table", "headings"), PAGES)
def test_the_page_links_its_whole_table_and_the_link_answers_a_sheet(
    world, url, query, table, headings
):
    # one pairing, wish claim, registration and case or so per page would do; a unit with a
    # member is enough for the tables that list every unit with members
    f.PairingFactory(household=world.household, unit=world.unit, member=world.member)
    client = client_for(world.users.committee)
    page = client.get(url, query)
    assert page.status_code == 200
    response = client.get(url, {**query, "export": table})
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert next(sheet.iter_rows(values_only=True))[: len(headings)] == headings
    links = _export_links(page.content.decode())
    if links:  # a table with no rows shows no link; its sheet is still there
        assert table in links


def test_the_unit_filters_offer_a_search_not_every_unit_past_thirty(world):
    for i in range(31):
        f.UnitFactory(name=f"测试单位{i:02d}")
    client = client_for(world.users.committee)
    for url in ("/pairing/figures/", "/pairing/board/", "/community/figures/"):
        html = client.get(url).content.decode()
        assert "data-picker-search" in html, url
        assert "测试单位07" not in html, url
    html = client.get("/community/roster/").content.decode()
    assert "data-picker-search" in html and "测试单位07" not in html
