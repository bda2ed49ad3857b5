"""Locking a row for a write, within what the user may see or change."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy

from guanqing.core.services import OutOfScope

NOT_IN_SCOPE = gettext_lazy("不存在或不在您的权限范围内")


def lock_in_scope(queryset: models.QuerySet, pk, *, message=NOT_IN_SCOPE):
    """The row `pk` of `queryset` (already scoped: `visible_to` or `editable_by`), locked until the
    transaction ends (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writes anyway).

    Only the row itself is locked (`of=("self",)`), so a scope that joins other tables does not lock
    them too. A row outside the queryset raises OutOfScope: 404, like a missing one.
    """
    obj = queryset.select_for_update(of=("self",)).filter(pk=pk).order_by("pk").first()
    if obj is None:
        raise OutOfScope(message)
    return obj
