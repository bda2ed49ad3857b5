"""Account serializers. Shape only: the rules live in `guanqing.accounts.services`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from guanqing.accounts.models import User
from guanqing.core.api.base import ScopedPrimaryKeyRelatedField, ShapeOnlyModelSerializer
from guanqing.core.models import SecurityPolicy
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
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        # The ranges are the service's business; here only "a whole number".
        extra_kwargs = {name: {"validators": []} for name in fields[:-1]}


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


class MeSerializer(serializers.ModelSerializer):
    """The signed-in user: role and the scope it works in."""

    role_display = serializers.CharField(source="get_role_display", read_only=True)
    unit = _Ref(read_only=True, allow_null=True)
    community = _CommunityRef(read_only=True, allow_null=True)
    member = _Ref(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "role",
            "role_display",
            "unit",
            "community",
            "member",
            "can_reveal_sensitive",
        ]
        read_only_fields = fields
