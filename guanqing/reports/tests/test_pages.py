"""The report page, publishing from it, the published versions, PDF and Excel."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from guanqing.conftest import client_for
from guanqing.core import reports
from guanqing.core.models import AuditEvent
from guanqing.core.reports import Period, SectionData, Table, Where
from guanqing.reports import exports, selectors
from guanqing.reports.models import Publication
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db


def test_the_committee_reads_the_city_report_with_figures_charts_and_tables(world, today):
    response = client_for(world.users.committee).get("/reports/?period=2026-Q3&where=city")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-key="households.households"' in page
    assert "12.50" in page and "<svg" in page and "张国宝" in page
    assert "未发布（实时数据）" in page and "发布本期报告" in page


def test_the_committee_chooses_a_unit_in_a_search_not_a_select_of_every_unit(world, today):
    """A province has thousands of units: past 30 the committee searches for one. The unit's
    report keeps the one `where=unit:<id>` parameter of links, exports and publishing."""
    client = client_for(world.users.committee)
    with mock.patch("guanqing.reports.forms.UNIT_SELECT_UP_TO", 1):
        html = client.get("/reports/?period=2026-Q3&where=city").content.decode()
    assert 'name="unit_q"' in html
    assert f'value="unit:{world.other_unit.pk}"' not in html
    # the picker is shown while the area is "a unit" (the page's script hides it otherwise)
    assert 'data-shown-when="id_where=unit"' in html
    # the unit chosen in the picker
    chosen = client.get("/reports/", {"period": "2026-Q3", "where": "unit", "unit": world.unit.pk})
    assert chosen.context["where"].key == f"unit:{world.unit.pk}"
    assert f'href="/reports/xlsx/?period=2026-Q3&amp;where=unit%3A{world.unit.pk}"' in (
        chosen.content.decode()
    )
    # a unit's key, as links carry it: the area select says "a unit", the picker names it
    linked = client.get(f"/reports/?period=2026-Q3&where=unit:{world.other_unit.pk}")
    assert linked.context["where"].pk == world.other_unit.pk
    assert linked.context["form"]["where"].value() == "unit"
    assert world.other_unit.name in linked.content.decode()
    # "a unit" with none chosen says so beside the picker; a unit that is not one is a 404
    missing = client.get("/reports/", {"period": "2026-Q3", "where": "unit"})
    assert missing.context["form"].errors["unit"] == ["请选择一个单位"]
    assert "where" not in missing.context
    assert client.get("/reports/?period=2026-Q3&where=unit:99999999").status_code == 404
    # publishing a unit's report keeps its key
    client.post("/reports/publish/", {"period": "2026-Q3", "where": f"unit:{world.unit.pk}"})
    assert Publication.objects.get().where_pk == world.unit.pk


def test_a_unit_admin_opens_on_their_unit_and_nothing_else(world, today):
    client = client_for(world.users.unit_admin)
    response = client.get("/reports/")
    assert response.status_code == 200
    assert response.context["where"].pk == world.unit.pk
    assert "data-shown-when" not in response.content.decode()  # no unit picker to show or hide
    assert not response.context["may_publish"]
    assert (
        client.get(f"/reports/?period=2026-Q3&where=unit:{world.other_unit.pk}").status_code == 404
    )
    assert client.get("/reports/?period=2026-Q3&where=city").status_code == 404
    assert client.get(f"/reports/?where=district:{world.district.pk}").status_code == 404
    assert (
        client.post(
            "/reports/publish/", {"period": "2026-Q3", "where": f"unit:{world.unit.pk}"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    "role",
    [
        "member",
        "community_worker",
        "window_clerk",
        "fund_officer",
        "system_admin",
        "security_admin",
        "audit_admin",
    ],
)
def test_other_roles_are_turned_away(world, today, role):
    assert client_for(getattr(world.users, role)).get("/reports/").status_code == 403


def test_a_bad_period_is_said_beside_the_field(world, today):
    response = client_for(world.users.committee).get("/reports/?period=2026-Q9&where=city")
    assert response.status_code == 200
    assert response.context["form"].errors["period"]
    assert "report" not in response.context


def test_publishing_from_the_page_then_correcting(world, today):
    client = client_for(world.users.committee)
    response = client.post("/reports/publish/", {"period": "2026-Q3", "where": "city"})
    first = Publication.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/published/{first.pk}/"
    f.HouseholdFactory(community=world.community)
    page = client.get("/reports/?period=2026-Q3&where=city").content.decode()
    assert "发布更正版本" in page
    # Without a reason the correction is refused and nothing is stored.
    client.post("/reports/publish/", {"period": "2026-Q3", "where": "city", "reason": ""})
    assert Publication.objects.count() == 1
    client.post("/reports/publish/", {"period": "2026-Q3", "where": "city", "reason": "补录"})
    second = Publication.objects.get(version=2)
    page = client.get(f"/reports/published/{second.pk}/").content.decode()
    assert "更正说明" in page and "补录" in page
    old = client.get(f"/reports/published/{first.pk}/").content.decode()
    assert "已有更正版本" in old
    assert client.get("/reports/published/").status_code == 200


def test_a_published_version_outside_scope_is_missing(world, today):
    client_for(world.users.committee).post(
        "/reports/publish/", {"period": "2026-Q3", "where": f"unit:{world.other_unit.pk}"}
    )
    publication = Publication.objects.get()
    admin = client_for(world.users.unit_admin)
    assert admin.get(f"/reports/published/{publication.pk}/").status_code == 404
    assert admin.get(f"/reports/published/{publication.pk}/pdf/").status_code == 404
    assert admin.get(f"/reports/published/{publication.pk}/xlsx/").status_code == 404


def page_texts(html: str) -> list[str]:
    """The text WeasyPrint lays out on each page (margin boxes included)."""
    from weasyprint import HTML

    texts = []
    for page in HTML(string=html).render().pages:
        texts.append("".join(getattr(box, "text", "") for box in page._page_box.descendants()))
    return texts


def test_the_pdf_carries_the_period_and_as_of_on_every_page(world, today, rf, monkeypatch):
    client = client_for(world.users.committee)
    response = client.get("/reports/pdf/?period=2026-Q3&where=city")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"

    live = selectors.live_report(
        world.users.committee, Period.parse("2026-Q3"), Where(), today=today
    )
    table = live.sections[0]["tables"][0]
    table["rows"] = [[f"户主{i}", i] for i in range(120)]  # long enough for several pages
    monkeypatch.setattr(exports, "TOP_ROWS", 200)  # and all of it shown
    request = rf.get("/reports/pdf/")
    request.user = world.users.committee
    pages = page_texts(exports.pdf_html(request, exports.Document.live(live)))
    assert len(pages) >= 3
    as_of = live.as_of.astimezone(live.as_of.tzinfo).strftime("%Y-%m-%d")
    for number, text in enumerate(pages, start=1):
        assert "2026年第3季度" in text and "数据截至" in text and as_of in text
        assert f"{number} / {len(pages)}" in text


def ranked_section(ctx) -> SectionData:
    rows = [[f"第{n}名单位", 100 - n] for n in range(1, 4)]
    return SectionData(tables=[Table("by_unit", _("分单位"), [_("单位"), _("走访")], rows)])


@pytest.fixture
def long_table(monkeypatch):
    """A section whose table by unit has three rows, and a page and PDF that show two."""
    reports.register(reports.ReportSection("ranked", _("排名"), 30, f"{__name__}.ranked_section"))
    monkeypatch.setattr(exports, "TOP_ROWS", 2)


def test_a_long_table_shows_its_leaders_and_the_workbook_every_row(world, today, long_table, rf):
    client = client_for(world.users.committee)
    response = client.get("/reports/?period=2026-Q3&where=city")
    page = response.content.decode()
    assert "第1名单位" in page and "第2名单位" in page and "第3名单位" not in page
    assert "此处列出前 2 行（共 3 行），全表见 Excel。" in page
    assert 'href="/reports/xlsx/?period=2026-Q3&amp;where=city">下载 Excel</a>' in page

    book = load_workbook(io.BytesIO(client.get("/reports/xlsx/?period=2026-Q3&where=city").content))
    rows = list(book["排名"].iter_rows(values_only=True))
    assert [r[0] for r in rows[-3:]] == ["第1名单位", "第2名单位", "第3名单位"]

    live = selectors.live_report(
        world.users.committee, Period.parse("2026-Q3"), Where(), today=today
    )
    request = rf.get("/reports/pdf/")
    request.user = world.users.committee
    html = exports.pdf_html(request, exports.Document.live(live))
    assert "第2名单位" in html and "第3名单位" not in html
    assert "此处列出前 2 行（共 3 行），全表见同一报告的 Excel。" in html

    # a published version is shown the same way, its workbook linked
    client.post("/reports/publish/", {"period": "2026-Q3", "where": "city"})
    publication = Publication.objects.get()
    page = client.get(f"/reports/published/{publication.pk}/").content.decode()
    assert "第3名单位" not in page
    assert f'href="/reports/published/{publication.pk}/xlsx/">下载 Excel</a>' in page


def test_the_workbook_has_a_cover_and_a_sheet_per_section_and_is_audited(world, today):
    client = client_for(world.users.committee)
    response = client.get("/reports/xlsx/?period=2026-Q3&where=city")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["说明", "困难家庭", "范围"]
    rows = list(book["困难家庭"].iter_rows(values_only=True))
    assert rows[1][:3] == ("困难家庭", 2, "户")
    assert rows[2][1] == 12.5
    assert AuditEvent.objects.filter(action="export", object_type="reports.report").exists()


def test_the_page_costs_a_bounded_number_of_queries(world, today, django_assert_max_num_queries):
    client = client_for(world.users.committee)
    client.get("/reports/?period=2026-Q3&where=city")
    for _n in range(5):
        f.UnitFactory()
    with django_assert_max_num_queries(20):
        client.get("/reports/?period=2026-Q3&where=city")
