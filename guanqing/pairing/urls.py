from django.urls import path

from guanqing.pairing import views_figures, views_manage, views_member, views_visits

urlpatterns = [
    # a member's own pairings, and the visit form
    path("mine/", views_member.mine, name="mine"),
    path("<id:pk>/visit/", views_member.visit_create, name="visit_create"),
    # the visit list and its Excel export
    path("visits/", views_visits.visit_list, name="visit_list"),
    path("visits/export/", views_visits.visit_export, name="visit_export"),
    # the board and the figures (the committee and the unit administrators)
    path("board/", views_figures.board, name="board"),
    path("figures/", views_figures.figures_page, name="figures"),
    # pairing management (list, detail, create, handover, end) and partnerships, read only
    path("", views_manage.pairing_list, name="pairing_list"),
    path("new/", views_manage.pairing_create, name="pairing_create"),
    path("<id:pk>/", views_manage.pairing_detail, name="pairing_detail"),
    path("<id:pk>/handover/", views_manage.pairing_handover, name="pairing_handover"),
    path("<id:pk>/end/", views_manage.pairing_end, name="pairing_end"),
    path("partnerships/", views_manage.partnership_list, name="partnership_list"),
    path("partnerships/<id:pk>/", views_manage.partnership_detail, name="partnership_detail"),
]
