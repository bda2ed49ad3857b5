from django.urls import path

from guanqing.pairing import views

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/visit/", views.visit_create, name="visit_create"),
    path("board/", views.board, name="board"),
]
