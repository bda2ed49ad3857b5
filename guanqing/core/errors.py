"""The one "conflict" a service raises when the thing asked for is no longer possible: the
activity or wish filled up while the request waited, the state moved on under the user.

The API answers it 409 with `{"detail": message}` (`core/api/base.exception_handler`); a page shows
the message inline, next to the form or button, with the page as it now stands.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

CONFLICT = gettext_lazy("情况已经变化，请刷新后重试")


class Conflict(Exception):
    def __init__(self, message=None):
        self.message = message if message is not None else CONFLICT
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)
