"""The fund API under /api/v1/fund/: ROUTES for the shared router and urlpatterns, collected from
the areas (books, donations, aid). Included by config/api_urls.py."""

from guanqing.fund.api import aid, books, donations

ROUTES = [*books.ROUTES, *donations.ROUTES, *aid.ROUTES]
urlpatterns = [*books.urlpatterns, *donations.urlpatterns, *aid.urlpatterns]
