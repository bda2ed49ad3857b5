"""Account serializers. Shape only: the rules live in `guanqing.accounts.services`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from guanqing.accounts.models import User
from guanqing.core.api.base import ScopedPrimaryKeyRelatedField, ShapeOnlyModelSerializer
from guanqing.core.models import SecurityPolicy
from guanqing.core.roles import Role
from guanqing.registry.models import Division, Member, Unit


class UserSerializer(ShapeOnlyModelSerializer):
    """An account as the system administrator manages it; the password hash is never shown."""

    password = serializers.CharField(
        write_only=True,
        required=False,
        max_length=128,
        style={"input_type": "password"},
        help_text=gettext_lazy("新建时必填；修改密码请用 set-password"),
    )
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    unit = ScopedPrimaryKeyRelatedField(model=Unit, required=False, allow_null=True)
    community = ScopedPrimaryKeyRelatedField(
        model=Division, required=False, allow_null=True, help_text=gettext_lazy("社区/村编号")
    )
    member = ScopedPrimaryKeyRelatedField(model=Member, required=False, allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "password",
            "display_name",
            "role",
            "role_display",
            "unit",
            "community",
            "member",
            "is_active",
            "can_reveal_sensitive",
            "last_login",
            "date_joined",
        ]
        read_only_fields = ["can_reveal_sensitive", "last_login", "date_joined"]

    def validate_password(self, value):
        if self.instance is not None:
            raise serializers.ValidationError(_("修改密码请用 /users/{id}/set-password/"))
        return value


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class GrantRevealSerializer(serializers.Serializer):
    allowed = serializers.BooleanField(help_text=gettext_lazy("是否允许查看完整证件号"))


class SecurityPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = SecurityPolicy
        fields = [
            "failure_limit",
            "lockout_minutes",
            "idle_minutes",
            "mask_head",
            "mask_tail",
            "password_max_age_days",
            "password_history",
            "token_days",
            "otp_roles",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        # The ranges are the service's business; here only "a whole number".
        extra_kwargs = {name: {"validators": []} for name in fields[:-2]}

    otp_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        required=False,
        help_text=gettext_lazy("除三员和机关工委外，另须动态口令的角色"),
    )


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class _Ref(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _CommunityRef(_Ref):
    code = serializers.CharField()


class MeSerializer(serializers.Serializer):
    """The signed-in user: role and the scope it works in."""

    # A plain serializer with its fields written out: a ModelSerializer rebuilds its fields from
    # the model on every request, a tenth of the cheapest API request's time (docs/performance.md).

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True, label=gettext_lazy("用户名"))
    display_name = serializers.CharField(read_only=True, label=gettext_lazy("姓名"))
    role = serializers.ChoiceField(choices=Role.choices, read_only=True, label=gettext_lazy("角色"))
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    unit = _Ref(read_only=True, allow_null=True)
    community = _CommunityRef(read_only=True, allow_null=True)
    member = _Ref(read_only=True, allow_null=True)
    can_reveal_sensitive = serializers.BooleanField(
        read_only=True,
        label=gettext_lazy("可查看完整证件号"),
        help_text=gettext_lazy("由安全管理员授予；每次查看都记入审计日志"),
    )
