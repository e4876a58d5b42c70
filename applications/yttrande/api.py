"""The CSN API: CSN refers people to the public organisation and fetches the issued yttranden.

Authentication: ``Authorization: Bearer <token>``, one token per API client, stored as SHA-256.
An unknown, expired or revoked token gets 401 and the attempt is logged without the token.
Cases are addressed by the portal's reference number, never by the personnummer.
"""

import logging

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from omstallning.core.ratelimit import client_ip
from omstallning.core.services import attachment_response

from . import selectors, services
from .models import STUDY_PACES, ApiClient, Situation, Source

logger = logging.getLogger(__name__)


class CsnTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            logger.warning("yttrande API: request without a token from %s", client_ip(request))
            raise AuthenticationFailed("Authentication with a Bearer token is required.")
        if header[0].lower() != self.keyword or len(header) != 2:
            raise AuthenticationFailed("Use the header 'Authorization: Bearer <token>'.")
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid token.") from None
        try:
            client = services.api_client_authenticate(token, remote_addr=client_ip(request))
        except services.TokenRejected:
            raise AuthenticationFailed("Invalid, expired or revoked token.") from None
        return AnonymousUser(), client

    def authenticate_header(self, request):
        return 'Bearer realm="csn"'


class CsnTokenScheme(OpenApiAuthenticationExtension):
    """Describes the CSN token in the OpenAPI schema (a bearer token per API client)."""

    target_class = "applications.yttrande.api.CsnTokenAuthentication"
    name = "csnToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The API client's token (shown once when the client is created in the admin).",
        }


class IsCsnClient(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, ApiClient)


class CsnAPIView(APIView):
    authentication_classes = [CsnTokenAuthentication]
    permission_classes = [IsCsnClient]
    # CSN sends referrals in bulk: a higher limit per client than the portal's default.
    portal_rate = "3600/h"


# --- serializers -----------------------------------------------------------------------------
class EducationSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, help_text="The education's name.")
    provider = serializers.CharField(max_length=200, help_text="The school or education provider.")
    start_date = serializers.DateField(help_text="First day of studies (YYYY-MM-DD).")
    length_weeks = serializers.IntegerField(min_value=1, max_value=520, help_text="Length in weeks.")
    pace = serializers.ChoiceField(choices=[p for p, _ in STUDY_PACES], default=100, help_text="Study pace in %.")


class ReferralSerializer(serializers.Serializer):
    personnummer = serializers.CharField(max_length=13, help_text="YYYYMMDD-NNNN (checksum verified).")
    name = serializers.CharField(max_length=200)
    csn_reference = serializers.CharField(max_length=50, help_text="CSN's case reference.")
    education = EducationSerializer()
    situation = serializers.ChoiceField(
        choices=Situation.choices, required=False, allow_blank=True, help_text="When known."
    )
    employer_org_number = serializers.CharField(
        max_length=13, required=False, allow_blank=True, help_text="The employer's organisationsnummer, when known."
    )
    kollektivavtal = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Whether the employer has a collective agreement."
    )

    def validate_personnummer(self, value):
        try:
            normalized, _birth = services.normalize_personnummer(value)
        except DjangoValidationError:
            raise serializers.ValidationError("Not a valid personnummer (YYYYMMDD-NNNN).") from None
        return normalized

    def to_referral(self) -> services.ReferralData:
        d = self.validated_data
        e = d["education"]
        return services.ReferralData(
            personnummer=d["personnummer"],
            person_name=d["name"],
            csn_reference=d["csn_reference"],
            education_name=e["name"],
            education_provider=e["provider"],
            education_start=e["start_date"],
            education_weeks=e["length_weeks"],
            education_pace=e["pace"],
            situation=d.get("situation") or "",
            employer_org_number=d.get("employer_org_number") or "",
            kollektivavtal=d.get("kollektivavtal"),
        )


class DocumentSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    sha256 = serializers.CharField()
    corrects_version = serializers.IntegerField(allow_null=True)
    sent_to_csn_at = serializers.DateTimeField(allow_null=True)
    pdf_url = serializers.CharField()


class CaseSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="The portal's reference number of the yttrande case.")
    csn_reference = serializers.CharField()
    status = serializers.CharField()
    created = serializers.BooleanField(help_text="False when the referral matched an existing case (R-2.4).")
    responsible = serializers.CharField(
        allow_null=True, help_text="'public_organisation', 'other' or null while the check is not complete."
    )
    responsible_organisation = serializers.CharField(allow_blank=True)
    reasons = serializers.ListField(child=serializers.CharField())
    document = DocumentSerializer(allow_null=True)


def _pdf_url(request, case, document):
    path = reverse("yttrande:api_pdf", args=[case.reference])
    return request.build_absolute_uri(f"{path}?version={document.version}")


def _case_payload(request, case, *, created: bool) -> dict:
    document = selectors.latest_issued_document(case)
    responsible = {"responsible": "public_organisation", "not_responsible": "other"}.get(case.check_outcome)
    return {
        "reference": case.reference,
        "csn_reference": case.csn_reference,
        "status": case.status,
        "created": created,
        "responsible": responsible,
        "responsible_organisation": case.responsible_organisation,
        "reasons": [r["text"] for r in case.check_reasons if r.get("passed") is not True],
        "document": None
        if document is None
        else {
            "version": document.version,
            "issued_at": document.issued_at,
            "sha256": document.sha256,
            "corrects_version": document.refers_to.version if document.refers_to_id else None,
            "sent_to_csn_at": document.sent_to_csn_at,
            "pdf_url": _pdf_url(request, case, document),
        },
    }


_ERROR = inline_serializer("YttrandeError", {"detail": serializers.CharField()})


class ReferralCreateView(CsnAPIView):
    @extend_schema(
        operation_id="yttrande_referral_create",
        summary="Refer a person to the public transition organisation for an yttrande",
        description=(
            "Registers CSN's referral. A second referral for the same person and the same education returns "
            "the existing case (200, created=false) and creates no duplicate. A bad personnummer or a missing "
            "CSN reference gives 400 naming the field."
        ),
        request=ReferralSerializer,
        responses={
            201: CaseSerializer,
            200: CaseSerializer,
            400: OpenApiResponse(description="Field errors: {field: [message]}"),
            401: _ERROR,
        },
        tags=["yttrande"],
    )
    def post(self, request):
        serializer = ReferralSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            case, created = services.case_receive_referral(
                data=serializer.to_referral(), source=Source.CSN_API, api_client=request.auth
            )
        except DjangoValidationError as exc:
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            _case_payload(request, case, created=created),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CaseDetailView(CsnAPIView):
    @extend_schema(
        operation_id="yttrande_case_retrieve",
        summary="The status of a case and its latest issued yttrande",
        responses={200: CaseSerializer, 401: _ERROR, 404: _ERROR},
        tags=["yttrande"],
    )
    def get(self, request, reference):
        case = selectors.case_for_api(reference)
        if case is None:
            raise Http404
        return Response(_case_payload(request, case, created=False))


class NotFetchedListView(CsnAPIView):
    @extend_schema(
        operation_id="yttrande_not_fetched_list",
        summary="Issued yttranden that CSN has not fetched yet",
        responses={200: CaseSerializer(many=True), 401: _ERROR},
        tags=["yttrande"],
    )
    def get(self, request):
        documents = list(selectors.documents_not_fetched()[:200])
        return Response([_case_payload(request, d.case, created=False) for d in documents])


class DocumentPdfView(CsnAPIView):
    @extend_schema(
        operation_id="yttrande_pdf_retrieve",
        summary="Fetch the issued yttrande as PDF (this marks it as sent to CSN)",
        parameters=[],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF"),
            401: _ERROR,
            404: _ERROR,
        },
        tags=["yttrande"],
    )
    def get(self, request, reference):
        case = selectors.case_for_api(reference)
        if case is None:
            raise Http404
        version = request.query_params.get("version")
        documents = case.documents.filter(rendered_at__isnull=False)
        if version:
            if not version.isdigit():
                raise Http404
            document = documents.filter(version=int(version)).first()
        else:
            document = documents.order_by("-version").first()
        if document is None:
            raise Http404
        data = services.document_read(document)
        services.document_mark_sent(document=document, api_client=request.auth)
        response = attachment_response(
            data, filename=f"yttrande-{case.reference}-v{document.version}.pdf", content_type="application/pdf"
        )
        response["X-Content-SHA256"] = document.sha256
        response["Cache-Control"] = "no-store"
        return response
