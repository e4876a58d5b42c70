"""Statistics API v1 for machine-to-machine reporting (djangorestframework + drf-spectacular).

* `POST /api/statistics/v1/submissions`: multipart `period` (YYYY-MM) and `file` (CSV/XLSX);
  answers 202 with the submission, which is validated and imported by one Celery task.
* `GET /api/statistics/v1/submissions`: the organisation's submissions, newest first.
* `GET /api/statistics/v1/submissions/{id}`: status, progress and, when rejected, the errors.

Authentication: `Authorization: Token <key>` with a statistics API key of the organisation,
created and revoked by the organisation's administrator on the portal, stored as sha256.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import ApiToken, Submission
from .validation import parse_period, render_errors


class StatisticsTokenAuthentication(BaseAuthentication):
    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Invalid token header.")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeError:
            raise AuthenticationFailed("Invalid token.") from None
        token = (
            ApiToken.objects.select_related("organisation", "created_by")
            .filter(key_hash=services.hash_token(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None or token.created_by is None or not token.created_by.is_active:
            raise AuthenticationFailed("Invalid token.")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.created_by, token

    def authenticate_header(self, request):
        return "Token"


class StatisticsTokenScheme(OpenApiAuthenticationExtension):
    target_class = "statistics.api.StatisticsTokenAuthentication"
    name = "statisticsToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: a statistics API key of the organisation (stored hashed, shown once).",
        }


class HasStatisticsToken(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken)


class ErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="Row as in a spreadsheet (the header is row 1).")
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    organisation = serializers.CharField(help_text="organisationsnummer")
    period = serializers.CharField(help_text="YYYY-MM")
    status = serializers.ChoiceField(choices=Submission.Status.choices)
    progress = serializers.IntegerField(help_text="0–100")
    rows = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = ErrorSerializer(many=True, help_text="The first 1,000 errors of a rejected submission.")
    supersedes = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


def _data(request, sub: Submission, *, with_errors=True) -> dict:
    return {
        "id": sub.pk,
        "url": request.build_absolute_uri(reverse("statistics:api-submission", args=[sub.pk])),
        "organisation": sub.organisation.org_number or "",
        "period": sub.period_label,
        "status": sub.status,
        "progress": selectors.submission_progress(sub),
        "rows": sub.row_count,
        "error_count": sub.error_count,
        "errors": render_errors(sub.errors) if with_errors else [],
        "supersedes": sub.supersedes_id,
        "created_at": sub.created_at,
        "finished_at": sub.finished_at,
    }


class UploadSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="The reported month, YYYY-MM.")
    file = serializers.FileField(help_text="The report, CSV (UTF-8, ',' or ';') or XLSX, format v1.")

    def validate_period(self, value):
        try:
            return parse_period(value)
        except ValueError:
            raise serializers.ValidationError("Write the month as YYYY-MM.") from None


class _Base(APIView):
    authentication_classes = [StatisticsTokenAuthentication]
    permission_classes = [HasStatisticsToken]


class SubmissionListView(_Base):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="statistics_submissions_list",
        summary="The organisation's statistics submissions",
        responses={200: SubmissionSerializer(many=True)},
        tags=["statistics"],
    )
    def get(self, request):
        subs = Submission.objects.filter(organisation=request.auth.organisation).select_related("organisation")[:200]
        return Response([_data(request, s, with_errors=False) for s in subs])

    @extend_schema(
        operation_id="statistics_submissions_create",
        summary="Upload a monthly report (format v1)",
        request={"multipart/form-data": UploadSerializer},
        responses={
            202: SubmissionSerializer,
            400: OpenApiResponse(
                response=inline_serializer(
                    "UploadError", {"period": serializers.ListField(), "file": serializers.ListField()}
                ),
                description="Missing or malformed period or file.",
            ),
        },
        tags=["statistics"],
    )
    def post(self, request):
        form = UploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            sub = services.submission_create(
                organisation=request.auth.organisation,
                period=form.validated_data["period"],
                file=form.validated_data["file"],
                source=Submission.Source.API,
                token=request.auth,
            )
        except ValidationError as exc:
            return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        data = _data(request, sub)
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


class SubmissionDetailView(_Base):
    @extend_schema(
        operation_id="statistics_submissions_retrieve",
        summary="One submission: status, progress and errors",
        responses={200: SubmissionSerializer, 404: OpenApiResponse(description="Not this organisation's.")},
        tags=["statistics"],
    )
    def get(self, request, pk):
        sub = get_object_or_404(
            Submission.objects.select_related("organisation"), pk=pk, organisation=request.auth.organisation
        )
        return Response(_data(request, sub))
