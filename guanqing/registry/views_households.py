"""Household pages: the list, the 五清 profile with its timeline, people of a household."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanqing.core.policy import request_policy
from guanqing.core.roles import Role
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page
from guanqing.core.ui.sections import sections_for
from guanqing.registry import selectors, services
from guanqing.registry.filters import (
    HouseholdFilter,
)
from guanqing.registry.forms import (
    PROFILE_FIELDS,
    HouseholdForm,
    PersonForm,
    PersonFormSet,
)
from guanqing.registry.models import Division, Household, Person
from guanqing.registry.views_common import (
    can_edit,
    editable_or_error,
    filterset_for,
    form_context,
    mask_rows,
    may,
    registry_page,
    submit,
    tidy_filter_form,
)

# ---------------------------------------------------------------------------------------------
# Households and people
# ---------------------------------------------------------------------------------------------


@registry_page("business")
def household_list(request):
    base = (
        Household.objects.visible_to(request.user)
        .select_related("community", "community__parent")
        # a subquery per row shown, not a join grouped over every household: the list's count
        # and its page's keys then read the households alone
        .annotate(people_count=selectors.visible_count(Person.objects.all(), "household"))
        .order_by("community__code", "id")
    )
    filterset, qs = filterset_for(HouseholdFilter, request, base)
    districts = Division.objects.districts().current()
    filterset.form.fields["district"] = forms.ChoiceField(
        choices=[("", _("全部区县"))] + [(d.code[:6], d.name) for d in districts],
        required=False,
        label=_("区县"),
    )
    filterset.form.fields.pop("community", None)
    page = paginate(request, qs)
    mask_rows(request, page.object_list)
    tidy_filter_form(filterset.form)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "rows": page.object_list,
        "can_create": may(request, "create_household"),
    }
    return render_page(
        request, "registry/household_list.html", "registry/partials/household_results.html", context
    )


@registry_page("business")
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
    mask_rows(request, people)
    profile = [
        {"label": Household._meta.get_field(name).verbose_name, "value": getattr(household, name)}
        for name in PROFILE_FIELDS
    ]
    context = {
        "household": household,
        "people": people,
        "profile": profile,
        "timeline": selectors.household_timeline_rows(household),
        "can_edit": can_edit(request, household),
        "sections": sections_for("household_detail", request, household),
    }
    return render(request, "registry/household_detail.html", context)


@registry_page("create_household")
def household_create(request):
    initial = {}
    if request.user.role == Role.COMMUNITY_WORKER:
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
    context = form_context(form, _("登记困难家庭"), "household", formset=formset)
    return render(request, "registry/household_form.html", context)


@registry_page("business")
def household_edit(request, pk):
    household = editable_or_error(request, Household.objects, pk)
    initial = {"masked_id": services.masked(household, request_policy(request))}
    form = HouseholdForm(
        request.POST or None, instance=household, user=request.user, initial=initial
    )
    done = submit(
        request,
        form,
        lambda data: services.household_update(actor=request.user, household=household, **data),
        message=_("已保存"),
        then="registry:household_detail",
        pk=household.pk,
    )
    if done:
        return done
    context = form_context(form, _("修改困难家庭"), "household", obj=household)
    return render(request, "registry/household_form.html", context)


@registry_page("business")
def person_add(request, pk):
    household = editable_or_error(request, Household.objects, pk)
    form = PersonForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: services.person_add(actor=request.user, household=household, **data),
        message=_("已添加家庭成员"),
        then="registry:household_detail",
        pk=household.pk,
    )
    if done:
        return done
    context = form_context(form, _("添加家庭成员"), "person", household=household)
    return render(request, "registry/form.html", context)


@registry_page("business")
def person_edit(request, pk):
    person = editable_or_error(request, Person.objects, pk)
    household = person.household
    initial = {"masked_id": services.masked(person, request_policy(request))}
    form = PersonForm(request.POST or None, instance=person, initial=initial)
    done = submit(
        request,
        form,
        lambda data: services.person_update(actor=request.user, person=person, **data),
        message=_("已保存"),
        then="registry:household_detail",
        pk=household.pk,
    )
    if done:
        return done
    context = form_context(form, _("修改家庭成员"), "person", obj=person, household=household)
    return render(request, "registry/form.html", context)


@registry_page("business")
@require_POST
def person_remove(request, pk):
    person = editable_or_error(request, Person.objects, pk)
    household = person.household
    services.person_remove(actor=request.user, person=person, reason=request.POST.get("reason", ""))
    messages.success(request, _("已移除家庭成员“%(name)s”") % {"name": person.name})
    return redirect("registry:household_detail", pk=household.pk)
