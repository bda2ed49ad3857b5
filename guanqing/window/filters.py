"""FilterSets of the service window's lists (pages and API)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.registry.models import Unit
from guanqing.window.models import ApprovalItem


class CatalogueFilter(django_filters.FilterSet):
    """The catalogue: by unit, and a search over the codes and names of items and matters."""

    q = django_filters.CharFilter(method="search", label=_("事项或办理项名称、编码"))
    unit = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.filter(approval_items__isnull=False).distinct(), label=_("单位")
    )

    class Meta:
        model = ApprovalItem
        fields = ["q", "unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        matching = Q(code__icontains=value) | Q(name__icontains=value)
        matching |= Q(matters__code__icontains=value) | Q(matters__name__icontains=value)
        return queryset.filter(pk__in=ApprovalItem.objects.filter(matching).values("pk"))
