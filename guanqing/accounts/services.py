"""Account writes: the system administrator provisions, the security administrator grants and sets
policy; nobody does both. Each write is validated, saved and audited in one transaction."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.accounts import selectors
from guanqing.accounts.access import access
from guanqing.accounts.choices import ALLOWED_SCOPE, REQUIRED_SCOPE
from guanqing.accounts.models import AccountRequest, RequestKind, RequestStatus, User
from guanqing.accounts.passwords import password_apply
from guanqing.accounts.selectors import ROLE_KINDS
from guanqing.accounts.tokens import token_create, tokens_revoke
from guanqing.core import audit, text
from guanqing.core.errors import Conflict
from guanqing.core.models import SecurityPolicy
from guanqing.core.notifications.services import notification_send
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


# --- Accounts: the system administrator asks, the security administrator grants ------------
#
# An account the system administrator creates has no role until the security administrator
# approves the role and scope asked for; a change of role or scope waits the same way; a password
# the system administrator sets holds the account until the security administrator confirms it.
# So no administrator alone reaches business data: the one who knows a password grants nothing,
# the one who grants knows no password.

REQUEST_FIELDS = ["kind", "role", "unit", "community", "member", "status", "reason"]
SCOPE_KEYS = ("role", "unit", "community", "member")


def _request_snapshot(request: AccountRequest) -> dict:
    return audit.snapshot(request, REQUEST_FIELDS)


def _site(message, params: dict | None = None) -> str:
    """Text stored for someone else to read later, in the site language (like the audit log)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params if params is not None else str(message)


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _requested(user: User) -> tuple:
    return (user.role, user.unit_id, user.community_id, user.member_id)


def _check_member_free(user: User, *, account_pk: int | None) -> None:
    """A member has at most one account, and at most one account asked for."""
    if not user.member_id:
        return
    taken = User.objects.filter(member_id=user.member_id)
    if account_pk is not None:
        taken = taken.exclude(pk=account_pk)
    if taken.exists():
        raise ValidationError({"member": [_("该党员已有账号")]})
    asked = AccountRequest.objects.filter(
        member_id=user.member_id, status=RequestStatus.PENDING, kind__in=ROLE_KINDS
    )
    if account_pk is not None:
        asked = asked.exclude(user_id=account_pk)
    if asked.exists():
        raise ValidationError({"member": [_("该党员已有待审批的账号申请")]})


def _request_submit(*, actor: User, user: User, kind: str, scope: User | None = None):
    """A new pending request (audited); security administrators are told one waits."""
    request = AccountRequest(user=user, kind=kind, requested_by=actor)
    if scope is not None:
        request.role = scope.role
        request.unit_id = scope.unit_id
        request.community_id = scope.community_id
        request.member_id = scope.member_id
    request.save()
    changes = {k: [None, v] for k, v in _request_snapshot(request).items() if v not in (None, "")}
    audit.record(
        actor=actor, action="create", obj=request, root=user, changes=changes, message="request"
    )
    with translation.override(settings.LANGUAGE_CODE):
        kind_label = str(request.get_kind_display())
    notification_send(
        recipients=User.objects.filter(role=Role.SECURITY_ADMIN, is_active=True),
        kind="account_request",
        text=_site(
            gettext_lazy("系统管理员提交了账号“%(username)s”的%(kind)s申请，待您审批。"),
            {"username": user.username, "kind": kind_label},
        ),
        link=_link("accounts:security_requests"),
        dedupe_key=f"accounts:request:{request.pk}",
    )
    return request


def _request_close(*, actor: User, request: AccountRequest, status: str, reason: str = ""):
    """Move a pending request to `status`, once: a second decision finds it gone (409)."""
    before = _request_snapshot(request)
    now = timezone.now()
    updated = AccountRequest.objects.filter(pk=request.pk, status=RequestStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=now, reason=reason
    )
    if not updated:
        raise Conflict(_("该申请已经处理过，请刷新页面查看结果"))
    request.status, request.decided_by, request.decided_at, request.reason = (
        status,
        actor,
        now,
        reason,
    )
    return audit.diff(before, _request_snapshot(request))


