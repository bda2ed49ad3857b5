"""/api/v1/: each app owns its routes in `<app>/api/urls.py` (ROUTES for the one router, whose
root lists them all, and urlpatterns for the rest); schema at /api/schema/, docs at /api/docs/."""

from importlib import import_module

from rest_framework.routers import DefaultRouter

# In the order the API root lists them.
API_MODULES = [
    "guanqing.registry.api.urls",
    "guanqing.accounts.api.urls",
    "guanqing.core.api.urls",
    "guanqing.pairing.api.urls",
    "guanqing.wishes.api.urls",
    "guanqing.community.api.urls",
    "guanqing.window.api.urls",
    "guanqing.frontline.api.urls",
    "guanqing.instructors.api.urls",
    "guanqing.care.api.urls",
    "guanqing.fund.api.urls",
    "guanqing.pledges.api.urls",
    "guanqing.training.api.urls",
    "guanqing.reports.api.urls",
]

app_name = "api"

router = DefaultRouter()
urlpatterns: list = []
for module in map(import_module, API_MODULES):
    for prefix, viewset, basename in module.ROUTES:
        router.register(prefix, viewset, basename=basename)
    urlpatterns += module.urlpatterns
urlpatterns += router.urls
