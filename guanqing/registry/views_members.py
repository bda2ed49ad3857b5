"""Member pages, and the audited reveal of a full ID number (members, households, people)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanqing.core.policy import request_policy
from guanqing.core.roles import Role
from guanqing.core.services import ScopeError
from guanqing.core.ui.htmx import paginate, render_page
from guanqing.registry import services
from guanqing.registry.filters import (
    MemberPageFilter,
)
from guanqing.registry.forms import (
    MemberForm,
)
from guanqing.registry.models import Household, Member, Person
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
# Members
# ---------------------------------------------------------------------------------------------


@registry_page("read")
def member_list(request):
    base = Member.objects.visible_to(request.user).select_related(
        "unit", "branch", "home_community"
    )
    filterset, qs = filterset_for(MemberPageFilter, request, base)
    filterset.form.fields.pop("home_community", None)
    page = paginate(request, qs)
    mask_rows(request, page.object_list)
    tidy_filter_form(filterset.form)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "rows": page.object_list,
        "can_create": may(request, "create_member"),
    }
    return render_page(
        request, "registry/member_list.html", "registry/partials/member_results.html", context
    )


@registry_page("read")
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
        "can_edit": can_edit(request, member),
        "links_orgs": may(request, "business"),
    }
    return render(request, "registry/member_detail.html", context)


@registry_page("create_member")
def member_create(request):
    initial = {"unit": request.user.unit_id} if request.user.role == Role.UNIT_ADMIN else {}
    form = MemberForm(request.POST or None, user=request.user, initial=initial)
    done = submit(
        request,
        form,
        lambda data: services.member_create(actor=request.user, **data),
        message=lambda member: _("已登记党员“%(name)s”") % {"name": member.name},
        then="registry:member_detail",
    )
    if done:
        return done
    return render(request, "registry/form.html", form_context(form, _("登记党员"), "member"))


@registry_page("read")
def member_edit(request, pk):
    member = editable_or_error(request, Member.objects, pk)
    initial = {"masked_id": services.masked(member, request_policy(request))}
    form = MemberForm(request.POST or None, instance=member, user=request.user, initial=initial)
    done = submit(
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
        request, "registry/form.html", form_context(form, _("修改党员信息"), "member", obj=member)
    )


# ---------------------------------------------------------------------------------------------
# Revealing a full ID number (audited)
# ---------------------------------------------------------------------------------------------

REVEALABLE = {"member": Member, "household": Household, "person": Person}


@registry_page("read")
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
