"""Guanqing settings: everything comes from GUANQING_* environment variables (docs/configuration.md)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import csp.constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

from config.env import (
    env_bool,
    env_choice,
    env_database_url,
    env_int,
    env_list,
    env_storage,
    env_str,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DATA_DIR = Path(env_str("GUANQING_DATA_DIR", "./var")).expanduser().resolve()
DEMO_MODE = os.environ.get("GUANQING_DEMO") == "1"
DEBUG = env_bool("GUANQING_DEBUG", False)

SECRET_KEY = secret_key(DATA_DIR, allow_generated=DEMO_MODE or DEBUG)
FIELD_ENCRYPTION_KEY = env_str("GUANQING_FIELD_KEY")  # optional; derived from SECRET_KEY if unset
# The audit chain's key (docs/security.md); derived from SECRET_KEY for this purpose if unset.
AUDIT_KEY = env_str("GUANQING_AUDIT_KEY")
# Audit records stay online at least six months (网络安全法 §21) before `guanqing audit_archive`.
AUDIT_RETENTION_DAYS = env_int("GUANQING_AUDIT_RETENTION_DAYS", 183, minimum=183)

ALLOWED_HOSTS = env_list("GUANQING_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("GUANQING_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Before django.contrib.auth so that its `createsuperuser` (a refusal) replaces Django's.
    "guanqing.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "import_export",
    "axes",
    # the second factor: TOTP devices (RFC 6238); recovery codes are guanqing.accounts' own (hashed)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "guanqing.core",
    "guanqing.registry",
    "guanqing.pairing",
    "guanqing.wishes",
    "guanqing.window",
    "guanqing.community",
    "guanqing.frontline",
    "guanqing.instructors",
    "guanqing.care",
    "guanqing.fund",
    "guanqing.training",
    "guanqing.pledges",
    "guanqing.reports",
]

MIDDLEWARE = [
    # Permissions-Policy on every answer, static files and redirects included (docs/security.md)
    "guanqing.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy with a nonce per request (request.csp_nonce in templates)
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "guanqing.core.middleware.ChineseFirstLocaleMiddleware",
    # inside the locale (messages in the user's language), outside what may refuse a request
    "guanqing.core.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "guanqing.core.middleware.RequestContextMiddleware",
    "guanqing.accounts.middleware.IdleTimeoutMiddleware",
    "guanqing.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # a query-string value over 12,000 characters: a 400 naming the parameter
    "guanqing.core.middleware.QueryLengthMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Templates, static files and translations live in the package: each app's templates/ and static/
# (the shared ones in core), and guanqing/locale.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "guanqing.core.ui.context_processors.navigation",
                "guanqing.core.ui.context_processors.notifications",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'guanqing.sqlite3'}"
_db = env_database_url("GUANQING_DATABASE_URL", _default_db)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
else:
    # Kept open between requests (dj-database-url's own default, 0, opened a new connection for
    # every request: about 8 ms of a cheap API request's 20).
    _db["CONN_MAX_AGE"] = 60
    _db["CONN_HEALTH_CHECKS"] = True
    # Random reads priced as on SSD or from memory (1.1; PostgreSQL's default, 4, is a spinning
    # disk's): at 4 a unit's 300 pairings among a province's million were read by scanning the
    # whole table in parallel (45 ms), not by the unit's index (3.5 ms). The URL's own
    # `?options=…` replaces this.
    _db.setdefault("OPTIONS", {}).setdefault("options", "-c random_page_cost=1.1")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "guanqing.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "guanqing.accounts.validators.LettersAndDigitsValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # the security policy's `password_history`: none of the last few passwords again
    {"NAME": "guanqing.accounts.validators.HistoryValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after GUANQING_SESSION_IDLE_MINUTES without a request (IdleTimeoutMiddleware).
SESSION_IDLE_MINUTES = env_int("GUANQING_SESSION_IDLE_MINUTES", 15, minimum=1, maximum=480)
# An absolute limit on top of the idle limit; the idle limit is the security policy's.
SESSION_COOKIE_AGE = env_int("GUANQING_SESSION_MAX_HOURS", 12, minimum=1, maximum=24 * 7) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("GUANQING_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Headers and transport (docs/security.md#headers-and-transport, docs/deployment.md §6).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# GUANQING_SECURE_COOKIES says the site is served over HTTPS only: browsers are then told to use
# HTTPS for a year (HSTS, this host and its subdomains; never the preload list), and a request
# that arrives over plain HTTP is redirected (GUANQING_SSL_REDIRECT, below).
SECURE_HSTS_SECONDS = (
    env_int("GUANQING_HSTS_SECONDS", 365 * 24 * 3600, minimum=0) if SESSION_COOKIE_SECURE else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
# The header an HTTP reverse proxy sets to "https" (it must overwrite what the client sent), so
# that Django knows a request came over HTTPS when TLS ends at the proxy.
_proxy_ssl_header = env_str("GUANQING_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    if not re.fullmatch(r"[A-Za-z0-9-]+", _proxy_ssl_header):
        raise ImproperlyConfigured(
            f"GUANQING_PROXY_SSL_HEADER={_proxy_ssl_header!r} is not a header name "
            "(for example X-Forwarded-Proto)"
        )
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# Django redirects plain HTTP itself only where it can tell HTTPS from HTTP: behind an HTTP proxy
# that says so in GUANQING_PROXY_SSL_HEADER. Behind a TCP proxy (PROXY protocol, the deployment
# guide's set-up) every request looks like plain HTTP, so the proxy redirects port 80 instead.
SECURE_SSL_REDIRECT = env_bool(
    "GUANQING_SSL_REDIRECT", SESSION_COOKIE_SECURE and bool(_proxy_ssl_header)
)
# Browser features no page of Guanqing uses, refused to every page (and to anything injected).
PERMISSIONS_POLICY = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
# Scripts only from this site's own files (htmx, js/*.js) or carrying the request's nonce: no
# inline script or on* attribute runs. Inline styles stay allowed (bar widths are style
# attributes set by the templates; the PDF templates carry their own <style>).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "object-src": [csp.NONE],
    }
}

# django-axes: 5 failures lock the account (by username) for 15 minutes.
AXES_FAILURE_LIMIT = "guanqing.core.policy.axes_failure_limit"
LOCKOUT_ATTEMPTS_DEFAULT = env_int("GUANQING_LOCKOUT_ATTEMPTS", 5, minimum=1, maximum=20)
AXES_COOLOFF_TIME = "guanqing.core.policy.axes_cooloff"
LOCKOUT_MINUTES_DEFAULT = env_int("GUANQING_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Masked in what axes logs and keeps of a failed attempt (its defaults, the password always) and the
# second-factor code, which may be a recovery code that still works.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp"]
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_CLIENT_IP_CALLABLE = "guanqing.core.context.client_ip"

# How many reverse proxies in front of Guanqing append to X-Forwarded-For (0: none, the client's
# address is REMOTE_ADDR). One rule, guanqing.core.context.client_ip, for the audit log, axes and
# the API throttles (docs/security.md).
TRUSTED_PROXIES = env_int("GUANQING_TRUSTED_PROXIES", 0, minimum=0, maximum=5)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Figures grouped by thousands on Chinese pages too (config/formats/zh_Hans/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
# Filter selects start with 全部 (all), not django-filter's row of dashes, on every list.
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("全部")
LOCALE_PATHS = [BASE_DIR / "guanqing" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Uploads go through STORAGES["default"] only: a folder every app server mounts (MEDIA_ROOT,
# GUANQING_MEDIA_DIR) or an S3-compatible bucket (GUANQING_STORAGE=s3, docs/deployment.md).
STORAGES = {
    "default": env_storage("GUANQING_STORAGE"),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("GUANQING_MEDIA_DIR", str(DATA_DIR / "media"))).expanduser().resolve()
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# The cache holds throttle counts, import progress and "being solved" marks, which every app
# server must see: on PostgreSQL a table of the database (`guanqing createcachetable`), on SQLite
# (one machine) files in the data folder (docs/configuration.md, GUANQING_CACHE). The table is
# written through a connection of its own ("cache", config/routers.py), so a value is seen at once
# rather than when the writer's transaction commits (a long import's progress).
_cache_kind = env_choice(
    "GUANQING_CACHE",
    "FILE" if _db["ENGINE"] == "django.db.backends.sqlite3" else "DATABASE",
    ["DATABASE", "FILE"],
)
if _cache_kind == "DATABASE" and _db["ENGINE"] == "django.db.backends.sqlite3":
    # the cache's own connection would wait behind the request's write lock on the same file
    raise ImproperlyConfigured("GUANQING_CACHE=database needs PostgreSQL; on SQLite use file")
if _cache_kind == "DATABASE":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "guanqing_cache",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }
    DATABASES["cache"] = {**_db, "TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["config.routers.CacheRouter"]
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# Figures pages of the whole province: a count slower than FIGURES_SLOW_MS is kept and shown
# until it is FIGURES_MAX_AGE seconds old, then recounted by the worker (guanqing/core/snapshots.py).
# 25 ms: the home page reads five such counts or more, whose sum is held to a 100 ms budget
# (docs/performance.md).
FIGURES_SLOW_MS = env_int("GUANQING_FIGURES_SLOW_MS", 25, minimum=1)
FIGURES_MAX_AGE = env_int("GUANQING_FIGURES_MAX_AGE", 300, minimum=10)

# A serving process collects its heap once and freezes what survives after this many requests,
# so that Python's full collections skip it, and runs the full collections due after its responses
# rather than in a request (guanqing/core/collector.py); 0: neither.
GC_SETTLE_AFTER_REQUESTS = env_int("GUANQING_GC_SETTLE_AFTER_REQUESTS", 50, minimum=0)

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "guanqing.accounts.tokens.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "guanqing.core.api.base.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "guanqing.core.api.base.StableOrderingFilter",
    ],
    # drf-spectacular, plus the error answers of every operation.
    "DEFAULT_SCHEMA_CLASS": "guanqing.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "guanqing.core.api.base.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Scoped rates for the few endpoints open without an account (throttle_scope on the view).
    "DEFAULT_THROTTLE_RATES": {"wish_confirm": "30/hour"},
    # DRF's own reading of X-Forwarded-For follows the same count (core/context.client_ip).
    "NUM_PROXIES": TRUSTED_PROXIES,
}
# The schema and its documentation page are for signed-in users (session or token) unless
# GUANQING_PUBLIC_API_DOCS publishes them (docs/security.md#headers-and-transport).
PUBLIC_API_DOCS = env_bool("GUANQING_PUBLIC_API_DOCS", False)
SPECTACULAR_SETTINGS = {
    "TITLE": "关情 Guanqing API",
    "DESCRIPTION": "Registry, accounts and audit of the Guanqing platform.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["guanqing.core.api.docs.SignedInOrPublished"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No call to the online validator at swagger.io: the docs page stays on the intranet.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags and operation ids by resource (households, members, ...), not "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Members, heads of household and people share one gender choice set.
    "ENUM_NAME_OVERRIDES": {
        "GenderEnum": "guanqing.registry.choices.Gender",
        "WindowCaseStateEnum": "guanqing.window.choices.CaseState",
        "RoleEnum": "guanqing.accounts.choices.Role",
        "ServiceRoleEnum": "guanqing.community.choices.ServiceRole",
        "ActivityRoleEnum": "guanqing.community.choices.ActivityRole",
        "RegistrationStatusEnum": "guanqing.community.choices.RegistrationStatus",
        "ActivityStatusEnum": "guanqing.community.choices.ActivityStatus",
        "SignupStatusEnum": "guanqing.community.choices.SignupStatus",
        "GradeEnum": "guanqing.community.choices.Grade",
        "WishStatusEnum": "guanqing.wishes.choices.WishStatus",
        "WishCategoryEnum": "guanqing.wishes.choices.WishCategory",
        "WishClaimStatusEnum": "guanqing.wishes.choices.ClaimStatus",
        "WishEventKindEnum": "guanqing.wishes.choices.EventKind",
        "InstructorTermStateEnum": "guanqing.instructors.choices.TermState",
        "CareActionEnum": "guanqing.care.choices.CareAction",
        "CareEventSourceEnum": "guanqing.care.choices.EventSource",
        # "action" and "source" name choice sets of several apps: each keeps its own name
        "AuditActionEnum": "guanqing.core.models.AuditAction",
        "ProblemSourceEnum": "guanqing.frontline.choices.ProblemSource",
        "DonationSourceEnum": "guanqing.fund.choices.DonationSource",
    },
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
# An export of more rows than this is refused with a request to narrow the filter: a sheet of a
# province's ten million visits would take minutes and gigabytes (and Excel holds 1,048,576 rows).
EXPORT_MAX_ROWS = env_int("GUANQING_EXPORT_MAX_ROWS", 100_000, minimum=1)
# Imports larger than this run as a background task (guanqing worker).
IMPORT_BACKGROUND_THRESHOLD = env_int("GUANQING_IMPORT_BACKGROUND_ROWS", 2000, minimum=1)
_MB = 1024 * 1024
# So are files that unpack to more than this: the request never parses them.
IMPORT_BACKGROUND_UNPACKED_BYTES = env_int("GUANQING_IMPORT_BACKGROUND_MB", 10, minimum=1) * _MB
# Limits checked before an uploaded .xlsx is parsed, and while it is read.
IMPORT_MAX_ROWS = env_int("GUANQING_IMPORT_MAX_ROWS", 200_000, minimum=1, maximum=1_048_575)
IMPORT_MAX_UNPACKED_BYTES = env_int("GUANQING_IMPORT_MAX_UNPACKED_MB", 200, minimum=1) * _MB
IMPORT_MAX_SHARED_STRINGS_BYTES = (
    env_int("GUANQING_IMPORT_MAX_SHARED_STRINGS_MB", 50, minimum=1) * _MB
)
IMPORT_MAX_PARTS = env_int("GUANQING_IMPORT_MAX_PARTS", 1000, minimum=10)
# Apache POI's default: no part of a workbook Excel saved compresses better than 100 to 1.
IMPORT_MAX_COMPRESSION_RATIO = env_int("GUANQING_IMPORT_MAX_COMPRESSION_RATIO", 100, minimum=10)
# An import reports this many problems and counts the rest.
IMPORT_MAX_ERRORS = env_int("GUANQING_IMPORT_MAX_ERRORS", 200, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # django.request and django.security log a 403 or 404 with its traceback: one line is enough.
    "filters": {"routine_4xx": {"()": "guanqing.core.log_filters.RoutineClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["routine_4xx"]}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "GUANQING_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
        ),
    },
    # WeasyPrint logs each layout step at INFO; fontTools its subsetting
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Accounts lock by username, as the policy demands; a per-IP limit belongs in the reverse proxy.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# The HSTS preload list is compiled into browsers and binds every subdomain of the registered
# domain (a government's .gov.cn) for months: a decision for the domain's owner, not for one of its
# sites, so SECURE_HSTS_PRELOAD stays off and Django's reminder to set it is not shown.
SILENCED_SYSTEM_CHECKS.append("security.W021")
if SESSION_COOKIE_SECURE and not SECURE_SSL_REDIRECT:
    # HTTPS only, and GUANQING_SSL_REDIRECT=false says that the proxy redirects plain HTTP itself
    # (a TCP proxy, through which every request looks like plain HTTP: docs/deployment.md §6).
    SILENCED_SYSTEM_CHECKS.append("security.W008")
