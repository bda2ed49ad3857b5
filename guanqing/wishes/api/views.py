"""Micro-wish endpoints: the wall and a wish's life (post, review, claim, withdraw, fulfil,
confirm — also by the resident's one-time code, without an account), claims, the story, the
figures and the settings. Reads go through `visible_to(user)`, writes through the services."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, parsers, permissions, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from guanqing.core.api.base import (
    AccessAPIView,
    ClientAddressThrottle,
    ServiceCreateMixin,
)
from guanqing.core.api.viewsets import ScopedViewSet, photo_action
from guanqing.core.daterange import DateRangeQuery, date_range_parameters
from guanqing.core.uploads import stored_file_response
from guanqing.wishes import figures, selectors, services
from guanqing.wishes.access import access
from guanqing.wishes.api import serializers as s
from guanqing.wishes.filters import WishClaimFilter, WishFilter
from guanqing.wishes.models import Wish, WishClaim, WishPhoto


class WishConfirmThrottle(ClientAddressThrottle):
    """Guessing codes costs time: `wish_confirm` in REST_FRAMEWORK's DEFAULT_THROTTLE_RATES, one
    count per client address shared by this endpoint and the resident's page."""

    scope = "wish_confirm"


def _error():
    return OpenApiResponse(description="确认码无效或已使用 / {token: [message]}")


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("心愿墙"),
        description=(
            gettext_lazy(
                "党员看全市认领中的心愿（和自己认领过的）；社区工作者看本社区全部心愿；单位管理员看本单位党员认领过的心愿；机关工委看全部。居民只显示姓（张**）。"
            )
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("心愿详情")),
    create=extend_schema(
        summary=gettext_lazy("发布心愿（社区工作者，待另一位审核）"),
        request=s.WishPostSerializer,
        responses={201: s.WishSerializer},
    ),
)
class WishViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """微心愿 Micro-wishes: posted by a community, claimed and fulfilled by members."""

    model = Wish
    filterset_class = WishFilter
    select_related = (
        "community",
        "household",
        "posted_by",
        "approved_by",
        "fulfilment__fulfilled_by",
    )
    prefetch_related = ("fulfilment__photos",)
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]
    ordering_fields = ["deadline", "estimated_cost", "created_at", "published_at"]
    ordering = ["deadline", "id"]
    access = access
    access_rule = "wall"
    create_rule = "post"

    def get_serializer_class(self):
        if self.action == "create":
            return s.WishPostSerializer
        return self.read_serializer()

    def read_serializer(self):
        user = getattr(self.request, "user", None)
        if access.allows(user, "register"):
            return s.WishSerializer
        return s.WallWishSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action in ("list", "retrieve") or self.request.method == "POST":
            context["district_names"] = selectors.district_names()
        return context

    def respond_with(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        return super().respond_with(
            obj, status_code, serializer_class=serializer_class or self.read_serializer()
        )

    def service_create(self, data):
        return services.wish_post(actor=self.request.user, **data)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        request=s.NoteSerializer,
        responses={200: s.WishSerializer},
        summary=gettext_lazy("审核通过，上墙（另一位社区工作者或机关工委）"),
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        wish = self.get_object()
        self.check_edit_permission(wish)
        services.wish_approve(actor=request.user, wish=wish, **self._input(s.NoteSerializer))
        return self.respond_with(self.read_back(wish))

    @extend_schema(
        request=s.ReasonSerializer,
        responses={200: s.WishSerializer},
        summary=gettext_lazy("审核不通过"),
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        wish = self.get_object()
        self.check_edit_permission(wish)
        services.wish_reject(actor=request.user, wish=wish, **self._input(s.ReasonSerializer))
        return self.respond_with(self.read_back(wish))

    @extend_schema(
        request=s.ReasonSerializer,
        responses={200: s.WishSerializer},
        summary=gettext_lazy("撤回心愿（无人认领时）"),
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        wish = self.get_object()
        self.check_edit_permission(wish)
        services.wish_cancel(actor=request.user, wish=wish, **self._input(s.ReasonSerializer))
        return self.respond_with(self.read_back(wish))

    @extend_schema(
        request=None,
        responses={
            201: s.WishClaimSerializer,
            409: OpenApiResponse(description=gettext_lazy("心愿已被认领满")),
        },
        summary=gettext_lazy("认领心愿（党员）"),
    )
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        # The busiest write of the wall: the bare scoped queryset (404 outside the scope, as for
        # a missing id), without the list's filters and joins; the service locks and reads the
        # wish itself, and returns the claim with what the answer shows (no read-back).
        # A full wish raises `Conflict`: 409 with the service's message.
        wish = get_object_or_404(Wish.objects.visible_to(request.user).only("pk"), pk=pk)
        claim = services.wish_claim(actor=request.user, wish=wish)
        return Response(s.WishClaimSerializer(claim).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ReasonSerializer,
        responses={200: s.WishClaimSerializer},
        summary=gettext_lazy("退出认领（认领人，说明原因）"),
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        wish = self.get_object()  # 404 outside the scope first, as for every action
        access.check(request.user, "withdraw")
        data = self._input(s.ReasonSerializer)
        mine = (
            WishClaim.objects.visible_to(request.user)
            .active()
            .filter(wish=wish, member_id=request.user.member_id)
            .first()
        )
        if mine is None or request.user.member_id is None:
            raise exceptions.ValidationError({"wish": [_("您没有认领这个心愿")]})
        claim = services.claim_withdraw(actor=request.user, claim=mine, reason=data["reason"])
        claim = WishClaim.objects.select_related("wish", "member__unit").get(pk=claim.pk)
        return Response(s.WishClaimSerializer(claim).data)

    @extend_schema(
        request={
            "application/json": s.FulfilSerializer,
            "multipart/form-data": s.FulfilSerializer,
        },
        responses={200: s.WallWishSerializer},
        summary=gettext_lazy("登记心愿实现（认领人；可带照片）"),
    )
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        wish = self.get_object()
        services.wish_fulfil(actor=request.user, wish=wish, **self._input(s.FulfilSerializer))
        return self.respond_with(self.read_back(wish))

    @extend_schema(
        request=s.NoteSerializer,
        responses={200: s.WishSerializer},
        summary=gettext_lazy("确认心愿已实现（本社区工作者）"),
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        wish = self.get_object()
        self.check_edit_permission(wish)
        services.wish_confirm(actor=request.user, wish=wish, **self._input(s.NoteSerializer))
        return self.respond_with(self.read_back(wish))

    @extend_schema(
        request=None,
        responses={200: s.ConfirmationCodeSerializer},
        summary=gettext_lazy("生成居民确认码（链接或二维码，一次性）"),
    )
    @action(detail=True, methods=["post"], url_path="confirmation-code")
    def confirmation_code(self, request, pk=None):
        wish = self.get_object()
        self.check_edit_permission(wish)
        token = services.wish_confirmation_code(actor=request.user, wish=wish)
        return Response({"token": token, "confirm_path": f"/wishes/confirm/{token}/"})

    @extend_schema(
        request=s.TokenSerializer,
        responses={200: s.ConfirmedSerializer, 400: _error()},
        summary=gettext_lazy("居民凭确认码确认（无需账号）"),
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="confirm-by-token",
        url_name="confirm-by-token",
        authentication_classes=[],
        permission_classes=[permissions.AllowAny],
        throttle_classes=[WishConfirmThrottle],
        filter_backends=[],
    )
    def confirm_by_token(self, request):
        serializer = s.TokenSerializer(data=request.data)
        if not serializer.is_valid():
            raise exceptions.ValidationError({"token": [services.BAD_TOKEN]})
        wish = services.wish_confirm_by_token(token=serializer.validated_data["token"])
        return Response({"detail": _("感谢您的确认"), "title": wish.title})

    @extend_schema(
        responses={200: s.WishEventSerializer(many=True)},
        summary=gettext_lazy("心愿的全部经过"),
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def events(self, request, pk=None):
        wish = self.get_object()
        return Response(s.WishEventSerializer(selectors.wish_story(wish), many=True).data)

    @photo_action(gettext_lazy("心愿实现照片"))
    def photo(self, request, pk=None, photo_pk=None):
        wish = self.get_object()
        photo = get_object_or_404(WishPhoto.objects.filter(fulfilment__wish=wish), pk=photo_pk)
        return stored_file_response(photo)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("心愿认领"),
        description=(
            gettext_lazy(
                "党员看自己的认领；社区工作者看本社区心愿的认领；单位管理员看本单位党员的认领；机关工委看全部。"
            )
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("认领详情")),
)
class WishClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = WishClaim
    serializer_class = s.WishClaimSerializer
    filterset_class = WishClaimFilter
    select_related = ("wish", "member__unit")
    ordering_fields = ["created_at", "due_on"]
    ordering = ["-created_at", "-id"]
    access = access
    access_rule = "wall"


class _RuleView(AccessAPIView):
    access = access


class WishFiguresView(_RuleView):
    """微心愿数据 The micro-wish figures of a date range, within the user's scope."""

    access_rule = "figures"

    @extend_schema(
        summary=gettext_lazy("微心愿数据"),
        description=(
            gettext_lazy(
                "发布、上墙、认领（个、人次）、认领党员数、实现、确认、花费（元）；按单位、区县（撤并的计入今天的区县）、类别；单位排名按实现的心愿数，不按认领数。机关工委看全市，社区工作者看本社区，单位管理员看本单位党员。"
            )
        ),
        parameters=[
            *date_range_parameters(),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        query = DateRangeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        span = query.validated_data["range"]
        return Response(figures.figures_of(request.user, span).value)


class WishSettingsView(_RuleView):
    """微心愿设置 How many unfulfilled claims a member may hold and how long a claim lasts:
    every business role reads them, the committee changes them (audited)."""

    access_rule = "settings_read"  # the service refuses a change by anyone but the committee
    serializer_class = s.WishSettingsSerializer

    @extend_schema(responses={200: s.WishSettingsSerializer}, summary=gettext_lazy("微心愿设置"))
    def get(self, request):
        return Response(s.WishSettingsSerializer(selectors.wish_settings()).data)

    @extend_schema(
        request=s.WishSettingsSerializer,
        responses={200: s.WishSettingsSerializer},
        summary=gettext_lazy("修改微心愿设置（机关工委）"),
    )
    def patch(self, request):
        serializer = s.WishSettingsSerializer(
            selectors.wish_settings(), data=request.data, partial=True
        )
        serializer.is_valid(raise_exception=True)
        updated = services.wish_settings_update(actor=request.user, **serializer.validated_data)
        return Response(s.WishSettingsSerializer(updated).data)
