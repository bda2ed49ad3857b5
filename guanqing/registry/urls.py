from django.urls import path

from guanqing.registry import views

urlpatterns = [
    path("divisions/", views.division_list, name="division_list"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<id:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<id:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("party-orgs/", views.partyorg_list, name="partyorg_list"),
    path("party-orgs/new/", views.partyorg_create, name="partyorg_create"),
    path("party-orgs/<id:pk>/", views.partyorg_detail, name="partyorg_detail"),
    path("party-orgs/<id:pk>/edit/", views.partyorg_edit, name="partyorg_edit"),
    path("members/", views.member_list, name="member_list"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/<id:pk>/", views.member_detail, name="member_detail"),
    path("members/<id:pk>/edit/", views.member_edit, name="member_edit"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<id:pk>/", views.household_detail, name="household_detail"),
    path("households/<id:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<id:pk>/people/new/", views.person_add, name="person_add"),
    path("people/<id:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<id:pk>/remove/", views.person_remove, name="person_remove"),
    path("reveal/<str:kind>/<id:pk>/", views.reveal_id_number, name="reveal_id_number"),
]
