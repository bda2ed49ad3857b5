"""The official calendar pages, mounted at /calendar/ with the namespace "calendar"."""

from django.urls import path

from guanqing.core.calendar import views

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.year_new, name="year_new"),
    path("import/", views.import_notice, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("day/<str:day>/", views.day_edit, name="day"),
    path("<year:year>/", views.year_detail, name="year"),
]
