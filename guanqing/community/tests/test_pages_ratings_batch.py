"""The ratings page: names in 拼音 order, and 保存全部 saves the whole list at once — one
`rating_set` per changed row, in one transaction; a refused row is named and saves nothing."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from guanqing.community import services
from guanqing.community.models import Rating
from guanqing.community.tests import community_world
from guanqing.community.tests import factories as cf
from guanqing.conftest import client_for
from guanqing.testing import factories as f


@pytest.fixture
def cw(world):
    world = community_world(world)
    world.aming = f.MemberFactory(
        unit=world.unit, branch=world.org, home_community=world.community, name="阿明"
    )
    cf.RegistrationFactory(member=world.aming)
    return world


def _row(member, grade, comment="") -> dict:
    return {f"m{member.pk}-grade": grade, f"m{member.pk}-comment": comment}


def _unchanged(cw) -> dict:
    return _row(cw.member, cw.rating.grade, cw.rating.comment)


def test_the_ratings_list_sorts_names_by_pinyin(cw):
    html = client_for(cw.users.community_worker).get("/community/ratings/").content.decode()
    order = [html.index(f'id="rate-{m.pk}"') for m in (cw.aming, cw.neighbour, cw.member)]
    assert order == sorted(order)  # 阿明 (a), 钱七 (q), 张三 (z); by code point 张 < 钱 < 阿


def test_save_all_calls_the_service_once_per_changed_row(cw):
    worker = client_for(cw.users.community_worker)
    data = {
        "term": cw.term.label,
        **_unchanged(cw),
        **_row(cw.neighbour, "competent"),
        **_row(cw.aming, "basic", "按时到岗"),
    }
    with mock.patch.object(services, "rating_set", wraps=services.rating_set) as rating_set:
        response = worker.post("/community/ratings/save/", data)
    assert response.status_code == 302
    assert rating_set.call_count == 2
    assert Rating.objects.get(member=cw.neighbour).grade == "competent"
    assert Rating.objects.get(member=cw.aming).comment == "按时到岗"
    page = worker.get(response["Location"]).content.decode()
    assert "已保存 2 名党员的评价" in page


def test_a_row_without_a_grade_is_named_and_no_row_is_saved(cw):
    before = Rating.objects.count()
    response = client_for(cw.users.community_worker).post(
        "/community/ratings/save/",
        {
            "term": cw.term.label,
            **_unchanged(cw),
            **_row(cw.neighbour, "competent"),
            **_row(cw.aming, "", "只写了评语"),
        },
    )
    assert response.status_code == 422
    assert Rating.objects.count() == before
    html = response.content.decode()
    refused = html.split('data-key="refused"')[1].split("</div>")[0]
    assert "阿明" in refused and "请选择评价等次" in refused and "钱七" not in refused
    # what was typed stays on the page
    assert "只写了评语" in html and 'value="competent" selected' in html


def test_a_row_the_service_refuses_rolls_back_the_rows_before_it(cw):
    real = services.rating_set

    def refuse_aming(*, member, **kwargs):
        if member == cw.aming.pk:
            raise ValidationError({"comment": ["评语含有不允许的内容"]})
        return real(member=member, **kwargs)

    with mock.patch.object(services, "rating_set", side_effect=refuse_aming):
        response = client_for(cw.users.community_worker).post(
            "/community/ratings/save/",
            {
                "term": cw.term.label,
                **_row(cw.neighbour, "competent"),
                **_row(cw.aming, "basic", "某些内容"),
            },
        )
    assert response.status_code == 422
    assert not Rating.objects.filter(member__in=[cw.neighbour, cw.aming]).exists()
    refused = response.content.decode().split('data-key="refused"')[1].split("</div>")[0]
    assert "阿明" in refused and "评语含有不允许的内容" in refused


def test_save_all_with_nothing_changed_saves_nothing(cw):
    with mock.patch.object(services, "rating_set") as rating_set:
        response = client_for(cw.users.community_worker).post(
            "/community/ratings/save/", {"term": cw.term.label, **_unchanged(cw)}
        )
    assert response.status_code == 302 and rating_set.call_count == 0


def test_a_member_outside_the_community_cannot_be_rated_through_the_batch(cw):
    client_for(cw.users.community_worker).post(
        "/community/ratings/save/", {"term": cw.term.label, **_row(cw.other_colleague, "basic")}
    )
    assert not Rating.objects.filter(member=cw.other_colleague).exists()


@pytest.mark.parametrize(
    "role",
    ["committee", "unit_admin", "member", "window_clerk", "fund_officer", "system_admin"],
)
def test_only_a_community_worker_may_save_the_ratings_in_one_go(cw, role):
    before = list(Rating.objects.values_list("pk", "grade", "comment"))
    response = client_for(getattr(cw.users, role)).post(
        "/community/ratings/save/", {"term": cw.term.label, **_row(cw.member, "basic", "改")}
    )
    assert response.status_code == 403
    assert list(Rating.objects.values_list("pk", "grade", "comment")) == before


def test_the_batch_save_asks_an_anonymous_visitor_to_sign_in(cw):
    from django.test import Client

    response = Client().post("/community/ratings/save/", {"term": cw.term.label})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
