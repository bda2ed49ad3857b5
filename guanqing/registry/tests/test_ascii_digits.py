"""ID and phone numbers are checked with ASCII digits only. A character that Python counts as a
digit ('²', '١') is refused with a message naming the field, never a 500; full-width digits typed
with a Chinese input method ('１３８…') are folded to ASCII and stored as such."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guanqing.conftest import api_as, client_for
from guanqing.core import sensitive
from guanqing.registry.models import Household, Member
from guanqing.registry.tests.excel_helpers import (
    HOUSEHOLD_HEADERS,
    MEMBER_HEADERS,
    household_row,
    member_row,
    xlsx_upload,
)
from guanqing.registry.tests.test_views import _household_post
from guanqing.testing.idnumbers import make_id_number

GOOD_ID = make_id_number("330203", datetime.date(1961, 3, 9), 27)
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
# '²' and '٣' pass str.isdigit(); int() fails on '²' ("invalid literal for int()")
NOT_ASCII_IDS = [GOOD_ID[:10] + "²" + GOOD_ID[11:], GOOD_ID[:10] + "٣" + GOOD_ID[11:]]


@pytest.mark.parametrize("number", NOT_ASCII_IDS)
def test_an_id_number_with_a_non_ascii_digit_is_a_format_error(number):
    with pytest.raises(ValidationError) as caught:
        sensitive.validate_id_number(number)
    assert caught.value.code == "format"


def test_full_width_numbers_are_folded_to_ascii():
    assert sensitive.validate_id_number(GOOD_ID.translate(FULL_WIDTH)) == GOOD_ID
    assert sensitive.validate_mobile("138１２３４５６７８") == "13812345678"
    assert sensitive.validate_phone("０５７４－８７６５４３２１") == "0574-87654321"
    with pytest.raises(ValidationError):
        sensitive.validate_mobile("138١٢٣٤٥٦٧٨")


@pytest.mark.parametrize("number", NOT_ASCII_IDS)
def test_api_refuses_a_non_ascii_id_number_naming_the_field(world, number):
    client = api_as(world.users.committee)
    before = Household.objects.count(), Member.objects.count()
    household = client.post(
        "/api/v1/households/",
        {"head_name": "王阿姨", "id_number": number, "community": world.community.code},
        format="json",
    )
    member = client.post(
        "/api/v1/members/",
        {"name": "某人", "id_number": number, "unit": world.unit.pk},
        format="json",
    )
    for response in (household, member):
        assert response.status_code == 400, response.content
        assert "id_number" in response.json()
    assert (Household.objects.count(), Member.objects.count()) == before


def test_api_stores_full_width_mobile_and_id_number_as_ascii(world):
    response = api_as(world.users.committee).post(
        "/api/v1/members/",
        {
            "name": "陈静",
            "id_number": GOOD_ID.translate(FULL_WIDTH),
            "mobile": "138１２３４５６７８",
            "unit": world.unit.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    member = Member.objects.get(pk=response.json()["id"])
    assert (member.id_number, member.mobile) == (GOOD_ID, "13812345678")


@pytest.mark.parametrize("number", NOT_ASCII_IDS)
def test_household_form_shows_a_non_ascii_id_number_next_to_the_field(world, number):
    before = Household.objects.count()
    response = client_for(world.users.community_worker).post(
        reverse("registry:household_create"), _household_post(world, id_number=number)
    )
    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors
    assert 'id="id_id_number_error"' in response.content.decode()
    assert Household.objects.count() == before


def test_excel_import_names_the_row_of_a_non_ascii_id_number_and_writes_nothing(world, client):
    rows = [household_row(n, world.community.code) for n in range(1, 4)]
    rows[1][1] = rows[1][1][:10] + "²" + rows[1][1][11:]
    before = Household.objects.count()
    client.force_login(world.users.committee)
    response = client.post(
        "/registry/excel/",
        {"kind": "households", "file": xlsx_upload(HOUSEHOLD_HEADERS, rows)},
    )
    assert response.status_code == 200
    errors = [(e.row, e.column) for e in response.context["result"].errors]
    assert errors == [(3, "身份证号码")]
    assert Household.objects.count() == before


def test_excel_import_stores_a_full_width_mobile_as_ascii(world, client):
    row = member_row(1, world.unit.name, **{"手机号码": "137０００００００１"})
    client.force_login(world.users.committee)
    response = client.post(
        "/registry/excel/", {"kind": "members", "file": xlsx_upload(MEMBER_HEADERS, [row])}
    )
    assert response.status_code == 200
    assert [e.reason for e in response.context["result"].errors] == []
    assert Member.objects.get(name="导入党员1").mobile == "13700000001"


@pytest.mark.parametrize("year", ["²⁰²⁷", "２０２７", "٢٠٢٧", "99999"])
def test_calendar_year_page_ignores_a_year_in_other_digits(world, year):
    response = client_for(world.users.committee).get("/calendar/new/", {"year": year})
    assert response.status_code == 200
