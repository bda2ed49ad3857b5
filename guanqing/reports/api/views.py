"""Report endpoints under /api/v1/reports/: the live report of a period and area
(`GET reports/live/?period=2026-Q3&where=city`), and the published versions (list, retrieve;
the committee publishes with POST, a correction with its reason).

Areas outside the reader's scope answer 404 like a missing one; a bad period or area is a 400
naming `period` or `where`; a publication racing another of the same period and area is a 409.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins
from rest_framework.response import Response

from guanqing.core.api.base import AccessAPIView, ServiceCreateMixin
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.calendar.workdays import business_date
from guanqing.core.reports import Period
from guanqing.reports import selectors, services
from guanqing.reports.access import access
from guanqing.reports.api import serializers as s
from guanqing.reports.models import Publication

PERIOD_PARAM = OpenApiParameter(
    "period",
    str,
    description=gettext_lazy("报告期：2026、2026-H1、2026-Q3 或 2026-07；默认上一季度"),
)
WHERE_PARAM = OpenApiParameter(
    "where",
    str,
    description=gettext_lazy(
        "范围：city、district:<编号> 或 unit:<编号>；默认全市（单位管理员为本单位）"
    ),
)


def _period(value: str | None, today) -> Period:
    if not value:
        return selectors.default_period(today)
    return Period.parse(value)


class LiveReportView(AccessAPIView):
    """工作情况统计 The report of a period and area as the data stand now (not published)."""

    access = access
    access_rule = "read"

    @extend_schema(
        parameters=[PERIOD_PARAM, WHERE_PARAM],
        responses={200: s.LiveReportSerializer},
        summary=gettext_lazy("期间报告（实时数据）"),
    )
    def get(self, request):
        today = business_date()
        errors = {}
        period = where = None
        try:
            period = _period(request.query_params.get("period"), today)
        except ValidationError as error:
            errors.update(error.message_dict)
        try:
            where = selectors.parse_where(request.user, request.query_params.get("where", ""))
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        live = selectors.live_report(request.user, period, where, today=today, kept=True)
        data = {
            "period": period.key,
            "period_label": period.label,
            "first": period.first,
            "last": period.last,
            "where": where.key,
            "where_name": where.name,
            "counted_on": live.counted_on,
            "as_of": live.as_of,
            "sections": s.readable(live.sections),
        }
        return Response(s.LiveReportSerializer(data).data)


class PublicationFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(field_name="period_key", label=gettext_lazy("报告期"))
    where_kind = django_filters.ChoiceFilter(
        choices=Publication._meta.get_field("where_kind").choices, label=gettext_lazy("范围")
    )

    class Meta:
        model = Publication
        fields = ["period", "where_kind"]


class PublicationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """已发布的工作情况统计 Published versions: frozen figures, never recomputed."""

    model = Publication
    select_related = ("published_by",)
    filterset_class = PublicationFilter
    ordering_fields = ["published_at", "period_first", "version"]
    ordering = ["-published_at", "-id"]
    access = access
    access_rule = "read"
    create_rule = "publish"
    action_access = {"create": "publish"}

    def get_serializer_class(self):
        return s.PublishSerializer if self.action == "create" else s.PublicationSerializer

    @extend_schema(
        request=s.PublishSerializer,
        responses={
            201: s.PublicationSerializer,
            409: OpenApiResponse(
                description=gettext_lazy("同一报告期刚刚有人发布 {detail: message}")
            ),
        },
        summary=gettext_lazy("发布工作情况统计（机关工委；再次发布为更正版本，须写明原因）"),
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def service_create(self, data):
        errors = {}
        period = where = None
        try:
            period = Period.parse(data["period"])
        except ValidationError as error:
            errors.update(error.message_dict)
        try:
            where = selectors.parse_where(self.request.user, data["where"])
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        return services.publication_publish(
            actor=self.request.user, period=period, where=where, reason=data.get("reason", "")
        )

    def respond_with(self, obj, status_code=200, serializer_class=None):
        return super().respond_with(obj, status_code, s.PublicationSerializer)
