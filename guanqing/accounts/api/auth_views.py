"""Signing in to the API (a token for username, password and, where needed, the second factor)
and the security administrator's reset of somebody's second factor."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from guanqing.accounts import services, twofactor
from guanqing.accounts.access import access
from guanqing.accounts.api.serializers import TokenSerializer
from guanqing.accounts.models import User
from guanqing.accounts.passwords import must_change
from guanqing.accounts.signin import sign_in_refusal
from guanqing.core.api.base import AccessAPIView
from guanqing.core.policy import request_policy


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy(
            "动态口令：身份验证器上的 6 位数字，或一个恢复码（各用一次）。"
            "机关工委、三员及安全策略所列角色必填"
        ),
    )


def _locked_message(request) -> str:
    minutes = request_policy(request).lockout_minutes
    return _("该账号因连续登录失败已被锁定，请 %(minutes)s 分钟后再试或联系安全管理员") % {
        "minutes": minutes
    }


def _refuse_locked(http_request):
    # Answer here, as JSON, instead of letting AxesMiddleware render its HTML page.
    http_request.axes_locked_out = False
    raise exceptions.PermissionDenied(_locked_message(http_request))


class TokenView(APIView):
    """Exchange a username, password and (where the account needs it) second-factor code for an
    API token (`Authorization: Token …`).

    Sign-in goes through `django.contrib.auth.authenticate`, so django-axes counts failures and
    locks the account exactly as for the login page; a wrong code counts the same way. A locked
    account is refused even with the right password. The token lasts the policy's `token_days`
    from issue (fixed, not sliding), ends sooner when unused for the idle minutes, and at once on
    lock-out, password change or deactivation.
    """

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                description=gettext_lazy(
                    "用户名或密码错误；或须动态口令而未填、填错（`otp`），或尚未在网页上绑定"
                )
            ),
            403: OpenApiResponse(
                description=gettext_lazy("账号已锁定、尚待授权，或须先在网页上修改密码")
            ),
        },
        summary=gettext_lazy("用用户名、密码（及动态口令）换取令牌"),
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        http_request = request._request
        user = authenticate(
            request=http_request, username=data["username"], password=data["password"]
        )
        if getattr(http_request, "axes_locked_out", False):
            _refuse_locked(http_request)
        if user is None or not user.is_active:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("用户名或密码错误，或账号已停用")]}
            )
        refusal = sign_in_refusal(user)
        if refusal:
            raise exceptions.PermissionDenied(refusal)
        policy = request_policy(http_request)
        if twofactor.otp_required_at_sign_in(user, policy):
            if not twofactor.otp_enabled(user):
                raise exceptions.ValidationError(
                    {"otp": [_("该账号须使用两步验证，请先在网页上登录并绑定身份验证器")]}
                )
            code = (data.get("otp") or "").strip()
            if not code:
                raise exceptions.ValidationError(
                    {"otp": [_("该账号须使用两步验证，请填写动态口令")]}
                )
            try:
                verified = twofactor.otp_verify(user, code)
            except twofactor.Throttled as exc:
                raise exceptions.ValidationError(
                    {"otp": [_("尝试过于频繁，请 %(seconds)s 秒后再试") % {"seconds": exc.seconds}]}
                ) from None
            if verified is None:
                if twofactor.otp_failure_record(username=user.username, request=http_request):
                    _refuse_locked(http_request)
                raise exceptions.ValidationError({"otp": [_("动态口令不正确")]})
        if must_change(user, policy=policy):
            raise exceptions.PermissionDenied(_("请先在网页上修改密码"))
        if settings.AXES_RESET_ON_SUCCESS:
            axes_reset(username=user.get_username())
        return Response({"token": services.token_issue(actor=user)})


class SecondFactorResetView(AccessAPIView):
    """The security administrator removes an account's authenticator and recovery codes (a lost
    phone); the owner binds a new one at the next sign-in and is notified."""

    access = access
    access_rule = "security"
    serializer_class = None

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description=gettext_lazy("已重置"))},
        summary=gettext_lazy("重置账号的两步验证（安全管理员）"),
    )
    def post(self, request, user_id: int):
        user = get_object_or_404(User.objects.visible_to(request.user), pk=user_id)
        try:
            twofactor.otp_reset(actor=request.user, user=user)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        return Response(status=status.HTTP_204_NO_CONTENT)
