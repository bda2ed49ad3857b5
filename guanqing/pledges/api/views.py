"""Pledge endpoints under /api/v1/pledges/: pledges (list, retrieve; the committee creates,
changes, publishes, closes and rates; a lead unit assesses), milestones (list, retrieve; the
committee adds; done), monthly reports (list, retrieve; a lead unit writes) and the public summary
(no account: the year's published pledges and their progress only).

Reads go through `visible_to(user)`, writes through `guanqing.pledges.services`: a refused value is
a 400 naming the field, a move the lifecycle refuses a 409, a record outside the scope a 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from guanqing.core.api.base import ServiceCreateMixin, ServiceUpdateMixin
from guanqing.core.api.filters import YearFormField
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.calendar.workdays import business_date
from guanqing.pledges import selectors, services
from guanqing.pledges.access import access
from guanqing.pledges.api import serializers as s
from guanqing.pledges.models import Milestone, Pledge, ProgressReport


def _refused():
    return OpenApiResponse(description=gettext_lazy("实事当前状态不允许此操作 {detail: message}"))


def _pledge(user, pk) -> Pledge:
    """The pledge a body names, if the user sees it; otherwise a 400 naming the field."""
    found = Pledge.objects.visible_to(user).filter(pk=pk).first()
    if found is None:
        raise ValidationError({"pledge": [_("所选实事不存在或不在您的权限范围内")]})
    return found


def _year(request) -> int | None:
    """`?year=`: none when absent; a value that is not a year is a 400 naming the parameter."""
    try:
        return YearFormField(required=False).clean(request.query_params.get("year", ""))
    except ValidationError as error:
        raise ValidationError({"year": error.messages}) from error


@extend_schema_view(
    retrieve=extend_schema(summary=gettext_lazy("一件实事")),
    create=extend_schema(
        summary=gettext_lazy("新增实事（机关工委）"),
        request=s.PledgeWriteSerializer,
        responses={201: s.PledgeSerializer},
    ),
    update=extend_schema(
        summary=gettext_lazy("修改实事（机关工委）"),
        request=s.PledgeWriteSerializer,
        responses={200: s.PledgeSerializer, 409: _refused()},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("修改实事的部分字段（机关工委）"),
        request=s.PledgeWriteSerializer,
        responses={200: s.PledgeSerializer, 409: _refused()},
    ),
)
class PledgeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    ScopedViewSet,
):
    """十件实事 The year's pledges with their progress and derived status (`?year=`)."""

    model = Pledge
    ordering_fields = ["year", "number"]
    ordering = ["-year", "number", "id"]
    access = access
    access_rule = "read"
    create_rule = "manage"
    action_access = {
        "update": "manage",
        "partial_update": "manage",
        "publish": "manage",
        "close": "manage",
        "rate": "manage",
        "assess": "lead",
    }

    def get_queryset(self):
        queryset = super().get_queryset()
        year = _year(self.request)
        if year is not None:
            queryset = queryset.filter(year=year)
        return selectors.with_details(queryset)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return s.PledgeWriteSerializer
        return s.PledgeSerializer

    def _context_for(self, pledges):
        rows = selectors.rows(pledges, business_date())
        return self.get_serializer_context() | {"rows": {r.pledge.pk: r for r in rows}}

    @extend_schema(parameters=[OpenApiParameter("year", int)], summary=gettext_lazy("十件实事"))
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        items = list(page if page is not None else queryset)
        data = s.PledgeSerializer(items, many=True, context=self._context_for(items)).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        return Response(s.PledgeSerializer(obj, context=self._context_for([obj])).data)

    def respond_with(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        obj = self.get_queryset().filter(pk=obj.pk).first() or obj
        data = s.PledgeSerializer(obj, context=self._context_for([obj])).data
        return Response(data, status=status_code)

    def read_back(self, obj):
        return obj

    def service_create(self, data):
        return services.pledge_save(actor=self.request.user, **data)

    def service_update(self, obj, data):
        current = {
            "year": obj.year,
            "number": obj.number,
            "title": obj.title,
            "promise": obj.promise,
            "lead_units": [u.pk for u in obj.lead_units.all()],
            "target_kind": obj.target_kind,
            "metric": obj.metric,
            "target_value": obj.target_value,
            "target_unit": obj.target_unit,
        }
        return services.pledge_save(actor=self.request.user, pledge=obj, **(current | data))

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _move(self, name):
        pledge = self.get_object()
        self.check_edit_permission(pledge)
        services.pledge_move(actor=self.request.user, pledge=pledge, action=name)
        return self.respond_with(pledge)

    @extend_schema(
        request=None,
        responses={200: s.PledgeSerializer, 409: _refused()},
        summary=gettext_lazy("公布实事"),
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._move("publish")

    @extend_schema(
        request=None,
        responses={200: s.PledgeSerializer, 409: _refused()},
        summary=gettext_lazy("实事结项"),
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move("close")

    @extend_schema(
        request=s.PledgeRateSerializer,
        responses={200: s.PledgeSerializer, 409: _refused()},
        summary=gettext_lazy("机关工委评定"),
    )
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        pledge = self.get_object()
        self.check_edit_permission(pledge)
        services.pledge_rate(
            actor=request.user, pledge=pledge, **self._input(s.PledgeRateSerializer)
        )
        return self.respond_with(pledge)

    @extend_schema(
        request=s.PledgeAssessSerializer,
        responses={200: s.PledgeSerializer, 409: _refused()},
        summary=gettext_lazy("牵头单位自评"),
    )
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        pledge = self.get_object()
        self.check_edit_permission(pledge)
        data = self._input(s.PledgeAssessSerializer)
        services.pledge_assess(actor=request.user, pledge=pledge, **data)
        return self.respond_with(pledge)


@extend_schema_view(
    create=extend_schema(
        summary=gettext_lazy("添加节点（机关工委）"),
        request=s.PledgeMilestoneWriteSerializer,
        responses={201: s.PledgeMilestoneSerializer, 409: _refused()},
    ),
)
class MilestoneViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """实事节点 The milestones of the pledges the user sees."""

    model = Milestone
    ordering_fields = ["due_on"]
    ordering = ["due_on", "id"]
    access = access
    access_rule = "read"
    create_rule = "manage"
    action_access = {"done": "read"}

    def get_serializer_class(self):
        if self.action == "create":
            return s.PledgeMilestoneWriteSerializer
        return s.PledgeMilestoneSerializer

    def respond_with(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        return super().respond_with(obj, status_code, s.PledgeMilestoneSerializer)

    def service_create(self, data):
        pledge = _pledge(self.request.user, data.pop("pledge"))
        return services.milestone_add(actor=self.request.user, pledge=pledge, **data)

    @extend_schema(
        request=s.PledgeMilestoneDoneSerializer,
        responses={200: s.PledgeMilestoneSerializer, 409: _refused()},
        summary=gettext_lazy("登记节点完成"),
    )
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        milestone = self.get_object()
        if not (access.allows(request.user, "manage") or access.allows(request.user, "lead")):
            access.check(request.user, "manage")
        self.check_edit_permission(milestone)
        serializer = s.PledgeMilestoneDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.milestone_done(
            actor=request.user, milestone=milestone, **dict(serializer.validated_data)
        )
        return self.respond_with(self.read_back(milestone))


@extend_schema_view(
    create=extend_schema(
        summary=gettext_lazy("报送或修改本月进展（牵头单位）"),
        request=s.PledgeReportWriteSerializer,
        responses={201: s.PledgeReportSerializer, 409: _refused()},
    ),
)
class ReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """月度进展 The lead units' monthly reports (POST writes or changes this month's)."""

    model = ProgressReport
    select_related = ("unit",)
    prefetch_related = ("attachments",)
    ordering_fields = ["month"]
    ordering = ["-month", "id"]
    access = access
    access_rule = "read"
    create_rule = "lead"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self):
        if self.action == "create":
            return s.PledgeReportWriteSerializer
        return s.PledgeReportSerializer

    def respond_with(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        return super().respond_with(obj, status_code, s.PledgeReportSerializer)

    def service_create(self, data):
        pledge = _pledge(self.request.user, data.pop("pledge"))
        return services.report_save(actor=self.request.user, pledge=pledge, **data)


class PublicSummaryView(APIView):
    """The year's published pledges: title, target, progress, status (and the rating once made
    public) — nothing else. No account needed."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("year", int)],
        summary=gettext_lazy("十件实事公开进展"),
        responses={200: OpenApiResponse(description=gettext_lazy("年度和各件实事的进度"))},
    )
    def get(self, request):
        today = business_date()
        year = _year(request) or today.year
        return Response(selectors.public_summary(year, today))
