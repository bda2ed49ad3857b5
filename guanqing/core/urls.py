from django.urls import path

from guanqing.core import views

urlpatterns = [
    path("", views.home, name="home"),
]
