from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from guanqing.core.api.docs import sign_in_first

# The path converters <id:…> and <year:…> are registered by the core app when Django starts.

urlpatterns = [
    path("", include(("guanqing.core.urls", "core"))),
    path("accounts/", include(("guanqing.accounts.urls", "accounts"))),
    path("audit/", include(("guanqing.core.audit.urls", "audit"))),
    path("registry/", include(("guanqing.registry.urls", "registry"))),
    path("registry/excel/", include(("guanqing.registry.urls_import", "excel"))),
    path("pairing/", include(("guanqing.pairing.urls", "pairing"))),
    path("wishes/", include(("guanqing.wishes.urls", "wishes"))),
    path("community/", include(("guanqing.community.urls", "community"))),
    path("window/", include(("guanqing.window.urls", "window"))),
    path("frontline/", include(("guanqing.frontline.urls", "frontline"))),
    path("instructors/", include(("guanqing.instructors.urls", "instructors"))),
    path("care/", include(("guanqing.care.urls", "care"))),
    path("fund/", include(("guanqing.fund.urls", "fund"))),
    path("pledges/", include(("guanqing.pledges.urls", "pledges"))),
    path("training/", include("guanqing.training.urls")),
    path("reports/", include("guanqing.reports.urls")),
    # Open311 GeoReport v2: public, an application's api_key for posting
    path("open311/v2/", include(("guanqing.frontline.open311.urls", "open311"))),
    path("calendar/", include(("guanqing.core.calendar.urls", "calendar"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's start-up script is a response of its own (?script), not an inline script: the
    # page runs under the Content-Security-Policy. Both need a signed-in user (core/api/docs.py).
    path(
        "api/docs/",
        sign_in_first(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
