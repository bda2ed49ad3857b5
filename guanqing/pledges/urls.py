from django.urls import path

from guanqing.pledges import views_manage, views_public, views_read, views_unit

urlpatterns = [
    # every reader: the list, a pledge's page, an evidence file, the year report
    path("", views_read.pledge_list, name="list"),
    path("<id:pk>/", views_read.pledge_detail, name="detail"),
    path("files/<id:pk>/", views_read.attachment, name="attachment"),
    path("export/", views_read.export_excel, name="export"),
    path("export/pdf/", views_read.export_pdf, name="export_pdf"),
    # the page without an account
    path("public/", views_public.public_page, name="public"),
    # a lead unit: its pledges, the monthly report, the self-assessment; milestones done
    path("unit/", views_unit.unit_page, name="unit"),
    path("<id:pk>/report/", views_unit.report, name="report"),
    path("<id:pk>/assess/", views_unit.assess, name="assess"),
    path("milestones/<id:pk>/done/", views_unit.milestone_done, name="milestone_done"),
    # the committee's editor
    path("manage/", views_manage.manage, name="manage"),
    path("new/", views_manage.pledge_new, name="new"),
    path("<id:pk>/edit/", views_manage.pledge_edit, name="edit"),
    path("<id:pk>/milestones/", views_manage.milestone_add, name="milestone_add"),
    path("<id:pk>/rate/", views_manage.pledge_rate, name="rate"),
    path("<id:pk>/<slug:action>/", views_manage.pledge_move, name="move"),
]
