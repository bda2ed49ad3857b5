"""Donation endpoints under /api/v1/fund/: the donations (list and read within scope, record one:
the fund officer) and the donor totals of a year by unit. Reads go through `visible_to(user)`,
writes through `guanqing.fund.donation_services`; a refused value is a 400 naming the field."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.response import Response

from guanqing.core.api.base import (
    AccessAPIView,
    ScopedPrimaryKeyRelatedField,
    ServiceCreateMixin,
    ShapeOnlyModelSerializer,
)
from guanqing.core.api.fields import DisplayField
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.calendar.workdays import business_date
from guanqing.fund import donation_services as services
from guanqing.fund.access import access
from guanqing.fund.forms_donations import DonationFilter
from guanqing.fund.models import Donation
from guanqing.registry.models import Member, Unit


class StaffField(ScopedPrimaryKeyRelatedField):
    """A member of staff: a registry member of a unit the user sees (the service checks it is of
    the gift's unit)."""

    def get_queryset(self):
        user = getattr(self.context.get("request"), "user", None)
        return Member.objects.filter(unit__in=Unit.objects.visible_to(user).values("pk"))


class DonationSerializer(ShapeOnlyModelSerializer):
    unit = ScopedPrimaryKeyRelatedField(model=Unit)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    source_label = DisplayField(source="get_source_display")
    member = StaffField(
        model=Member,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("职工个人捐款：该单位已登记的党员（可不填）"),
    )
    donor_name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("单位捐款可不填（即单位名称）；职工个人捐款未填 member 时必填"),
    )
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=gettext_lazy("元，两位小数，大于 0")
    )
    amount_in_words = serializers.SerializerMethodField(help_text=gettext_lazy("大写金额"))
    batch = serializers.PrimaryKeyRelatedField(read_only=True)
    recorded_by = serializers.CharField(
        source="recorded_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Donation
        fields = [
            "id",
            "receipt_number",
            "source",
            "source_label",
            "unit",
            "unit_name",
            "donor_name",
            "member",
            "amount",
            "amount_in_words",
            "received_on",
            "note",
            "batch",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["id", "receipt_number", "recorded_at"]
        extra_kwargs = {"note": {"required": False}}

    def get_amount_in_words(self, obj) -> str:
        return services.amount_in_words(obj.amount)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("捐款"),
        description=gettext_lazy(
            "帮扶金经办人和机关工委看全部，单位党务管理员看本单位的（含本单位职工的），党员看自己的。金额单位为元。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("捐款详情")),
    create=extend_schema(
        summary=gettext_lazy("登记捐款（帮扶金经办人）：生成编号收据并记账"),
    ),
)
class DonationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """捐款 Gifts to the 汇爱 fund, each with its numbered receipt."""

    model = Donation
    serializer_class = DonationSerializer
    filterset_class = DonationFilter
    select_related = ("unit", "recorded_by")
    ordering_fields = ["received_on", "amount", "receipt_number"]
    ordering = ["-received_on", "-id"]
    access = access
    access_rule = "donations"
    create_rule = "donation_record"

    def service_create(self, data):
        return services.donation_record(actor=self.request.user, **data)


class TotalsQuery(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text=gettext_lazy("年度，默认今年")
    )


class TotalsRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    own = serializers.DecimalField(max_digits=14, decimal_places=2)
    staff = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    gifts = serializers.IntegerField()
    donors = serializers.IntegerField()


class CitySerializer(serializers.Serializer):
    own = serializers.DecimalField(max_digits=14, decimal_places=2)
    staff = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_wan = serializers.SerializerMethodField()
    gifts = serializers.IntegerField()
    donors = serializers.IntegerField()
    units = serializers.IntegerField()

    def get_total_wan(self, obj) -> str:
        return services.wan_yuan(obj["total"]).replace(",", "")


class ArticleSerializer(serializers.Serializer):
    units = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class TotalsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    rows = TotalsRowSerializer(many=True)
    city = CitySerializer()
    article = ArticleSerializer()


class DonationTotalsView(AccessAPIView):
    """捐款统计 Donor totals of a year by unit: own gifts, staff gifts (soft credit), total (元)."""

    access = access
    access_rule = "donations"

    @extend_schema(
        summary=gettext_lazy("捐款统计（按单位、年度）"),
        description=gettext_lazy(
            "每个单位：单位捐款、职工个人捐款（计入单位）、合计（元）、笔数、捐款人数；全市合计（含捐款单位数、万元）；article 为文章数字（106 个单位，564,769 元）。范围同捐款列表。"
        ),
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description=gettext_lazy("年度，默认今年"))
        ],
        responses=TotalsSerializer,
    )
    def get(self, request):
        query = TotalsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or business_date().year
        totals = services.donation_totals(year=year, user=request.user)
        return Response(TotalsSerializer(totals).data)


ROUTES: list = [("fund/donations", DonationViewSet, "fund-donation")]
urlpatterns: list = [
    path("fund/donations/totals/", DonationTotalsView.as_view(), name="fund-donation-totals"),
]
