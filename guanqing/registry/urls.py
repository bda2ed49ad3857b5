from django.urls import path

from guanqing.registry import (
    views_divisions,
    views_households,
    views_members,
    views_pickers,
    views_units,
)

urlpatterns = [
    path("divisions/", views_divisions.division_list, name="division_list"),
    path("units/", views_units.unit_list, name="unit_list"),
    path("units/new/", views_units.unit_create, name="unit_create"),
    path("units/<id:pk>/", views_units.unit_detail, name="unit_detail"),
    path("units/<id:pk>/edit/", views_units.unit_edit, name="unit_edit"),
    path("party-orgs/", views_units.partyorg_list, name="partyorg_list"),
    path("party-orgs/new/", views_units.partyorg_create, name="partyorg_create"),
    path("party-orgs/<id:pk>/", views_units.partyorg_detail, name="partyorg_detail"),
    path("party-orgs/<id:pk>/edit/", views_units.partyorg_edit, name="partyorg_edit"),
    path("members/", views_members.member_list, name="member_list"),
    path("members/new/", views_members.member_create, name="member_create"),
    path("members/<id:pk>/", views_members.member_detail, name="member_detail"),
    path("members/<id:pk>/edit/", views_members.member_edit, name="member_edit"),
    path("households/", views_households.household_list, name="household_list"),
    path("households/new/", views_households.household_create, name="household_create"),
    path("households/<id:pk>/", views_households.household_detail, name="household_detail"),
    path("households/<id:pk>/edit/", views_households.household_edit, name="household_edit"),
    path("households/<id:pk>/people/new/", views_households.person_add, name="person_add"),
    path("people/<id:pk>/edit/", views_households.person_edit, name="person_edit"),
    path("people/<id:pk>/remove/", views_households.person_remove, name="person_remove"),
    path("reveal/<str:kind>/<id:pk>/", views_members.reveal_id_number, name="reveal_id_number"),
    path("pick/<slug:kind>/", views_pickers.pick, name="pick"),
]
