"""`{% org_tree nodes %}`: party organisations as nested lists, each linking to its page with its
kind and number of members (the party organisations list, a unit's page).

Built in Python rather than by a template including itself per node: a page of the list holds
whole trees, some 160 organisations, and the include, the address and the plural of each node
were most of the page's time."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

register = template.Library()

_PK = 2_147_483_647  # reversed once in place of each organisation's key


@register.simple_tag
def org_tree(nodes) -> SafeString:
    """`nodes` as `build_tree` makes them: {"item": PartyOrg, "children": [nodes]}."""
    detail = reverse("registry:partyorg_detail", args=[_PK])

    def members(org) -> SafeString | str:
        n = getattr(org, "member_count", None)
        if n is None:
            return ""
        text = ngettext("%(n)s 名党员", "%(n)s 名党员", n) % {"n": n}
        return format_html('<span class="muted small">{}</span>', text)

    def branch(level) -> SafeString:
        return format_html(
            '<ul class="tree">{}</ul>',
            format_html_join(
                "",
                '<li><div class="tree__node"><a class="tree__name" href="{}">{}</a> '
                '<span class="badge">{}</span> {}</div>{}</li>',
                (
                    (
                        detail.replace(str(_PK), str(node["item"].pk)),
                        node["item"].name,
                        node["item"].get_kind_display(),
                        members(node["item"]),
                        branch(node["children"]) if node["children"] else "",
                    )
                    for node in level
                ),
            ),
        )

    return branch(nodes)
