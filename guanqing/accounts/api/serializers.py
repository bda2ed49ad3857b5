"""Account serializers. Shape only: the rules live in `guanqing.accounts.services`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guanqing.accounts.models import AccountRequest, RequestStatus, User
from guanqing.core.api.base import ScopedPrimaryKeyRelatedField, ShapeOnlyModelSerializer
from guanqing.core.api.fields import DisplayField
from guanqing.core.models import SecurityPolicy
from guanqing.core.roles import Role
from guanqing.registry.models import Division, Member, Unit

# `kind` is plain text in the schema: an enum named after the field would collide with the other
# apps' choice sets called "kind".
KIND_HELP = "create | role | password_reset"


class PendingRequestSerializer(serializers.Serializer):
    """A request that waits for the security administrator: the role and scope asked for (or a
    password reset that holds the account until confirmed)."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    kind_display = DisplayField(source="get_kind_display")
    role = serializers.ChoiceField(choices=Role.choices, read_only=True, allow_blank=True)
    role_display = DisplayField(source="get_role_display")
    unit = serializers.IntegerField(source="unit_id", read_only=True, allow_null=True)
    community = serializers.IntegerField(source="community_id", read_only=True, allow_null=True)
    member = serializers.IntegerField(source="member_id", read_only=True, allow_null=True)
    requested_at = serializers.DateTimeField(read_only=True)


class UserSerializer(ShapeOnlyModelSerializer):
    """An account as the system administrator manages it; the password hash is never shown."""

    password = serializers.CharField(
        write_only=True,
        required=False,
        max_length=128,
        style={"input_type": "password"},
        help_text=gettext_lazy("新建时必填；修改密码请用 set-password"),
    )
    role_display = DisplayField(source="get_role_display")
    unit = ScopedPrimaryKeyRelatedField(model=Unit, required=False, allow_null=True)
    community = ScopedPrimaryKeyRelatedField(
        model=Division, required=False, allow_null=True, help_text=gettext_lazy("社区/村编号")
    )
    member = ScopedPrimaryKeyRelatedField(model=Member, required=False, allow_null=True)
    pending_requests = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "待安全管理员审批的申请：新建账号或变更的角色与范围（批准后才生效），或重设密码"
            "（确认前账号不能登录）"
        )
    )

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
            "pending_requests",
            "last_login",
            "date_joined",
        ]
        read_only_fields = ["can_reveal_sensitive", "last_login", "date_joined"]
        extra_kwargs = {
            "role": {
                "help_text": gettext_lazy(
                    "生效的角色（未经安全管理员批准时为空）；新建或修改时填写的角色成为待审批的申请"
                )
            }
        }

    def validate_password(self, value):
        if self.instance is not None:
            raise serializers.ValidationError(_("修改密码请用 /users/{id}/set-password/"))
        return value

    @extend_schema_field(PendingRequestSerializer(many=True))
    def get_pending_requests(self, user):
        rows = getattr(user, "pending_list", None)
        if rows is None:
            rows = list(
                AccountRequest.objects.filter(user=user, status=RequestStatus.PENDING).order_by(
                    "requested_at", "pk"
                )
            )
        return PendingRequestSerializer(rows, many=True).data


class AccountRequestSerializer(serializers.ModelSerializer):
    """A request of the system administrator and, once decided, the security administrator's
    answer. Read-only: deciding is `approve` / `reject`, taking back is `withdraw`."""

    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    kind_display = DisplayField(source="get_kind_display")
    role_display = DisplayField(source="get_role_display")
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    community_name = serializers.CharField(source="community.name", read_only=True, allow_null=True)
    member_name = serializers.CharField(source="member.name", read_only=True, allow_null=True)
    status_display = DisplayField(source="get_status_display")
    requested_by_username = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by_username = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True
    )

    class Meta:
        model = AccountRequest
        fields = [
            "id",
            "user",
            "username",
            "display_name",
            "kind",
            "kind_display",
            "role",
            "role_display",
            "unit",
            "unit_name",
            "community",
            "community_name",
            "member",
            "member_name",
            "status",
            "status_display",
            "requested_by",
            "requested_by_username",
            "requested_at",
            "decided_by",
            "decided_by_username",
            "decided_at",
            "reason",
        ]
        read_only_fields = fields


class ApproveSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("审批说明（可不填）"),
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text=gettext_lazy("驳回理由（必填）"))


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
    role_display = DisplayField(source="get_role_display")
    unit = _Ref(read_only=True, allow_null=True)
    community = _CommunityRef(read_only=True, allow_null=True)
    member = _Ref(read_only=True, allow_null=True)
    can_reveal_sensitive = serializers.BooleanField(
        read_only=True,
        label=gettext_lazy("可查看完整证件号"),
        help_text=gettext_lazy("由安全管理员授予；每次查看都记入审计日志"),
    )
