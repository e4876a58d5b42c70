from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("mina-sidor/", views.dashboard, name="dashboard"),
    path("mina-sidor/mina-uppgifter/", views.my_data_export, name="my_data"),
    path("tillganglighet/", views.accessibility_statement, name="accessibility"),
    path("halsa/", views.health, name="health"),
    path("csp-rapport/", views.csp_report, name="csp_report"),
]
