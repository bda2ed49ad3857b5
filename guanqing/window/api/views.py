"""Service window endpoints: the catalogue's matters, and cases on their working-day clock
(accept, 补正, refuse, pause, resume, supply, complete, deliver). Reads go through
`visible_to(user)`, writes through `guanqing.window.services`; a move the case's lifecycle refuses
is a `Conflict` (409), a refused value a 400 naming the field."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from guanqing.core import snapshots
from guanqing.core.api.base import AccessAPIView, ServiceCreateMixin
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.calendar.workdays import CalendarYearMissing, business_date
from guanqing.core.daterange import DateRangeQuery, date_range_parameters
from guanqing.window import figures, selectors, services
from guanqing.window.access import access
from guanqing.window.api import serializers as s
from guanqing.window.api.filters import CaseFilter, MatterFilter
from guanqing.window.models import Case, CaseEvent, CasePause, Matter, Window, WindowSettings


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("事项目录（办理项）"),
        description=gettext_lazy(
            "已发布的办理项及其现行版本：承诺和法定办结时限（工作日）、收费、申请材料（可否容缺）。事项目录是公开信息，各业务角色都可查看。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("办理项详情")),
)
class MatterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """事项目录 The published matters of every unit's catalogue, as their current version says."""

    model = Matter
    serializer_class = s.MatterSerializer
    filterset_class = MatterFilter
    select_related = ("item__unit", "current")
    prefetch_related = ("current__materials",)
    ordering_fields = ["code", "name"]
    ordering = ["item__unit__sort_order", "item__sort_order", "item__code", "sort_order", "code"]
    access = access
    access_rule = "catalogue"

    def get_queryset(self):
        return super().get_queryset().filter(current__isnull=False)


