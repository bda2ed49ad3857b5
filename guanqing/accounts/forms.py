"""Forms of the administrators' pages. They only parse input; the services validate and write."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.accounts.choices import REQUIRED_SCOPE
from guanqing.accounts.models import User
from guanqing.core.roles import BUSINESS_ROLES, Role
from guanqing.registry import pickers
from guanqing.registry.models import Division, Member, Unit

BUSINESS_ROLE_CHOICES = [(r.value, r.label) for r in BUSINESS_ROLES]
# For the page script: which scope picker each role shows.
SCOPE_OF_ROLE = {str(role): field for role, field in REQUIRED_SCOPE.items()}


def apply_service_errors(
    form: forms.Form, exc: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError next to the fields it names (the rest above the form)."""
    rename = {"password": "password1", **(rename or {})}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = rename.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def account_units(actor):
    """The units an account may be scoped to: those its administrator sees."""
    return Unit.objects.visible_to(actor).order_by("sort_order", "id")


def account_communities(actor):
    """The communities and villages an account may be scoped to."""
    return (
        Division.objects.visible_to(actor)
        .communities()
        .current()
        .select_related("parent__parent")
        .order_by("code")
    )


pickers.register("account-units", model=Unit, queryset=account_units, rule="accounts.users")
pickers.register(
    "account-communities", model=Division, queryset=account_communities, rule="accounts.users"
)
IN_A_LIST = 30


class MemberChoiceField(forms.ModelChoiceField):
    """Chosen from the search results (radio buttons), never from one huge list."""

    widget = forms.HiddenInput


class ScopeFields(forms.Form):
    """The role and the scope it needs; only the relevant picker is shown on the page."""

    role = forms.ChoiceField(label=_("角色"), choices=BUSINESS_ROLE_CHOICES)
    # searched past 30: a province has thousands of units and some 25,000 communities
    unit = pickers.PickerField(
        "account-units",
        label=_("单位"),
        queryset=Unit.objects.none(),
        required=False,
        select_up_to=IN_A_LIST,
        empty_label=_("— 请选择 —"),
    )
    community = pickers.PickerField(
        "account-communities",
        label=_("社区/村"),
        queryset=Division.objects.none(),
        required=False,
        select_up_to=IN_A_LIST,
        empty_label=_("— 请选择 —"),
    )
    member = MemberChoiceField(label=_("党员"), queryset=Member.objects.none(), required=False)

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["unit"].queryset = account_units(actor)
        self.fields["community"].queryset = account_communities(actor)
        self.fields["member"].queryset = Member.objects.visible_to(actor).select_related("unit")

    def scope_data(self) -> dict:
        """Only the scope field the chosen role needs; the others are cleared."""
        needed = REQUIRED_SCOPE.get(self.cleaned_data["role"])
        return {f: self.cleaned_data.get(f) if f == needed else None for f in SCOPE_FIELDS}

    @property
    def selected_member(self) -> Member | None:
        value = self["member"].value()
        if not value:
            return None
        try:
            return self.fields["member"].queryset.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            return None


SCOPE_FIELDS = ("unit", "community", "member")


