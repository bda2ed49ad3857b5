"""A unit administrator's figures (走亲连心, 结对, 社区报到) are kept per unit when counting them is
slow, as the committee's are kept for the committee: the kept figures are the ones the
administrator would count live, and each unit reads only its own (test_shared_scope.py: the
readers whose scope is not shared count live)."""

from __future__ import annotations

import itertools
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from guanqing.accounts.models import User

pytestmark = [
    pytest.mark.shared_demo(scale=0.05),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar"),
]

FIGURES = [
    "/api/v1/frontline/figures/",
    "/api/v1/figures/pairing/",
    "/api/v1/community/figures/",
]
PERIOD = {"from": "2026-01-01", "to": "2026-05-13"}


def _client(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


def _figures(client: APIClient, url: str) -> dict:
    response = client.get(url, PERIOD)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    body.pop("as_of", None)  # when it was counted: the kept one's is older
    return body


def _kept_keys() -> set[str]:
    return {key for key in cache._cache if "snapshot:" in key}  # the test's local-memory cache


@pytest.mark.parametrize("url", FIGURES)
def test_a_units_figures_are_kept_for_its_administrators_and_are_what_they_count(url):
    cache.clear()
    live = {name: _figures(_client(name), url) for name in ("unit_jiwei", "unit_fagaiwei")}
    assert live["unit_jiwei"] != live["unit_fagaiwei"]
    assert not _kept_keys()  # the suite keeps nothing: FIGURES_SLOW_MS is None
    with (
        override_settings(FIGURES_SLOW_MS=1, FIGURES_MAX_AGE=300),
        mock.patch(
            "guanqing.core.snapshots.time.perf_counter", side_effect=itertools.count(0, 2.0)
        ),
    ):
        # every count "takes" two seconds: the first reader of each unit counts and keeps
        assert _figures(_client("unit_jiwei"), url) == live["unit_jiwei"]
        assert len(_kept_keys()) == 1
        # the other unit's administrator reads its own unit's, never the first one's
        assert _figures(_client("unit_fagaiwei"), url) == live["unit_fagaiwei"]
        assert len(_kept_keys()) == 2
        # and the kept figures are read again, as they were counted
        with mock.patch("guanqing.core.snapshots.count", side_effect=AssertionError("recounted")):
            assert _figures(_client("unit_jiwei"), url) == live["unit_jiwei"]
            assert _figures(_client("unit_fagaiwei"), url) == live["unit_fagaiwei"]
    cache.clear()
