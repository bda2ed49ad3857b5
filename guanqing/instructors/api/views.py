"""Instructors endpoints under /api/v1/instructors/: terms (list, detail with its months, appoint,
end, raise a village problem) and the work log (list, record). Reads go through
`visible_to(user)`, writes through `guanqing.instructors.services`: a refused value is a 400 naming
the field, a move the term's lifecycle refuses a 409, a term outside the scope a 404."""

from __future__ import annotations

from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from guanqing.core.api.base import AccessAPIView, ServiceCreateMixin
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DateRangeQuery, date_range_parameters
from guanqing.core.services import OutOfScope
from guanqing.instructors import figures, selectors, services
from guanqing.instructors.access import access
from guanqing.instructors.api import serializers as s
from guanqing.instructors.filters import LogFilter, TermFilter
from guanqing.instructors.models import InstructorTerm, WorkLog


def _refused():
    return OpenApiResponse(description=gettext_lazy("任期当前状态不允许此操作 {detail: message}"))


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("农村工作指导员任期"),
        description=gettext_lazy(
            "机关工委看全部，单位党务管理员看本单位的，党员干部看本人的。this_month 为本月驻村天数与要求天数。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("任期详情（含每月驻村天数）")),
    create=extend_schema(
        summary=gettext_lazy("选派农村工作指导员"),
        request=s.AppointSerializer,
        responses={201: s.TermDetailSerializer},
    ),
)
class TermViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """农村工作指导员任期 Terms of rural work instructors."""

    model = InstructorTerm
    filterset_class = TermFilter
    select_related = ("unit", "member", "village")
    ordering_fields = ["starts_on", "ends_on"]
    ordering = ["-starts_on", "-id"]
    access = access
    access_rule = "terms"
    create_rule = "appoint"
    action_access = {"end": "appoint", "raise_problem": "raise"}

    def get_serializer_class(self):
        if self.action == "create":
            return s.AppointSerializer
        if self.action == "list":
            return s.TermSerializer
        return s.TermDetailSerializer

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = selectors.term_rows(page, business_date())
        context = self.get_serializer_context() | {"month_rows": {r.term.pk: r.month for r in rows}}
        data = s.TermSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    def respond_with(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        today = business_date()
        context = self.get_serializer_context() | {
            "months": selectors.term_months(obj, today),
            "month_rows": {obj.pk: selectors.term_rows([obj], today)[0].month},
        }
        data = s.TermDetailSerializer(obj, context=context).data
        return Response(data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self.respond_with(self.get_object())

    def service_create(self, data):
        return services.term_appoint(actor=self.request.user, **data)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(
        request=s.EndSerializer,
        responses={200: s.TermDetailSerializer, 409: _refused()},
        summary=gettext_lazy("结束任期"),
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        term = self.get_object()
        self.check_edit_permission(term)
        services.term_end(actor=request.user, term=term, **self._input(s.EndSerializer))
        return self.respond_with(self.read_back(term))

    @extend_schema(
        request=s.RaiseSerializer,
        responses={201: s.RaisedSerializer, 409: _refused()},
        summary=gettext_lazy("反映村里的难题（进入三服务难题办理）"),
    )
    @action(detail=True, methods=["post"], url_path="raise-problem")
    def raise_problem(self, request, pk=None):
        term = self.get_object()
        raised = services.problem_raise(
            actor=request.user, term=term, **self._input(s.RaiseSerializer)
        )
        return Response(s.RaisedSerializer(raised).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("驻村日志")),
    retrieve=extend_schema(summary=gettext_lazy("驻村日志详情")),
    create=extend_schema(
        summary=gettext_lazy("记一条驻村日志（指导员本人或所在单位党务管理员）"),
        request=s.LogCreateSerializer,
        responses={201: s.LogSerializer},
    ),
)
class LogViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """驻村日志 Work log entries of the terms in scope."""

    model = WorkLog
    filterset_class = LogFilter
    ordering_fields = ["starts_on"]
    ordering = ["-starts_on", "-id"]
    access = access
    access_rule = "terms"
    create_rule = "log"

    def get_serializer_class(self):
        return s.LogCreateSerializer if self.action == "create" else s.LogSerializer

    def respond_with(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        return super().respond_with(obj, status_code, s.LogSerializer)

    def service_create(self, data):
        """A term named in the body that is not the actor's to log is a 400 naming `term`."""
        try:
            return services.log_record(actor=self.request.user, **data)
        except OutOfScope:
            raise ValidationError({"term": [_("所选任期不存在或不在您的权限范围内")]}) from None


class FiguresView(AccessAPIView):
    """指导员统计: per term, days in the village against the required days, logs, problems."""

    access = access
    access_rule = "figures"

    @extend_schema(
        parameters=date_range_parameters(),
        summary=gettext_lazy("农村工作指导员统计"),
        responses={200: OpenApiResponse(description=gettext_lazy("各任期和合计"))},
    )
    def get(self, request):
        query = DateRangeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        span = query.validated_data["range"]
        snapshot = figures.figures_of(request.user, span, business_date())
        result = snapshot.value
        return Response(
            {
                "from": span.first,
                "to": span.last,
                "as_of": snapshot.as_of,
                "totals": result.totals,
                "terms": [asdict(row) for row in result.rows],
            }
        )