class UserCreateForm(ScopeFields):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        help_text=_("登录用，建议用拼音或工号"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 10 位，须同时包含字母和数字"),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["username", "display_name", "password1", "password2", "role"]

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") != data.get("password1"):
            self.add_error("password2", _("两次输入的密码不一致"))
        return data

    def service_kwargs(self) -> dict:
        return {
            "username": self.cleaned_data["username"],
            "display_name": self.cleaned_data["display_name"],
            "password": self.cleaned_data["password1"],
            "role": self.cleaned_data["role"],
            **self.scope_data(),
        }


class UserUpdateForm(ScopeFields):
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    is_active = forms.TypedChoiceField(
        label=_("状态"),
        choices=[("1", _("启用")), ("0", _("停用"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )

    field_order = ["display_name", "role"]

    def service_kwargs(self) -> dict:
        """The name and status always; the role and scope only when they were changed on the page
        (a change becomes a request for the security administrator)."""
        data = {
            "display_name": self.cleaned_data["display_name"],
            "is_active": self.cleaned_data["is_active"],
        }
        if {"role", *SCOPE_FIELDS} & set(self.changed_data):
            data["role"] = self.cleaned_data["role"]
            data.update(self.scope_data())
        return data

    @classmethod
    def initial_for(cls, user: User, pending=None) -> dict:
        """The account as it is, or, while a request waits, the role and scope asked for (so
        saving the name alone asks nothing new)."""
        scope = pending if pending is not None else user
        return {
            "display_name": user.display_name,
            "role": scope.role,
            "unit": scope.unit_id,
            "community": scope.community_id,
            "member": scope.member_id,
            "is_active": "1" if user.is_active else "0",
        }


class PasswordResetForm(forms.Form):
    password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 10 位，须同时包含字母和数字"),
    )
    password2 = forms.CharField(
        label=_("确认新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") != data.get("password1"):
            self.add_error("password2", _("两次输入的密码不一致"))
        return data


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    role = django_filters.ChoiceFilter(
        choices=Role.choices, label=_("角色"), empty_label=_("全部角色")
    )
    is_active = django_filters.ChoiceFilter(
        method="by_active",
        choices=[("1", _("启用")), ("0", _("停用"))],
        label=_("状态"),
        empty_label=_("全部状态"),
    )

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(username__icontains=value) | Q(display_name__icontains=value))

    def by_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "1")


class PolicyForm(forms.Form):
    failure_limit = forms.IntegerField(
        label=_("锁定前允许的失败次数"), help_text=_("1–20 次"), min_value=1, max_value=20
    )
    lockout_minutes = forms.IntegerField(
        label=_("锁定时长（分钟）"), help_text=_("1–1440 分钟"), min_value=1, max_value=1440
    )
    idle_minutes = forms.IntegerField(
        label=_("空闲退出（分钟）"),
        help_text=_("无操作超过此时间自动退出，1–480 分钟"),
        min_value=1,
        max_value=480,
    )
    mask_head = forms.IntegerField(
        label=_("证件号显示前几位"), help_text=_("0–10 位"), min_value=0, max_value=10
    )
    mask_tail = forms.IntegerField(
        label=_("证件号显示后几位"), help_text=_("0–8 位"), min_value=0, max_value=8
    )

    # --- passwords, API tokens, second factor (views_auth / twofactor) ---
    password_max_age_days = forms.IntegerField(
        label=_("密码有效期（天）"),
        help_text=_("超过此天数须修改密码，1–365 天"),
        min_value=1,
        max_value=365,
    )
    password_history = forms.IntegerField(
        label=_("不得重复使用的历史密码个数"),
        help_text=_("0–24 个，0 为不限制"),
        min_value=0,
        max_value=24,
    )
    token_days = forms.IntegerField(
        label=_("接口令牌有效期（天）"),
        help_text=_("自签发起固定天数，使用不会延长；1–90 天"),
        min_value=1,
        max_value=90,
    )
    otp_roles = forms.MultipleChoiceField(
        label=_("另须动态口令的角色"),
        help_text=_("机关工委和三员始终须使用两步验证"),
        choices=[(r.value, r.label) for r in Role if r != Role.COMMITTEE and r in BUSINESS_ROLES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        # A post without these fields (the page shows them; a script may not send them) keeps
        # their values; the page marks that its check boxes were shown, so none ticked is [].
        for name in ("password_max_age_days", "password_history", "token_days"):
            if name not in self.data and name in self.initial:
                self.errors.pop(name, None)
                data[name] = self.initial[name]
        if "otp_roles" not in self.data and "otp_roles_shown" not in self.data:
            data["otp_roles"] = list(self.initial.get("otp_roles") or [])
        return data

    # --- end passwords, API tokens, second factor ---

    FIELDS = [
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

    @classmethod
    def initial_for(cls, policy) -> dict:
        return {name: getattr(policy, name) for name in cls.FIELDS}
