from django.urls import path

from guanqing.care import views_manage, views_member, views_unit

urlpatterns = [
    # the unit's open obligations and their actions; recording an event; the events
    path("", views_unit.obligations, name="obligations"),
    path("obligations/<id:pk>/meet/", views_unit.obligation_meet, name="meet"),
    path("obligations/<id:pk>/waive/", views_unit.obligation_waive, name="waive"),
    path("record/", views_unit.record, name="record"),
    path("events/", views_unit.events, name="events"),
    path("events/<id:pk>/", views_unit.event_detail, name="event"),
    # a member's own page
    path("mine/", views_member.mine, name="mine"),
    # the committee's board and catalogue; the figures
    path("board/", views_manage.board, name="board"),
    path("figures/", views_manage.figures_page, name="figures"),
    path("rules/", views_manage.rules_page, name="rules"),
    path("rules/new/", views_manage.rule_new, name="rule_new"),
    path("rules/<id:pk>/", views_manage.rule_edit, name="rule_edit"),
]
