"""A person's path through the platform in headless Chromium (Debian's package, driven by Playwright):
sign in, find a household, read its timeline, import a small Excel file with one bad row."""

from __future__ import annotations

import os
import shutil

import pytest
from django.db import connections

from guanqing.accounts import twofactor
from guanqing.accounts.models import User
from guanqing.registry import services
from guanqing.registry.models import Household
from guanqing.registry.tests.excel_helpers import household_sample
from guanqing.testing import factories as f
from guanqing.testing import otp

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (scripts/test installs it)",
    ),
]


@pytest.fixture
def browser_page(monkeypatch):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    # Playwright's sync API runs an event loop; Django's async-safety check would refuse ORM calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            browser.close()
            # ORM calls made inside Playwright's context got their own connection; close it
            # here, or PostgreSQL refuses to drop the test database at the end of the run.
            connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_community_worker_signs_in_finds_a_household_reads_its_timeline_and_imports(
    live_server, browser_page, world, tmp_path
):
    worker = world.users.community_worker
    worker.display_name = "徐家漕社区 王芳"
    worker.save()
    # one change, so the timeline has a story to tell
    services.household_update(actor=worker, household=world.household, needs="想去东钱湖看看")
    f.HouseholdFactory(community=world.community, head_name="陈阿姨")
    page = browser_page

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "community_worker")
    page.fill("input[name=password]", f.PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/registry/households/")
    assert page.locator("text=陈阿姨").count() >= 1
    page.fill("input[name=q]", "张国宝")
    # the list updates in place (htmx) and the URL follows the search
    page.wait_for_url("**q=%E5%BC%A0%E5%9B%BD%E5%AE%9D*")
    page.wait_for_function("!document.body.innerText.includes('陈阿姨')")
    page.locator("#results a", has_text="张国宝").first.click()
    page.wait_for_url(f"**/registry/households/{world.household.pk}/")
    timeline = page.locator(".timeline")
    assert "想去东钱湖看看" in timeline.inner_text()
    assert "徐家漕社区 王芳" in timeline.inner_text()
    assert world.household.id_number not in page.content()  # masked by default

    households = Household.objects.count()
    upload = tmp_path / "困难家庭.xlsx"
    upload.write_bytes(household_sample(world.community.code, rows=3, bad_row=3))
    page.goto(f"{live_server.url}/registry/excel/")
    kind = page.locator("input[name=kind][value=households]")
    if kind.count():
        kind.check()
    page.set_input_files("input[name=file]", str(upload))
    page.click("form.excel-upload button[type=submit]")
    errors = page.locator("#import-errors")
    errors.wait_for()
    bad = errors.locator("tbody tr")
    assert bad.count() == 1
    cells = bad.first.locator("td").all_inner_texts()
    assert cells[0].strip() == "3" and cells[1].strip() == "身份证号码"
    assert "校验" in cells[2]
    assert Household.objects.count() == households  # nothing written
    page.screenshot(path=str(tmp_path / "import-errors.png"), full_page=True)
    if os.environ.get("GUANQING_SCREENSHOTS"):
        shutil.copy(tmp_path / "import-errors.png", os.environ["GUANQING_SCREENSHOTS"])


def _sign_in(page, url, username):
    """The login page; for an account that needs a second factor, its authenticator's code too
    (computed from the secret, as the phone would)."""
    user = User.objects.get(username=username)
    device = None
    if twofactor.otp_needed(user):
        device = twofactor.device_of(user) or otp.enrol(user)
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    if device is not None:
        page.wait_for_url(f"{url}/accounts/login/verify/")
        page.fill("input[name=otp]", otp.fresh_code(device))
        page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url(f"{url}/")


@pytest.mark.django_db(transaction=True)
def test_the_committee_signs_in_with_password_and_authenticator_code(
    live_server, browser_page, world
):
    page = browser_page
    _sign_in(page, live_server.url, "committee")
    assert page.locator(".user-chip").count() == 1
    assert "退出" in page.content()


@pytest.mark.django_db(transaction=True)
def test_a_wrong_authenticator_code_is_refused(live_server, browser_page, world):
    device = otp.enrol(world.users.committee)
    right = otp.code(device)
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "committee")
    page.fill("input[name=password]", f.PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{live_server.url}/accounts/login/verify/")
    page.fill("input[name=otp]", "000000" if right != "000000" else "111111")
    page.get_by_role("button", name="验证并登录").click()
    assert page.locator(".field__error", has_text="动态口令不正确").count() == 1
    assert page.url == f"{live_server.url}/accounts/login/verify/"
    assert page.locator(".user-chip").count() == 0


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_household_and_member_lists_are_cards_without_sideways_scrolling(
    live_server, browser_page, world
):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server.url, "committee")
    for path, name in (("households", "张国宝"), ("members", "张三")):
        page.goto(f"{live_server.url}/registry/{path}/")
        assert page.locator("#results thead").is_hidden()
        row = page.locator("#results tbody tr", has_text=name)
        # every value is in view, with its label in front of it
        assert name in row.inner_text()
        label = row.locator("td[data-label]").first.evaluate(
            "td => getComputedStyle(td, '::before').content"
        )
        assert label == '"身份证号码"'
        overflow = page.evaluate(
            "() => [document.documentElement.scrollWidth, "
            "document.querySelector('#results .table-wrap').scrollWidth, "
            "document.querySelector('#results .table-wrap').clientWidth]"
        )
        assert overflow[0] <= 390 and overflow[1] <= overflow[2], (path, overflow)
    # the desktop table is unchanged
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator("#results thead").is_visible()


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_no_menu_page_is_wider_than_the_screen(live_server, browser_page, world):
    """The top bar keeps the language, the bell and 退出 (the drawer names the user and links to
    the password page), and no page of the menu makes the phone scroll sideways: a wide table
    scrolls in its own box."""
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server.url, "committee")
    assert page.locator(".topbar__password").is_hidden()
    assert page.get_by_role("button", name="退出").is_visible()
    page.locator("label.nav-toggle").click()
    assert page.locator(".sidenav__user a", has_text="修改密码").is_visible()
    links = page.eval_on_selector_all(
        ".sidenav a[href^='/']", "links => [...new Set(links.map(a => a.getAttribute('href')))]"
    )
    assert len(links) > 30
    wide = []
    for path in links:
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 390:
            wide.append((path, width))
    assert wide == []


@pytest.mark.django_db(transaction=True)
def test_the_division_tree_loads_streets_and_communities_when_opened(
    live_server, browser_page, world
):
    page = browser_page
    _sign_in(page, live_server.url, "committee")
    page.goto(f"{live_server.url}/registry/divisions/")
    tree = page.locator(".division-tree")
    assert "测试街道" not in tree.inner_text()
    tree.locator("summary", has_text="海曙区").click()
    tree.locator("summary", has_text="测试街道").click()
    tree.locator(".tree__leaf", has_text="徐家漕社区").wait_for()
    assert "别的社区" in tree.inner_text()
