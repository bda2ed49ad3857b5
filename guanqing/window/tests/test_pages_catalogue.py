"""The catalogue pages: the list with its filters, a matter's 一次告知单 and its PDF, the editors'
forms (service refusals next to their field), windows and clerks, the settings."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.utils.html import strip_tags

from guanqing.conftest import client_for
from guanqing.core.tests.test_i18n import english_client
from guanqing.testing import factories as f
from guanqing.window.models import ApprovalItem, Matter, Window, WindowSettings
from guanqing.window.tests import factories as wf
from guanqing.window.tests.pdfs import pdf_streams, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(world):
    own = wf.matter(unit=world.unit, name="食品经营许可（新办）")
    other = wf.matter(unit=world.other_unit, name="固定资产投资项目核准")
    return own, other


def test_the_catalogue_lists_items_with_their_matters_and_filters_by_unit_and_search(
    world, catalogue
):
    own, other = catalogue
    client = client_for(world.users.window_clerk)
    page = client.get("/window/catalogue/").content.decode()
    assert own.name in page and other.name in page
    by_unit = client.get(f"/window/catalogue/?unit={world.other_unit.pk}").content.decode()
    assert other.name in by_unit and own.name not in by_unit
    found = client.get("/window/catalogue/?q=新办").content.decode()
    assert own.name in found and other.name not in found


def test_the_catalogue_list_answers_htmx_with_the_results_only(world, catalogue):
    response = client_for(world.users.member).get(
        "/window/catalogue/?q=新办", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert "<html" not in response.content.decode()
    assert catalogue[0].name in response.content.decode()


def test_the_catalogue_list_keeps_to_a_few_queries(world, django_assert_max_num_queries):
    for _ in range(8):
        wf.matter(unit=world.unit)
    client = client_for(world.users.committee)
    with django_assert_max_num_queries(14):
        client.get("/window/catalogue/")


def test_edit_buttons_show_for_the_items_the_viewer_may_change(world, catalogue):
    own, other = catalogue
    page = client_for(world.users.unit_admin).get("/window/catalogue/").content.decode()
    assert f"/window/items/{own.item.pk}/edit/" in page
    assert f"/window/items/{other.item.pk}/edit/" not in page
    clerk_page = client_for(world.users.window_clerk).get("/window/catalogue/").content.decode()
    assert "/edit/" not in clerk_page


def test_a_matters_page_is_the_one_time_notice(world, catalogue):
    own, _other = catalogue
    response = client_for(world.users.member).get(f"/window/matters/{own.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "一次告知单" in page
    for material in own.current.materials.all():
        assert material.name in page
    assert page.count("可容缺") >= 3  # the column, two deferrable materials
    assert "20 个工作日" in page and "5 个工作日" in page
    assert f"/window/matters/{own.pk}/pdf/" in page


def test_the_pdf_is_a_pdf_with_the_matters_name_as_text(world, catalogue):
    own, _other = catalogue
    response = client_for(world.users.window_clerk).get(f"/window/matters/{own.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    # the CJK font is embedded, not a fallback
    assert any(b"Noto-Sans-CJK-SC" in stream for stream in pdf_streams(response.content))
    text = pdf_text(response.content)
    assert own.name in text
    assert "营业执照复印件" in text


def test_a_matter_outside_the_catalogue_is_a_404(world):
    client = client_for(world.users.committee)
    assert client.get("/window/matters/999999/").status_code == 404
    assert client.get("/window/matters/999999/pdf/").status_code == 404


def test_a_unit_administrator_edits_only_its_own_units_items(world, catalogue):
    own, other = catalogue
    client = client_for(world.users.unit_admin)
    assert client.get(f"/window/items/{own.item.pk}/edit/").status_code == 200
    assert client.get(f"/window/items/{other.item.pk}/edit/").status_code == 404
    assert client.get(f"/window/matters/{other.pk}/edit/").status_code == 404
    assert client.get(f"/window/items/{other.item.pk}/matters/new/").status_code == 404


def test_creating_an_item_from_the_form(world):
    client = client_for(world.users.unit_admin)
    response = client.post(
        "/window/items/new/",
        {"unit": world.unit.pk, "code": "SP100", "name": "药品零售许可", "sort_order": 1},
    )
    assert response.status_code == 302
    assert ApprovalItem.objects.get(code="SP100").unit == world.unit


def matter_post(**overrides) -> dict:
    data = {
        "code": "SP100-01",
        "name": "药品零售许可（新办）",
        "sort_order": 0,
        "is_active": "on",
        "kind": "promised",
        "statutory_workdays": 20,
        "promised_workdays": 5,
        "fee": "0",
        "fee_note": "",
        "legal_basis": "",
        "materials-TOTAL_FORMS": 3,
        "materials-INITIAL_FORMS": 0,
        "materials-MIN_NUM_FORMS": 0,
        "materials-MAX_NUM_FORMS": 1000,
        "materials-0-name": "申请书",
        "materials-0-form": "original",
        "materials-0-copies": 1,
        "materials-1-name": "营业执照复印件",
        "materials-1-form": "copy",
        "materials-1-copies": 1,
        "materials-1-deferrable": "on",
        "materials-2-name": "",
        "materials-2-form": "original",
        "materials-2-copies": 1,
    }
    data.update(overrides)
    return data


def test_creating_and_editing_a_matter_publishes_versions(world):
    item = wf.matter(unit=world.unit).item
    client = client_for(world.users.committee)
    created = client.post(f"/window/items/{item.pk}/matters/new/", matter_post())
    assert created.status_code == 302
    matter = Matter.objects.get(code="SP100-01")
    assert [m.name for m in matter.current.materials.all()] == ["申请书", "营业执照复印件"]

    form = client.get(f"/window/matters/{matter.pk}/edit/")
    assert "营业执照复印件" in form.content.decode()
    edited = client.post(
        f"/window/matters/{matter.pk}/edit/",
        matter_post(**{"promised_workdays": 3, "materials-INITIAL_FORMS": 2}),
    )
    assert edited.status_code == 302
    matter.refresh_from_db()
    assert (matter.current.number, matter.current.promised_workdays) == (2, 3)


def test_a_promise_beyond_the_statutory_limit_is_shown_next_to_its_field(world):
    item = wf.matter(unit=world.unit).item
    response = client_for(world.users.committee).post(
        f"/window/items/{item.pk}/matters/new/", matter_post(promised_workdays=30)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["promised_workdays"]
    assert not Matter.objects.filter(code="SP100-01").exists()


def test_windows_and_their_clerks_from_the_pages(world):
    clerk = f.UserFactory(username="wupeng", role="window_clerk", unit=world.unit)
    client = client_for(world.users.unit_admin)
    created = client.post(
        "/window/windows/new/", {"unit": world.unit.pk, "name": "食品药品窗口", "location": "A 区"}
    )
    assert created.status_code == 302
    window = Window.objects.get(name="食品药品窗口")
    page = client.get(f"/window/windows/{window.pk}/")
    assert "wupeng" in page.content.decode()
    assigned = client.post(
        f"/window/windows/{window.pk}/", {"form": "clerks", "clerks": [clerk.pk]}
    )
    assert assigned.status_code == 302
    assert list(window.clerks.all()) == [clerk]
    listing = client.get("/window/windows/").content.decode()
    assert "食品药品窗口" in listing and "wupeng" in listing


def test_a_unit_administrator_does_not_reach_another_units_window(world):
    other = wf.window(unit=world.other_unit)
    assert client_for(world.users.unit_admin).get(f"/window/windows/{other.pk}/").status_code == 404
    assert client_for(world.users.committee).get(f"/window/windows/{other.pk}/").status_code == 200


def test_the_committee_saves_the_settings(world):
    client = client_for(world.users.committee)
    response = client.post(
        "/window/settings/",
        {
            "due_soon_workdays": 2,
            "deferral_bar_months": 6,
            "rating_window_days": 15,
            "rectify_workdays": 5,
        },
    )
    assert response.status_code == 302
    assert WindowSettings.current().deferral_bar_months == 6


@pytest.mark.parametrize(("role", "shown"), [("member", True), ("system_admin", False)])
def test_the_menu_shows_the_catalogue_under_its_group_to_business_roles(world, rf, role, shown):
    from guanqing.core.ui import nav

    request = rf.get("/")
    request.user = getattr(world.users, role)
    request.resolver_match = None
    groups = {g["key"]: g for g in nav.menu_for(request)}
    if not shown:
        assert "window" not in groups or all(
            e["url"] != "/window/catalogue/" for e in groups["window"]["entries"]
        )
        return
    assert str(groups["window"]["label"]) == "满意窗口"
    entry = next(e for e in groups["window"]["entries"] if e["url"] == "/window/catalogue/")
    assert str(entry["label"]) == "事项目录"


def test_the_catalogue_pages_read_english_for_an_english_user(world):
    matter = wf.matter(unit=world.unit, name="Food business licence", materials=(("Form", True),))
    matter.item.name = "Food licence"
    matter.item.save()
    window = wf.window(unit=world.unit, name="Window 1")
    client = english_client(world.users.committee)
    for url in (
        "/window/catalogue/",
        f"/window/matters/{matter.pk}/",
        f"/window/matters/{matter.pk}/edit/",
        f"/window/items/{matter.item.pk}/edit/",
        "/window/items/new/",
        "/window/catalogue/import/",
        "/window/windows/",
        f"/window/windows/{window.pk}/",
        "/window/settings/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        main = response.content.decode().split("<main", 1)[1]
        text = unescape(strip_tags(main.split("</main>", 1)[0]))
        # data (unit names of the test world) may be Chinese; no label is
        allowed = {"市纪委", "市发改委"}
        if url.endswith("/import/"):  # the workbook's sheet names are part of the file format
            allowed |= {"办理项", "申请材料", "是", "否"}
        leftover = set(re.findall(r"[\u4e00-\u9fff]+", text)) - allowed
        assert not leftover, (url, leftover)
