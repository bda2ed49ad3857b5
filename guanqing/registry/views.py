"""Registry pages: divisions, units, party organisations, members, households.

Every read starts from `visible_to(request.user)`: a record outside the user's scope answers 404
exactly like a missing one. Every write goes through guanqing.registry.services.
"""

from __future__ import annotations

from collections import defaultdict
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanqing.core.audit import labels as audit_labels
from guanqing.core.policy import request_policy
from guanqing.core.services import ScopeError
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page
from guanqing.core.ui.sections import sections_for
from guanqing.registry import selectors, services
from guanqing.registry.filters import (
    DivisionFilter,
    HouseholdFilter,
    MemberFilter,
    PartyOrgFilter,
    UnitFilter,
)
from guanqing.registry.forms import (
    PROFILE_FIELDS,
    HouseholdForm,
    MemberForm,
    PartyOrgForm,
    PersonForm,
    PersonFormSet,
    UnitForm,
)
from guanqing.registry.models import Division, Household, Member, PartyOrg, Person, Unit
from guanqing.registry.permissions import CREATE_ROLES

# Who may add records of each kind (the service functions enforce the same table).
CAN_CREATE = CREATE_ROLES


def _registry_view(*, system_admin: bool):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.sees_registry:
                raise PermissionDenied(_("您的角色不使用基础台账"))
            if user.is_system_admin and not system_admin:
                raise PermissionDenied(_("系统管理员只管理账号，不查看困难家庭和党组织"))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Signed-in users whose role works with the registry (not the security or audit admin). The
# system administrator reads units, members and divisions to bind accounts to them...
registry_view = _registry_view(system_admin=True)
# ...but households and party organisations are business data it has no use for.
business_view = _registry_view(system_admin=False)


def _require_create(request, kind: str) -> None:
    if request.user.role not in CAN_CREATE[kind]:
        raise PermissionDenied(_("您没有权限新增此类记录"))


def _editable_or_error(request, queryset, pk):
    """The record if the user may edit it; 404 if they cannot even see it, 403 if read-only."""
    obj = get_object_or_404(queryset.visible_to(request.user), pk=pk)
    if not queryset.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied(_("您只能查看、不能修改此记录"))
    return obj


def _can_edit(request, obj) -> bool:
    return type(obj).objects.editable_by(request.user).filter(pk=obj.pk).exists()


def _filterset(filter_class, request, queryset):
    filterset = filter_class(request.GET or None, queryset=queryset, request=request)
    return filterset, (filterset.qs if filterset.is_bound and filterset.is_valid() else queryset)


def _tidy_filter_form(form) -> None:
    """Selects start with 全部 (all) instead of dashes or 'unknown'."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.NullBooleanSelect):
            field.widget.choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]
        elif isinstance(field, forms.ModelChoiceField):
            field.empty_label = _("全部")
        elif isinstance(field, forms.ChoiceField):
            # django-filter's ChoiceField keeps its own empty choice in the widget's copy
            field.widget.choices = [("", _("全部"))] + [
                c for c in field.widget.choices if c[0] != ""
            ]


def _has_filters(request, names) -> bool:
    return any(request.GET.get(name) for name in names)


def _visible_count(queryset, field: str):
    """How many rows of `queryset` point at the outer row through `field`: one subquery, 0 if none.

    `queryset` is already scoped (visible_to), so a count never reveals rows outside the scope."""
    counts = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(c=Count("pk"))
        .values("c")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def _member_count(request, field: str):
    return _visible_count(Member.objects.visible_to(request.user), field)


def _mask_rows(request, rows) -> None:
    policy = request_policy(request)
    for row in rows:
        row.masked_id = services.masked(row, policy)


def _submit(request, form, save, *, message, then: str, pk=None):
    """On a valid POST, call the service (`save(data)`); its errors go next to their fields.

    On success, show `message` (text, or a function of the saved record) and go to the page named
    `then` for `pk` (default: the saved record). Returns that redirect, or None to show the form.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        obj = save(form.service_data())
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, message(obj) if callable(message) else message)
    return redirect(then, pk=pk if pk is not None else obj.pk)


# ---------------------------------------------------------------------------------------------
# Divisions
# ---------------------------------------------------------------------------------------------


@registry_view
def division_list(request):
    base = Division.objects.visible_to(request.user).select_related("successor", "parent")
    if request.GET.get("children_of"):
        return _division_children(request, base, request.GET["children_of"])
    filterset, qs = _filterset(DivisionFilter, request, base)
    filtered = _has_filters(request, ["q", "level", "parent", "current"])
    _tidy_filter_form(filterset.form)
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
    return queryset.annotate(child_count=_visible_count(children, "parent"))