def _link(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # pragma: no cover - the URL is always there in the project
        return ""


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
    """A new account without a role, and the request for `role` and its scope, which the
    security administrator approves (or rejects) before the account may sign in."""
    if role not in Role.values or not role:
        raise ValidationError({"role": [_("未知角色 %(role)r") % {"role": role}]})
    _check_manageable(actor, role)
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": [_("请填写用户名")]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": [_("用户名“%(username)s”已被使用") % {"username": username}]}
        )
    # The role and scope asked for, checked exactly as they would be if they applied now.
    asked = User(
        username=username,
        role=role,
        unit=_resolve(Unit, unit, "unit"),
        community=_resolve(Division, community, "community"),
        member=_resolve(Member, member, "member"),
    )
    _check_scope(asked)
    _check_member_free(asked, account_pk=None)
    user = User(username=username, display_name=display_name, role="")
    if not user.display_name and asked.member_id:
        user.display_name = asked.member.name
    text.full_clean(user, exclude=["password"])
    password_apply(user, password, by_admin=True)  # validates first, then saves
    audit.record(actor=actor, action="create", obj=user, changes=_user_changes(None, user))
    _request_submit(actor=actor, user=user, kind=RequestKind.CREATE, scope=asked)
    return user


def _user_snapshot(user: User) -> dict:
    return audit.snapshot(user, USER_FIELDS)


def _user_changes(before: dict | None, user: User) -> dict:
    after = _user_snapshot(user)
    if before is None:
        return {
            k: v for k, v in ((k, [None, v]) for k, v in after.items()) if v[1] not in (None, "")
        }
    return audit.diff(before, after)


