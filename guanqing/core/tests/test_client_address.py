"""One rule for the client's address (GUANQING_TRUSTED_PROXIES): the audit log, django-axes and the
throttles of the resident's confirmation code all use it, so a client cannot pick its own address
with X-Forwarded-For; the HTML confirmation page counts guesses like the API."""

from __future__ import annotations

import pytest
from axes.helpers import get_client_ip_address
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from guanqing.core.context import client_ip
from guanqing.core.models import AuditEvent

LIMIT = 30  # REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["wish_confirm"]: 30/hour
PROXY = "10.0.0.2"


def _request(forwarded=None, remote=PROXY):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored():
    request = _request("6.6.6.6")
    assert client_ip(request) == PROXY
    assert get_client_ip_address(request) == PROXY


@override_settings(TRUSTED_PROXIES=1)
def test_with_one_trusted_proxy_the_address_it_appended_counts():
    # the client wrote 6.6.6.6; the proxy appended the address it saw
    request = _request("6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"
    assert get_client_ip_address(request) == "203.0.113.9"
    assert client_ip(_request(None)) == PROXY
    assert client_ip(_request("not-an-address")) == PROXY


@override_settings(TRUSTED_PROXIES=2)
def test_with_two_trusted_proxies_the_second_address_from_the_right_counts():
    assert client_ip(_request("6.6.6.6, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"


def _guess_api(client, forwarded):
    return client.post(
        "/api/v1/wishes/confirm-by-token/",
        {"token": "guess"},
        HTTP_X_FORWARDED_FOR=forwarded,
        REMOTE_ADDR=PROXY,
    ).status_code


def test_a_spoofed_x_forwarded_for_does_not_escape_the_api_throttle(db):
    client = APIClient()
    codes = [_guess_api(client, f"198.51.100.{i}") for i in range(LIMIT + 1)]
    assert codes[:LIMIT] == [400] * LIMIT
    assert codes[LIMIT] == 429


@override_settings(TRUSTED_PROXIES=1)
def test_behind_one_proxy_the_throttle_counts_per_real_client(db):
    client = APIClient()
    codes = [_guess_api(client, f"198.51.100.{i}, 203.0.113.9") for i in range(LIMIT + 1)]
    assert codes[LIMIT] == 429
    # another resident behind the same proxy is not blocked
    assert _guess_api(client, "203.0.113.10") == 400


def test_the_html_confirmation_page_answers_429_with_a_readable_page_after_the_limit(db):
    client = Client()
    path = reverse("wishes:confirm_by_token", args=["not-a-code"])
    codes = [
        client.get(path, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(LIMIT)
    ]
    assert codes == [200] * LIMIT
    blocked = client.get(path)
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    html = blocked.content.decode()
    assert "尝试次数过多" in html and "分钟后再打开这个链接" in html
    # the page and the API share one count per client address
    assert APIClient().post("/api/v1/wishes/confirm-by-token/", {"token": "x"}).status_code == 429


@pytest.mark.parametrize("proxies, expected", [(0, PROXY), (1, "203.0.113.9")])
def test_the_audit_log_records_the_same_address(world, proxies, expected):
    with override_settings(TRUSTED_PROXIES=proxies):
        Client().post(
            reverse("accounts:login"),
            {"username": "committee", "password": "wrong-password-1"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
        )
    event = AuditEvent.objects.filter(action="login_failed").latest("id")
    assert event.ip_address == expected