def _division_children(request, base, pk):
    """The direct children of one division, as tree nodes (asked for when a node is opened)."""
    try:
        parent = get_object_or_404(base, pk=int(pk))
    except ValueError:
        raise Http404 from None
    nodes = _with_child_count(request, base.filter(parent=parent))
    return render(request, "includes/division_tree.html", {"nodes": nodes, "parent": parent})


def _build_tree(roots, children):
    def node(item):
        return {"item": item, "children": [node(c) for c in children.get(item.pk, [])]}

    return [node(r) for r in roots]


# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------


@registry_view
def unit_list(request):
    base = (
        Unit.objects.visible_to(request.user)
        .annotate(
            member_count=_member_count(request, "unit"),
            org_count=_visible_count(PartyOrg.objects.visible_to(request.user), "unit"),
        )
        .order_by("sort_order", "name")
    )
    filterset, qs = _filterset(UnitFilter, request, base)
    page = paginate(request, qs)
    _tidy_filter_form(filterset.form)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "rows": page.object_list,
        "can_create": request.user.role in CAN_CREATE["unit"],
    }
    return render_page(
        request, "registry/unit_list.html", "registry/partials/unit_results.html", context
    )


@registry_view
def unit_detail(request, pk):
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    shows_orgs = not request.user.is_system_admin
    orgs = (
        list(
            PartyOrg.objects.visible_to(request.user)
            .filter(unit=unit)
            .annotate(member_count=_member_count(request, "branch"))
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
        "can_edit": _can_edit(request, unit),
        "can_add_org": request.user.is_committee
        or (request.user.role == "unit_admin" and request.user.unit_id == unit.pk),
    }
    return render(request, "registry/unit_detail.html", context)


@registry_view
def unit_create(request):
    _require_create(request, "unit")
    form = UnitForm(request.POST or None)
    done = _submit(
        request,
        form,
        lambda data: services.unit_create(actor=request.user, **data),
        message=lambda unit: _("已新增单位“%(name)s”") % {"name": unit.name},
        then="registry:unit_detail",
    )
    if done:
        return done
    return render(request, "registry/form.html", _form_context(form, _("新增单位"), "unit"))


@registry_view
def unit_edit(request, pk):
    unit = _editable_or_error(request, Unit.objects, pk)
    form = UnitForm(request.POST or None, instance=unit)
    done = _submit(
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
        request, "registry/form.html", _form_context(form, _("修改单位"), "unit", obj=unit)
    )


def _form_context(form, title, kind, obj=None, **extra):
    return {"form": form, "title": title, "kind": kind, "obj": obj, **extra}


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
    return _build_tree(roots, children)


# Party organisations are listed by owner (a unit, or a village): a page holds whole trees.
OWNERS_PER_PAGE = 20


@business_view
def partyorg_list(request):
    base = PartyOrg.objects.visible_to(request.user)
    filterset, qs = _filterset(PartyOrgFilter, request, base)
    filterset.form.fields["unit"] = forms.ModelChoiceField(
        queryset=Unit.objects.visible_to(request.user),
        required=False,
        label=filterset.form.fields["unit"].label,
        to_field_name="pk",
    )
    # One row per owner, units first (in their sort order), then villages by division code.
    owners = (
        qs.order_by(
            F("unit__sort_order").asc(nulls_last=True), "unit__name", "unit_id", "division__code"
        )
        .values("unit_id", "division_id")
        .distinct()
    )
    page = paginate(request, owners, per_page=OWNERS_PER_PAGE)
    keys = [(o["unit_id"], o["division_id"]) for o in page.object_list]
    unit_ids = [u for u, _d in keys if u]
    division_ids = [d for u, d in keys if not u]
    orgs = (
        qs.filter(Q(unit_id__in=unit_ids) | Q(division_id__in=division_ids))
        .select_related("unit", "division", "division__parent")
        .annotate(member_count=_member_count(request, "branch"))
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
    _tidy_filter_form(filterset.form)
    context = {
        "filterset": filterset,
        "groups": group_list,
        "page_obj": page,
        "total": qs.count(),
        "hide_page_size": True,
        "can_create": request.user.role in CAN_CREATE["partyorg"],
    }
    return render_page(
        request, "registry/partyorg_list.html", "registry/partials/partyorg_results.html", context
    )


@business_view
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
        "can_edit": _can_edit(request, org),
    }
    return render(request, "registry/partyorg_detail.html", context)


@business_view
def partyorg_create(request):
    _require_create(request, "partyorg")
    initial = {}
    if request.GET.get("unit"):
        initial["unit"] = request.GET["unit"]
    if request.GET.get("parent"):
        initial["parent"] = request.GET["parent"]
    form = PartyOrgForm(request.POST or None, user=request.user, initial=initial)
    done = _submit(
        request,
        form,
        lambda data: services.party_org_create(actor=request.user, **data),
        message=lambda org: _("已新增党组织“%(name)s”") % {"name": org.name},
        then="registry:partyorg_detail",
    )
    if done:
        return done
    return render(request, "registry/form.html", _form_context(form, _("新增党组织"), "partyorg"))


@business_view
def partyorg_edit(request, pk):
    org = _editable_or_error(request, PartyOrg.objects, pk)
    form = PartyOrgForm(request.POST or None, instance=org, user=request.user)
    done = _submit(
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
        request, "registry/form.html", _form_context(form, _("修改党组织"), "partyorg", obj=org)
    )


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------


@registry_view
def member_list(request):
    base = Member.objects.visible_to(request.user).select_related(
        "unit", "branch", "home_community"
    )
    filterset, qs = _filterset(MemberFilter, request, base)
    filterset.form.fields["unit"] = forms.ModelChoiceField(
        queryset=Unit.objects.visible_to(request.user),
        required=False,
        label=filterset.form.fields["unit"].label,
    )
    filterset.form.fields.pop("home_community", None)
    page = paginate(request, qs)
    _mask_rows(request, page.object_list)
    _tidy_filter_form(filterset.form)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "rows": page.object_list,
        "can_create": request.user.role in CAN_CREATE["member"],
    }
    return render_page(
        request, "registry/member_list.html", "registry/partials/member_results.html", context
    )


