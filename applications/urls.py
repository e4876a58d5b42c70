from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("ansok/", views.choose_service, name="choose_service"),
    path("ansok/skicka/", views.submit, name="submit"),
    path("ansok/<int:pk>/ta-bort/", views.draft_remove, name="draft_remove"),
    path("ansok/<int:pk>/bilagor/<int:attachment_pk>/ta-bort/", views.attachment_remove, name="attachment_remove"),
    path("ansok/<int:pk>/<slug:slug>/", views.step, name="step"),
    path("mina-arenden/", views.my_cases, name="my_cases"),
    path("mina-arenden/<int:pk>/", views.case_detail, name="case"),
    path("mina-arenden/<int:pk>/kvitto/", views.receipt, name="receipt"),
    path("bilagor/<int:pk>/", views.attachment_download, name="attachment"),
]
