"""One answer to "may this member claim this wish?": the wall's 认领 button, its 只看我能认领的
filter and the service agree, the claim limit included (`selectors.claim_refusal`)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from guanqing.conftest import client_for
from guanqing.wishes import selectors, services
from guanqing.wishes.models import WishClaim
from guanqing.wishes.tests.factories import make_wish


def _claim_buttons(html: str) -> int:
    return html.count('class="btn btn--primary wish-claim"')


@pytest.fixture
def at_limit(ww):
    """张三 holds three active claims (the default limit); one more wish is on the wall."""
    for title in ("台灯", "书包", "电饭煲"):
        services.wish_claim(actor=ww.users.member, wish=make_wish(ww, "published", title=title))
    ww.open_wish = make_wish(ww, "published", title="一辆轮椅")
    return ww


def test_a_member_at_its_claim_limit_sees_no_claim_button(at_limit):
    ww = at_limit
    client = client_for(ww.users.member)
    wall = client.get("/wishes/").content.decode()
    assert "一辆轮椅" in wall
    assert _claim_buttons(wall) == 0
    page = client.get(f"/wishes/{ww.open_wish.pk}/").content.decode()
    assert f'action="/wishes/{ww.open_wish.pk}/claim/"' not in page
    only = client.get("/wishes/?claimable=1").content.decode()
    assert "一辆轮椅" not in only
    assert "最多 3 个" in only


def test_and_the_service_refuses_the_same(at_limit):
    ww = at_limit
    with pytest.raises(ValidationError) as info:
        services.wish_claim(actor=ww.users.member, wish=ww.open_wish)
    assert "最多 3 个" in info.value.message_dict["member"][0]
    response = client_for(ww.users.member).post(f"/wishes/{ww.open_wish.pk}/claim/")
    assert response.status_code == 400
    assert not WishClaim.objects.filter(wish=ww.open_wish, member=ww.member).exists()


def test_below_the_limit_the_button_is_back_and_the_claim_goes_through(at_limit):
    ww = at_limit
    done = WishClaim.objects.filter(member=ww.member).first().wish
    services.wish_fulfil(actor=ww.users.member, wish=done, note="完成")
    client = client_for(ww.users.member)
    wall = client.get("/wishes/?claimable=1").content.decode()
    assert "一辆轮椅" in wall and _claim_buttons(wall) == 1
    assert client.post(f"/wishes/{ww.open_wish.pk}/claim/").status_code == 302


def test_the_button_the_filter_and_the_service_agree_wish_by_wish(ww):
    """Every wish the member sees: a button exactly where the filter lists it and the service
    would take the claim."""
    make_wish(ww, "published", title="可以认领")
    make_wish(ww, "full", claimants=[ww.colleague], title="已满")
    mine = make_wish(ww, "published", capacity=2, title="我已认领")
    services.wish_claim(actor=ww.users.member, wish=mine)
    late = make_wish(ww, "published", title="已截止")
    type(late).objects.filter(pk=late.pk).update(deadline=late.deadline.replace(year=2000))
    position = selectors.claim_position(ww.users.member)
    listed = set(
        selectors.claimable_wishes(ww.users.member, position).values_list("title", flat=True)
    )
    seen = type(late).objects.visible_to(ww.users.member)
    by_refusal = {w.title for w in seen if selectors.claim_refusal(w, position) is None}
    assert listed == by_refusal == {"可以认领"}
