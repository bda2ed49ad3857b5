"""The community API under /api/v1/: ROUTES (prefix, viewset, basename) for the shared router,
urlpatterns for the other endpoints. Included by config/api_urls.py."""

from django.urls import path

from guanqing.community.api import views

ROUTES = [
    ("community/registrations", views.RegistrationViewSet, "community-registration"),
    ("community/activities", views.ActivityViewSet, "community-activity"),
    ("community/signups", views.SignupViewSet, "community-signup"),
    ("community/attendances", views.AttendanceViewSet, "community-attendance"),
    ("community/hours", views.ManualHoursViewSet, "community-hours"),
    ("community/ratings", views.RatingViewSet, "community-rating"),
]

urlpatterns = [
    path("community/roster/", views.RosterView.as_view(), name="community-roster"),
    path("community/figures/", views.FiguresView.as_view(), name="community-figures"),
]
