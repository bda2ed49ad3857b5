"""The micro-wish API end to end: post, approve, claim (201 / 409), withdraw, fulfil with photos,
confirm by a worker or by the resident's one-time code, the story, the wall's filters."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from guanqing.conftest import api_as, api_list_queries
from guanqing.core.models import AuditEvent
from guanqing.pairing.tests import JPEG
from guanqing.testing import factories as f
from guanqing.wishes.models import Wish, WishEvent, WishPhoto
from guanqing.wishes.services import BAD_TOKEN, FULL, token_hash
from guanqing.wishes.tests.factories import make_wish

DEADLINE = (timezone.localdate() + datetime.timedelta(days=40)).isoformat()


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # the anonymous confirmation endpoint counts requests in the cache
    yield
    cache.clear()


def _post(ww, **extra):
    body = {
        "title": "再看一次东钱湖",
        "description": "张大伯截肢后十年没出过门，想再看一次东钱湖。",
        "category": "trip",
        "estimated_cost": "300.00",
        "deadline": DEADLINE,
        "capacity": 2,
        "community": ww.community.code,
        "household": ww.household.pk,
        **extra,
    }
    return api_as(ww.users.community_worker).post("/api/v1/wishes/", body, format="json")


def test_a_wish_from_post_to_confirmation_by_the_resident(ww):
    response = _post(ww)
    assert response.status_code == 201, response.content
    wish_id = response.json()["id"]
    assert response.json()["status"] == "pending"
    assert response.json()["resident_name"] == "张国宝"

    approved = api_as(ww.users.worker2).post(
        f"/api/v1/wishes/{wish_id}/approve/", {}, format="json"
    )
    assert approved.status_code == 200 and approved.json()["status"] == "published"

    claimed = api_as(ww.users.member).post(f"/api/v1/wishes/{wish_id}/claim/")
    assert claimed.status_code == 201
    assert claimed.json()["member"] == ww.member.pk and claimed.json()["status"] == "active"
    assert api_as(ww.users.colleague).post(f"/api/v1/wishes/{wish_id}/claim/").status_code == 201
    full = api_as(ww.users.other_member).post(f"/api/v1/wishes/{wish_id}/claim/")
    assert full.status_code == 409
    assert full.json() == {"detail": FULL}

    photo = SimpleUploadedFile("lake.jpg", JPEG, content_type="image/jpeg")
    fulfilled = api_as(ww.users.member).post(
        f"/api/v1/wishes/{wish_id}/fulfil/",
        {"note": "两人陪张大伯游了东钱湖", "money_spent": "286.50", "photos": [photo]},
        format="multipart",
    )
    assert fulfilled.status_code == 200, fulfilled.content
    body = fulfilled.json()
    assert body["status"] == "fulfilled"
    assert body["fulfilment"]["money_spent"] == "286.50"
    assert len(body["fulfilment"]["photos"]) == 1
    photo_url = body["fulfilment"]["photos"][0]["url"]
    assert api_as(ww.users.colleague).get(photo_url).status_code == 200
    assert api_as(ww.users.other_member).get(photo_url).status_code == 404

    code = api_as(ww.users.worker2).post(f"/api/v1/wishes/{wish_id}/confirmation-code/")
    assert code.status_code == 200
    token = code.json()["token"]
    wish = Wish.objects.get(pk=wish_id)
    assert wish.confirm_token_hash == token_hash(token) and token not in wish.confirm_token_hash
    assert not AuditEvent.objects.filter(changes__icontains=token).exists()

    anonymous = APIClient()
    confirmed = anonymous.post("/api/v1/wishes/confirm-by-token/", {"token": token}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["title"] == "再看一次东钱湖"
    wish.refresh_from_db()
    assert wish.status == "confirmed" and wish.confirm_token_hash is None

    again = anonymous.post("/api/v1/wishes/confirm-by-token/", {"token": token}, format="json")
    wrong = anonymous.post("/api/v1/wishes/confirm-by-token/", {"token": "x" * 32}, format="json")
    empty = anonymous.post("/api/v1/wishes/confirm-by-token/", {}, format="json")
    assert again.status_code == wrong.status_code == empty.status_code == 400
    assert again.json() == wrong.json() == empty.json() == {"token": [BAD_TOKEN]}

    story = api_as(ww.users.member).get(f"/api/v1/wishes/{wish_id}/events/").json()
    assert [e["kind"] for e in story] == [
        "posted",
        "approved",
        "claimed",
        "claimed",
        "fulfilled",
        "link_issued",
        "confirmed",
    ]
    assert [e["to_status"] for e in story] == [
        "pending",
        "published",
        "published",
        "full",
        "fulfilled",
        "fulfilled",
        "confirmed",
    ]
    assert story[-1]["actor_name"] == "居民（确认码）"


def test_the_community_worker_confirms(ww):
    wish = make_wish(ww, "fulfilled", claimants=[ww.member])
    response = api_as(ww.users.community_worker).post(
        f"/api/v1/wishes/{wish.pk}/confirm/", {"note": "电话回访，张大伯很满意"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    event = WishEvent.objects.filter(wish=wish).last()
    assert (event.kind, event.note) == ("confirmed", "电话回访，张大伯很满意")


def test_a_code_made_before_the_worker_confirmed_no_longer_works(ww):
    wish = make_wish(ww, "fulfilled", claimants=[ww.member])
    token = (
        api_as(ww.users.community_worker)
        .post(f"/api/v1/wishes/{wish.pk}/confirmation-code/")
        .json()["token"]
    )
    api_as(ww.users.community_worker).post(f"/api/v1/wishes/{wish.pk}/confirm/")
    response = APIClient().post("/api/v1/wishes/confirm-by-token/", {"token": token})
    assert response.status_code == 400 and response.json() == {"token": [BAD_TOKEN]}


def test_a_new_code_replaces_the_old(ww):
    wish = make_wish(ww, "fulfilled", claimants=[ww.member])
    client = api_as(ww.users.community_worker)
    first = client.post(f"/api/v1/wishes/{wish.pk}/confirmation-code/").json()["token"]
    second = client.post(f"/api/v1/wishes/{wish.pk}/confirmation-code/").json()["token"]
    anonymous = APIClient()
    assert anonymous.post("/api/v1/wishes/confirm-by-token/", {"token": first}).status_code == 400
    assert anonymous.post("/api/v1/wishes/confirm-by-token/", {"token": second}).status_code == 200


def test_guessing_codes_is_throttled(ww):
    anonymous = APIClient()
    codes = [
        anonymous.post("/api/v1/wishes/confirm-by-token/", {"token": f"guess{i}"}).status_code
        for i in range(31)
    ]
    assert codes[:30] == [400] * 30
    assert codes[30] == 429


def test_withdraw_needs_a_reason_and_puts_the_wish_back_on_the_wall(ww):
    wish = make_wish(ww, "full", claimants=[ww.member])
    client = api_as(ww.users.member)
    refused = client.post(f"/api/v1/wishes/{wish.pk}/withdraw/", {}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    done = client.post(f"/api/v1/wishes/{wish.pk}/withdraw/", {"reason": "调往外地"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "withdrawn" and done.json()["reason"] == "调往外地"
    wish.refresh_from_db()
    assert (wish.status, wish.claimed_count) == ("published", 0)
    listed = api_as(ww.users.other_member).get("/api/v1/wishes/?wall=true").json()["results"]
    assert wish.pk in [w["id"] for w in listed]


def test_withdraw_without_a_claim_names_the_problem(ww):
    wish = make_wish(ww, "published")
    response = api_as(ww.users.member).post(
        f"/api/v1/wishes/{wish.pk}/withdraw/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 400 and "wish" in response.json()


def test_claim_refusals_answer_400_naming_the_reason(ww):
    wish = make_wish(ww, "published", capacity=2, claimants=[ww.member])
    response = api_as(ww.users.member).post(f"/api/v1/wishes/{wish.pk}/claim/")
    assert response.status_code == 400
    assert response.json() == {"wish": ["您已认领这个心愿"]}


def test_a_fulfilment_photo_that_is_not_an_image_is_refused_and_nothing_is_written(ww):
    wish = make_wish(ww, "full", claimants=[ww.member])
    fake = SimpleUploadedFile("x.jpg", b"MZ not a photo", content_type="image/jpeg")
    response = api_as(ww.users.member).post(
        f"/api/v1/wishes/{wish.pk}/fulfil/",
        {"note": "完成", "photos": [fake]},
        format="multipart",
    )
    assert response.status_code == 400 and "photos[0]" in response.json()
    wish.refresh_from_db()
    assert wish.status == "full" and not WishPhoto.objects.exists()


def test_post_refuses_a_household_outside_the_workers_scope(ww):
    response = _post(ww, household=ww.other_household.pk)
    assert response.status_code == 400 and "household" in response.json()
    response = _post(ww, community="330203001002")  # 别的社区
    assert response.status_code == 400 and "community" in response.json()
    assert not Wish.objects.exists()


def test_the_poster_cannot_approve_its_own_wish(ww):
    wish_id = _post(ww).json()["id"]
    response = api_as(ww.users.community_worker).post(f"/api/v1/wishes/{wish_id}/approve/")
    assert response.status_code == 403


# --- the wall's filters --------------------------------------------------------------------------


@pytest.fixture
def wall(ww):
    """Wishes in 海曙区 (徐家漕社区), in 鄞州区 (a community of today's district) and in 江东区
    (merged into 鄞州区 in 2016)."""
    yinzhou = f.DistrictFactory(code="330212000000", name="鄞州区")
    jiangdong = f.DistrictFactory(
        code="330204000000",
        name="江东区",
        valid_until=datetime.date(2016, 9, 30),
        successor=yinzhou,
    )
    yz = f.CommunityFactory(parent=f.StreetFactory(parent=yinzhou), name="鄞州社区")
    jd = f.CommunityFactory(parent=f.StreetFactory(parent=jiangdong), name="徐戎三村")
    ww.haishu_wish = make_wish(ww, "published", category="goods", estimated_cost=800)
    ww.yinzhou_wish = make_wish(ww, "published", community=yz, household=None, estimated_cost=50)
    ww.jiangdong_wish = make_wish(
        ww, "full", community=jd, household=None, category="study", estimated_cost=120
    )
    ww.pending_wish = make_wish(ww, "pending")
    return ww


def _ids(user, query=""):
    response = api_as(user).get(f"/api/v1/wishes/{query}")
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_wall_filters_by_district_rolling_up_merged_districts(wall):
    member = wall.users.member
    everything = {wall.haishu_wish.pk, wall.yinzhou_wish.pk, wall.jiangdong_wish.pk}
    assert _ids(member) == everything  # city-wide, no pending wish
    assert _ids(member, "?district=330212") == {wall.yinzhou_wish.pk, wall.jiangdong_wish.pk}
    assert _ids(member, "?district=330204") == {wall.jiangdong_wish.pk}
    assert _ids(member, "?district=330203") == {wall.haishu_wish.pk}
    assert _ids(member, f"?community={wall.community.code}") == {wall.haishu_wish.pk}
    assert _ids(member, "?category=study") == {wall.jiangdong_wish.pk}
    assert _ids(member, "?cost_min=100&cost_max=500") == {wall.jiangdong_wish.pk}
    assert _ids(member, "?status=full") == {wall.jiangdong_wish.pk}


def test_a_wall_item_shows_todays_district_for_a_merged_one(wall):
    body = api_as(wall.users.member).get(f"/api/v1/wishes/{wall.jiangdong_wish.pk}/").json()
    assert body["district_name"] == "鄞州区"
    assert body["community_name"] == "徐戎三村"


def test_the_wall_list_runs_a_fixed_number_of_queries(ww):
    for _ in range(5):
        make_wish(ww, "fulfilled", claimants=[ww.member])
    few, rows_few = api_list_queries(ww.users.community_worker, "/api/v1/wishes/")
    for _ in range(20):
        make_wish(ww, "fulfilled", claimants=[ww.member])
    many, rows_many = api_list_queries(ww.users.community_worker, "/api/v1/wishes/")
    assert (rows_few, rows_many) == (5, 25)
    assert few == many


def test_the_claims_list_runs_a_fixed_number_of_queries(ww):
    for _ in range(5):
        make_wish(ww, "published", capacity=2, claimants=[ww.member])
    few, _ = api_list_queries(ww.users.member, "/api/v1/wish-claims/")
    for _ in range(20):
        make_wish(ww, "published", capacity=2, claimants=[ww.member])
    many, rows = api_list_queries(ww.users.member, "/api/v1/wish-claims/")
    assert rows == 25 and few == many


def test_settings_are_read_by_all_and_changed_by_the_committee(ww):
    assert (
        api_as(ww.users.member).get("/api/v1/wish-settings/").json()["max_unfulfilled_claims"] == 3
    )
    refused = api_as(ww.users.unit_admin).patch(
        "/api/v1/wish-settings/", {"claim_period_days": 10}, format="json"
    )
    assert refused.status_code == 403
    bad = api_as(ww.users.committee).patch(
        "/api/v1/wish-settings/", {"claim_period_days": 0}, format="json"
    )
    assert bad.status_code == 400 and "claim_period_days" in bad.json()
    done = api_as(ww.users.committee).patch(
        "/api/v1/wish-settings/", {"claim_period_days": 14}, format="json"
    )
    assert done.status_code == 200 and done.json()["claim_period_days"] == 14
