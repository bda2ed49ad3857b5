"""Pages of the fund: donations (included by guanqing/fund/urls.py)."""

from django.urls import path

from guanqing.fund import views_donations as views

urlpatterns: list = [
    path("donations/", views.donation_list, name="donations"),
    path("donations/new/", views.donation_new, name="donation_new"),
    path("donations/import/", views.donation_import_page, name="donation_import"),
    path(
        "donations/import/template/",
        views.donation_import_template,
        name="donation_import_template",
    ),
    path("donations/totals/", views.donation_totals, name="donation_totals"),
    path("donations/<id:pk>/", views.donation_detail, name="donation_detail"),
    path("donations/<id:pk>/receipt/", views.donation_receipt, name="donation_receipt"),
    path(
        "donations/batches/<id:pk>/receipts/",
        views.batch_receipts,
        name="donation_batch_receipts",
    ),
]
