"""The audit log's FilterSet, shared by the audit page and /api/v1/audit-events/."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.core.audit.labels import type_label
from guanqing.core.daterange import start_of
from guanqing.core.models import AuditAction, AuditEvent


class AuditFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("since"), data.get("until")
        if start and end and start > end:
            self.add_error("until", _("截止日期不能早于起始日期"))
        return data


ip_prefix = RegexValidator(
    r"^[0-9A-Fa-f:.]{1,45}$",
    gettext_lazy(gettext_lazy("IP 地址或其开头部分，如 10.1.")),
)


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(
        field_name="actor_username", lookup_expr="icontains", label=gettext_lazy("操作账号")
    )
    action = django_filters.ChoiceFilter(
        choices=AuditAction.choices, label=gettext_lazy("操作"), empty_label=gettext_lazy("全部")
    )
    object_type = django_filters.ChoiceFilter(
        choices=[], label=gettext_lazy("对象类型"), empty_label=gettext_lazy("全部")
    )
    object_id = django_filters.CharFilter(label=gettext_lazy("对象编号"))
    since = django_filters.DateFilter(
        method="since_date",
        label=gettext_lazy("起始日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        method="until_date",
        label=gettext_lazy("截止日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ip = django_filters.CharFilter(
        field_name="ip_address",
        lookup_expr="startswith",
        label=gettext_lazy("IP 地址"),
        validators=[ip_prefix],
    )

    class Meta:
        model = AuditEvent
        form = AuditFilterForm
        fields = ["actor", "action", "object_type", "object_id", "since", "until", "ip"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = (
            self.queryset.exclude(object_type="")
            .order_by("object_type")
            .values_list("object_type", flat=True)
            .distinct()
        )
        object_type = self.filters["object_type"]
        object_type.extra["choices"] = [(t, type_label(t)) for t in types]
        # A form field built earlier (the OpenAPI schema builds one) would keep the old choices.
        object_type.__dict__.pop("_field", None)

    def since_date(self, queryset, name, value):
        return queryset.filter(at__gte=start_of(value))

    def until_date(self, queryset, name, value):
        return queryset.filter(at__lt=start_of(value + datetime.timedelta(days=1)))
