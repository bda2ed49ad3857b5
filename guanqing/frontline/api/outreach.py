"""走访 endpoints under /api/v1/frontline/: the places (走访对象, one deduplicated registry), the
outreach visits, and the figures of a date range. Reads go through `visible_to(user)`, writes
through `guanqing.frontline.outreach_services`; a refused value is a 400 naming the field."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from guanqing.core import snapshots
from guanqing.core.api.base import (
    AccessAPIView,
    ScopedPrimaryKeyRelatedField,
    ServiceCreateMixin,
    ShapeOnlyModelSerializer,
)
from guanqing.core.api.fields import DisplayField
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DateRangeQuery, date_range_parameters
from guanqing.core.roles import Role
from guanqing.frontline import figures, outreach_services
from guanqing.frontline.access import access
from guanqing.frontline.forms_outreach import OutreachFilter, PlaceFilter
from guanqing.frontline.models import Outreach, Place
from guanqing.registry.models import Division, Member, Unit

# --- serializers (shape only: the services decide) ---------------------------------------------


class PlaceSerializer(ShapeOnlyModelSerializer):
    division = ScopedPrimaryKeyRelatedField(model=Division)
    division_code = serializers.CharField(source="division.code", read_only=True)
    division_name = serializers.CharField(source="division.name", read_only=True)
    kind_label = DisplayField(source="get_kind_display")
    credit_code = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("企业的统一社会信用代码（18 位；全角、空格和连字符可以）"),
    )
    created = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "本次新登记为 true；已登记过（同一信用代码，或同一区划内同名）为 false"
        )
    )

    class Meta:
        model = Place
        fields = [
            "id",
            "kind",
            "kind_label",
            "name",
            "division",
            "division_code",
            "division_name",
            "credit_code",
            "address",
            "created",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {"address": {"required": False}}

    def get_created(self, obj) -> bool | None:
        return getattr(obj, "created", None)


class CadreField(ScopedPrimaryKeyRelatedField):
    """A cadre: a member of a unit the user sees (the service checks it is of the visit's unit)."""

    def get_queryset(self):
        user = getattr(self.context.get("request"), "user", None)
        return Member.objects.filter(unit__in=Unit.objects.visible_to(user).values("pk"))


class OutreachSerializer(ShapeOnlyModelSerializer):
    unit = ScopedPrimaryKeyRelatedField(
        model=Unit,
        required=False,
        help_text=gettext_lazy("走访的单位；单位党务管理员可不填（本单位）"),
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    place = ScopedPrimaryKeyRelatedField(model=Place)
    place_name = serializers.CharField(source="place.name", read_only=True)
    place_kind = serializers.CharField(source="place.kind", read_only=True)
    cadres = CadreField(model=Member, many=True, help_text=gettext_lazy("参加走访的本单位党员"))
    cadre_names = serializers.SerializerMethodField()
    person_times = serializers.SerializerMethodField(help_text=gettext_lazy("参加干部人数"))
    donated_money = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, help_text=gettext_lazy("元")
    )
    donated_goods = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, help_text=gettext_lazy("元")
    )
    recorded_by = serializers.CharField(
        source="recorded_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Outreach
        fields = [
            "id",
            "unit",
            "unit_name",
            "visited_on",
            "place",
            "place_name",
            "place_kind",
            "cadres",
            "cadre_names",
            "person_times",
            "discussed",
            "donated_money",
            "donated_goods",
            "goods_note",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"discussed": {"required": False}, "goods_note": {"required": False}}

    def get_cadre_names(self, obj) -> list[str]:
        return [m.name for m in obj.cadres.all()]

    def get_person_times(self, obj) -> int:
        return len(obj.cadres.all())


# --- viewsets -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("走访对象"),
        description=gettext_lazy(
            "全市一个走访对象库（基层单位、村（社区）、企业）：机关工委、单位党务管理员和党员干部都可查看，以免重复登记。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("走访对象详情")),
    create=extend_schema(
        summary=gettext_lazy("登记走访对象（同一信用代码或同一区划内同名的，返回已登记的）"),
        responses={
            201: PlaceSerializer,
            200: OpenApiResponse(
                PlaceSerializer, description=gettext_lazy("已登记过：返回已登记的走访对象")
            ),
        },
    ),
)
class PlaceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """走访对象 Places cadres visit: grassroots units, villages and enterprises."""

    model = Place
    serializer_class = PlaceSerializer
    filterset_class = PlaceFilter
    select_related = ("division",)
    ordering_fields = ["name", "created_at"]
    ordering = ["division_id", "name", "id"]
    access = access
    access_rule = "places"
    create_rule = "places_edit"

    def create(self, request, *args, **kwargs):
        self.check_create_permission()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        place, created = outreach_services.place_register(
            actor=request.user, **dict(serializer.validated_data)
        )
        place = self.read_back(place)
        place.created = created
        return self.respond_with(place, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("走访"),
        description=gettext_lazy(
            "机关工委看全部，单位党务管理员看本单位的，党员干部看自己参加的。person_times 为参加干部人数。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("走访详情")),
    create=extend_schema(summary=gettext_lazy("记录走访（机关工委、单位党务管理员）")),
)
class OutreachViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """走访 Outreach visits by a unit's cadres, with what was discussed and donated (元)."""

    model = Outreach
    serializer_class = OutreachSerializer
    filterset_class = OutreachFilter
    select_related = ("unit", "place", "recorded_by")
    prefetch_related = ("cadres",)
    ordering_fields = ["visited_on", "created_at"]
    ordering = ["-visited_on", "-id"]
    access = access
    access_rule = "outreach"
    create_rule = "outreach_record"

    def service_create(self, data):
        user = self.request.user
        unit = data.pop("unit", None)
        if unit is None and user.role != Role.COMMITTEE:
            unit = Unit.objects.filter(pk=user.unit_id).first()
        return outreach_services.outreach_record(actor=user, unit=unit, **data)


class FrontlineFiguresView(AccessAPIView):
    """走访统计 The outreach and problem figures of a date range within the user's scope."""

    access = access
    access_rule = "figures"

    @extend_schema(
        summary=gettext_lazy("走访统计"),
        description=gettext_lazy(
            "走访次数、走访人次（每次走访的参加干部人数之和）及其中局级干部人次、走访的不同基层单位、村（社区）和企业数、捐赠（资金 + 物资折价，元和万元）；难题：收集（按受理日期）、解决（按办结日期）、按期解决、超期未办结（今天）、通报（按通报日期）、满意率（满意和基本满意占已评价）。article 为文章的七个数字。合计、按单位、按区县；机关工委看全市，单位党务管理员看本单位。"
        ),
        parameters=[*date_range_parameters()],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        query = DateRangeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        span = query.validated_data["range"]
        snapshot = snapshots.for_reader(
            Outreach.objects.visible_to(request.user),
            figures.CITY_FIGURES,
            snapshots.span_args(span, business_date()),
            lambda: figures.frontline_figures(request.user, span),
            reader=request.user,
        )
        return Response(snapshot.value)
