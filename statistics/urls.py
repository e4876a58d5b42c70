from django.urls import path

from . import api, dashboard, views

app_name = "statistics"

urlpatterns = [
    path("statistik/rapporter/", views.submissions, name="submissions"),
    path("statistik/rapporter/<int:organisation_id>/", views.organisation, name="organisation"),
    path(
        "statistik/rapporter/<int:organisation_id>/inlamningar/<int:submission_id>/",
        views.submission,
        name="submission",
    ),
    path(
        "statistik/rapporter/<int:organisation_id>/inlamningar/<int:submission_id>/status/",
        views.submission_status,
        name="submission-status",
    ),
    path(
        "statistik/rapporter/<int:organisation_id>/inlamningar/<int:submission_id>/fel.csv",
        views.submission_errors_csv,
        name="submission-errors-csv",
    ),
    path("statistik/rapporter/<int:organisation_id>/api-nycklar/", views.tokens, name="tokens"),
    path(
        "statistik/rapporter/<int:organisation_id>/api-nycklar/<int:token_id>/aterkalla/",
        views.token_revoke,
        name="token-revoke",
    ),
    path("statistik/oversikt/", dashboard.dashboard, name="dashboard"),
    path("statistik/oversikt/saknade-rapporter/", dashboard.missing_reports, name="missing"),
    path("statistik/oversikt/paminnelse/", dashboard.send_reminder, name="remind"),
    path("statistik/oversikt/export.csv", dashboard.export_csv, name="export"),
    path("statistik/oversikt/export.parquet", dashboard.export_parquet, name="export-parquet"),
    path("statistik/oversikt/dataordlista/", dashboard.data_dictionary, name="data-dictionary"),
    path("api/statistics/v1/submissions", api.SubmissionListView.as_view(), name="api-submissions"),
    path("api/statistics/v1/submissions/<int:pk>", api.SubmissionDetailView.as_view(), name="api-submission"),
]
