"""Division pages: the tree of 区县 / 街道 / 社区, and a filtered list."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from guanqing.core.ui.htmx import paginate, render_page
from guanqing.registry import selectors
from guanqing.registry.filters import (
    DivisionFilter,
)
from guanqing.registry.models import Division
from guanqing.registry.views_common import (
    filterset_for,
    has_filters,
    registry_page,
    tidy_filter_form,
)


@registry_page("read")
def division_list(request):
    base = Division.objects.visible_to(request.user).select_related("successor", "parent")
    if request.GET.get("children_of"):
        return _division_children(request, base, request.GET["children_of"])
    filterset, qs = filterset_for(DivisionFilter, request, base)
    filtered = has_filters(request, ["q", "level", "parent", "current"])
    tidy_filter_form(filterset.form)
    context = {"filterset": filterset, "filtered": filtered}
    if filtered:
        page = paginate(request, qs)
        context.update(page_obj=page, rows=page.object_list)
    else:
        # The tree starts collapsed at the districts; a district's streets, and a street's
        # communities, are loaded when it is opened (see _division_children).
        roots = _with_child_count(request, base.filter(parent__isnull=True))
        page = paginate(request, roots)
        context.update(page_obj=page, nodes=page.object_list)
    return render_page(
        request, "registry/division_list.html", "registry/partials/division_results.html", context
    )


def _with_child_count(request, queryset):
    children = Division.objects.visible_to(request.user)
    return queryset.annotate(child_count=selectors.visible_count(children, "parent"))


def _division_children(request, base, pk):
    """The direct children of one division, as tree nodes (asked for when a node is opened)."""
    try:
        parent = get_object_or_404(base, pk=int(pk))
    except ValueError:
        raise Http404 from None
    nodes = _with_child_count(request, base.filter(parent=parent))
    return render(request, "includes/division_tree.html", {"nodes": nodes, "parent": parent})
