from django.urls import path

from . import views

app_name = "advisors"

urlpatterns = [
    path("radgivare/klienter/", views.clients, name="clients"),
    path("radgivare/klienter/<int:pk>/", views.client_detail, name="client"),
    path("radgivare/klienter/<int:pk>/kontakt/", views.contact_new, name="contact_new"),
    path("radgivare/klienter/<int:pk>/kartlaggning/", views.needs_assessment, name="needs"),
    path("radgivare/klienter/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("radgivare/klienter/<int:pk>/plan/version/<int:number>/", views.plan_version, name="plan_version"),
    path("radgivare/klienter/<int:pk>/avsluta/", views.close, name="close"),
    path("radgivare/leverantor/radgivare/", views.supplier_advisors, name="supplier_advisors"),
    path("radgivare/efterlevnad/", views.compliance, name="compliance"),
    # The applicant's view of their plan (linked from "Mina ärenden" by the application's id).
    path("mina-arenden/plan/<int:application_id>/", views.applicant_plan, name="applicant_plan"),
    path(
        "mina-arenden/plan/<int:application_id>/version/<int:number>/",
        views.applicant_plan_version,
        name="applicant_plan_version",
    ),
]
