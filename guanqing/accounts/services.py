"""Account writes: the system administrator provisions, the security administrator grants and sets
policy; nobody does both. Each write is validated, saved and audited in one transaction."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanqing.accounts.access import access
from guanqing.accounts.choices import ALLOWED_SCOPE, REQUIRED_SCOPE
from guanqing.accounts.models import User
from guanqing.accounts.tokens import token_create, tokens_revoke
from guanqing.core import audit, text
from guanqing.core.models import SecurityPolicy
from guanqing.core.policy import current_policy
from guanqing.core.roles import SEPARATED_ADMIN_ROLES, Role
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import merge_errors, require
from guanqing.registry.choices import DivisionLevel
from guanqing.registry.models import Division, Member, Unit

USER_FIELDS = ["username", "display_name", "role", "unit", "community", "member", "is_active"]


def _check_scope(user: User) -> None:
    """A role gets exactly the scope it needs and nothing else."""
    errors: dict[str, list[str]] = {}
    allowed = ALLOWED_SCOPE.get(user.role, set())
    for field in ("unit", "community", "member"):
        if field not in allowed:
            setattr(user, f"{field}_id", None)
    if user.member_id and "unit" in allowed:
        user.unit_id = user.member.unit_id  # a member's unit is the one it belongs to
    needed = REQUIRED_SCOPE.get(user.role)
    if needed and getattr(user, f"{needed}_id") is None:
        errors[needed] = [
            _("角色“%(role)s”必须指定%(value)s")
            % {"role": user.get_role_display(), "value": _scope_label(needed)}
        ]
    if user.community_id and user.community.level != DivisionLevel.COMMUNITY:
        errors["community"] = [_("应选择社区/村")]
    merge_errors(errors)


def _scope_label(field: str) -> str:
    return {"unit": "单位 unit", "community": "社区 community", "member": "党员 member"}[field]


def _check_manageable(actor: User, role: str) -> None:
    require(access.allows(actor, "users"), _("只有系统管理员可以管理账号"))
    if role in SEPARATED_ADMIN_ROLES:
        raise ValidationError(
            {
                "role": [
                    _(
                        "三员账号只能在安装时用 `guanqing createadmins` 创建，不能在系统中互相创建或修改"
                    )
                ]
            }
        )


def _resolve(model, value, field):
    if value is None or isinstance(value, model):
        return value
    obj = model.objects.filter(pk=value).first()
    if obj is None:
        raise ValidationError({field: [_("编号 %(value)s 不存在") % {"value": value}]})
    return obj


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    unit: Unit | int | None = None,
    community: Division | int | None = None,
    member: Member | int | None = None,
) -> User:
    if role not in Role.values:
        raise ValidationError({"role": [_("未知角色 %(role)r") % {"role": role}]})
    _check_manageable(actor, role)
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": [_("请填写用户名")]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": [_("用户名“%(username)s”已被使用") % {"username": username}]}
        )
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        unit=_resolve(Unit, unit, "unit"),
        community=_resolve(Division, community, "community"),
        member=_resolve(Member, member, "member"),
    )
    if user.member_id and User.objects.filter(member_id=user.member_id).exists():
        raise ValidationError({"member": [_("该党员已有账号")]})
    if not user.display_name and user.member_id:
        user.display_name = user.member.name
    _check_scope(user)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    text.full_clean(user, exclude=["password"])
    user.save()
    audit.record(actor=actor, action="create", obj=user, changes=_user_changes(None, user))
    return user


def _user_snapshot(user: User) -> dict:
    return audit.snapshot(user, USER_FIELDS)


def _user_changes(before: dict | None, user: User) -> dict:
    after = _user_snapshot(user)
    if before is None:
        return {k: [None, v] for k, v in after.items() if v not in (None, "")}
    return audit.diff(before, after)


@transaction.atomic
def user_update(*, actor: User, user: User, **data) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_manageable(actor, user.role)
    if "role" in data:
        _check_manageable(actor, data["role"])
    if user.pk == actor.pk:
        raise ValidationError({"role": [_("不能修改自己的账号")]})
    before = _user_snapshot(user)
    allowed = {"display_name", "role", "unit", "community", "member", "is_active"}
    unknown = set(data) - allowed
    merge_errors({k: [_("不能修改此字段")] for k in unknown})
    for key, model in (("unit", Unit), ("community", Division), ("member", Member)):
        if key in data:
            data[key] = _resolve(model, data[key], key)
    for key, value in data.items():
        setattr(user, key, value)
    _check_scope(user)
    text.full_clean(user, exclude=["password"])
    changes = _user_changes(before, user)
    if not changes:
        return user
    user.save()
    action = "role_change" if {"role", "unit", "community", "member"} & set(changes) else "update"
    audit.record(actor=actor, action=action, obj=user, changes=changes)
    if not user.is_active:
        _end_sessions_and_tokens(user)
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> User:
    if actor.pk != user.pk:
        _check_manageable(actor, user.role)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    # Browser sessions end by themselves (Django checks the password hash); API tokens do not.
    _end_sessions_and_tokens(user)
    audit.record(actor=actor, action="password_change", obj=user)
    return user


def _end_sessions_and_tokens(user: User) -> None:
    # Browser sessions end by themselves when the password hash changes; tokens do not.
    tokens_revoke(user=user)


@transaction.atomic
def token_issue(*, actor: User) -> str:
    """A new API token for a user who has just proved its password (and second factor)."""
    key = token_create(user=actor)
    audit.record(actor=actor, action="token", obj=actor)
    return key


@transaction.atomic
def user_grant_reveal(*, actor: User, user: User, allowed: bool) -> User:
    """The security administrator decides who may see full ID numbers."""
    require(access.allows(actor, "security"), _("只有安全管理员可以授予此权限"))
    user = lock_in_scope(User.objects.visible_to(actor), user.pk)
    if user.is_separated_admin:
        raise ValidationError({"can_reveal_sensitive": [_("三员账号不查看业务数据")]})
    if user.can_reveal_sensitive == allowed:
        return user
    user.can_reveal_sensitive = allowed
    user.save(update_fields=["can_reveal_sensitive"])
    audit.record(
        actor=actor,
        action="role_change",
        obj=user,
        changes={"can_reveal_sensitive": [not allowed, allowed]},
    )
    return user


POLICY_FIELDS = [
    "failure_limit",
    "lockout_minutes",
    "idle_minutes",
    "mask_head",
    "mask_tail",
    "password_max_age_days",
    "password_history",
    "token_days",
    "otp_roles",
]
# The roles that need a second factor whatever the policy says.
OTP_ALWAYS = (Role.COMMITTEE, *sorted(SEPARATED_ADMIN_ROLES))


@transaction.atomic
def policy_update(*, actor: User, **data) -> SecurityPolicy:
    require(access.allows(actor, "security"), _("只有安全管理员可以修改安全策略"))
    policy = current_policy()
    if policy.pk:
        policy = SecurityPolicy.objects.select_for_update().get(pk=policy.pk)
    before = audit.snapshot(policy, POLICY_FIELDS)
    errors = {}
    limits = {
        "failure_limit": (1, 20),
        "lockout_minutes": (1, 1440),
        "idle_minutes": (1, 480),
        "mask_head": (0, 10),
        "mask_tail": (0, 8),
        "password_max_age_days": (1, 365),
        "password_history": (0, 24),
        "token_days": (1, 90),
    }
    for key, value in data.items():
        if key == "otp_roles":
            roles = value if isinstance(value, list | tuple) else None
            unknown = [r for r in roles or () if r not in Role.values]
            if roles is None or unknown:
                errors[key] = [
                    _("未知角色 %(role)s") % {"role": ", ".join(map(str, unknown))}
                    if unknown
                    else _("应为角色列表")
                ]
            else:
                policy.otp_roles = sorted({str(r) for r in roles} - set(OTP_ALWAYS))
            continue
        if key not in limits:
            errors[key] = [_("不能修改此字段")]
            continue
        low, high = limits[key]
        if not isinstance(value, int) or not low <= value <= high:
            errors[key] = [_("应为 %(low)s–%(high)s 之间的整数") % {"low": low, "high": high}]
        else:
            setattr(policy, key, value)
    if policy.mask_head + policy.mask_tail > 12:
        errors["mask_tail"] = [_("显示的位数过多，无法起到遮蔽作用")]
    merge_errors(errors)
    changes = audit.diff(before, audit.snapshot(policy, POLICY_FIELDS))
    if not changes and policy.pk:
        return policy
    policy.save()
    audit.record(actor=actor, action="policy_change", obj=policy, changes=changes)
    return policy


def locked_usernames(*, policy: SecurityPolicy | None = None) -> list:
    """django-axes attempts that lock an account now: failures at the limit, inside the lockout."""
    import datetime

    from axes.models import AccessAttempt
    from django.utils import timezone

    policy = policy or current_policy()
    since = timezone.now() - datetime.timedelta(minutes=policy.lockout_minutes)
    return list(
        AccessAttempt.objects.filter(
            failures_since_start__gte=policy.failure_limit, attempt_time__gte=since
        ).order_by("-attempt_time")
    )


@transaction.atomic
def user_unlock(*, actor: User, username: str) -> int:
    """The security administrator lifts a lockout before it runs out; returns attempts removed."""
    from axes.models import AccessAttempt
    from axes.utils import reset

    require(access.allows(actor, "security"), _("只有安全管理员可以解除锁定"))
    username = (username or "").strip()
    failures = (
        AccessAttempt.objects.filter(username=username)
        .order_by("-failures_since_start")
        .values_list("failures_since_start", flat=True)
        .first()
    )
    if not username or failures is None:
        raise ValidationError(
            {"username": [_("账号“%(username)s”未被锁定") % {"username": username}]}
        )
    removed = reset(username=username)
    user = User.objects.filter(username=username).first()
    audit.record(
        actor=actor,
        action="update",
        obj=user,
        object_type="accounts.user",
        object_repr=username,
        changes={"failures_since_start": [failures, 0]},
        message="unlock",
    )
    return removed


@transaction.atomic
def separated_admin_create(
    *, username: str, password: str, role: str, display_name: str = ""
) -> User:
    """Installation only (`guanqing createadmins`): one of the three separated administrators."""
    if role not in SEPARATED_ADMIN_ROLES:
        raise ValidationError({"role": [_("%(role)r 不是三员角色") % {"role": role}]})
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": [_("请填写用户名")]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": [_("用户名“%(username)s”已被使用") % {"username": username}]}
        )
    user = User(username=username, role=role, display_name=display_name or str(Role(role).label))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    text.full_clean(user, exclude=["password"])
    user.save()
    audit.record(
        actor=None,
        actor_username="installer",
        action="create",
        obj=user,
        changes=_user_changes(None, user),
        message="createadmins",
    )
    return user
