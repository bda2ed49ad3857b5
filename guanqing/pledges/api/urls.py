"""The pledge API under /api/v1/pledges/: ROUTES for the shared router, urlpatterns for the
public summary. Included by config/api_urls.py."""

from django.urls import path

from guanqing.pledges.api import views

ROUTES = [
    ("pledges/pledges", views.PledgeViewSet, "pledges-pledge"),
    ("pledges/milestones", views.MilestoneViewSet, "pledges-milestone"),
    ("pledges/reports", views.ReportViewSet, "pledges-report"),
]

urlpatterns: list = [
    path("pledges/public/", views.PublicSummaryView.as_view(), name="pledges-public"),
]
