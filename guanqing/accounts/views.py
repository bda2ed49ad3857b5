"""Pages of the system administrator (accounts) and the security administrator (policy, grants,
lockouts). Each page belongs to exactly one of the separated administrators; anyone else gets 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanqing.accounts import selectors, services
from guanqing.accounts.access import access
from guanqing.accounts.forms import (
    SCOPE_OF_ROLE,
    PasswordResetForm,
    PolicyForm,
    UserCreateForm,
    UserFilter,
    UserUpdateForm,
    apply_service_errors,
)
from guanqing.accounts.models import RequestKind, RequestStatus, User
from guanqing.core import sensitive
from guanqing.core.errors import Conflict
from guanqing.core.policy import request_policy
from guanqing.core.roles import BUSINESS_ROLES, Role
from guanqing.registry.models import Member
from guanqing.registry.selectors import members_matching
from guanqing.registry.services import masked

PAGE_SIZE = 50
MEMBER_SEARCH_LIMIT = 20


def _user_queryset(request):
    return User.objects.visible_to(request.user).select_related(
        "unit", "member", "community__parent__parent"
    )


# --- System administrator: accounts -------------------------------------------------------


@access.page("users")
@require_GET
def user_list(request):
    filterset = UserFilter(request.GET, queryset=_user_queryset(request).order_by("username"))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    pending = selectors.pending_by_user(account.pk for account in page.object_list)
    for account in page.object_list:
        _attach_pending(account, pending.get(account.pk, {}))
    context = {"filter": filterset, "page": page, "total": page.paginator.count}
    if request.htmx and request.htmx.target == "user-results":
        return render(request, "accounts/users/_results.html", context)
    return render(request, "accounts/users/list.html", context)


def _attach_pending(account: User, pending: dict) -> User:
    """What waits for the security administrator, for the badges: the role asked for (a new
    account's or a change) and a password reset that holds the account."""
    account.pending_role = pending.get(RequestKind.CREATE) or pending.get(RequestKind.ROLE)
    account.pending_reset = pending.get(RequestKind.PASSWORD_RESET)
    return account


def _form_context(form, **extra):
    return {
        "form": form,
        "scope_of_role": SCOPE_OF_ROLE,
        "selected_member": form.selected_member,
        **extra,
    }


@access.page("users")
def user_create(request):
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已创建账号 %(name)s。角色“%(role)s”待安全管理员审批，批准后方可登录。")
                % {"name": user.username, "role": Role(form.cleaned_data["role"]).label},
            )
            return redirect("accounts:user_list")
    return render(request, "accounts/users/form.html", _form_context(form, creating=True))


@access.page("users")
def user_edit(request, pk: int):
    account = get_object_or_404(_user_queryset(request), pk=pk)
    _attach_pending(account, selectors.pending_by_user([account.pk]).get(account.pk, {}))
    editable = not account.is_separated_admin and account.pk != request.user.pk
    form = UserUpdateForm(
        request.POST or None,
        actor=request.user,
        initial=UserUpdateForm.initial_for(account, pending=account.pending_role),
    )
    if request.method == "POST" and editable and form.is_valid():
        try:
            saved = services.user_update(actor=request.user, user=account, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if saved.submitted_request is not None:
                messages.success(
                    request,
                    _("已保存账号 %(name)s。角色和数据范围的变更待安全管理员审批后生效。")
                    % {"name": account.username},
                )
            else:
                messages.success(request, _("已保存账号 %(name)s") % {"name": account.username})
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/users/form.html",
        _form_context(form, creating=False, account=account, editable=editable),
    )


@access.page("users")
@require_POST
def user_request_withdraw(request, pk: int):
    """The system administrator takes back a role request it made."""
    asked = get_object_or_404(selectors.account_requests().visible_to(request.user), pk=pk)
    try:
        services.account_request_withdraw(actor=request.user, request=asked)
    except (ValidationError, Conflict) as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("已撤回 %(name)s 的申请") % {"name": asked.user.username})
    return redirect("accounts:user_edit", pk=asked.user_id)


def _messages_of(exc) -> str:
    if isinstance(exc, Conflict):
        return str(exc.message)
    return "；".join(exc.messages)


@access.page("users")
def user_password(request, pk: int):
    account = get_object_or_404(_user_queryset(request), pk=pk)
    editable = not account.is_separated_admin
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and editable and form.is_valid():
        try:
            services.user_set_password(
                actor=request.user, user=account, password=form.cleaned_data["password1"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "已重设 %(name)s 的密码。该账号的会话和令牌已失效，本人已收到通知；"
                    "须经安全管理员确认后方可登录，登录后须修改密码。"
                )
                % {"name": account.username},
            )
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/users/password.html",
        {"form": form, "account": account, "editable": editable},
    )


