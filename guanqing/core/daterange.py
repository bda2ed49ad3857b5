"""The date range of a figures page, export or report: one reading of `from`/`to`, one limit.

Both ends are business dates, inclusive. `to` defaults to today, `from` to the first of January of
`to`'s year; a range may not run backwards nor exceed ten years (MAX_DAYS), so a mistyped year
(20260 or 1026) is a clear error instead of a query over millennia. Pages read it with `parse`;
the API with `DateRangeQuery`, which says the same in the OpenAPI schema.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

MAX_DAYS = 3660  # ten years and their leap days
DATE_MESSAGE = gettext_lazy("日期格式应为 YYYY-MM-DD")


@dataclass(frozen=True)
class DateRange:
    first: datetime.date
    last: datetime.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __contains__(self, day: datetime.date) -> bool:
        return self.first <= day <= self.last

    def bounds(self, field: str) -> dict:
        """Filter keyword arguments for a DateTimeField: from midnight on `first` (Asia/Shanghai)
        to midnight after `last`."""
        return {
            f"{field}__gte": start_of(self.first),
            f"{field}__lt": start_of(self.last + datetime.timedelta(days=1)),
        }

    def date_bounds(self, field: str) -> dict:
        """Filter keyword arguments for a DateField."""
        return {f"{field}__gte": self.first, f"{field}__lte": self.last}

    @classmethod
    def parse(
        cls, first: datetime.date | None, last: datetime.date | None, *, today: datetime.date
    ) -> DateRange:
        """The range from two optional dates; ValidationError under `to` when it is not one."""
        last = last or today
        first = first or datetime.date(last.year, 1, 1)
        if last < first:
            raise ValidationError({"to": [_("结束日期早于开始日期")]})
        if (last - first).days + 1 > MAX_DAYS:
            raise ValidationError({"to": [_("一次最多查询十年")]})
        return cls(first, last)


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of a business date (Asia/Shanghai, the project's time zone)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


def date_range_parameters() -> list:
    """`from` and `to` as the OpenAPI schema documents them, for an endpoint reading DateRangeQuery."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter

    return [
        OpenApiParameter("from", OpenApiTypes.DATE, description="YYYY-MM-DD"),
        OpenApiParameter("to", OpenApiTypes.DATE, description="YYYY-MM-DD"),
    ]


class DateRangeQuery(serializers.Serializer):
    """`?from=&to=` of an API figures endpoint; `validated_data["range"]` is the DateRange."""

    from_ = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_MESSAGE}
    )
    to = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_MESSAGE}
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def today(self) -> datetime.date:
        from guanqing.core.calendar.workdays import business_date

        return business_date()

    def validate(self, attrs):
        try:
            span = DateRange.parse(attrs.get("from"), attrs.get("to"), today=self.today())
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        attrs["from"], attrs["to"], attrs["range"] = span.first, span.last, span
        return attrs