@registry_view
def member_detail(request, pk):
    member = get_object_or_404(
        Member.objects.visible_to(request.user).select_related(
            "unit", "branch", "home_community", "home_community__parent"
        ),
        pk=pk,
    )
    member.masked_id = services.masked(member, request_policy(request))
    context = {
        "member": member,
        "can_edit": _can_edit(request, member),
        "links_orgs": not request.user.is_system_admin,
    }
    return render(request, "registry/member_detail.html", context)


@registry_view
def member_create(request):
    _require_create(request, "member")
    initial = {"unit": request.user.unit_id} if request.user.role == "unit_admin" else {}
    form = MemberForm(request.POST or None, user=request.user, initial=initial)
    done = _submit(
        request,
        form,
        lambda data: services.member_create(actor=request.user, **data),
        message=lambda member: _("已登记党员“%(name)s”") % {"name": member.name},
        then="registry:member_detail",
    )
    if done:
        return done
    return render(request, "registry/form.html", _form_context(form, _("登记党员"), "member"))


@registry_view
def member_edit(request, pk):
    member = _editable_or_error(request, Member.objects, pk)
    initial = {"masked_id": services.masked(member, request_policy(request))}
    form = MemberForm(request.POST or None, instance=member, user=request.user, initial=initial)
    done = _submit(
        request,
        form,
        lambda data: services.member_update(actor=request.user, member=member, **data),
        message=_("已保存"),
        then="registry:member_detail",
        pk=member.pk,
    )
    if done:
        return done
    return render(
        request, "registry/form.html", _form_context(form, _("修改党员信息"), "member", obj=member)
    )


# ---------------------------------------------------------------------------------------------
# Households and people
# ---------------------------------------------------------------------------------------------


@business_view
def household_list(request):
    base = (
        Household.objects.visible_to(request.user)
        .select_related("community", "community__parent")
        .annotate(people_count=Count("people"))
        .order_by("community__code", "id")
    )
    filterset, qs = _filterset(HouseholdFilter, request, base)
    districts = Division.objects.districts().current()
    filterset.form.fields["district"] = forms.ChoiceField(
        choices=[("", _("全部区县"))] + [(d.code[:6], d.name) for d in districts],
        required=False,
        label=_("区县"),
    )
    filterset.form.fields.pop("community", None)
    page = paginate(request, qs)
    _mask_rows(request, page.object_list)
    _tidy_filter_form(filterset.form)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "rows": page.object_list,
        "can_create": request.user.role in CAN_CREATE["household"],
    }
    return render_page(
        request, "registry/household_list.html", "registry/partials/household_results.html", context
    )


OBJECT_LABELS = {
    "registry.household": gettext_lazy("家庭"),
    "registry.person": gettext_lazy("家庭成员"),
}


def _timeline_rows(household, limit=100):
    rows = []
    for event in selectors.household_timeline(household).select_related("actor")[:limit]:
        rows.append(
            {
                "event": event,
                "who": str(event.actor) if event.actor else (event.actor_username or _("系统")),
                "username": event.actor_username,
                "object_label": OBJECT_LABELS.get(event.object_type, event.object_type),
                "changes": audit_labels.change_rows(event),
                "message": audit_labels.message_label(event.message),
            }
        )
    return rows


