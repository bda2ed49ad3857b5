"""Headers and transport (docs/security.md#headers-and-transport): the Content-Security-Policy runs
no script but the site's own files and those carrying the request's nonce, no template relies on an
inline script or handler, browser features are refused, HSTS only when the site is HTTPS-only,
`check --deploy` is clean in production settings, and the API schema is for signed-in users."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from guanqing.accounts.tokens import token_create
from guanqing.conftest import client_for
from guanqing.registry.models import Person
from guanqing.testing import factories as f

ROOT = Path(__file__).resolve().parents[3]
GUANQING = ROOT / "guanqing"
PRODUCTION_KEY = "a-production-like-secret-key-7Hq2vXk9LmP4rT8wZ3nB6yC1dF5gJ0sA"


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def script_tags(html: str) -> list[str]:
    return [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html)
        if 'type="application/json"' not in tag  # data for a script, never run
    ]


# -- Content-Security-Policy ------------------------------------------------------------------


def test_a_page_carries_a_policy_whose_nonce_is_on_every_script_of_the_page(world):
    response = client_for(world.users.committee).get("/")
    assert response.status_code == 200
    policy = directives(response)
    script_src = policy["script-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'self'" in script_src
    nonces = [value for value in script_src if value.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    scripts = script_tags(response.content.decode())
    assert len(scripts) >= 2, scripts  # htmx and app.js
    assert all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
    assert any("htmx" in tag for tag in scripts)


def test_the_policy_refuses_framing_plugins_and_foreign_sources(world):
    policy = directives(client_for(world.users.committee).get("/registry/households/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    # style attributes (bar widths) stay allowed; no nonce there, or 'unsafe-inline' would be void
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]


def test_each_request_gets_a_fresh_nonce(world):
    client = client_for(world.users.committee)
    first = [v for v in directives(client.get("/"))["script-src"] if v.startswith("'nonce-")]
    second = [v for v in directives(client.get("/"))["script-src"] if v.startswith("'nonce-")]
    assert first and second and first != second


def test_the_sign_in_page_runs_under_the_policy_too(db):
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    policy = directives(response)
    assert "'unsafe-inline'" not in policy["script-src"]
    nonce = next(v for v in policy["script-src"] if v.startswith("'nonce-"))[len("'nonce-") : -1]
    assert all(f'nonce="{nonce}"' in tag for tag in script_tags(response.content.decode()))


def test_htmx_is_configured_not_to_inject_styles_or_evaluate_code(world):
    html = client_for(world.users.committee).get("/").content.decode()
    assert "{#" not in html and "#}" not in html  # a template comment left on one line
    config = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", html)
    assert config, "base.html configures htmx"
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"allowEval": false' in config.group(1)
    # a fragment swapped in must not get the page's nonce for its inline scripts
    assert "inlineScriptNonce" not in config.group(1)


def _template_files():
    return sorted(path for path in GUANQING.rglob("templates/**/*.html"))


INLINE_HANDLER = re.compile(r"""<[a-zA-Z][^>]*?\s(on[a-z]+|hx-on[:\w-]*)\s*=""", re.S)


def test_no_template_has_an_inline_script_or_event_handler():
    """An inline script without the nonce, an on…="…" attribute or a javascript: link would not
    run under the policy: behaviour belongs in core/static/js/ (data-confirm, data-* hooks)."""
    offences = []
    templates = _template_files()
    assert len(templates) > 100
    for path in templates:
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(GUANQING)
        for tag in re.findall(r"<script\b[^>]*>", text):
            inline = "src=" not in tag
            data_only = re.search(r"""type=["']application/(ld\+)?json["']""", tag)
            if inline and not data_only and "nonce=" not in tag:
                offences.append(f"{name}: inline {tag}")
        for match in INLINE_HANDLER.finditer(text):
            offences.append(f"{name}: {match.group(1)}= handler")
        if re.search(r"""(href|src|action)\s*=\s*["']\s*javascript:""", text, re.I):
            offences.append(f"{name}: javascript: URL")
    assert offences == []


def test_the_scan_would_catch_what_it_looks_for():
    assert INLINE_HANDLER.search('<form method="post"\n  onsubmit="return confirm(1)">')
    assert INLINE_HANDLER.search('<button hx-on:click="go()">')
    assert not INLINE_HANDLER.search('<form data-confirm="确定？" class="online">')


def test_a_confirmed_removal_is_asked_through_data_confirm(world):
    page = client_for(world.users.community_worker).get(
        f"/registry/households/{world.household.pk}/"
    )
    html = page.content.decode()
    assert 'data-confirm="确定移除该家庭成员？此操作记入变更记录。"' in html
    assert "onsubmit" not in html


# -- other headers ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/v1/auth/me/", "/static/css/app.css"])
def test_every_answer_refuses_camera_microphone_and_location(world, path):
    response = client_for(world.users.committee).get(path)
    assert response.status_code == 200, path
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy, (path, feature)


def test_referrer_and_content_type_headers(world):
    response = client_for(world.users.committee).get("/")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


# -- HSTS and HTTPS ---------------------------------------------------------------------------


def test_no_hsts_when_the_site_is_not_declared_https_only(world, settings):
    assert settings.SESSION_COOKIE_SECURE is False
    response = client_for(world.users.committee).get("/", secure=True)
    assert "Strict-Transport-Security" not in response


HTTPS_ONLY = {
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": False,
}


@pytest.mark.parametrize("secure", [True, False], ids=["https", "tls-ended-at-a-tcp-proxy"])
def test_hsts_when_the_site_is_https_only(world, secure):
    with override_settings(**HTTPS_ONLY):
        response = client_for(world.users.committee).get("/", secure=secure)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_plain_http_is_redirected_unless_the_proxy_says_https(world):
    with override_settings(
        **HTTPS_ONLY,
        SECURE_SSL_REDIRECT=True,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    ):
        client = client_for(world.users.committee)
        plain = client.get("/registry/households/?q=1")
        assert plain.status_code == 301
        assert plain["Location"] == "https://testserver/registry/households/?q=1"
        via_proxy = client.get("/registry/households/", headers={"X-Forwarded-Proto": "https"})
        assert via_proxy.status_code == 200


def run_guanqing(tmp_path, *args, **variables):
    """`guanqing …` in a fresh interpreter with only the given GUANQING_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANQING_")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["GUANQING_DATA_DIR"] = str(tmp_path / "data")
    env["GUANQING_DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-m", "guanqing.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


PRODUCTION = {
    "GUANQING_SECRET_KEY": PRODUCTION_KEY,
    "GUANQING_DEBUG": "false",
    "GUANQING_ALLOWED_HOSTS": "guanqing.example.org",
    "GUANQING_CSRF_TRUSTED_ORIGINS": "https://guanqing.example.org",
    "GUANQING_SECURE_COOKIES": "true",
}


@pytest.mark.parametrize(
    "extra",
    [
        # a TCP proxy ending TLS that redirects plain HTTP itself (docs/deployment.md §6)
        {},
        {"GUANQING_PROXY_SSL_HEADER": "X-Forwarded-Proto"},
        {"GUANQING_PROXY_SSL_HEADER": "X-Forwarded-Proto", "GUANQING_SSL_REDIRECT": "false"},
    ],
    ids=["tcp-proxy", "http-proxy", "http-proxy-redirecting-itself"],
)
def test_check_deploy_is_clean_in_production_settings(tmp_path, extra):
    # the security checks, Django's deploy checks among them (the schema's own warnings are
    # test_schema's to catch)
    result = run_guanqing(
        tmp_path,
        "check",
        "--deploy",
        "--tag",
        "security",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        **extra,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_still_warns_about_a_site_served_over_plain_http(tmp_path):
    variables = {**PRODUCTION, "GUANQING_SECURE_COOKIES": "false"}
    result = run_guanqing(tmp_path, "check", "--deploy", **variables)
    output = result.stdout + result.stderr
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in output, check


def test_production_settings_turn_hsts_and_the_redirect_on_with_secure_cookies(tmp_path):
    show = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER)"
    )
    https = run_guanqing(
        tmp_path, "shell", "-c", show, **PRODUCTION, GUANQING_PROXY_SSL_HEADER="X-Forwarded-Proto"
    )
    assert https.stdout.split("\n")[-2] == (
        "31536000 True False True ('HTTP_X_FORWARDED_PROTO', 'https')"
    ), https.stderr
    # behind a TCP proxy Django sees every request as plain HTTP: redirecting would loop
    tcp = run_guanqing(tmp_path, "shell", "-c", show, **PRODUCTION)
    assert tcp.stdout.split("\n")[-2] == "31536000 True False False None", tcp.stderr
    plain = run_guanqing(tmp_path, "shell", "-c", show, GUANQING_SECRET_KEY=PRODUCTION_KEY)
    assert plain.stdout.split("\n")[-2] == "0 True False False None", plain.stderr


def test_a_malformed_proxy_header_name_stops_start_up_naming_it(tmp_path):
    result = run_guanqing(
        tmp_path, "check", **PRODUCTION, GUANQING_PROXY_SSL_HEADER="X-Forwarded-Proto: https"
    )
    assert result.returncode != 0
    assert "GUANQING_PROXY_SSL_HEADER" in result.stderr


# -- the API schema and its documentation -----------------------------------------------------


def test_the_schema_is_refused_to_an_anonymous_client(db):
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    assert "paths" not in response.json()


def test_the_schema_is_served_to_a_session_or_a_token(world):
    by_session = client_for(world.users.member).get("/api/schema/", {"format": "json"})
    assert by_session.status_code == 200
    assert "/api/v1/households/" in by_session.json()["paths"]
    token = token_create(user=world.users.member)
    by_token = APIClient().get(
        "/api/schema/", {"format": "json"}, HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert by_token.status_code == 200


def test_the_docs_page_sends_an_anonymous_visitor_to_sign_in(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/docs/"


def test_the_docs_page_loads_its_start_up_script_as_a_file(world):
    client = client_for(world.users.committee)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    scripts = script_tags(page.content.decode())
    assert all("src=" in tag for tag in scripts), scripts
    assert any('src="/api/docs/?script="' in tag for tag in scripts), scripts
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


@override_settings(PUBLIC_API_DOCS=True)
def test_the_setting_publishes_schema_and_docs(db):
    assert APIClient().get("/api/schema/", {"format": "json"}).status_code == 200
    assert Client().get("/api/docs/").status_code == 200


# -- in a browser -----------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def watched_page(monkeypatch):
    """A Chromium page that collects every Content-Security-Policy violation it meets."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip("Debian's chromium is not installed (scripts/test installs it)")
    from django.db import connections

    from guanqing.core.tests.test_browser import CHROMIUM_ARGS

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.set_default_timeout(15_000)
        page.violations = []
        page.on(
            "console",
            lambda message: (
                page.violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.on("pageerror", lambda error: page.violations.append(f"page error: {error}"))
        try:
            yield page
        finally:
            browser.close()
            connections.close_all()


def _sign_in(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{url}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_htmx_and_the_api_docs_run_without_a_policy_violation(
    live_server, watched_page, world
):
    page = watched_page
    _sign_in(page, live_server.url, "community_worker")
    assert page.locator(".topbar").count() == 1

    # htmx: the list answers the search in place
    page.goto(f"{live_server.url}/registry/households/")
    page.fill("input[name=q]", "张国宝")
    page.wait_for_url("**q=%E5%BC%A0%E5%9B%BD%E5%AE%9D*")

    # data-confirm: dismissing the question keeps the person, accepting removes them
    page.goto(f"{live_server.url}/registry/households/{world.household.pk}/")
    remove = page.locator("form[data-confirm] button")
    page.once("dialog", lambda dialog: dialog.dismiss())
    remove.first.click()
    page.wait_for_timeout(300)
    assert Person.objects.filter(pk=world.person.pk).exists()
    questions = []

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_navigation():
        remove.first.click()
    assert questions == ["确定移除该家庭成员？此操作记入变更记录。"]
    assert not Person.objects.filter(pk=world.person.pk).exists()

    # the API documentation renders its operations
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock").first.wait_for()

    assert page.violations == []

    # and what the policy is for: markup injected into a page runs no handler of its own
    page.goto(f"{live_server.url}/")
    page.evaluate(
        """document.body.insertAdjacentHTML("beforeend",
            '<img src="/static/img/favicon.svg" onload="window.injected = 1">')"""
    )
    page.wait_for_function("document.querySelector('img[onload]').complete")
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected") is None
    assert len(page.violations) == 1 and "script-src" in page.violations[0]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_account_form_shows_the_scope_the_role_needs(live_server, watched_page, world):
    page = watched_page
    # signed in through a session of the test client: the sign-in page's second factor is not
    # what this test is about
    session = client_for(world.users.system_admin).cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/users/new/")
    unit = page.locator('[data-scope="unit"]')
    community = page.locator('[data-scope="community"]')
    page.select_option("#id_role", "unit_admin")
    assert unit.is_visible() and not community.is_visible()
    page.select_option("#id_role", "community_worker")
    assert community.is_visible() and not unit.is_visible()
    assert page.violations == []
