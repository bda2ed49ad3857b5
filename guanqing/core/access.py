"""Who may do what, declared once per app and read by pages, API, menu, home page and tests.

Each app writes one table in `<app>/access.py`:

    access = AccessTable("wishes", {
        "wall": allow(Role.COMMITTEE, Role.MEMBER, …, denied=_("您的角色不使用微心愿")),
        "claim": allow(Role.MEMBER, denied=_("只有党员认领心愿")),
    })

and uses it everywhere a role decides something:

- a page: `@access.page("wall")` (sign-in, then 403 with the rule's message for other roles);
- an API viewset: `access = access` and `access_rule = "wall"` (or `action_access = {"claim":
  "claim"}` per action) on a `ScopedViewSet`; `RoleAllowed` answers 403 for the other roles;
- a service: `access.check(actor, "claim")`;
- a template: `{% if request.user|may:"wishes.claim" %}`;
- a menu entry or home section: `rule="wishes.claim"`.

Pages open to everyone signed in use `@signed_in`, pages without an account `@public`. Every view
mounted under a URL carries one of the three marks, and a test fails on a view that has none, so a
new page cannot forget to say who may open it. What a role may *see* once in is the data scope
(`core/scope`), not this table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from guanqing.core.roles import Role

ROLE_FORBIDDEN = gettext_lazy("您的角色不能使用此功能")

# The marks a view carries (`view.access`): "app.rule", or one of these two.
SIGNED_IN = "signed-in"
PUBLIC = "public"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    denied: str = ROLE_FORBIDDEN  # the 403's message for the other roles

    def allows(self, user) -> bool:
        return (
            user is not None
            and getattr(user, "is_authenticated", False)
            and getattr(user, "is_active", False)
            and getattr(user, "role", None) in self.roles
        )


def allow(*roles: Role | Iterable[Role], denied=ROLE_FORBIDDEN) -> Rule:
    """A rule for the roles given (each a Role, or an iterable of them)."""
    flat: set[Role] = set()
    for role in roles:
        if isinstance(role, str):
            flat.add(Role(role))
        else:
            flat.update(Role(r) for r in role)
    return Rule(frozenset(flat), denied)


_tables: dict[str, AccessTable] = {}


class AccessTable:
    """The rules of one app: rule name -> Rule. Registered under the app's label on creation."""

    def __init__(self, app: str, rules: dict[str, Rule]):
        self.app = app
        self.rules = dict(rules)
        _tables[app] = self

    def __repr__(self) -> str:
        return f"<AccessTable {self.app}: {', '.join(self.rules)}>"

    def rule(self, name: str) -> Rule:
        try:
            return self.rules[name]
        except KeyError:
            raise LookupError(f"{self.app} has no access rule {name!r}") from None

    def roles(self, name: str) -> frozenset[Role]:
        return self.rule(name).roles

    def allows(self, user, name: str) -> bool:
        return self.rule(name).allows(user)

    def check(self, user, name: str) -> None:
        """Raise PermissionDenied (403, with the rule's message) unless `user` may do `name`."""
        rule = self.rule(name)
        if not rule.allows(user):
            raise PermissionDenied(rule.denied)

    def page(self, name: str) -> Callable:
        """Decorate a view: sign-in required, then the rule; marks the view for the tests."""
        self.rule(name)  # a misspelt rule fails at import, not at the first request

        def decorator(view):
            @login_required
            @wraps(view)
            def wrapper(request, *args, **kwargs):
                self.check(request.user, name)
                return view(request, *args, **kwargs)

            wrapper.access = f"{self.app}.{name}"
            return wrapper

        return decorator


def table(app: str) -> AccessTable:
    return _tables[app]


def tables() -> dict[str, AccessTable]:
    return dict(_tables)


def rule(key: str) -> Rule:
    """The rule called "app.name"."""
    app, _, name = key.partition(".")
    return table(app).rule(name)


def allows(user, key: str) -> bool:
    """May `user` do what the rule "app.name" guards?"""
    return rule(key).allows(user)


def signed_in(view):
    """A page for every signed-in user, whatever the role (what it shows is the data scope)."""
    wrapped = login_required(view)
    wrapped.access = SIGNED_IN
    return wrapped


def public(view):
    """A page that needs no account (a resident's one-time confirmation link)."""
    view.access = PUBLIC
    return view