@business_view
def household_detail(request, pk):
    household = get_object_or_404(
        Household.objects.visible_to(request.user).select_related(
            "community", "community__parent", "community__parent__parent"
        ),
        pk=pk,
    )
    policy = request_policy(request)
    household.masked_id = services.masked(household, policy)
    people = list(household.people.all())
    _mask_rows(request, people)
    profile = [
        {"label": Household._meta.get_field(name).verbose_name, "value": getattr(household, name)}
        for name in PROFILE_FIELDS
    ]
    context = {
        "household": household,
        "people": people,
        "profile": profile,
        "timeline": _timeline_rows(household),
        "can_edit": _can_edit(request, household),
        "sections": sections_for("household_detail", request, household),
    }
    return render(request, "registry/household_detail.html", context)


@business_view
def household_create(request):
    _require_create(request, "household")
    initial = {}
    if request.user.role == "community_worker":
        initial["community"] = request.user.community_id
    form = HouseholdForm(request.POST or None, user=request.user, initial=initial)
    formset = PersonFormSet(request.POST or None, prefix="people")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        filled = [f for f in formset.forms if f.has_changed()]
        people = [f.service_data() for f in filled]
        try:
            household = services.household_create(
                actor=request.user, people=people, **form.service_data()
            )
        except ValidationError as exc:
            prefix_map = {f"people[{i}].": f for i, f in enumerate(filled)}
            add_service_errors(form, exc, prefix_map=prefix_map)
        else:
            messages.success(request, _("已登记困难家庭“%(name)s”") % {"name": household.head_name})
            return redirect("registry:household_detail", pk=household.pk)
    context = _form_context(form, _("登记困难家庭"), "household", formset=formset)
    return render(request, "registry/household_form.html", context)


@business_view
def household_edit(request, pk):
    household = _editable_or_error(request, Household.objects, pk)
    initial = {"masked_id": services.masked(household, request_policy(request))}
    form = HouseholdForm(
        request.POST or None, instance=household, user=request.user, initial=initial
    )
    done = _submit(
        request,
        form,
        lambda data: services.household_update(actor=request.user, household=household, **data),
        message=_("已保存"),
        then="registry:household_detail",
        pk=household.pk,
    )
    if done:
        return done
    context = _form_context(form, _("修改困难家庭"), "household", obj=household)
    return render(request, "registry/household_form.html", context)


@business_view
def person_add(request, pk):
    household = _editable_or_error(request, Household.objects, pk)
    form = PersonForm(request.POST or None)
    done = _submit(
        request,
        form,
        lambda data: services.person_add(actor=request.user, household=household, **data),
        message=_("已添加家庭成员"),
        then="registry:household_detail",
        pk=household.pk,
    )
    if done:
        return done
    context = _form_context(form, _("添加家庭成员"), "person", household=household)
    return render(request, "registry/form.html", context)


@business_view
def person_edit(request, pk):
    person = _editable_or_error(request, Person.objects, pk)
    household = person.household
    initial = {"masked_id": services.masked(person, request_policy(request))}
    form = PersonForm(request.POST or None, instance=person, initial=initial)
    done = _submit(
        request,
        form,
        lambda data: services.person_update(actor=request.user, person=person, **data),
        message=_("已保存"),
        then="registry:household_detail",
        pk=household.pk,
    )
    if done:
        return done
    context = _form_context(form, _("修改家庭成员"), "person", obj=person, household=household)
    return render(request, "registry/form.html", context)


@business_view
@require_POST
def person_remove(request, pk):
    person = _editable_or_error(request, Person.objects, pk)
    household = person.household
    services.person_remove(actor=request.user, person=person, reason=request.POST.get("reason", ""))
    messages.success(request, _("已移除家庭成员“%(name)s”") % {"name": person.name})
    return redirect("registry:household_detail", pk=household.pk)


# ---------------------------------------------------------------------------------------------
# Revealing a full ID number (audited)
# ---------------------------------------------------------------------------------------------

REVEALABLE = {"member": Member, "household": Household, "person": Person}


@registry_view
@require_POST
def reveal_id_number(request, kind, pk):
    model = REVEALABLE.get(kind)
    if model is None:
        raise Http404
    obj = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    try:
        number = services.id_number_reveal(actor=request.user, obj=obj)
    except ScopeError:
        response = render(
            request, "registry/partials/reveal_denied.html", {"obj": obj, "kind": kind}
        )
        response.status_code = 403
        return response
    return render(request, "registry/partials/reveal_done.html", {"number": number, "obj": obj})
