from django.urls import path

from guanqing.wishes import views

urlpatterns = [
    path("", views.wall, name="wall"),
    path("mine/", views.mine, name="mine"),
    path("manage/", views.manage, name="manage"),
    path("new/", views.wish_create, name="create"),
    path("figures/", views.figures_page, name="figures"),
    # the resident's page: no account, the one-time code is the key
    path("confirm/<str:token>/", views.confirm_by_token, name="confirm_by_token"),
    path("confirm/<str:token>/photos/<int:photo_pk>/", views.confirm_photo, name="confirm_photo"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/fulfil/", views.fulfil, name="fulfil"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/code/", views.confirmation_code, name="code"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
]
