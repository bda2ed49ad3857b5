"""`core/daterange.py`: the one reading of `from`/`to` for figures, exports and reports."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from guanqing.core.daterange import MAX_DAYS, DateRange, DateRangeQuery, start_of

TODAY = datetime.date(2026, 5, 13)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def test_to_defaults_to_today_and_from_to_the_first_of_january_of_to():
    assert DateRange.parse(None, None, today=TODAY) == DateRange(d("2026-01-01"), TODAY)
    assert DateRange.parse(None, d("2024-07-01"), today=TODAY) == DateRange(
        d("2024-01-01"), d("2024-07-01")
    )
    assert DateRange.parse(d("2025-03-01"), None, today=TODAY) == DateRange(d("2025-03-01"), TODAY)


def test_a_one_day_range_and_membership():
    span = DateRange.parse(TODAY, TODAY, today=TODAY)
    assert span.days == 1
    assert TODAY in span
    assert TODAY + datetime.timedelta(days=1) not in span
    assert d("2026-01-01") in DateRange.parse(None, None, today=TODAY)


def test_a_backwards_range_is_refused_under_to():
    with pytest.raises(ValidationError) as error:
        DateRange.parse(d("2026-05-14"), d("2026-05-13"), today=TODAY)
    assert error.value.message_dict == {"to": ["结束日期早于开始日期"]}


def test_exactly_max_days_is_allowed_and_one_more_refused():
    last = TODAY
    first = last - datetime.timedelta(days=MAX_DAYS - 1)
    assert DateRange.parse(first, last, today=TODAY).days == MAX_DAYS
    with pytest.raises(ValidationError) as error:
        DateRange.parse(first - datetime.timedelta(days=1), last, today=TODAY)
    assert error.value.message_dict == {"to": ["一次最多查询十年"]}


def test_max_days_is_ten_years_with_their_leap_days():
    assert MAX_DAYS == 3660
    assert DateRange.parse(d("2016-01-01"), d("2025-12-31"), today=TODAY).days == 3653


def test_a_mistyped_year_is_a_clear_error():
    with pytest.raises(ValidationError):
        DateRange.parse(d("1026-01-01"), TODAY, today=TODAY)


def test_bounds_run_from_shanghai_midnight_to_the_midnight_after_the_last_day():
    bounds = DateRange(d("2026-05-01"), d("2026-05-13")).bounds("created_at")
    assert bounds == {
        "created_at__gte": datetime.datetime(2026, 5, 1, tzinfo=SHANGHAI),
        "created_at__lt": datetime.datetime(2026, 5, 14, tzinfo=SHANGHAI),
    }
    # Midnight in Shanghai is 16:00 UTC the day before.
    assert bounds["created_at__gte"].astimezone(datetime.UTC) == datetime.datetime(
        2026, 4, 30, 16, 0, tzinfo=datetime.UTC
    )


def test_start_of_is_midnight_in_the_project_time_zone():
    moment = start_of(d("2026-12-31"))
    assert moment.utcoffset() == datetime.timedelta(hours=8)
    assert (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)


def test_date_bounds_are_inclusive_for_date_fields():
    assert DateRange(d("2026-05-01"), d("2026-05-13")).date_bounds("day") == {
        "day__gte": d("2026-05-01"),
        "day__lte": d("2026-05-13"),
    }


# ---------------------------------------------------------------------------------------------
# DateRangeQuery (the API's ?from=&to=)
# ---------------------------------------------------------------------------------------------


class PinnedQuery(DateRangeQuery):
    def today(self):
        return TODAY


def query(**params):
    serializer = PinnedQuery(data=params)
    serializer.is_valid()
    return serializer


def test_the_query_defaults_and_reads_from_and_to():
    serializer = query()
    assert serializer.errors == {}
    assert serializer.validated_data["range"] == DateRange(d("2026-01-01"), TODAY)
    assert serializer.validated_data["from"] == d("2026-01-01")
    assert serializer.validated_data["to"] == TODAY

    serializer = query(**{"from": "2025-02-01", "to": "2025-03-01"})
    assert serializer.validated_data["range"] == DateRange(d("2025-02-01"), d("2025-03-01"))


def test_the_query_names_its_fields_from_and_to():
    assert set(PinnedQuery().fields) == {"from", "to"}


def test_a_malformed_date_is_an_error_under_its_own_field():
    assert query(**{"from": "2025/02/01"}).errors == {"from": ["日期格式应为 YYYY-MM-DD"]}
    assert query(to="20260-01-01").errors == {"to": ["日期格式应为 YYYY-MM-DD"]}


def test_a_backwards_or_too_long_range_is_an_error_under_to():
    assert query(**{"from": "2026-05-14", "to": "2026-05-13"}).errors == {
        "to": ["结束日期早于开始日期"]
    }
    assert query(**{"from": "1026-01-01"}).errors == {"to": ["一次最多查询十年"]}


def test_the_query_uses_the_business_date_as_today(pinned_today):
    serializer = DateRangeQuery(data={})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["to"] == pinned_today
    assert serializer.validated_data["from"] == datetime.date(pinned_today.year, 1, 1)
