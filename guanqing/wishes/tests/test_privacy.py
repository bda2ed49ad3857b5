"""The wall never identifies the resident: surname only, no household, address, phone or ID."""

from __future__ import annotations

import json

import pytest

from guanqing.conftest import api_as
from guanqing.wishes.api.serializers import WallWishSerializer
from guanqing.wishes.selectors import surname_only
from guanqing.wishes.tests.factories import make_wish


def _keys(value):
    """Every key anywhere in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


@pytest.fixture
def identified(ww):
    household = ww.household
    household.address = "海曙区徐家漕路 88 弄 3 号 502 室"
    household.phone = "13905741234"
    household.save(update_fields=["address", "phone"])
    ww.wish = make_wish(ww, "published", title="再看一次东钱湖")
    ww.secrets = [
        household.head_name,  # 张国宝
        household.address,
        household.phone,
        household.id_number,
        household.id_number[-4:] + household.id_number[:6],  # no fragment pair either
    ]
    return ww


@pytest.mark.parametrize("role", ["member", "unit_admin"])
def test_no_field_of_a_wall_item_identifies_the_resident(identified, role):
    user = identified.users.member if role == "member" else identified.users.unit_admin
    if role == "unit_admin":  # a unit administrator sees wishes its members claimed
        from guanqing.wishes import services

        services.wish_claim(actor=identified.users.member, wish=identified.wish)
    client = api_as(user)
    listed = client.get("/api/v1/wishes/").json()["results"]
    detail = client.get(f"/api/v1/wishes/{identified.wish.pk}/").json()
    assert [item["id"] for item in listed] == [identified.wish.pk]
    for item in [*listed, detail]:
        text = json.dumps(item, ensure_ascii=False)
        for secret in identified.secrets:
            assert secret not in text, secret
        assert item["resident"] == "张**"
        assert item["community_name"] == "徐家漕社区"
        assert item["district_name"] == "海曙区"
        assert not {k for k in _keys(item)} & {"household", "resident_name", "head_name"}


def test_the_wall_serializer_has_no_household_field_at_all():
    fields = set(WallWishSerializer().get_fields())
    assert not fields & {"household", "resident_name", "address", "phone", "id_number"}


def test_the_community_worker_sees_the_household_it_registered(identified):
    body = (
        api_as(identified.users.community_worker)
        .get(f"/api/v1/wishes/{identified.wish.pk}/")
        .json()
    )
    assert body["household"] == identified.household.pk
    assert body["resident_name"] == "张国宝"


@pytest.mark.parametrize(
    ("name", "shown"), [("张国宝", "张**"), ("欧阳修", "欧**"), ("李", "李**"), ("", "")]
)
def test_surname_only(name, shown):
    assert surname_only(name) == shown