@transaction.atomic
def user_update(*, actor: User, user: User, **data) -> User:
    """The name and the active flag change at once (disabling ends the account's tokens); a new
    role or scope becomes a request for the security administrator (`user.submitted_request`
    is the request this call made, or None)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_manageable(actor, user.role)
    if "role" in data:
        _check_manageable(actor, data["role"])
    if user.pk == actor.pk:
        raise ValidationError({"role": [_("不能修改自己的账号")]})
    allowed = {"display_name", "role", "unit", "community", "member", "is_active"}
    unknown = set(data) - allowed
    merge_errors({k: [_("不能修改此字段")] for k in unknown})
    for key, model in (("unit", Unit), ("community", Division), ("member", Member)):
        if key in data:
            data[key] = _resolve(model, data[key], key)

    submitted = None
    if SCOPE_KEYS_SET & set(data):
        submitted = _request_role_change(actor=actor, user=user, data=data)

    before = _user_snapshot(user)
    for key in ("display_name", "is_active"):
        if key in data:
            setattr(user, key, data[key])
    text.full_clean(user, exclude=["password"])
    changes = _user_changes(before, user)
    if changes:
        user.save(update_fields=[k for k in ("display_name", "is_active") if k in changes])
        audit.record(actor=actor, action="update", obj=user, changes=changes)
        if not user.is_active:
            _end_sessions_and_tokens(user)
    user.submitted_request = submitted
    return user


SCOPE_KEYS_SET = set(SCOPE_KEYS)


def _request_role_change(*, actor: User, user: User, data: dict) -> AccountRequest | None:
    """The role and scope asked for in `data`, on top of what is asked already (or what the
    account has): a request replacing the pending one, None when nothing new is asked."""
    pending = selectors.pending_role_request(user)
    base = pending if pending is not None else user
    asked = User(
        pk=user.pk,
        username=user.username,
        role=base.role,
        unit_id=base.unit_id,
        community_id=base.community_id,
        member_id=base.member_id,
    )
    for key in SCOPE_KEYS:
        if key in data:
            setattr(asked, key, data[key])
    if not asked.role:
        raise ValidationError({"role": [_("请选择角色")]})
    if asked.role not in Role.values:
        raise ValidationError({"role": [_("未知角色 %(role)r") % {"role": asked.role}]})
    _check_scope(asked)
    if asked.member_id:
        _check_member_free(asked, account_pk=user.pk)
    if pending is not None:
        check = User(
            role=pending.role,
            unit_id=pending.unit_id,
            community_id=pending.community_id,
            member_id=pending.member_id,
        )
        if _requested(asked) == _requested(check):
            return None  # asked already
    elif _requested(asked) == _requested(user):
        return None  # the account has it already
    kind = RequestKind.ROLE
    if pending is not None:
        kind = pending.kind  # a new account's request stays the new account's
        _request_replaced(actor=actor, request=pending, user=user)
        if _requested(asked) == _requested(user) and kind == RequestKind.ROLE:
            return None  # back to what the account has: nothing left to ask
    return _request_submit(actor=actor, user=user, kind=kind, scope=asked)


def _request_replaced(*, actor: User, request: AccountRequest, user: User) -> None:
    """A pending request gives way to a newer one of the same account: withdrawn, audited."""
    changes = _request_close(actor=actor, request=request, status=RequestStatus.WITHDRAWN)
    audit.record(
        actor=actor,
        action="update",
        obj=request,
        root=user,
        changes=changes,
        message="request_replaced",
    )


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> User:
    """Someone's own new password, or one the system administrator sets for an account.

    A password the system administrator sets is known to it: the owner must change it at the
    next sign-in, every session and token of the account ends, the owner is told, and the account
    cannot sign in until the security administrator confirms the reset."""
    own = actor.pk == user.pk
    if not own:
        _check_manageable(actor, user.role)
    user = User.objects.select_for_update().get(pk=user.pk)
    password_apply(user, password, by_admin=not own)
    # Browser sessions end by themselves: Django checks the session against the password hash.
    _end_sessions_and_tokens(user)
    audit.record(actor=actor, action="password_change", obj=user)
    if not own:
        # A reset while another waits replaces it: the security administrator confirms the
        # password set last, at the time it was set.
        earlier = AccountRequest.objects.filter(
            user=user, kind=RequestKind.PASSWORD_RESET, status=RequestStatus.PENDING
        ).first()
        if earlier is not None:
            _request_replaced(actor=actor, request=earlier, user=user)
        _request_submit(actor=actor, user=user, kind=RequestKind.PASSWORD_RESET)
        notification_send(
            recipients=[user],
            kind="password_reset",
            text=_site(
                gettext_lazy(
                    "您的密码已于 %(when)s 由系统管理员重设，须经安全管理员确认后方可登录，"
                    "登录后请立即修改密码。如非本人申请，请联系安全管理员。"
                ),
                {"when": _when(user.password_changed_at)},
            ),
            dedupe_key=f"accounts:password_reset:{user.pk}:{user.password_changed_at.isoformat()}",
        )
    return user


def _end_sessions_and_tokens(user: User) -> None:
    # Browser sessions end by themselves when the password hash changes or the account is
    # disabled (Django checks both on every request); tokens do not.
    tokens_revoke(user=user)


# --- The security administrator's decisions --------------------------------------------------


def _decidable(actor: User, request: AccountRequest | int, rule: str, message) -> AccountRequest:
    require(access.allows(actor, rule), message)
    pk = getattr(request, "pk", request)
    request = lock_in_scope(selectors.account_requests().visible_to(actor), pk)
    if request.status != RequestStatus.PENDING:
        raise Conflict(
            _("该申请已%(status)s，不能再处理") % {"status": request.get_status_display()}
        )
    return request


@transaction.atomic
def account_request_approve(
    *, actor: User, request: AccountRequest | int, reason: str = ""
) -> AccountRequest:
    """Grant what the request asks: the role and scope (re-checked now), or, for a password the
    system administrator set, the account's signing in again."""
    request = _decidable(actor, request, "security", _("只有安全管理员可以审批账号申请"))
    user = User.objects.select_for_update().get(pk=request.user_id)
    if user.pk == actor.pk:
        raise ValidationError({"user": [_("不能审批涉及自己账号的申请")]})
    if user.is_separated_admin:
        raise ValidationError({"user": [_("三员账号不经申请审批")]})
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationError({"reason": [_("说明最多 200 字")]})
    if request.kind in ROLE_KINDS:
        before = _user_snapshot(user)
        user.role = request.role
        user.unit_id = request.unit_id
        user.community_id = request.community_id
        user.member_id = request.member_id
        _check_scope(user)
        _check_member_taken(user)
        text.full_clean(user, exclude=["password"])
        changes = _user_changes(before, user)
        user.save(update_fields=["role", "unit", "community", "member"])
    changes_request = _request_close(
        actor=actor, request=request, status=RequestStatus.APPROVED, reason=reason
    )
    audit.record(
        actor=actor,
        action="role_change",
        obj=request,
        root=user,
        changes=changes_request,
        message="request_approved",
    )
    if request.kind in ROLE_KINDS and changes:
        audit.record(
            actor=actor, action="role_change", obj=user, changes=changes, message="request_approved"
        )
    _tell_requester(request, user)
    return request


