"""Under /api/ every error is JSON, including those Django answers itself (body too large, unknown
path); a routine 403 or 404 logs one line, not a traceback, while a 500 keeps its traceback."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest
from django.test import override_settings

from guanqing.conftest import api_as, client_for
from guanqing.core.log_filters import RoutineClientErrors
from guanqing.registry.models import Household

LIMIT = 4096


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/x-www-form-urlencoded", "head_name=" + "x" * (2 * LIMIT)),
        ("application/json", json.dumps({"head_name": "x" * (2 * LIMIT)})),
    ],
)
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=LIMIT)
def test_an_api_body_over_the_limit_is_a_json_400_and_nothing_is_written(world, content_type, body):
    before = Household.objects.count()
    response = api_as(world.users.committee).generic(
        "POST", "/api/v1/households/", body, content_type=content_type
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "MB" in response.json()["detail"]
    assert Household.objects.count() == before


def test_an_unknown_api_path_is_a_json_404_and_a_page_stays_html(world):
    client = api_as(world.users.committee)
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}
    page = client_for(world.users.committee).get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_a_wrong_method_on_an_api_path_keeps_its_allow_header(world):
    response = api_as(world.users.committee).delete("/api/v1/households/")
    assert response.status_code == 405
    assert "Allow" in response
    assert "detail" in response.json()


@pytest.fixture
def console():
    """What the configured console handler writes (its filters included)."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RoutineClientErrors) for f in h.filters)
    )
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield stream
    handler.setStream(old)


def test_a_routine_403_logs_one_line_without_a_traceback(world, console):
    # a member opening the community worker's ratings page: PermissionDenied in the view
    response = client_for(world.users.member).get("/community/ratings/")
    assert response.status_code == 403
    output = console.getvalue()
    assert "Forbidden" in output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=LIMIT)
def test_a_body_too_large_logs_without_a_traceback(world, console):
    api_as(world.users.committee).generic(
        "POST",
        "/api/v1/households/",
        "head_name=" + "x" * (2 * LIMIT),
        content_type="application/x-www-form-urlencoded",
    )
    assert "Traceback" not in console.getvalue()


def test_a_server_error_keeps_its_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        exc_info = sys.exc_info()
    for status, kept in ((403, False), (404, False), (500, True)):
        record = logging.LogRecord("django.request", logging.ERROR, "", 0, "x", (), exc_info)
        record.status_code = status
        assert RoutineClientErrors().filter(record)
        assert (record.exc_info is not None) is kept
