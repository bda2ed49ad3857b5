"""Unit and party organisation pages."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from guanqing.core.roles import Role
from guanqing.core.ui.htmx import paginate, render_page
from guanqing.registry import selectors, services
from guanqing.registry.filters import (
    PartyOrgPageFilter,
    UnitFilter,
)
from guanqing.registry.forms import (
    PartyOrgForm,
    UnitForm,
)
from guanqing.registry.models import Member, PartyOrg, Unit
from guanqing.registry.views_common import (
    build_tree,
    can_edit,
    editable_or_error,
    filterset_for,
    form_context,
    may,
    member_count,
    registry_page,
    submit,
    tidy_filter_form,
)

# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------


@registry_page("read")
def unit_list(request):
    base = (
        Unit.objects.visible_to(request.user)
        .annotate(
            member_count=member_count(request, "unit"),
            org_count=selectors.visible_count(PartyOrg.objects.visible_to(request.user), "unit"),
        )
        .order_by("sort_order", "name")
    )
    filterset, qs = filterset_for(UnitFilter, request, base)
    page = paginate(request, qs)
    tidy_filter_form(filterset.form)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "rows": page.object_list,
        "can_create": may(request, "create_unit"),
    }
    return render_page(
        request, "registry/unit_list.html", "registry/partials/unit_results.html", context
    )


@registry_page("read")
def unit_detail(request, pk):
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    shows_orgs = may(request, "business")
    orgs = (
        list(
            PartyOrg.objects.visible_to(request.user)
            .filter(unit=unit)
            .annotate(member_count=member_count(request, "branch"))
        )
        if shows_orgs
        else []
    )
    members = Member.objects.visible_to(request.user).filter(unit=unit)
    context = {
        "unit": unit,
        "org_tree": _org_tree(orgs),
        "shows_orgs": shows_orgs,
        "member_count": members.count(),
        "can_edit": can_edit(request, unit),
        # a unit administrator adds organisations to its own unit only
        "can_add_org": may(request, "create_partyorg")
        and (request.user.role != Role.UNIT_ADMIN or request.user.unit_id == unit.pk),
    }
    return render(request, "registry/unit_detail.html", context)


@registry_page("create_unit")
def unit_create(request):
    form = UnitForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: services.unit_create(actor=request.user, **data),
        message=lambda unit: _("已新增单位“%(name)s”") % {"name": unit.name},
        then="registry:unit_detail",
    )
    if done:
        return done
    return render(request, "registry/form.html", form_context(form, _("新增单位"), "unit"))


@registry_page("read")
def unit_edit(request, pk):
    unit = editable_or_error(request, Unit.objects, pk)
    form = UnitForm(request.POST or None, instance=unit)
    done = submit(
        request,
        form,
        lambda data: services.unit_update(actor=request.user, unit=unit, **data),
        message=_("已保存"),
        then="registry:unit_detail",
        pk=unit.pk,
    )
    if done:
        return done
    return render(
        request, "registry/form.html", form_context(form, _("修改单位"), "unit", obj=unit)
    )


# ---------------------------------------------------------------------------------------------
# Party organisations
# ---------------------------------------------------------------------------------------------


def _org_tree(orgs):
    """Nest organisations under their parents; one whose parent is not in the list is a root."""
    present = {o.pk for o in orgs}
    children = defaultdict(list)
    roots = []
    for org in orgs:
        if org.parent_id and org.parent_id in present:
            children[org.parent_id].append(org)
        else:
            roots.append(org)
    return build_tree(roots, children)


# Party organisations are listed by owner (a unit, or a village): a page holds whole trees.
OWNERS_PER_PAGE = 20


@registry_page("business")
def partyorg_list(request):
    base = PartyOrg.objects.visible_to(request.user)
    filterset, qs = filterset_for(PartyOrgPageFilter, request, base)
    # One row per owner, units first (in their sort order), then villages by division code.
    page = paginate(request, selectors.PartyOrgOwners(qs), per_page=OWNERS_PER_PAGE)
    keys = list(page.object_list)
    unit_ids = [u for u, _d in keys if u]
    division_ids = [d for u, d in keys if not u]
    orgs = (
        qs.filter(Q(unit_id__in=unit_ids) | Q(division_id__in=division_ids))
        .select_related("unit", "division", "division__parent")
        .annotate(member_count=member_count(request, "branch"))
        .order_by("id")
    )
    groups: dict[tuple, dict] = {
        key: {"owner": None, "is_village": not key[0], "orgs": []} for key in keys
    }
    for org in orgs:
        key = (org.unit_id, None) if org.unit_id else (None, org.division_id)
        group = groups.get(key)
        if group is not None:
            group["owner"] = org.unit if org.unit_id else org.division
            group["orgs"].append(org)
    group_list = []
    for group in groups.values():
        if group["owner"] is not None:
            group["tree"] = _org_tree(group["orgs"])
            group_list.append(group)
    tidy_filter_form(filterset.form)
    context = {
        "filterset": filterset,
        "groups": group_list,
        "page_obj": page,
        "total": qs.count(),
        "hide_page_size": True,
        "can_create": may(request, "create_partyorg"),
    }
    return render_page(
        request, "registry/partyorg_list.html", "registry/partials/partyorg_results.html", context
    )


@registry_page("business")
def partyorg_detail(request, pk):
    org = get_object_or_404(
        PartyOrg.objects.visible_to(request.user).select_related("unit", "division", "parent"),
        pk=pk,
    )
    members = (
        Member.objects.visible_to(request.user).filter(branch=org).select_related("unit")[:200]
    )
    children = PartyOrg.objects.visible_to(request.user).filter(parent=org)
    context = {
        "org": org,
        "members": members,
        "children": children,
        "can_edit": can_edit(request, org),
    }
    return render(request, "registry/partyorg_detail.html", context)


@registry_page("create_partyorg")
def partyorg_create(request):
    initial = {}
    if request.GET.get("unit"):
        initial["unit"] = request.GET["unit"]
    if request.GET.get("parent"):
        initial["parent"] = request.GET["parent"]
    form = PartyOrgForm(request.POST or None, user=request.user, initial=initial)
    done = submit(
        request,
        form,
        lambda data: services.party_org_create(actor=request.user, **data),
        message=lambda org: _("已新增党组织“%(name)s”") % {"name": org.name},
        then="registry:partyorg_detail",
    )
    if done:
        return done
    return render(request, "registry/form.html", form_context(form, _("新增党组织"), "partyorg"))


@registry_page("business")
def partyorg_edit(request, pk):
    org = editable_or_error(request, PartyOrg.objects, pk)
    form = PartyOrgForm(request.POST or None, instance=org, user=request.user)
    done = submit(
        request,
        form,
        lambda data: services.party_org_update(actor=request.user, org=org, **data),
        message=_("已保存"),
        then="registry:partyorg_detail",
        pk=org.pk,
    )
    if done:
        return done
    return render(
        request, "registry/form.html", form_context(form, _("修改党组织"), "partyorg", obj=org)
    )
