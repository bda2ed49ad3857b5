"""Pairing endpoints: pairings and their relay, visits, partnerships and their projects, the
compliance settings. Reads go through `visible_to(user)`, writes through the service functions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, parsers
from rest_framework.decorators import action
from rest_framework.response import Response

from guanqing.core import counters
from guanqing.core.api.base import (
    AccessAPIView,
    ServiceCreateMixin,
    ServiceUpdateMixin,
)
from guanqing.core.api.viewsets import ScopedViewSet, photo_action
from guanqing.core.uploads import stored_file_response
from guanqing.pairing import counts, selectors, services
from guanqing.pairing.access import access
from guanqing.pairing.api import serializers as s
from guanqing.pairing.filters import (
    PairingFilter,
    PartnershipFilter,
    PartnershipProjectFilter,
    VisitFilter,
)
from guanqing.pairing.models import Pairing, Partnership, PartnershipProject, Visit, VisitPhoto


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("结对列表")),
    retrieve=extend_schema(summary=gettext_lazy("结对详情（含接力历史）")),
    create=extend_schema(summary=gettext_lazy("新建结对（机关工委）")),
)
class PairingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """结对 Pairings: a unit (through a member, or as a whole) with a household in difficulty."""

    model = Pairing
    serializer_class = s.PairingSerializer
    filterset_class = PairingFilter
    select_related = ("household", "unit")
    prefetch_related = ("terms__member",)
    ordering_fields = ["started_on", "ended_on", "created_at"]
    ordering = ["-started_on", "-id"]
    access = access
    access_rule = "pairings"
    create_rule = "create"

    def service_create(self, data):
        return services.pairing_create(actor=self.request.user, **data)

    @extend_schema(
        request=s.HandoverSerializer,
        responses={200: s.PairingSerializer},
        summary=gettext_lazy("交接结对（接力）"),
    )
    @action(detail=True, methods=["post"])
    def handover(self, request, pk=None):
        pairing = self.get_object()
        self.check_edit_permission(pairing)
        serializer = s.HandoverSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.pairing_handover(actor=request.user, pairing=pairing, **serializer.validated_data)
        return self.respond_with(self.read_back(pairing))

    @extend_schema(
        request=s.PairingEndSerializer,
        responses={200: s.PairingSerializer},
        summary=gettext_lazy("结束结对（脱困、迁出、去世…）"),
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        pairing = self.get_object()
        self.check_edit_permission(pairing)
        serializer = s.PairingEndSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.pairing_end(
            actor=request.user,
            pairing=pairing,
            ended_on=data["ended_on"],
            reason=data["end_reason"],
            note=data["end_note"],
        )
        return self.respond_with(self.read_back(pairing))


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("走访记录")),
    retrieve=extend_schema(summary=gettext_lazy("走访详情")),
    create=extend_schema(summary=gettext_lazy("记录走访（JSON，或带照片的 multipart）")),
)
class VisitViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """走访 Visits (谈讲访帮扶) with the help given. `holder` is who held the pairing that day:
    the visit counts for them. Photos: multipart field `photos` (repeat it for several)."""

    model = Visit
    serializer_class = s.VisitSerializer
    filterset_class = VisitFilter
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]
    select_related = ("pairing__household", "pairing__unit", "recorded_by")
    prefetch_related = ("participants", "photos")
    ordering_fields = ["date", "recorded_at", "cash_amount", "in_kind_value"]
    ordering = ["-date", "-id"]
    access = access
    access_rule = "visits"
    create_rule = "record"

    def get_queryset(self):
        return selectors.with_holder(super().get_queryset())

    def list_count(self, queryset) -> int | None:
        """Every visit of a span of days (the committee filtering by dates alone, or not at
        all): its length from the day counters, not a count of ten million rows."""
        scoped = Visit.objects.visible_to(self.request.user)
        span = counters.span_of_dates_alone(VisitFilter(self.request.query_params, queryset=scoped))
        return None if span is None else counters.total(counts.VISITS, *span)

    def service_create(self, data):
        return services.visit_record(actor=self.request.user, **data)

    @photo_action(gettext_lazy("走访照片"))
    def photo(self, request, pk=None, photo_pk=None):
        visit = self.get_object()
        photo = get_object_or_404(VisitPhoto.objects.filter(visit=visit), pk=photo_pk)
        return stored_file_response(photo)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("结对共建")),
    retrieve=extend_schema(summary=gettext_lazy("结对共建详情")),
    create=extend_schema(summary=gettext_lazy("新建结对共建（机关工委）")),
)
class PartnershipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """结对共建 A unit's party organisation with a village's party organisation."""

    model = Partnership
    serializer_class = s.PartnershipSerializer
    filterset_class = PartnershipFilter
    select_related = ("unit_org", "village_org__division")
    ordering_fields = ["started_on", "ended_on", "created_at"]
    ordering = ["-started_on", "-id"]
    access = access
    access_rule = "pairings"
    create_rule = "partnership_admin"

    def service_create(self, data):
        return services.partnership_create(actor=self.request.user, **data)

    @extend_schema(
        request=s.PartnershipEndSerializer,
        responses={200: s.PartnershipSerializer},
        summary=gettext_lazy("结束结对共建（机关工委）"),
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        partnership = self.get_object()
        self.check_edit_permission(partnership)
        serializer = s.PartnershipEndSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        services.partnership_end(
            actor=request.user, partnership=partnership, **serializer.validated_data
        )
        return self.respond_with(self.read_back(partnership))


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("共建项目")),
    retrieve=extend_schema(summary=gettext_lazy("共建项目详情")),
    create=extend_schema(summary=gettext_lazy("登记共建项目")),
    update=extend_schema(summary=gettext_lazy("修改共建项目")),
    partial_update=extend_schema(summary=gettext_lazy("修改共建项目")),
)
class PartnershipProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    ScopedViewSet,
):
    """共建项目 Projects done through a partnership (funds in 元)."""

    model = PartnershipProject
    serializer_class = s.PartnershipProjectSerializer
    filterset_class = PartnershipProjectFilter
    ordering_fields = ["title", "funds", "status", "started_on", "finished_on"]
    ordering = ["partnership_id", "id"]
    access = access
    access_rule = "pairings"
    create_rule = "project_create"

    def service_create(self, data):
        return services.project_create(actor=self.request.user, **data)

    def service_update(self, obj, data):
        partnership = data.pop("partnership", None)
        if partnership is not None and partnership.pk != obj.partnership_id:
            raise ValidationError({"partnership": [_("项目不能改属其他结对共建")]})
        return services.project_update(actor=self.request.user, project=obj, **data)


class ComplianceSettingsView(AccessAPIView):
    """走访考核设置 The visit duties the compliance rules apply: every business role reads them,
    the committee changes them (audited)."""

    access = access
    access_rule = "settings"
    serializer_class = s.ComplianceSettingsSerializer

    @extend_schema(
        responses={200: s.ComplianceSettingsSerializer},
        summary=gettext_lazy("走访考核设置"),
    )
    def get(self, request):
        return Response(s.ComplianceSettingsSerializer(selectors.compliance_settings()).data)

    @extend_schema(
        request=s.ComplianceSettingsSerializer,
        responses={200: s.ComplianceSettingsSerializer},
        summary=gettext_lazy("修改走访考核设置（机关工委）"),
    )
    def patch(self, request):
        current = selectors.compliance_settings()
        serializer = s.ComplianceSettingsSerializer(current, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = services.compliance_settings_update(
            actor=request.user, **serializer.validated_data
        )
        return Response(s.ComplianceSettingsSerializer(updated).data)
