"""Logging filters referenced from LOGGING in config/settings.py."""

from __future__ import annotations

import logging


class RoutineClientErrors(logging.Filter):
    """A 4xx answer (a role without access, a record outside scope, a body too large) is routine:
    Django logs it with the exception's traceback, which buries real errors. Such records keep
    their one line; 5xx and everything else keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
