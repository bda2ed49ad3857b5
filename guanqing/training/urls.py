from django.urls import include, path

from guanqing.training import views_people, views_plan

app_name = "training"

urlpatterns = [
    # the committee: plans, a plan's page (list, solve, history), its boards and calendar
    path("", views_plan.plan_list, name="plans"),
    path("new/", views_plan.plan_new, name="plan_new"),
    path("<id:pk>/", views_plan.plan_detail, name="plan"),
    path("<id:pk>/edit/", views_plan.plan_edit, name="plan_edit"),
    path("<id:pk>/participants/", views_plan.participants, name="participants"),
    path("<id:pk>/solve/", views_plan.solve, name="solve"),
    path("<id:pk>/solve/status/", views_plan.solve_status, name="solve_status"),
    path("<id:pk>/sessions/<int:number>/", views_plan.board, name="board"),
    path("<id:pk>/move/", views_plan.move, name="move"),
    path("<id:pk>/swap/", views_plan.swap, name="swap"),
    path("<id:pk>/calendar/", views_plan.calendar_page, name="calendar"),
    # a unit administrator's people; a member's own rotation
    path("unit/", views_people.unit_page, name="unit"),
    path("participants/<id:pk>/role/", views_people.set_role, name="set_role"),
    path("participants/<id:pk>/unavailable/", views_people.unavailable, name="unavailable"),
    path("mine/", views_people.mine, name="mine"),
    path("participants/<id:pk>/preference/", views_people.preference, name="preference"),
    # attendance (check-in, the organiser's list, make-ups)
    path("", include("guanqing.training.urls_attendance")),
]
