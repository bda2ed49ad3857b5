"""The database cache's table is read and written through the "cache" connection (an alias of the
same database, settings.py): outside the request's transaction, so a value written is seen by every
app server at once, and a rolled-back request does not take its throttle count with it."""

from __future__ import annotations

CACHE_APP_LABEL = "django_cache"  # what django.core.cache.backends.db calls its table's "model"
CACHE_ALIAS = "cache"


class CacheRouter:
    def db_for_read(self, model, **hints):
        return CACHE_ALIAS if model._meta.app_label == CACHE_APP_LABEL else None

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The alias is the same database: the application's tables are migrated through "default".
        if db == CACHE_ALIAS:
            return app_label == CACHE_APP_LABEL
        return None
