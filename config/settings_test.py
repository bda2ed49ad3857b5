"""Test settings: the production settings with a throwaway key, data folder and fast hashing."""

import os
import tempfile

os.environ.setdefault("GUANQING_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("GUANQING_DATA_DIR", tempfile.mkdtemp(prefix="guanqing-test-"))

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Figures are counted on every request (a kept snapshot would outlive the test that made it);
# core/tests/test_snapshots.py turns it on.
FIGURES_SLOW_MS = None
GC_SETTLE_AFTER_REQUESTS = 0  # a test process is not a server; core/tests/test_collector.py
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test client loads the middleware afresh: WhiteNoise would list every static file through
# the finders each time (a tenth of a second); looked up when asked for instead.
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is missing)
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405  (live-server threads must not hold connections)

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # A statement that runs away (a plan made on stale statistics), waits on a lock, or a
    # connection left idle inside a transaction (a thread that did not finish) fails with
    # PostgreSQL's error naming the statement, instead of holding the run until it is killed.
    # Beside the production settings' own (random_page_cost: the plans the platform runs).
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (
        f"{_options.get('options', '')} -c statement_timeout=300s -c lock_timeout=120s "
        "-c idle_in_transaction_session_timeout=600s"
    ).strip()
