"""The 微心愿 pages: the wall keeps the resident private, claims from a card (201, and the full
wish's 409 message on the card), a wish's page tells its story, the whole life of a wish through
the pages down to the resident confirming without an account, scope 404s and query counts."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import client_for
from guanqing.pairing.tests import PNG
from guanqing.testing import factories as f
from guanqing.wishes import services
from guanqing.wishes.choices import ClaimStatus, WishStatus
from guanqing.wishes.models import Wish, WishClaim, WishEvent
from guanqing.wishes.tests.factories import WishFactory, make_wish

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "wish-card"}


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def identified(ww):
    """张国宝户 with an address, a phone and an ID number, and its wish on the wall."""
    household = ww.household
    household.address = "海曙区徐家漕路 88 弄 3 号 502 室"
    household.phone = "13905741234"
    household.save(update_fields=["address", "phone"])
    ww.wish = make_wish(ww, "published", title="再看一次东钱湖")
    ww.secrets = [
        household.head_name,
        household.address,
        household.phone,
        household.id_number,
        household.id_number[-4:],
    ]
    return ww


# --- the wall --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "community_worker", "committee"])
def test_the_wall_shows_the_resident_by_surname_only(identified, role):
    response = client_for(getattr(identified.users, role)).get("/wishes/")
    assert response.status_code == 200
    html = _text(response)
    assert "再看一次东钱湖" in html
    assert "张**" in html
    for secret in identified.secrets:
        assert secret not in html, secret


def test_the_wall_filters_in_place_and_keeps_a_shareable_url(identified):
    make_wish(identified, "published", title="一辆轮椅", category="goods", estimated_cost=900)
    client = client_for(identified.users.member)
    page = _text(client.get("/wishes/?category=goods"))
    assert "一辆轮椅" in page and "再看一次东钱湖" not in page
    assert 'hx-push-url="true"' in page
    partial = client.get(
        "/wishes/", {"cost_max": "500"}, HTTP_HX_REQUEST="true", **{"HTTP_HX_TARGET": "results"}
    )
    html = _text(partial)
    assert "再看一次东钱湖" in html and "一辆轮椅" not in html
    assert "<html" not in html  # the results only


def test_only_what_i_can_claim_hides_my_claims_and_full_wishes(identified):
    full = make_wish(identified, "full", title="已满的心愿", claimants=[identified.colleague])
    mine = make_wish(identified, "published", title="我认领的心愿", capacity=2)
    services.wish_claim(actor=identified.users.member, wish=mine)
    html = _text(client_for(identified.users.member).get("/wishes/?claimable=1"))
    assert "再看一次东钱湖" in html
    assert full.title not in html
    assert mine.title not in html


def test_a_member_claims_from_the_wall_and_gets_the_card_back(identified):
    response = client_for(identified.users.member).post(
        f"/wishes/{identified.wish.pk}/claim/", **HTMX
    )
    assert response.status_code == 201
    claim = WishClaim.objects.get(wish=identified.wish)
    assert claim.member == identified.member and claim.status == ClaimStatus.ACTIVE
    html = _text(response)
    assert 'class="card wish-card' in html and "<html" not in html
    assert "我已认领" in html and "1/1 人已认领" in html


def test_claiming_a_full_wish_shows_the_409_message_on_the_card(identified):
    services.wish_claim(actor=identified.users.colleague, wish=identified.wish)
    response = client_for(identified.users.member).post(
        f"/wishes/{identified.wish.pk}/claim/", **HTMX
    )
    assert response.status_code == 409
    html = _text(response)
    assert 'class="card wish-card' in html and "<html" not in html
    assert "这个心愿已被认领满了" in html
    assert not WishClaim.objects.filter(wish=identified.wish, member=identified.member).exists()


def test_claiming_a_full_wish_without_htmx_answers_the_wish_page_with_the_message(identified):
    services.wish_claim(actor=identified.users.colleague, wish=identified.wish)
    response = client_for(identified.users.member).post(f"/wishes/{identified.wish.pk}/claim/")
    assert response.status_code == 409
    assert "这个心愿已被认领满了" in _text(response)
    assert "心愿经过" in _text(response)  # the wish's page, not an error page


def test_the_wall_asks_the_same_number_of_queries_for_5_and_25_wishes(ww):
    client = client_for(ww.users.member)
    other_community = f.CommunityFactory(parent=ww.street, name="第三社区")

    def run(n):
        for i in range(n - Wish.objects.count()):
            community = ww.community if i % 2 else other_community
            WishFactory(community=community, household=ww.household, posted_by=ww.users.worker2)
        services.wish_claim(actor=ww.users.member, wish=Wish.objects.order_by("-pk").first())
        client.get("/wishes/")  # the session's first request does its own bookkeeping
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/wishes/", {"per_page": 50})
        assert response.status_code == 200
        assert _text(response).count('class="card wish-card') == n
        return len(ctx.captured_queries)

    assert run(5) == run(25)


# --- a wish's page ---------------------------------------------------------------------------


def test_a_wish_page_tells_its_story(ww):
    wish = services.wish_post(
        actor=ww.users.community_worker,
        community=ww.community,
        household=ww.household,
        title="一台收音机",
        category="goods",
        estimated_cost=120,
        deadline=WishFactory.build().deadline,
    )
    services.wish_approve(actor=ww.users.worker2, wish=wish, note="情况属实")
    services.wish_claim(actor=ww.users.member, wish=wish)
    response = client_for(ww.users.member).get(f"/wishes/{wish.pk}/")
    assert response.status_code == 200
    html = _text(response)
    events = list(WishEvent.objects.filter(wish=wish).order_by("at", "id"))
    assert [e.kind for e in events] == ["posted", "approved", "claimed"]
    for event in events:
        assert f'data-event="{event.kind}"' in html
        assert event.get_kind_display() in html
        assert event.actor_name in html
    assert "情况属实" in html
    assert "张**" in html and "张国宝" not in html  # a member sees the surname only
    assert "退出认领" in html and "登记心愿已实现" in html


def test_the_community_worker_sees_the_household_on_the_wish_page(identified):
    html = _text(
        client_for(identified.users.community_worker).get(f"/wishes/{identified.wish.pk}/")
    )
    assert "张国宝户" in html


# --- the whole life of a wish through the pages ----------------------------------------------


def _link(html: str) -> str:
    match = re.search(
        r'href="http://testserver(/wishes/confirm/[^"]+/)" data-key="confirm-link"', html
    )
    assert match, "no confirmation link on the page"
    return match.group(1)


def test_post_approve_claim_fulfil_code_and_the_resident_confirms_without_an_account(ww):
    poster = client_for(ww.users.community_worker)
    deadline = WishFactory.build().deadline
    response = poster.post(
        "/wishes/new/",
        {
            "title": "想再去一次东钱湖",
            "description": "老人腿脚不便，想再看看湖。",
            "category": "trip",
            "estimated_cost": "300",
            "deadline": deadline.isoformat(),
            "capacity": "2",
            "household": str(ww.household.pk),
        },
    )
    wish = Wish.objects.get(title="想再去一次东钱湖")
    assert response.status_code == 302 and response["Location"] == f"/wishes/{wish.pk}/"
    assert wish.status == WishStatus.PENDING and wish.household == ww.household

    # the poster cannot approve its own wish: it is told to wait for a colleague
    html = _text(poster.get(f"/wishes/{wish.pk}/"))
    assert "待其他社工审核" in html and f"/wishes/{wish.pk}/approve/" not in html
    assert "待其他社工审核" in _text(poster.get("/wishes/manage/"))

    reviewer = client_for(ww.users.worker2)
    assert f"/wishes/{wish.pk}/approve/" in _text(reviewer.get("/wishes/manage/"))
    response = reviewer.post(
        f"/wishes/{wish.pk}/approve/", {"approve-note": "已核实", "next": "/wishes/manage/"}
    )
    assert response.status_code == 302 and response["Location"] == "/wishes/manage/"
    wish.refresh_from_db()
    assert wish.status == WishStatus.PUBLISHED and wish.approved_by == ww.users.worker2

    member = client_for(ww.users.member)
    response = member.post(f"/wishes/{wish.pk}/claim/")
    assert response.status_code == 302
    mine = _text(member.get("/wishes/mine/"))
    assert wish.title in mine and "登记实现" in mine

    # the note is required: the service's refusal shows beside the field, nothing is written
    refused = member.post(f"/wishes/{wish.pk}/fulfil/", {"note": "", "money_spent": "10"})
    assert refused.status_code == 400
    assert "请写明心愿是如何实现的" in _text(refused)
    response = member.post(
        f"/wishes/{wish.pk}/fulfil/",
        {
            "note": "陪老人去了东钱湖",
            "money_spent": "286.50",
            "photos": [SimpleUploadedFile("lake.png", PNG, content_type="image/png")],
        },
    )
    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.status == WishStatus.FULFILLED
    photo = wish.fulfilment.photos.get()
    assert member.get(f"/wishes/{wish.pk}/photos/{photo.pk}/").status_code == 200

    response = poster.post(f"/wishes/{wish.pk}/code/")
    assert response.status_code == 200
    html = _text(response)
    assert 'src="data:image/svg+xml' in html  # the QR code, made locally
    path = _link(html)

    resident = Client(enforce_csrf_checks=True)
    page = resident.get(path)
    assert page.status_code == 200
    # the code stays on this site; "no-referrer" would make browsers send `Origin: null`
    assert page["Referrer-Policy"] == "same-origin"
    assert "想再去一次东钱湖" in _text(page) and "陪老人去了东钱湖" in _text(page)
    assert "确认已收到" in _text(page)
    assert resident.get(f"{path}photos/{photo.pk}/").status_code == 200
    assert resident.post(path).status_code == 403  # no CSRF token: refused
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    token = token or resident.cookies["csrftoken"].value
    done = resident.post(path, {"csrfmiddlewaretoken": token})
    assert done.status_code == 200 and "感谢您的确认" in _text(done)
    wish.refresh_from_db()
    assert wish.status == WishStatus.CONFIRMED
    assert wish.events.filter(kind="confirmed", actor__isnull=True).exists()

    # a spent code answers exactly like a wrong one
    again = resident.post(path, {"csrfmiddlewaretoken": token})
    wrong = resident.post("/wishes/confirm/not-a-code/", {"csrfmiddlewaretoken": token})
    assert again.status_code == wrong.status_code == 400
    assert "确认码无效或已使用" in _text(again)
    assert _strip_csrf(_text(again)) == _strip_csrf(_text(wrong))
    assert _strip_csrf(_text(resident.get(path))) == _strip_csrf(
        _text(resident.get("/wishes/confirm/not-a-code/"))
    )
    assert resident.get(f"{path}photos/{photo.pk}/").status_code == 404


def _strip_csrf(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    html = re.sub(r' nonce="[^"]+"', "", html)  # the CSP nonce, new on every answer
    return re.sub(r'name="next" value="[^"]+"', "", html)


def test_withdrawing_needs_a_reason_and_returns_the_wish_to_the_wall(identified):
    member = client_for(identified.users.member)
    member.post(f"/wishes/{identified.wish.pk}/claim/")
    refused = member.post(f"/wishes/{identified.wish.pk}/withdraw/", {"withdraw-reason": ""})
    assert refused.status_code == 400 and "请说明退出原因" in _text(refused)
    response = member.post(
        f"/wishes/{identified.wish.pk}/withdraw/", {"withdraw-reason": "出差一个月"}
    )
    assert response.status_code == 302
    identified.wish.refresh_from_db()
    assert identified.wish.status == WishStatus.PUBLISHED and identified.wish.claimed_count == 0


def test_the_worker_confirms_from_the_management_list(ww):
    wish = make_wish(ww, "fulfilled", claimants=[ww.member])
    client = client_for(ww.users.community_worker)
    html = _text(client.get("/wishes/manage/?status=fulfilled"))
    assert f"/wishes/{wish.pk}/confirm/" in html and f"/wishes/{wish.pk}/code/" in html
    response = client.post(
        f"/wishes/{wish.pk}/confirm/", {"next": "/wishes/manage/?status=fulfilled"}
    )
    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.status == WishStatus.CONFIRMED


def test_the_figures_page_ranks_units_by_fulfilled_wishes(ww):
    make_wish(ww, "fulfilled", claimants=[ww.member])
    make_wish(ww, "published", claimants=[ww.other_member], capacity=2)
    response = client_for(ww.users.committee).get("/wishes/figures/")
    assert response.status_code == 200
    html = _text(response)
    ranking = html.split('data-key="ranking"')[1].split("</ol>")[0]
    assert "市纪委" in ranking and "市发改委" not in ranking  # a claim alone is not ranked


# --- scope: outside answers 404, like a missing wish -----------------------------------------


def test_a_member_gets_404_for_a_pending_wish(ww):
    pending = make_wish(ww, "pending")
    client = client_for(ww.users.member)
    assert client.get(f"/wishes/{pending.pk}/").status_code == 404
    assert client.post(f"/wishes/{pending.pk}/claim/").status_code == 404
    assert client.get("/wishes/999999/").status_code == 404


def test_a_worker_of_another_community_gets_404(identified):
    client = client_for(identified.users.other_worker)
    pk = identified.wish.pk
    assert client.get(f"/wishes/{pk}/").status_code == 404
    assert client.post(f"/wishes/{pk}/approve/").status_code == 404
    assert client.post(f"/wishes/{pk}/code/").status_code == 404


def test_a_unit_admin_sees_only_wishes_its_members_claimed(identified):
    client = client_for(identified.users.unit_admin)
    assert client.get(f"/wishes/{identified.wish.pk}/").status_code == 404
    services.wish_claim(actor=identified.users.member, wish=identified.wish)
    assert client.get(f"/wishes/{identified.wish.pk}/").status_code == 200
    assert (
        client_for(identified.users.other_unit_admin)
        .get(f"/wishes/{identified.wish.pk}/")
        .status_code
        == 404
    )


def test_a_photo_outside_scope_answers_404(ww):
    wish = make_wish(ww, "fulfilled", claimants=[ww.member])
    services_photo = wish.fulfilment.photos.create(
        file=SimpleUploadedFile("a.png", PNG), content_type="image/png", size=len(PNG)
    )
    url = f"/wishes/{wish.pk}/photos/{services_photo.pk}/"
    assert client_for(ww.users.member).get(url).status_code == 200
    assert client_for(ww.users.other_member).get(url).status_code == 404
    assert client_for(ww.users.other_worker).get(url).status_code == 404


def test_only_a_community_worker_posts_wishes(ww):
    assert client_for(ww.users.committee).get("/wishes/new/").status_code == 403
    assert client_for(ww.users.member).get("/wishes/new/").status_code == 403
    assert client_for(ww.users.community_worker).get("/wishes/new/").status_code == 200
