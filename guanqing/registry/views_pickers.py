"""The pickers' search (`registry.pickers`): at most PICK_LIMIT records of a kind's queryset for
the signed-in user. The kind names the queryset and the page rule; the browser names only the
kind, so nobody finds a record the form would not accept."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from guanqing.core import access as core_access
from guanqing.core.ids import parse_id
from guanqing.core.policy import request_policy
from guanqing.registry import pickers
from guanqing.registry.models import Member, PartyOrg, Unit
from guanqing.registry.services import masked
from guanqing.registry.views_common import registry_page


def _member_row(member, policy) -> dict:
    meta = [str(member.unit)]
    if member.branch_id:
        meta.append(str(member.branch))
    if member.id_number_hash:
        meta.append(masked(member, policy))
    return {
        "pk": member.pk,
        "name": member.name,
        "meta": " · ".join(meta),
        "label": pickers.label(member),
    }


def _division_row(division) -> dict:
    path = pickers.division_path(division)
    parents = path.rsplit(" ", 1)[0] if " " in path else ""
    return {
        "pk": division.pk,
        "name": division.name,
        "meta": " · ".join(filter(None, [parents, division.gb_code])),
        "label": path,
    }


def _unit_row(unit) -> dict:
    return {
        "pk": unit.pk,
        "name": unit.name,
        "meta": " · ".join(filter(None, [unit.short_name, unit.credit_code])),
        "label": pickers.label(unit),
    }


def _party_org_row(org) -> dict:
    return {
        "pk": org.pk,
        "name": org.name,
        "meta": " · ".join(filter(None, [str(org.unit or ""), org.get_kind_display()])),
        "label": pickers.label(org),
    }


ROWS = {Unit: _unit_row, PartyOrg: _party_org_row}


@registry_page("read")
@require_GET
def pick(request, kind: str):
    try:
        picker = pickers.kind(kind)
    except LookupError:
        raise Http404 from None
    if not core_access.allows(request.user, picker.rule):
        raise PermissionDenied(core_access.rule(picker.rule).denied)
    text = (request.GET.get("q") or "").strip()[:100]
    within = parse_id(request.GET.get("within"))
    found = pickers.search(picker, request.user, text, within=within) if text else []
    shown = found[: pickers.PICK_LIMIT]
    if picker.model is Member:
        policy = request_policy(request)
        rows = [_member_row(m, policy) for m in shown]
    else:
        row = pickers.SOURCES[picker.model].row or ROWS.get(picker.model, _division_row)
        rows = [row(record) for record in shown]
    return render(
        request,
        "registry/pickers/_results.html",
        {
            "rows": rows,
            "q": text,
            "limit": pickers.PICK_LIMIT,
            "more": len(found) > pickers.PICK_LIMIT,
        },
    )
