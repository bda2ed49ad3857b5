"""API foundations shared by every app: pagination, errors, the scoped base viewset."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, filters, pagination, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.validators import UniqueValidator
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from guanqing.core.access import AccessTable
from guanqing.core.context import client_ip
from guanqing.core.errors import CONFLICT, Conflict
from guanqing.core.ids import ID_ERROR, MAX_ID, is_digits, parse_id
from guanqing.core.paging import KeysFirstPaginator
from guanqing.core.services import OutOfScope, ScopeError


class StableOrderingFilter(filters.OrderingFilter):
    """`?ordering=` on a column with ties (category, status, rank…) still pages deterministically:
    the primary key breaks ties, so no row repeats or goes missing between pages."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not any(term.lstrip("-") in ("pk", "id") for term in ordering):
            ordering = [*ordering, "pk"]
        return ordering


class ClientAddressThrottle(SimpleRateThrottle):
    """A rate per client address, signed in or not, by the project's one rule for the address
    (core/context.client_ip, GUANQING_TRUSTED_PROXIES). A plain Django view can use it too:
    `throttle.allow_request(request, None)`."""

    def get_ident(self, request):
        return client_ip(request) or "unknown"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class Pagination(pagination.PageNumberPagination):
    """Pages read keys first (`core/paging.py`). A view that knows its list's length without
    counting the rows (from a counter) gives it as `list_count(queryset)` (None: count them)."""

    django_paginator_class = KeysFirstPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        known = getattr(view, "list_count", None)
        count = known(queryset) if known else None
        if count is not None:

            def counted(rows, per_page):
                paginator = KeysFirstPaginator(rows, per_page)
                paginator.count = count  # Paginator.count is a cached property: this is its value
                return paginator

            self.django_paginator_class = counted  # this request's paginator (one per view)
        return super().paginate_queryset(queryset, request, view)


def django_errors_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc, context):
    """Service errors answer like DRF's own: 400 {field: [message]}; out of scope is 404; a
    `Conflict` (full, or the state moved on) is 409 {"detail": message}."""
    if isinstance(exc, DjangoValidationError):
        exc = django_errors_to_drf(exc)
    elif isinstance(exc, OutOfScope):
        exc = exceptions.NotFound()
    elif isinstance(exc, ScopeError):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, Conflict):
        exc = ConflictError(exc.message)
    return drf_exception_handler(exc, context)


class ConflictError(exceptions.APIException):
    """409: what was asked for is no longer possible (`core.errors.Conflict`)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = CONFLICT
    default_code = "conflict"


# ---------------------------------------------------------------------------------------------
# The scoped base viewset
# ---------------------------------------------------------------------------------------------

ROLE_FORBIDDEN = gettext_lazy("您的角色不能使用此接口")
NOT_EDITABLE = gettext_lazy("您可以查看但不能修改此记录")


class RoleAllowed(permissions.BasePermission):
    """The endpoint is open to the roles of the view's access rule (403 for the others).

    A view names its app's table as `access` and the rule as `access_rule`, or per action (a
    viewset's `list`, `claim`…) in `action_access`; no rule means every signed-in user.
    """

    message = ROLE_FORBIDDEN

    def has_permission(self, request, view):
        name = rule_of(view)
        return name is None or view.access.allows(request.user, name)


def rule_of(view) -> str | None:
    """The access rule that guards the view's current action (None: every signed-in user)."""
    per_action = getattr(view, "action_access", None) or {}
    return per_action.get(getattr(view, "action", None), getattr(view, "access_rule", None))


class AccessAPIView(APIView):
    """An endpoint that is not a viewset: open to the roles of `access_rule` in `access`."""

    permission_classes = [permissions.IsAuthenticated, RoleAllowed]
    access: AccessTable
    access_rule: str | None = None


class IdField(serializers.IntegerField):
    """A record id in a request body that is resolved later (by a service): 1 … 2^63−1, so a
    larger number is a 400 naming the field rather than an overflow in the query."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class BoundedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id that checks the id's range before it reaches the database."""

    default_error_messages = {"invalid_id": ID_ERROR}

    def to_internal_value(self, data):
        if self.pk_field is None and parse_id(data) is None:
            self.fail("invalid_id")
        return super().to_internal_value(data)


