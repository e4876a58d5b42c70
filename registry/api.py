"""The registry's JSON API (v1).

* `GET /api/registry/v1/lookup?orgnr=NNNNNN-NNNN&date=YYYY-MM-DD`: public; which registered
  organisation an employer's employees belong to on a date (null: the public organisation).
* `GET /api/registry/v1/affiliations`: the calling organisation's employer list.
* `PUT /api/registry/v1/affiliations`: replace the whole list (all rows or nothing; row errors).

Machine clients authenticate with `Authorization: Token <key>`; keys are created by the
organisation's members on its page, shown once, and stored as sha256 hashes.
"""

import datetime

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import ApiToken


class OrganisationTokenAuthentication(BaseAuthentication):
    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Invalid token header.")
        try:
            raw = parts[1].decode()
        except UnicodeError:
            raise AuthenticationFailed("Invalid token.") from None
        token = (
            ApiToken.objects.select_related("organisation", "created_by")
            .filter(key_hash=services.hash_key(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.created_by.is_active:
            raise AuthenticationFailed("Invalid token.")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.created_by, token

    def authenticate_header(self, request):
        return "Token"


class HasOrganisationToken(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken)


class LookupQuery(serializers.Serializer):
    orgnr = serializers.CharField(max_length=13)
    date = serializers.DateField(required=False)

    def validate_orgnr(self, value):
        normalized = selectors.normalize_employer_org_number(value)
        if normalized is None:
            raise serializers.ValidationError("Not a valid organisationsnummer (NNNNNN-NNNN).")
        return normalized


class LookupView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("orgnr", str, required=True, description="The employer's organisationsnummer"),
            OpenApiParameter("date", datetime.date, required=False, description="Default: today"),
        ],
        responses={200: dict},
    )
    def get(self, request):
        return self._answer(request, request.query_params)

    @extend_schema(request=LookupQuery, responses={200: dict})
    def post(self, request):
        """The same lookup with a JSON body, for clients that keep the number out of URLs and logs."""
        return self._answer(request, request.data)

    def _answer(self, request, data):
        query = LookupQuery(data=data)
        query.is_valid(raise_exception=True)
        on_date = query.validated_data.get("date") or services.today()
        org = selectors.organisation_for_employer(org_number=query.validated_data["orgnr"], on_date=on_date)
        body = {
            "orgnr": query.validated_data["orgnr"],
            "date": on_date.isoformat(),
            "public_organisation": org is None,
            "organisation": None,
        }
        if org is not None:
            body["organisation"] = {
                "id": org.pk,
                "name": org.name,
                "org_number": org.org_number,
                "website": org.website,
                "url": request.build_absolute_uri(reverse("registry:organisation", kwargs={"pk": org.pk})),
            }
        return Response(body)


class AffiliationSerializer(serializers.Serializer):
    org_number = serializers.CharField()
    name = serializers.CharField()
    valid_from = serializers.CharField()
    valid_to = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class AffiliationsView(APIView):
    authentication_classes = [OrganisationTokenAuthentication]
    permission_classes = [HasOrganisationToken]

    @extend_schema(responses={200: AffiliationSerializer(many=True)})
    def get(self, request):
        items = selectors.affiliations_for(request.auth.organisation)
        return Response(
            [
                {
                    "org_number": a.employer_org_number,
                    "name": a.employer_name,
                    "valid_from": a.valid_from.isoformat(),
                    "valid_to": a.valid_to.isoformat() if a.valid_to else None,
                }
                for a in items.iterator(chunk_size=5000)
            ]
        )

    @extend_schema(request=AffiliationSerializer(many=True), responses={200: dict, 400: dict})
    def put(self, request):
        if not isinstance(request.data, list):
            return Response(
                {"errors": [{"row": 0, "column": "body", "message": "Send a JSON array of affiliations."}]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        records = []
        for n, item in enumerate(request.data, start=1):
            item = item if isinstance(item, dict) else {}
            records.append(
                {
                    "row": n,
                    **{k: str(item.get(k) or "") for k in ("org_number", "name", "valid_from", "valid_to")},
                }
            )
        result = services.affiliations_replace(
            organisation=request.auth.organisation, records=records, source="api", by=request.user
        )
        if not result.ok:
            return Response({"errors": [e.as_dict() for e in result.errors]}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"count": result.count, "upload": result.upload.pk})


class OrganisationTokenScheme(OpenApiAuthenticationExtension):
    target_class = "registry.api.OrganisationTokenAuthentication"
    name = "organisationToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: a key created by the organisation on its page (stored hashed).",
        }
