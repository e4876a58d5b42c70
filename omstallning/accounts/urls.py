from django.urls import path

from . import views
from .oidc import ELegitimationCallbackView, ELegitimationStartView, backchannel_logout

app_name = "accounts"

urlpatterns = [
    path("logga-in/", views.PortalLoginView.as_view(), name="login"),
    path("logga-ut/", views.PortalLogoutView.as_view(), name="logout"),
    path("tvastegsverifiering/", views.otp_verify, name="otp_verify"),
    path("tvastegsverifiering/koppla-app/", views.otp_enrol, name="otp_enrol"),
    path("sakerhet/", views.security_page, name="security"),
    path("sakerhet/kontaktuppgifter/", views.contact_details, name="contact_details"),
    path("sakerhet/aterstallningskoder/", views.recovery_codes_renew, name="recovery_codes"),
    path("sakerhet/losenord/", views.PortalPasswordChangeView.as_view(), name="password_change"),
    path("glomt-losenord/", views.PortalPasswordResetView.as_view(), name="password_reset"),
    path("glomt-losenord/skickat/", views.PortalPasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "nytt-losenord/<uidb64>/<token>/",
        views.PortalPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("nytt-losenord/klart/", views.PortalPasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("bekrafta/", views.reauth, name="reauth"),
    path("e-legitimation/", ELegitimationStartView.as_view(), name="oidc_start"),
    path("e-legitimation/retur/", ELegitimationCallbackView.as_view(), name="oidc_callback"),
    path("oidc/backchannel-logout/", backchannel_logout, name="oidc_backchannel_logout"),
]
