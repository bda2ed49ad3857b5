"""Errors inside the site's layout, in the reader's language, with a way home: 404 (also what a
record outside the user's scope answers) and 500, which shows even when the page chrome's context
processors are what broke."""

from __future__ import annotations

import copy

import pytest
from django.conf import settings
from django.test import Client, override_settings

from guanqing.conftest import client_for


def broken_context_processor(request):
    raise RuntimeError("the page chrome is broken")


def _templates_with_broken_chrome():
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["context_processors"].append(
        "guanqing.core.tests.test_error_pages.broken_context_processor"
    )
    return templates


def test_a_record_outside_scope_answers_the_chinese_404_page_in_the_layout(world):
    response = client_for(world.users.member).get(f"/registry/households/{world.household.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Not Found" not in html
    assert "页面不存在" in html and "不在您的查看范围内" in html
    assert 'class="sidenav"' in html  # the site's navigation stays
    assert 'href="/">返回首页</a>' in html


def test_the_404_page_is_in_english_for_an_english_reader(world):
    client = client_for(world.users.committee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/no-such-page/").content.decode()
    assert "Page not found" in html and "页面不存在" not in html
    assert '<html lang="en">' in html


@pytest.mark.django_db
def test_an_anonymous_404_has_the_layout_and_a_way_home():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and 'class="topbar"' in html and "返回首页" in html


@pytest.mark.django_db
def test_the_500_page_shows_even_when_the_context_processors_fail():
    client = Client(raise_request_exception=False)
    with override_settings(TEMPLATES=_templates_with_broken_chrome()):
        response = client.get("/accounts/login/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器出错了" in html and 'href="/">返回首页</a>' in html
    assert "css/app.css" in html and "Server Error" not in html


@pytest.mark.django_db
def test_the_500_page_is_in_english_for_an_english_reader():
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with override_settings(TEMPLATES=_templates_with_broken_chrome()):
        html = client.get("/accounts/login/").content.decode()
    assert "Server error" in html and "服务器出错了" not in html
