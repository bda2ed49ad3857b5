"""`core.errors.Conflict`: the API answers 409 {"detail": message} (core/api/base.exception_handler)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from guanqing.core.api.base import exception_handler
from guanqing.core.errors import CONFLICT, Conflict


def test_conflict_keeps_its_message_and_has_a_default():
    assert Conflict("名额已满").message == "名额已满"
    assert str(Conflict("名额已满")) == "名额已满"
    assert Conflict().message == CONFLICT
    assert str(Conflict()) == "情况已经变化，请刷新后重试"


def test_the_handler_answers_409_with_the_message():
    response = exception_handler(Conflict("名额已满"), {})
    assert response.status_code == 409
    assert response.data == {"detail": "名额已满"}


def test_the_handler_answers_409_with_the_default_message():
    response = exception_handler(Conflict(), {})
    assert response.status_code == 409
    assert response.data == {"detail": "情况已经变化，请刷新后重试"}


def test_the_handler_is_the_apis():
    assert (
        settings.REST_FRAMEWORK["EXCEPTION_HANDLER"] == "guanqing.core.api.base.exception_handler"
    )


class Full(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):
        raise Conflict("活动名额已满")


def test_an_api_view_raising_conflict_answers_409():
    response = Full.as_view()(APIRequestFactory().post("/", {}, format="json"))
    response.render()
    assert response.status_code == 409
    assert response.data == {"detail": "活动名额已满"}
    assert response["Content-Type"].startswith("application/json")