@access.page("users")
@require_GET
def member_search(request):
    """The member picker: masked rows from the members the administrator may see."""
    q = request.GET.get("member_q", "").strip()
    members = []
    if q:
        qs = members_matching(
            Member.objects.visible_to(request.user).select_related("unit", "branch"), q
        )
        has_account = User.objects.visible_to(request.user).filter(member_id=OuterRef("pk"))
        members = list(qs.annotate(has_account=Exists(has_account))[:MEMBER_SEARCH_LIMIT])
    policy = request_policy(request)
    rows = [{"member": m, "masked_id": masked(m, policy)} for m in members]
    return render(
        request,
        "accounts/users/_member_results.html",
        {"rows": rows, "q": q, "limit": MEMBER_SEARCH_LIMIT, "selected": request.GET.get("member")},
    )


# --- Security administrator: policy, reveal grants, lockouts --------------------------------


@access.page("security")
def security_policy(request):
    policy = request_policy(request)
    form = PolicyForm(request.POST or None, initial=PolicyForm.initial_for(policy))
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("安全策略已保存"))
            return redirect("accounts:security_policy")
    example = sensitive.mask("330203195001011234", policy.mask_head, policy.mask_tail)
    return render(
        request,
        "accounts/security/policy.html",
        {"form": form, "policy": policy, "example": example, "tab": "policy"},
    )


@access.page("security")
@require_GET
def security_grants(request):
    qs = (
        User.objects.visible_to(request.user)
        .filter(role__in=[r.value for r in BUSINESS_ROLES])
        .select_related("unit", "community")
        .order_by("-can_reveal_sensitive", "username")
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "tab": "grants"}
    if request.htmx and request.htmx.target == "grant-results":
        return render(request, "accounts/security/_grant_results.html", context)
    return render(request, "accounts/security/grants.html", context)


@access.page("security")
@require_POST
def security_grant_toggle(request, pk: int):
    account = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    allowed = request.POST.get("allowed") == "1"
    error = None
    try:
        account = services.user_grant_reveal(actor=request.user, user=account, allowed=allowed)
    except ValidationError as exc:
        error = "；".join(exc.messages)
    if request.htmx:
        return render(
            request, "accounts/security/_grant_row.html", {"account": account, "error": error}
        )
    if error:
        messages.error(request, error)
    elif allowed:
        messages.success(request, _("已授予 %(name)s 查看完整证件号") % {"name": account.username})
    else:
        messages.success(request, _("已收回 %(name)s 查看完整证件号") % {"name": account.username})
    return redirect("accounts:security_grants")


@access.page("security")
@require_GET
def security_requests(request):
    """What waits for the security administrator's approval, and the latest decisions."""
    visible = (
        selectors.account_requests()
        .visible_to(request.user)
        .select_related("user", "unit", "community", "member", "requested_by", "decided_by")
    )
    pending = list(visible.pending().order_by("requested_at", "pk"))
    decided = list(
        visible.exclude(status=RequestStatus.PENDING).order_by("-decided_at", "-pk")[:RECENT]
    )
    return render(
        request,
        "accounts/security/requests.html",
        {
            "pending": pending,
            "decided": decided,
            "me": request.user.pk,
            "tab": "requests",
        },
    )


RECENT = 20


@access.page("security")
@require_POST
def security_request_approve(request, pk: int):
    return _decide(request, pk, approve=True)


@access.page("security")
@require_POST
def security_request_reject(request, pk: int):
    return _decide(request, pk, approve=False)


def _decide(request, pk: int, *, approve: bool):
    asked = get_object_or_404(
        selectors.account_requests().visible_to(request.user).select_related("user"), pk=pk
    )
    reason = request.POST.get("reason", "")
    decide = services.account_request_approve if approve else services.account_request_reject
    try:
        decide(actor=request.user, request=asked, reason=reason)
    except (ValidationError, Conflict) as exc:
        messages.error(request, _messages_of(exc))
    else:
        name = asked.user.username
        if approve:
            messages.success(request, _("已批准 %(name)s 的申请") % {"name": name})
        else:
            messages.success(request, _("已驳回 %(name)s 的申请") % {"name": name})
    return redirect("accounts:security_requests")


@access.page("security")
def security_locked(request):
    policy = request_policy(request)
    if request.method == "POST":
        username = request.POST.get("username", "")
        try:
            services.user_unlock(actor=request.user, username=username)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已解除 %(name)s 的锁定") % {"name": username})
        return redirect("accounts:security_locked")
    attempts = services.locked_usernames(policy=policy)
    names = {
        u.username: u
        for u in User.objects.visible_to(request.user).filter(
            username__in=[a.username for a in attempts]
        )
    }
    rows = [{"attempt": a, "account": names.get(a.username)} for a in attempts]
    return render(
        request,
        "accounts/security/locked.html",
        {"rows": rows, "policy": policy, "tab": "locked"},
    )
