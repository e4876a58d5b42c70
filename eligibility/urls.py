from django.urls import path

from . import views

app_name = "eligibility"

urlpatterns = [
    path("kan-jag-fa-stod/", views.precheck, name="precheck"),
]