class ShapeOnlyModelSerializer(serializers.ModelSerializer):
    """Checks the shape of the input (types, lengths, choices, references in scope) and nothing more.

    Business rules (uniqueness, ID numbers, phones, who may write what) belong to the service
    functions, which the viewset calls with `validated_data`; this serializer never saves.
    """

    serializer_related_field = BoundedPrimaryKeyRelatedField

    def get_validators(self):
        return []

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        validators = [v for v in kwargs.get("validators", []) if not isinstance(v, UniqueValidator)]
        if validators:
            kwargs["validators"] = validators
        else:
            kwargs.pop("validators", None)
        return field_class, kwargs

    def create(self, validated_data):  # pragma: no cover - a guard, never reached
        raise NotImplementedError("writes go through the service functions")

    def update(self, instance, validated_data):  # pragma: no cover - a guard, never reached
        raise NotImplementedError("writes go through the service functions")


class ScopedPrimaryKeyRelatedField(BoundedPrimaryKeyRelatedField):
    """A reference by id, resolved only among the rows the requesting user sees."""

    default_error_messages = {
        "does_not_exist": "编号 {pk_value} 不存在或不在您的权限范围内 / "
        "#{pk_value} does not exist or is outside your scope",
    }

    def __init__(self, model=None, **kwargs):
        self.model = model
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.model.objects.visible_to(getattr(request, "user", None))


class ScopedCodeRelatedField(serializers.SlugRelatedField):
    """A reference to a division by its 6, 9 or 12-digit code, resolved within the user's scope."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("区划代码 {value} 不存在或不在您的权限范围内"),
        "invalid": gettext_lazy("区划代码应为 6、9 或 12 位数字"),
    }

    def __init__(self, model=None, **kwargs):
        self.model = model
        kwargs.setdefault("slug_field", "code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.model.objects.visible_to(getattr(request, "user", None))

    def to_internal_value(self, data):
        code = str(data).strip()
        if not is_digits(code) or len(code) not in (6, 9, 12):
            self.fail("invalid")
        return super().to_internal_value(code.ljust(12, "0"))


class ScopedViewSetMixin:
    """Reads through `Model.objects.visible_to(user)`; writes through service functions.

    - Who may call it comes from the app's access table (`core/access.py`): `access` is the table,
      `access_rule` the rule for every action and `action_access` the rule of particular actions
      (no rule: every signed-in user); other roles get 403.
    - A record outside the user's scope answers 404, exactly like a missing one.
    - Creating needs the table's `create_rule` (403 otherwise); the service has the last word.
    - Changing a record the user sees but may not edit (`editable_by`) answers 403.
    - Writes come from ServiceCreateMixin / ServiceUpdateMixin, which call the subclass's
      `service_create(data)` / `service_update(obj, data)`; there is no delete.

    Use it as `guanqing.core.api.viewsets.ScopedViewSet` (this mixin on DRF's GenericViewSet). The two
    live apart because DRF imports this module (for `Pagination`) while it is still loading its own
    viewsets module.
    """

    model: type[models.Model]
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    access: AccessTable | None = None
    access_rule: str | None = None
    action_access: dict[str, str] = {}
    create_rule: str | None = None
    permission_classes = [permissions.IsAuthenticated, RoleAllowed]
    # Search is the FilterSet's `q` (it also finds an exact ID number by its hash).
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def check_create_permission(self) -> None:
        if self.create_rule is None or not self.access.allows(self.request.user, self.create_rule):
            raise exceptions.PermissionDenied(ROLE_FORBIDDEN)

    def check_edit_permission(self, obj) -> None:
        """Visible but not editable is 403 (invisible rows never get here: 404 before)."""
        editable = self.model.objects.editable_by(self.request.user)
        if not editable.filter(pk=obj.pk).exists():
            raise exceptions.PermissionDenied(NOT_EDITABLE)

    def read_back(self, obj):
        """The saved row, read again through the scope (with its related rows) for the answer."""
        return self.get_queryset().filter(pk=obj.pk).first() or obj

    def respond_with(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        serializer_class = serializer_class or self.get_serializer_class()
        data = serializer_class(obj, context=self.get_serializer_context()).data
        return Response(data, status=status_code)


class ServiceCreateMixin:
    """POST: check the role, validate the shape, call `service_create(data)`, answer 201."""

    def service_create(self, data: dict):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        self.check_create_permission()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = self.service_create(dict(serializer.validated_data))
        return self.respond_with(self.read_back(obj), status.HTTP_201_CREATED)


class ServiceUpdateMixin:
    """PUT/PATCH: 404 outside scope, 403 if not editable, then `service_update(obj, data)`."""

    def service_update(self, obj, data: dict):
        raise NotImplementedError

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        obj = self.get_object()
        self.check_edit_permission(obj)
        serializer = self.get_serializer(obj, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        obj = self.service_update(obj, dict(serializer.validated_data))
        return self.respond_with(self.read_back(obj))

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)
