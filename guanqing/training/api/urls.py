"""The training API under /api/v1/training/: ROUTES for the shared router. Included by
config/api_urls.py."""

from guanqing.training.api import views

ROUTES = [
    ("training/plans", views.PlanViewSet, "training-plan"),
    ("training/sessions", views.SessionViewSet, "training-session"),
    ("training/participants", views.ParticipantViewSet, "training-participant"),
    ("training/unavailability", views.UnavailabilityViewSet, "training-unavailability"),
    ("training/preferences", views.PreferenceViewSet, "training-preference"),
    ("training/assignments", views.AssignmentViewSet, "training-assignment"),
]

urlpatterns: list = []
