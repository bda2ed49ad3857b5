"""The audit log pages (namespace "audit"): read and export only; there is no edit or delete route."""

from django.urls import path

from guanqing.core.audit import views as views_audit

urlpatterns = [
    path("", views_audit.event_list, name="event_list"),
    path("export.xlsx", views_audit.event_export, name="event_export"),
    path("chain/", views_audit.chain_status, name="chain_status"),
]
