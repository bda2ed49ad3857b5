"""Reads of the accounts app that pages, the API and the services must agree on: which account
requests a user sees, and the pending request of each account."""

from __future__ import annotations

from collections.abc import Iterable

from guanqing.accounts.models import AccountRequest, RequestKind, RequestStatus
from guanqing.core.roles import Role
from guanqing.core.scope.querysets import ScopedQuerySet, scope_rule


class AccountRequestQuerySet(ScopedQuerySet):
    """The security administrator decides the requests, so it sees them all; the system
    administrator asked for them and follows them (read-only, except withdrawing its own). Nobody
    else sees any: a request says who is to get which role, which is the administrators' business."""

    no_rows_for = frozenset(
        {
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            Role.COMMUNITY_WORKER,
            Role.WINDOW_CLERK,
            Role.FUND_OFFICER,
            Role.AUDIT_ADMIN,
        }
    )

    @scope_rule(Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN)
    def _for_the_two_administrators(self, user):
        return self

    def pending(self):
        return self.filter(status=RequestStatus.PENDING)


def account_requests() -> AccountRequestQuerySet:
    """Every account request, as a scoped queryset (`account_requests().visible_to(user)`)."""
    return AccountRequestQuerySet(AccountRequest)


# The requests that hold an account's role or scope (the first wins when both are pending).
ROLE_KINDS = (RequestKind.CREATE, RequestKind.ROLE)


def pending_by_user(user_ids: Iterable[int]) -> dict[int, dict[str, AccountRequest]]:
    """{user id: {kind: pending request}} for the accounts in `user_ids`, in one query."""
    result: dict[int, dict[str, AccountRequest]] = {}
    ids = [pk for pk in user_ids if pk]
    if not ids:
        return result
    rows = (
        AccountRequest.objects.filter(user_id__in=ids, status=RequestStatus.PENDING)
        .select_related("unit", "community", "member")
        .order_by("requested_at", "pk")
    )
    for row in rows:
        result.setdefault(row.user_id, {})[row.kind] = row
    return result


def pending_role_request(user) -> AccountRequest | None:
    """The pending request for `user`'s role and scope (a new account's or a change), if any."""
    return (
        AccountRequest.objects.filter(user=user, status=RequestStatus.PENDING, kind__in=ROLE_KINDS)
        .select_related("unit", "community", "member")
        .order_by("requested_at", "pk")
        .first()
    )


def pending_count() -> int:
    """How many requests wait for the security administrator."""
    return AccountRequest.objects.filter(status=RequestStatus.PENDING).count()


def committee_reader():
    """A reader with the committee's role, who sees every row: what a figures snapshot of the
    committee is counted for (core/snapshots.py), the same for every member of the committee.
    Never saved; it only reads."""
    from guanqing.accounts.models import User

    return User(username="", role=Role.COMMITTEE, is_active=True)


def scope_reader(scope: str | None):
    """The reader a figures snapshot of `scope` is counted for: the committee's for None, else a
    reader rebuilt from `shared_scope` (`"unit_admin:<unit id>"`), who sees what every account of
    that role and unit sees. Never saved; it only reads."""
    from guanqing.accounts.models import User
    from guanqing.core.scope.querysets import SHARED_SCOPES

    if scope is None:
        return committee_reader()
    role, _, value = scope.partition(":")
    field = SHARED_SCOPES.get(role)
    if field is None or not value.isdigit():
        raise ValueError(f"not a shared scope: {scope!r}")
    return User(username="", role=role, is_active=True, **{field: int(value)})
