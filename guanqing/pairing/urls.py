from django.urls import path

from guanqing.pairing import views, views_figures, views_manage

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("<id:pk>/visit/", views.visit_create, name="visit_create"),
    path("board/", views.board, name="board"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/export/", views.visit_export, name="visit_export"),
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