def _check_member_taken(user: User) -> None:
    if (
        user.member_id
        and User.objects.filter(member_id=user.member_id).exclude(pk=user.pk).exists()
    ):
        raise ValidationError({"member": [_("该党员已有账号")]})


@transaction.atomic
def account_request_reject(
    *, actor: User, request: AccountRequest | int, reason: str
) -> AccountRequest:
    """Refuse what the request asks, saying why. A refused password reset leaves the account
    without a usable password: the password the system administrator chose never signs in."""
    request = _decidable(actor, request, "security", _("只有安全管理员可以审批账号申请"))
    user = User.objects.select_for_update().get(pk=request.user_id)
    if user.pk == actor.pk:
        raise ValidationError({"user": [_("不能审批涉及自己账号的申请")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写驳回理由")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("说明最多 200 字")]})
    changes = _request_close(
        actor=actor, request=request, status=RequestStatus.REJECTED, reason=reason
    )
    if request.kind == RequestKind.PASSWORD_RESET:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        _end_sessions_and_tokens(user)
    audit.record(
        actor=actor,
        action="role_change",
        obj=request,
        root=user,
        changes=changes,
        message="request_rejected",
    )
    _tell_requester(request, user)
    return request


@transaction.atomic
def account_request_withdraw(*, actor: User, request: AccountRequest | int) -> AccountRequest:
    """The system administrator takes back a role request it made. A password reset cannot be
    taken back: only the security administrator lets the account sign in again."""
    request = _decidable(actor, request, "users", _("只有系统管理员可以撤回申请"))
    require(request.requested_by_id == actor.pk, _("只能撤回自己提交的申请"))
    if request.kind == RequestKind.PASSWORD_RESET:
        raise ValidationError({"kind": [_("重设密码须由安全管理员确认或驳回，不能撤回")]})
    changes = _request_close(actor=actor, request=request, status=RequestStatus.WITHDRAWN)
    audit.record(
        actor=actor,
        action="update",
        obj=request,
        root=request.user,
        changes=changes,
        message="request_withdrawn",
    )
    return request


def _tell_requester(request: AccountRequest, user: User) -> None:
    if request.status == RequestStatus.APPROVED:
        message = gettext_lazy("您提交的账号“%(username)s”%(kind)s申请已由安全管理员批准。")
    else:
        message = gettext_lazy(
            "您提交的账号“%(username)s”%(kind)s申请已被安全管理员驳回：%(reason)s"
        )
    with translation.override(settings.LANGUAGE_CODE):
        kind = str(request.get_kind_display())
    notification_send(
        recipients=[request.requested_by_id],
        kind="account_request_decided",
        text=_site(message, {"username": user.username, "kind": kind, "reason": request.reason}),
        link=_link("accounts:user_edit", user.pk),
        dedupe_key=f"accounts:request:{request.pk}:{request.status}",
    )


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
