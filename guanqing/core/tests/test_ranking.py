"""Tables by unit ranked on the server (core/ui/ranking.py): the first rows in the order asked
for, links that re-sort them, and the whole table as a sheet."""

from __future__ import annotations

import io
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from django.test import RequestFactory
from openpyxl import load_workbook

from guanqing.core.ui import ranking

ROWS = [
    {"name": "甲单位", "visits": 5, "rate": Decimal("0.5")},
    {"name": "乙单位", "visits": 9, "rate": None},
    {"name": "丙单位", "visits": 5, "rate": Decimal("0.9")},
    {"name": "丁单位", "visits": 1, "rate": Decimal("0.25")},
]
COLUMNS = [
    ranking.Column("name", "单位", lambda r: r["name"], numeric=False),
    ranking.Column("visits", "走访（人次）", lambda r: r["visits"]),
    ranking.Column(
        "rate",
        "达标率",
        lambda r: r["rate"],
        cell=lambda r: ranking.per_cent(r["rate"]),
        sheet_label="达标率（%）",
    ),
    ranking.Column("hidden", "只在表格里", lambda r: len(r["name"]), on_page=False),
]


def _rank(query: str = "", **kwargs):
    request = RequestFactory().get(f"/figures/?{query}")
    return ranking.rank(request, ROWS, COLUMNS, default="visits", **kwargs)


def _names(ranked) -> list[str]:
    return [row["name"] for row in ranked.rows]


def test_largest_first_by_default_and_equal_values_keep_the_committees_order():
    assert _names(_rank()) == ["乙单位", "甲单位", "丙单位", "丁单位"]


def test_a_column_sorts_largest_first_and_its_reverse_smallest_first_with_no_value_last():
    assert _names(_rank("sort=rate")) == ["丙单位", "甲单位", "丁单位", "乙单位"]
    assert _names(_rank("sort=-rate")) == ["丁单位", "甲单位", "丙单位", "乙单位"]


def test_the_name_column_and_unknown_columns_fall_back_to_the_default_order():
    for query in ("sort=name", "sort=-name", "sort=hidden", "sort=x", "sort=", "sort=--rate"):
        assert _names(_rank(query)) == ["乙单位", "甲单位", "丙单位", "丁单位"], query


def test_a_default_with_a_minus_starts_smallest_first():
    request = RequestFactory().get("/figures/")
    ranked = ranking.rank(request, ROWS, COLUMNS, default="-rate")
    assert _names(ranked)[0] == "丁单位"
    assert ranked.sorted_by.key == "rate" and ranked.sorted_by.sorted == "ascending"


def test_only_the_first_rows_are_shown_and_formatted_but_all_are_counted():
    formatted = []

    def present(rows):
        formatted.extend(rows)
        return [{**row, "shown": True} for row in rows]

    ranked = _rank("sort=rate", limit=2, present=present)
    assert _names(ranked) == ["丙单位", "甲单位"]
    assert len(formatted) == 2 and all(row["shown"] for row in ranked.rows)
    assert ranked.total == 4 and ranked.cut
    assert not _rank(limit=4).cut


def test_headings_link_to_their_order_keeping_the_filters_and_land_on_the_table():
    ranked = _rank("from=2026-01-01&sort=rate&page=2")
    by_key = {h.key: h for h in ranked.headings}
    assert "hidden" not in by_key  # a sheet-only column has no heading
    assert by_key["name"].url == ""  # names are not sorted by
    rate, visits = by_key["rate"], by_key["visits"]
    assert rate.sorted == "descending" and visits.sorted == ""
    assert urlsplit(rate.url).fragment == "by-unit"
    assert parse_qs(urlsplit(rate.url).query) == {
        "from": ["2026-01-01"],
        "sort": ["-rate"],  # the sorted column's link reverses it
        "page": ["2"],
    }
    assert parse_qs(urlsplit(visits.url).query)["sort"] == ["visits"]
    reversed_ = {h.key: h for h in _rank("sort=-rate").headings}["rate"]
    assert reversed_.sorted == "ascending"
    assert parse_qs(urlsplit(reversed_.url).query)["sort"] == ["rate"]


def test_each_table_of_a_page_has_its_own_sort_and_export():
    request = RequestFactory().get("/figures/?sort-clerk=-visits&sort=rate")
    ranked = ranking.rank(
        request, ROWS, COLUMNS, default="visits", table="clerk", sort_param="sort-clerk"
    )
    assert _names(ranked)[0] == "丁单位"
    assert parse_qs(urlsplit(ranked.export_url).query)["export"] == ["clerk"]
    assert ranking.wants_export(RequestFactory().get("/?export=clerk"), "clerk")
    assert not ranking.wants_export(RequestFactory().get("/?export=clerk"))


def test_the_sheet_holds_every_row_in_the_order_shown_with_numbers_as_numbers():
    response = ranking.export(_rank("sort=rate", limit=1), title="测试", stem="测试")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["单位", "走访（人次）", "达标率（%）", "只在表格里"]
    assert rows[1:] == [
        ["丙单位", 5, 90, 3],
        ["甲单位", 5, 50, 3],
        ["丁单位", 1, 25, 3],
        ["乙单位", 9, None, 3],
    ]


def test_per_cent():
    assert ranking.per_cent(Decimal("0.8333")) == Decimal("83.3")
    assert ranking.per_cent(None) == ranking.per_cent("") == ""
