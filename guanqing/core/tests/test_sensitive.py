import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from guanqing.core import sensitive
from guanqing.testing.idnumbers import make_id_number

REGIONS = ["330203", "330204", "330212", "330283", "330213", "330225", "110101"]


@given(
    region=st.sampled_from(REGIONS),
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2025, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_every_checksum_valid_number_with_a_known_region_is_accepted(region, birth, seq):
    number = make_id_number(region, birth, seq)
    assert sensitive.validate_id_number(number.lower()) == number


@given(
    region=st.sampled_from(REGIONS),
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2025, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
    wrong=st.sampled_from("0123456789X"),
)
def test_any_wrong_check_digit_is_refused(region, birth, seq, wrong):
    number = make_id_number(region, birth, seq)
    if wrong == number[-1]:
        return
    with pytest.raises(ValidationError) as exc:
        sensitive.validate_id_number(number[:-1] + wrong)
    assert exc.value.code == "checksum"


def test_historical_jiangdong_code_passes_even_for_people_born_before_it_existed():
    # 江东区 330204 existed 1983–2016; a resident born in 1937 got an ID with it in the 1980s.
    number = make_id_number("330204", datetime.date(1937, 3, 2), 17)
    assert not ric.is_valid(number)  # stdnum's own birthplace rule would refuse this person
    assert sensitive.validate_id_number(number) == number


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("33020319600517001", "length"),
        ("3302031960051700111", "length"),
        ("33020319600517A011", "format"),
        ("33020319600230001" + ric.calc_check_digit("330203196002300010"), "birth_date"),
    ],
)
def test_malformed_numbers_name_the_problem(value, code):
    with pytest.raises(ValidationError) as exc:
        sensitive.validate_id_number(value)
    assert exc.value.code == code


def test_a_birth_date_in_the_future_is_refused():
    number = make_id_number("330203", datetime.date(2099, 1, 1), 5)
    with pytest.raises(ValidationError) as exc:
        sensitive.validate_id_number(number)
    assert exc.value.code == "birth_date"


def test_unknown_region_is_refused():
    number = make_id_number("999999", datetime.date(1980, 1, 1), 5)
    with pytest.raises(ValidationError) as exc:
        sensitive.validate_id_number(number)
    assert exc.value.code == "region"


@pytest.mark.parametrize("good", ["13812345678", "19912345678", "138 1234 5678", "138-1234-5678"])
def test_mobile_numbers_accepted(good):
    assert sensitive.validate_mobile(good) == good.replace(" ", "").replace("-", "")


@pytest.mark.parametrize("bad", ["12812345678", "1381234567", "138123456789", "2381234567a", ""])
def test_bad_mobile_numbers_refused(bad):
    with pytest.raises(ValidationError):
        sensitive.validate_mobile(bad)


@given(
    st.text(alphabet="0123456789X", min_size=0, max_size=20), st.integers(0, 8), st.integers(0, 8)
)
def test_mask_never_shows_more_than_head_and_tail(value, head, tail):
    masked = sensitive.mask(value, head, tail)
    assert len(masked) == len(value)
    shown = sum(1 for c in masked if c != "*")
    assert shown <= min(len(value), head + tail)


def test_default_mask_keeps_first_six_and_last_four():
    assert sensitive.mask("33020319600517001X") == "330203********001X"


def test_lookup_hash_is_stable_and_case_insensitive_and_encryption_round_trips(settings):
    number = make_id_number()
    assert sensitive.lookup_hash(number) == sensitive.lookup_hash(" " + number.lower())
    token = sensitive.encrypt(number)
    assert number not in token
    assert sensitive.decrypt(token) == number
    assert sensitive.decrypt("garbage") == ""


@pytest.mark.parametrize("good", ["0574-87654321", "057487654321", "87654321", "13812345678"])
def test_contact_phones_may_be_mobiles_or_landlines(good):
    assert sensitive.validate_phone(good) == good


@pytest.mark.parametrize("bad", ["12345678901", "12345", "0574-876", "abc", "1381234567"])
def test_bad_contact_phones_say_both_forms_are_accepted(bad):
    with pytest.raises(ValidationError) as exc:
        sensitive.validate_phone(bad)
    assert "固定电话" in exc.value.messages[0]
