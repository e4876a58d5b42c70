from django.urls import path

from . import api, views

app_name = "registry"

urlpatterns = [
    path("hitta-omstallningsorganisation/", views.lookup, name="lookup"),
    path("omstallningsorganisationer/", views.register, name="register"),
    path("omstallningsorganisationer/<int:pk>/", views.organisation_detail, name="organisation"),
    path("omstallningsorganisation/", views.member_home, name="member_home"),
    path("omstallningsorganisation/<int:org_id>/anslutna-arbetsgivare/", views.affiliations, name="affiliations"),
    path(
        "omstallningsorganisation/<int:org_id>/anslutna-arbetsgivare.csv",
        views.affiliations_csv,
        name="affiliations_csv",
    ),
    path("omstallningsorganisation/<int:org_id>/api-nycklar/", views.token_create, name="token_create"),
    path(
        "omstallningsorganisation/<int:org_id>/api-nycklar/<int:pk>/aterkalla/",
        views.token_revoke,
        name="token_revoke",
    ),
    path("omstallningsorganisation/<int:org_id>/statlig-ersattning/", views.compensation_list, name="compensation"),
    path(
        "omstallningsorganisation/<int:org_id>/statlig-ersattning/<int:pk>/",
        views.compensation_detail,
        name="compensation_detail",
    ),
    path(
        "omstallningsorganisation/<int:org_id>/statlig-ersattning/<int:pk>/utbetalning.csv",
        views.compensation_payout,
        name="compensation_payout",
    ),
    path(
        "omstallningsorganisation/<int:org_id>/statlig-ersattning/<int:pk>/beslut/",
        views.compensation_letter,
        name="compensation_letter",
    ),
    path("arbetsgivare/statlig-ersattning/", views.employer_compensation_list, name="employer_compensation"),
    path("arbetsgivare/statlig-ersattning/ny/", views.employer_compensation_new, name="employer_compensation_new"),
    path(
        "arbetsgivare/statlig-ersattning/<int:pk>/",
        views.employer_compensation_detail,
        name="employer_compensation_detail",
    ),
    path(
        "arbetsgivare/statlig-ersattning/<int:pk>/beslut.pdf",
        views.employer_compensation_letter_pdf,
        name="employer_compensation_letter_pdf",
    ),
    path(
        "omstallningsorganisation/<int:org_id>/statlig-ersattning/<int:pk>/beslut.pdf",
        views.compensation_letter_pdf,
        name="compensation_letter_pdf",
    ),
    path(
        "registrera-omstallningsorganisation/<int:pk>/beslut.pdf",
        views.registration_decision_pdf,
        name="registration_decision_pdf",
    ),
    path("registrera-omstallningsorganisation/", views.registration_list, name="registration_list"),
    path("registrera-omstallningsorganisation/skapa-konto/", views.signup, name="signup"),
    path("registrera-omstallningsorganisation/skapa-konto/skickat/", views.signup_sent, name="signup_sent"),
    path("registrera-omstallningsorganisation/bekrafta/<str:token>/", views.signup_verify, name="signup_verify"),
    path("registrera-omstallningsorganisation/<int:pk>/", views.registration_edit, name="registration_edit"),
    path(
        "registrera-omstallningsorganisation/<int:pk>/bilagor/",
        views.registration_attachment,
        name="registration_attachment",
    ),
    path(
        "registrera-omstallningsorganisation/<int:pk>/bilagor/<int:attachment_id>/ta-bort/",
        views.registration_attachment_remove,
        name="registration_attachment_remove",
    ),
    # API v1
    path("api/registry/v1/lookup", api.LookupView.as_view(), name="api_lookup"),
    path("api/registry/v1/affiliations", api.AffiliationsView.as_view(), name="api_affiliations"),
]
