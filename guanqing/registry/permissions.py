"""Who may add registry records of each kind: one table for the services, pages and API."""

from __future__ import annotations

CREATE_ROLES: dict[str, frozenset[str]] = {
    "division": frozenset({"committee"}),
    "unit": frozenset({"committee"}),
    "partyorg": frozenset({"committee", "unit_admin"}),
    "member": frozenset({"committee", "unit_admin"}),
    "household": frozenset({"committee", "community_worker"}),
}


def may_create(user, kind: str) -> bool:
    return getattr(user, "role", None) in CREATE_ROLES[kind]
