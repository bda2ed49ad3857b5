from django.urls import path

from guanqing.community import views

urlpatterns = [
    # a member: its community, sign-up, check-in
    path("", views.mine, name="mine"),
    path("checkin/", views.checkin, name="checkin"),
    path("activities/<id:pk>/signup/", views.activity_signup, name="activity_signup"),
    path("activities/<id:pk>/withdraw/", views.activity_withdraw, name="activity_withdraw"),
    # a community worker: registrations, activities, hours, the code, ratings
    path("registrations/", views.registration_list, name="registration_list"),
    path(
        "registrations/<id:pk>/confirm/",
        views.registration_confirm,
        name="registration_confirm",
    ),
    path("registrations/<id:pk>/reject/", views.registration_reject, name="registration_reject"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<id:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<id:pk>/hours/", views.activity_hours, name="activity_hours"),
    path("activities/<id:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("activities/<id:pk>/code/", views.activity_code, name="activity_code"),
    path("ratings/", views.rating_list, name="rating_list"),
    path("ratings/save/", views.rating_save_all, name="rating_save_all"),
    path("ratings/<id:member_id>/", views.rating_save, name="rating_save"),
    # a unit and the committee: the roster; the figures
    path("roster/", views.roster, name="roster"),
    path("figures/", views.figures, name="figures"),
]