@contextmanager
def date_field_named_date():
    """The services name an action's date `on`; the API's field is `date`."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {
                "date" if field == "on" else field: messages
                for field, messages in exc.message_dict.items()
            }
        ) from exc


def _refused():
    return OpenApiResponse(description=gettext_lazy("办件当前状态不允许此操作 {detail: message}"))


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("办件"),
        description=gettext_lazy(
            "窗口受理员看本窗口的办件，单位党务管理员看本单位各窗口的，机关工委看全部。受理员的待办队列：?state=accepted&ordering=deadline（临期的在前）。"
        ),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("办件详情（含中止、容缺材料和全部经过）"),
    ),
    create=extend_schema(
        summary=gettext_lazy("受理办件（窗口受理员；可容缺受理）"),
        request=s.CaseAcceptSerializer,
        responses={201: s.CaseSerializer},
    ),
)
class CaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """办件 Cases at the service window, on a working-day clock."""

    model = Case
    filterset_class = CaseFilter
    select_related = ("window__unit",)
    ordering_fields = ["deadline", "accepted_on", "received_on", "completed_on", "receipt_no"]
    ordering = ["-received_on", "-id"]
    access = access
    access_rule = "cases"
    create_rule = "handle"
    action_access = {
        "correction": "handle",
        "accept": "handle",
        "refuse": "handle",
        "pause": "handle",
        "resume": "handle",
        "supply": "handle",
        "complete": "handle",
        "deliver": "handle",
    }

    def get_queryset(self):
        if self.action == "list":
            # what `CaseListSerializer` shows: the window and its unit, the version and its
            # matter, and the pauses for the clock (not the clerk or the missing materials)
            return (
                super()
                .get_queryset()
                .select_related("version__matter")
                .prefetch_related(
                    Prefetch("pauses", queryset=CasePause.objects.order_by("started_on", "id"))
                )
            )
        return selectors.cases_for_list(super().get_queryset()).prefetch_related(
            "missing_materials__material",
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
        )

    def get_serializer_class(self):
        if self.action == "create":
            return s.CaseAcceptSerializer
        if self.action == "list":
            return s.CaseListSerializer
        return s.CaseSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["today"] = business_date()
        context["due_soon_workdays"] = WindowSettings.current().due_soon_workdays
        return context

    def respond_with(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        return super().respond_with(obj, status_code, serializer_class or s.CaseSerializer)

    # --- writes -------------------------------------------------------------------------------

    def _window(self, data) -> Window:
        """The window the case is taken at: the one named, else the clerk's only window."""
        window = data.pop("window", None)
        if window is not None:
            return window
        windows = list(Window.objects.visible_to(self.request.user).filter(is_active=True)[:2])
        if len(windows) != 1:
            raise exceptions.ValidationError({"window": [_("请选择受理窗口")]})
        return windows[0]

    def service_create(self, data):
        window = self._window(data)
        return services.case_accept(actor=self.request.user, window=window, **data)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _case(self) -> Case:
        case = self.get_object()
        self.check_edit_permission(case)
        return case

    def _answer(self, case, status_code=status.HTTP_200_OK):
        return self.respond_with(self.read_back(case), status_code)

    @extend_schema(
        request=s.CaseCorrectionSerializer,
        responses={201: s.CaseSerializer},
        summary=gettext_lazy("一次性告知补正（窗口受理员；尚未受理，不计时）"),
    )
    @action(detail=False, methods=["post"])
    def correction(self, request):
        self.check_create_permission()
        data = self._input(s.CaseCorrectionSerializer)
        window = self._window(data)
        case = services.case_ask_correction(actor=request.user, window=window, **data)
        return self._answer(case, status.HTTP_201_CREATED)

    def _move(self, service, serializer_class):
        """One step of the case's lifecycle: the case through the scope (404 outside it), the
        body's shape (400), then the service (400 naming the field, 409 for a refused move)."""
        case = self._case()
        data = self._input(serializer_class)
        if "date" in data:
            data["on"] = data.pop("date")
        with date_field_named_date():
            service(actor=self.request.user, case=case, **data)
        return self._answer(case)

    @extend_schema(
        request=s.AcceptCorrectedSerializer,
        responses={200: s.CaseSerializer, 409: _refused()},
        summary=gettext_lazy("补正后受理"),
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._move(services.case_accept_corrected, s.AcceptCorrectedSerializer)

    @extend_schema(
        request=s.RefuseSerializer,
        responses={200: s.CaseSerializer, 409: _refused()},
        summary=gettext_lazy("不予受理"),
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._move(services.case_refuse, s.RefuseSerializer)

    @extend_schema(
        request=s.PauseSerializer,
        responses={200: s.CaseSerializer, 409: _refused()},
        summary=gettext_lazy("中止（听证、检验检测、专家评审、现场勘查…），停止计时"),
    )
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._move(services.case_pause, s.PauseSerializer)

    @extend_schema(
        request=s.DateSerializer,
        responses={200: s.CaseSerializer, 409: _refused()},
        summary=gettext_lazy("恢复办理，承诺办结日期按中止的工作日顺延"),
    )
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._move(services.case_resume, s.DateSerializer)

    @extend_schema(
        request=s.SupplySerializer,
        responses={200: s.CaseSerializer, 409: _refused()},
        summary=gettext_lazy("补齐容缺材料"),
    )
    @action(detail=True, methods=["post"])
    def supply(self, request, pk=None):
        return self._move(services.case_supply, s.SupplySerializer)

    @extend_schema(
        request=s.CompleteSerializer,
        responses={200: s.CaseSerializer, 409: _refused()},
        summary=gettext_lazy("办结（准予许可或不予许可）"),
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._move(services.case_complete, s.CompleteSerializer)

    @extend_schema(
        request=s.DateSerializer,
        responses={200: s.CaseSerializer, 409: _refused()},
        summary=gettext_lazy("送达（申请人领取结果）"),
    )
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        return self._move(services.case_deliver, s.DateSerializer)


class WindowFiguresView(AccessAPIView):
    """窗口统计 The figures of the cases accepted in a date range, and every window's board,
    within the user's scope (`guanqing.window.figures`)."""

    access = access
    access_rule = "figures"

    @extend_schema(
        summary=gettext_lazy("窗口统计"),
        description=gettext_lazy(
            "按受理日期统计：受理件数、即办件占比、平均承诺与法定时限（工作日）及压缩率、办结件数、平均用时（工作日，不含中止）、提前办结率、超期办结；按窗口、审批事项、办理项、月份、受理人；board 为各窗口今天的在办、临期、超期件数。ratings 为按评价日期统计的好差评（办件评价，申诉成立的差评不计入）：评价数、好评率、差评数、差评整改率、回访率（应达 100%，feedback_short 为未达到）、参评率（按办结日期），按窗口、受理人、月份、办理项。机关工委看全市，单位党务管理员看本单位窗口。"
        ),
        parameters=[*date_range_parameters()],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        query = DateRangeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        span = query.validated_data["range"]
        today = business_date()
        cases = Case.objects.visible_to(request.user)
        args = snapshots.span_args(span, today)
        user = request.user

        def kept(name, live):
            return snapshots.for_reader(cases, name, args, live).value

        try:
            result = kept(
                figures.CITY_FIGURES, lambda: figures.window_figures(user, span, today=today)
            )
            board = kept(figures.CITY_BOARD, lambda: figures.window_board(user, span, today=today))
            result["board"] = board["windows"]
            result["ratings"] = kept(
                figures.CITY_RATINGS, lambda: figures.rating_figures(user, span)
            )
        except CalendarYearMissing as exc:
            raise exceptions.ValidationError({"to": [str(exc)]}) from exc
        return Response(result)
