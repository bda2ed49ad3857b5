"""The access tables (`<app>/access.py`) against the pages.

Three checks, so that neither a wrong table nor a forgotten page can pass:
1. every view mounted under a URL says who may open it (an access rule, `@signed_in` or `@public`);
2. the hand-written critical cells of `test_ui_matrix.PAGES` agree with the tables (the roles that
   get a page are exactly the roles its rule names);
3. every page without URL arguments is requested by every role, and answers as its rule says:
   the matrix grows by itself when an app adds a page.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from guanqing.conftest import client_for
from guanqing.core import access
from guanqing.core.roles import Role
from guanqing.core.tests.test_ui_matrix import PAGES, PUBLIC_PAGES, ROLES

# Mounted by libraries, not by a Guanqing app: the language switch, the API (whose permissions are
# the viewsets' and are checked by the API matrices) and the schema and its documentation.
NOT_PAGES = ("i18n/", "api/")


def _walk(patterns, prefix=""):
    for item in patterns:
        if isinstance(item, URLResolver):
            yield from _walk(item.url_patterns, prefix + str(item.pattern))
        elif isinstance(item, URLPattern):
            yield prefix + str(item.pattern), item


def page_patterns() -> list[tuple[str, URLPattern]]:
    return [
        (route, pattern)
        for route, pattern in _walk(get_resolver().url_patterns)
        if not route.startswith(NOT_PAGES)
    ]


def _mark(callback) -> str | None:
    return getattr(callback, "access", None)


def test_every_page_says_who_may_open_it():
    unmarked = [
        f"/{route} ({pattern.lookup_str})"
        for route, pattern in page_patterns()
        if _mark(pattern.callback) is None
    ]
    assert not unmarked, "pages without @access.page / @signed_in / @public:\n" + "\n".join(
        unmarked
    )


def test_every_mark_names_a_rule_that_exists():
    for _route, pattern in page_patterns():
        mark = _mark(pattern.callback)
        if mark not in (None, access.SIGNED_IN, access.PUBLIC):
            access.rule(mark)  # LookupError names the missing rule


@pytest.mark.parametrize("page", list(PAGES))
def test_critical_cells_agree_with_the_tables(page):
    mark = _mark(resolve(page).func)
    opened_by = {
        Role(role) for role, status in zip(ROLES, PAGES[page], strict=True) if status != 403
    }
    if mark == access.SIGNED_IN:
        assert opened_by == set(Role)
    else:
        assert mark not in (None, access.PUBLIC), page
        assert access.rule(mark).roles == opened_by, page


@pytest.mark.parametrize("page", list(PUBLIC_PAGES))
def test_public_pages_are_marked_public(page):
    assert _mark(resolve(page).func) == access.PUBLIC


def _plain_get_pages() -> list[tuple[str, str]]:
    """(path, mark) of every page without URL arguments."""
    found = []
    for route, pattern in page_patterns():
        if pattern.pattern.converters or "<" in route:
            continue
        mark = _mark(pattern.callback)
        if mark is None or mark == access.PUBLIC:
            continue
        found.append(("/" + route, mark))
    return sorted(found)


def test_the_generated_matrix_covers_the_critical_pages():
    generated = {path for path, _ in _plain_get_pages()}
    plain_critical = {page for page in PAGES if not resolve(page).kwargs}
    assert plain_critical <= generated


@pytest.mark.parametrize("role", ROLES)
def test_every_plain_page_answers_each_role_as_its_rule_says(world, official_calendar, role):
    user = getattr(world.users, role)
    client = client_for(user)
    wrong = []
    for path, mark in _plain_get_pages():
        allowed = mark == access.SIGNED_IN or access.allows(user, mark)
        status = client.get(path).status_code
        # An allowed page may still refuse GET (405: a form that only posts) or send the user on
        # (302); a refused one is always a 403 from the rule.
        ok = status in (200, 302, 405) if allowed else status == 403
        if not ok:
            wrong.append(f"{path} [{mark}]: {status}")
    assert not wrong, "\n".join(wrong)
