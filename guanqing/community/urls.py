from django.urls import path

from guanqing.community import (
    views_figures,
    views_member,
    views_ratings,
    views_roster,
    views_worker,
)

urlpatterns = [
    # a member: its community, sign-up, check-in
    path("", views_member.mine, name="mine"),
    path("checkin/", views_member.checkin, name="checkin"),
    path("activities/<id:pk>/signup/", views_member.activity_signup, name="activity_signup"),
    path("activities/<id:pk>/withdraw/", views_member.activity_withdraw, name="activity_withdraw"),
    # a community worker: registrations, activities, hours, the code, ratings
    path("registrations/", views_worker.registration_list, name="registration_list"),
    path(
        "registrations/<id:pk>/confirm/",
        views_worker.registration_confirm,
        name="registration_confirm",
    ),
    path(
        "registrations/<id:pk>/reject/",
        views_worker.registration_reject,
        name="registration_reject",
    ),
    path("activities/", views_worker.activity_list, name="activity_list"),
    path("activities/new/", views_worker.activity_create, name="activity_create"),
    path("activities/<id:pk>/", views_worker.activity_detail, name="activity_detail"),
    path("activities/<id:pk>/hours/", views_worker.activity_hours, name="activity_hours"),
    path("activities/<id:pk>/cancel/", views_worker.activity_cancel, name="activity_cancel"),
    path("activities/<id:pk>/code/", views_worker.activity_code, name="activity_code"),
    path("ratings/", views_ratings.rating_list, name="rating_list"),
    path("ratings/save/", views_ratings.rating_save_all, name="rating_save_all"),
    path("ratings/<id:member_id>/", views_ratings.rating_save, name="rating_save"),
    # a unit and the committee: the roster; the figures
    path("roster/", views_roster.roster, name="roster"),
    path("figures/", views_figures.figures, name="figures"),
]
