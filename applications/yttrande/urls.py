from django.urls import path

from . import api, views

app_name = "yttrande"

urlpatterns = [
    # The applicant ("Mina ärenden").
    path("mina-arenden/yttranden/", views.my_yttranden, name="my_yttranden"),
    path(
        "mina-arenden/yttranden/<str:reference>/v<int:version>.pdf",
        views.my_yttrande_pdf,
        name="my_yttrande_pdf",
    ),
    # The advisor.
    path("radgivare/yttranden/", views.advisor_cases, name="advisor_cases"),
    path("radgivare/yttranden/<str:reference>/", views.advisor_assessment, name="advisor_assessment"),
    # Staff: the stored PDF (the admin links here).
    path("handlaggare/yttranden/<int:document_id>.pdf", views.staff_document_pdf, name="staff_document_pdf"),
    # Public verification.
    path("verifiera/", views.verify_form, name="verify_form"),
    path("verifiera/<str:code>/", views.verify, name="verify"),
    # The CSN API.
    path("api/yttrande/v1/remisser/", api.ReferralCreateView.as_view(), name="api_referral_create"),
    path("api/yttrande/v1/ej-hamtade/", api.NotFetchedListView.as_view(), name="api_not_fetched"),
    path("api/yttrande/v1/arenden/<str:reference>/", api.CaseDetailView.as_view(), name="api_case"),
    path("api/yttrande/v1/arenden/<str:reference>/yttrande.pdf", api.DocumentPdfView.as_view(), name="api_pdf"),
]
