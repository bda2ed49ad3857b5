"""Excel import and export, mounted at /registry/excel/ with the namespace "excel"."""

from django.urls import path

from guanqing.registry import views_excel as views

KIND = "<str:kind>"

urlpatterns = [
    path("", views.index, name="index"),
    path(f"template/{KIND}/", views.template_download, name="template"),
    path(f"export/{KIND}/", views.export, name="export"),
    path("jobs/<id:pk>/", views.job_detail, name="job"),
    path("jobs/<id:pk>/progress/", views.job_progress, name="job-progress"),
]
