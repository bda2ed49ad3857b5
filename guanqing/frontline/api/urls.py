"""The 走亲连心 API under /api/v1/frontline/: ROUTES (prefix, viewset, basename) for the shared
router, urlpatterns for the other endpoints. Included by config/api_urls.py."""

from django.urls import path

from guanqing.frontline.api import outreach, problems

ROUTES = [
    # 走访: the places (走访对象) and the visits
    ("frontline/places", outreach.PlaceViewSet, "frontline-place"),
    ("frontline/outreach", outreach.OutreachViewSet, "frontline-outreach"),
    # 难题: the problems and their loop, the categories
    ("frontline/problems", problems.ProblemViewSet, "frontline-problem"),
    ("frontline/categories", problems.CategoryViewSet, "frontline-category"),
]

urlpatterns: list = [
    path("frontline/figures/", outreach.FrontlineFiguresView.as_view(), name="frontline-figures"),
    path("frontline/desk/", problems.DispatchDeskView.as_view(), name="frontline-desk"),
]
