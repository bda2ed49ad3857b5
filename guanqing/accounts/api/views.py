"""Account endpoints: the system administrator's users, the security administrator's policy and
grants, token sign-in and the current user."""

from __future__ import annotations

import django_filters
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from guanqing.accounts import services
from guanqing.accounts.access import access
from guanqing.accounts.api import serializers as s
from guanqing.accounts.models import User
from guanqing.core.api.base import RoleAllowed, ServiceCreateMixin, ServiceUpdateMixin
from guanqing.core.api.filters import IdFilter
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.policy import current_policy, request_policy
from guanqing.core.roles import Role


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
        request=s.PasswordSerializer,
        responses={204: OpenApiResponse(description=gettext_lazy("密码已修改"))},
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


def _locked_message(request) -> str:
    minutes = request_policy(request).lockout_minutes
    return _("该账号因连续登录失败已被锁定，请 %(minutes)s 分钟后再试或联系安全管理员") % {
        "minutes": minutes
    }


class TokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token …`).

    Sign-in goes through `django.contrib.auth.authenticate`, so django-axes counts failures and
    locks the account exactly as for the login page; a locked account is refused even with the
    right password.
    """

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    serializer_class = s.TokenRequestSerializer

    @extend_schema(
        request=s.TokenRequestSerializer,
        responses={
            200: s.TokenSerializer,
            400: OpenApiResponse(description=gettext_lazy("用户名或密码错误")),
            403: OpenApiResponse(description=gettext_lazy("账号已锁定")),
        },
        summary=gettext_lazy("用用户名和密码换取令牌"),
        auth=[],
    )
    def post(self, request):
        serializer = s.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        http_request = request._request
        user = authenticate(
            request=http_request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(http_request, "axes_locked_out", False):
            # Answer here, as JSON, instead of letting AxesMiddleware render its HTML page.
            http_request.axes_locked_out = False
            raise exceptions.PermissionDenied(_locked_message(http_request))
        if user is None or not user.is_active:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("用户名或密码错误，或账号已停用")]}
            )
        if settings.AXES_RESET_ON_SUCCESS:
            axes_reset(username=user.get_username())
        return Response({"token": services.token_issue(actor=user)})


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
