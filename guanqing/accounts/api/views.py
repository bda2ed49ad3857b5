"""Account endpoints: the system administrator's users, the security administrator's policy and
grants, token sign-in and the current user."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from guanqing.accounts import services
from guanqing.accounts.access import access
from guanqing.accounts.api import serializers as s
from guanqing.accounts.models import AccountRequest, RequestKind, RequestStatus, User
from guanqing.accounts.selectors import account_requests
from guanqing.core.api.base import (
    RoleAllowed,
    ServiceCreateMixin,
    ServiceUpdateMixin,
)
from guanqing.core.api.filters import IdFilter
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.policy import current_policy
from guanqing.core.roles import Role

_ALREADY_DECIDED = OpenApiResponse(
    description=gettext_lazy("申请已被处理（批准、驳回或撤回） {detail: message}")
)


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="用户名或姓名")
    role = django_filters.ChoiceFilter(choices=Role.choices, label=gettext_lazy("角色"))
    unit = IdFilter(field_name="unit_id", label=gettext_lazy("单位编号"))
    is_active = django_filters.BooleanFilter(label=gettext_lazy("启用"))

    class Meta:
        model = User
        fields = ["q", "role", "is_active", "unit"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(display_name__icontains=value))


class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    ScopedViewSet,
):
    """Accounts, for the system administrator only; granting reveal is the security administrator's."""

    model = User
    serializer_class = s.UserSerializer
    filterset_class = UserFilter
    ordering_fields = ["username", "role", "date_joined", "last_login"]
    ordering = ["username"]
    access = access
    access_rule = "users"
    action_access = {"grant_reveal": "security"}
    create_rule = "users"

    def get_queryset(self):
        pending = AccountRequest.objects.filter(status=RequestStatus.PENDING).order_by(
            "requested_at", "pk"
        )
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("requests", queryset=pending, to_attr="pending_list"))
        )

    def check_edit_permission(self, obj):
        # Which accounts the system administrator may change is the service's rule
        # (not its own, not the three administrators): it answers 400 naming the field.
        return None

    def service_create(self, data):
        data["password"] = data.get("password", "")
        return services.user_create(actor=self.request.user, **data)

    def service_update(self, obj, data):
        return services.user_update(actor=self.request.user, user=obj, **data)

    @extend_schema(
        summary=gettext_lazy("新建账号（系统管理员）：角色和范围待安全管理员批准后生效"),
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(
        summary=gettext_lazy(
            "修改账号（系统管理员）：姓名和启用状态立即生效，角色和范围的变更待安全管理员审批"
        ),
    )
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(
        summary=gettext_lazy(
            "修改账号（系统管理员）：姓名和启用状态立即生效，角色和范围的变更待安全管理员审批"
        ),
    )
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    @extend_schema(
        request=s.PasswordSerializer,
        responses={
            204: OpenApiResponse(
                description=gettext_lazy(
                    "密码已重设：账号的会话和令牌随即失效，本人收到通知；"
                    "经安全管理员确认后方可登录，登录后须修改密码"
                )
            )
        },
        summary=gettext_lazy("重设密码（系统管理员）"),
    )
    @action(detail=True, methods=["post"], url_path="set-password")
    def set_password(self, request, pk=None):
        user = self.get_object()
        serializer = s.PasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_set_password(
            actor=request.user, user=user, password=serializer.validated_data["password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=s.GrantRevealSerializer,
        responses={200: s.UserSerializer},
        summary=gettext_lazy("授予/收回查看完整证件号的权限（安全管理员）"),
    )
    @action(detail=True, methods=["post"], url_path="grant-reveal")
    def grant_reveal(self, request, pk=None):
        user = self.get_object()
        serializer = s.GrantRevealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_grant_reveal(
            actor=request.user, user=user, allowed=serializer.validated_data["allowed"]
        )
        return self.respond_with(user)


class AccountRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices, label=gettext_lazy("状态"))
    kind = django_filters.ChoiceFilter(choices=RequestKind.choices, label=gettext_lazy("类型"))
    user = IdFilter(field_name="user_id", label=gettext_lazy("账号编号"))

    class Meta:
        model = AccountRequest
        fields = ["status", "kind", "user"]


class AccountRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """What the system administrator asked for (new accounts' roles, changes of role or scope,
    password resets) and the security administrator's decisions."""

    model = AccountRequest
    serializer_class = s.AccountRequestSerializer
    filterset_class = AccountRequestFilter
    ordering_fields = ["requested_at", "decided_at"]
    ordering = ["-requested_at", "-pk"]
    access = access
    access_rule = "requests"
    action_access = {"approve": "security", "reject": "security", "withdraw": "users"}

    def get_queryset(self):
        return (
            account_requests()
            .visible_to(self.request.user)
            .select_related("user", "unit", "community", "member", "requested_by", "decided_by")
        )

    def _decided(self, request):
        return self.respond_with(self.read_back(request))

    @extend_schema(
        request=s.ApproveSerializer,
        responses={200: s.AccountRequestSerializer, 409: _ALREADY_DECIDED},
        summary=gettext_lazy("批准申请（安全管理员）"),
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        obj = self.get_object()
        serializer = s.ApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = services.account_request_approve(
            actor=request.user, request=obj, reason=serializer.validated_data.get("reason", "")
        )
        return self._decided(obj)

    @extend_schema(
        request=s.RejectSerializer,
        responses={200: s.AccountRequestSerializer, 409: _ALREADY_DECIDED},
        summary=gettext_lazy("驳回申请（安全管理员）"),
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        obj = self.get_object()
        serializer = s.RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = services.account_request_reject(
            actor=request.user, request=obj, reason=serializer.validated_data["reason"]
        )
        return self._decided(obj)

    @extend_schema(
        request=None,
        responses={200: s.AccountRequestSerializer, 409: _ALREADY_DECIDED},
        summary=gettext_lazy("撤回自己提交的申请（系统管理员；重设密码不能撤回）"),
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        obj = services.account_request_withdraw(actor=request.user, request=self.get_object())
        return self._decided(obj)


class SecurityPolicyView(generics.GenericAPIView):
    """The security policy in force, for the security administrator only."""

    serializer_class = s.SecurityPolicySerializer
    permission_classes = [permissions.IsAuthenticated, RoleAllowed]
    pagination_class = None
    filter_backends = []
    access = access
    access_rule = "security"

    @extend_schema(summary=gettext_lazy("安全策略"))
    def get(self, request):
        return Response(self.get_serializer(current_policy()).data)

    @extend_schema(summary=gettext_lazy("修改安全策略（安全管理员）"))
    def patch(self, request):
        serializer = self.get_serializer(current_policy(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if not serializer.validated_data:  # nothing to change: no write, no audit record
            return Response(self.get_serializer(current_policy()).data)
        policy = services.policy_update(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(policy).data)


class MeView(generics.GenericAPIView):
    """The signed-in user's role and scope."""

    serializer_class = s.MeSerializer
    pagination_class = None
    filter_backends = []

    def get(self, request):
        # The caller's own record: nothing here to scope. Authentication loaded the user alone
        # (every API request pays for that, and most need no more); the unit, community and
        # member record a scoped user's answer names come in one further query.
        user = request.user
        if user.unit_id or user.community_id or user.member_id:
            user = User.objects.select_related("unit", "community", "member").get(pk=user.pk)
        return Response(self.get_serializer(user).data)
