"""/api/v1/: the registry, accounts, the audit log, the calendar, pairings, compliance, figures
and notifications (schema at /api/schema/, docs at /api/docs/)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from guanqing.accounts.api import views as accounts
from guanqing.community.api import views as community
from guanqing.core.audit.api import AuditEventViewSet
from guanqing.core.calendar.api import DaysView, DeadlineView
from guanqing.core.notifications.api import NotificationViewSet
from guanqing.pairing.api import compliance_views as compliance
from guanqing.pairing.api import views as pairing
from guanqing.registry.api import views as registry
from guanqing.wishes.api import views as wishes

router = DefaultRouter()
router.register("divisions", registry.DivisionViewSet, basename="division")
router.register("units", registry.UnitViewSet, basename="unit")
router.register("party-orgs", registry.PartyOrgViewSet, basename="party-org")
router.register("members", registry.MemberViewSet, basename="member")
router.register("households", registry.HouseholdViewSet, basename="household")
router.register("people", registry.PersonViewSet, basename="person")
router.register("users", accounts.UserViewSet, basename="user")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("pairings", pairing.PairingViewSet, basename="pairing")
router.register("visits", pairing.VisitViewSet, basename="visit")
router.register("partnerships", pairing.PartnershipViewSet, basename="partnership")
router.register(
    "partnership-projects", pairing.PartnershipProjectViewSet, basename="partnership-project"
)
router.register("notifications", NotificationViewSet, basename="notification")
router.register("wishes", wishes.WishViewSet, basename="wish")
router.register("wish-claims", wishes.WishClaimViewSet, basename="wish-claim")
router.register(
    "community/registrations", community.RegistrationViewSet, basename="community-registration"
)
router.register("community/activities", community.ActivityViewSet, basename="community-activity")
router.register("community/signups", community.SignupViewSet, basename="community-signup")
router.register(
    "community/attendances", community.AttendanceViewSet, basename="community-attendance"
)
router.register("community/hours", community.ManualHoursViewSet, basename="community-hours")
router.register("community/ratings", community.RatingViewSet, basename="community-rating")

app_name = "api"

urlpatterns = [
    path("auth/token/", accounts.TokenView.as_view(), name="auth-token"),
    path("auth/me/", accounts.MeView.as_view(), name="auth-me"),
    path("security-policy/", accounts.SecurityPolicyView.as_view(), name="security-policy"),
    path("calendar/deadline/", DeadlineView.as_view(), name="calendar-deadline"),
    path("calendar/days/", DaysView.as_view(), name="calendar-days"),
    path(
        "compliance-settings/",
        pairing.ComplianceSettingsView.as_view(),
        name="compliance-settings",
    ),
    path(
        "pairings/<int:pk>/compliance/",
        compliance.PairingComplianceView.as_view(),
        name="pairing-compliance",
    ),
    path("compliance/todo/", compliance.TodoView.as_view(), name="compliance-todo"),
    path("compliance/board/", compliance.BoardView.as_view(), name="compliance-board"),
    path("figures/pairing/", compliance.PairingFiguresView.as_view(), name="figures-pairing"),
    path("figures/wishes/", wishes.WishFiguresView.as_view(), name="figures-wishes"),
    path("wish-settings/", wishes.WishSettingsView.as_view(), name="wish-settings"),
    path("community/roster/", community.RosterView.as_view(), name="community-roster"),
    path("community/figures/", community.FiguresView.as_view(), name="community-figures"),
    *router.urls,
]
