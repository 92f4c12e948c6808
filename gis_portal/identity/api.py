"""JSON API of identity confirmation: EDS challenges and their verification, and the status
other apps and pages ask for ("is this user's identity confirmed now, how, until when").

Session authentication only, so every POST needs the CSRF token as well as a signed-in user.
"""

import base64
import uuid

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import trust
from .actions import (
    IdentityError,
    RevealRefused,
    client_ip,
    confirmation_status,
    issue_eds_challenge,
    record_eds_step_up,
    step_up_with_password,
    verify_eds_challenge,
)
from .models import Purpose

TAG = "identity"
# The request body may carry a PEM or base64 CMS; the verifier caps the decoded size itself
# (64 KiB) and audits an oversized one, this only bounds what is parsed as JSON at all.
MAX_CMS_CHARS = 256 * 1024


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="What went wrong, in the user's language.")
    reason = serializers.CharField(
        required=False,
        help_text="Stable code, e.g. challenge_used, challenge_expired, certificate_revoked, "
                  "untrusted_root, identity_mismatch, identity_in_use, rate_limited, "
                  "wrong_password; for a refused reveal not_signed_in, "
                  "identity_not_confirmed, step_up_required, reveal_daily_limit.")
    action_url = serializers.CharField(
        required=False, help_text="A refused reveal: the page where the user can fix it.")
    action_label = serializers.CharField(required=False)


class ChallengeRequestSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=Purpose.choices, default=Purpose.CONFIRM_IDENTITY)
    target = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True,
        help_text="What the confirmation is for, e.g. help-request:42.")


class ChallengeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    data = serializers.CharField(help_text="Base64 of the exact bytes to sign (NCALayer "
                                           "signingParams.decode = true).")
    expires_at = serializers.DateTimeField()
    signer_params = serializers.DictField(
        help_text="NCALayer signerParams: the keys the signing dialog may offer.")


class VerifyRequestSerializer(serializers.Serializer):
    cms = serializers.CharField(
        max_length=MAX_CMS_CHARS, trim_whitespace=False,
        help_text="The detached CMS NCALayer returned: PEM (BEGIN CMS) or base64 DER.")


class StatusSerializer(serializers.Serializer):
    confirmed = serializers.BooleanField()
    method = serializers.ChoiceField(choices=["eds", "service_centre"], allow_null=True)
    until = serializers.DateTimeField(allow_null=True)


class VerifyResultSerializer(StatusSerializer):
    step_up_until = serializers.DateTimeField(
        allow_null=True, help_text="A reveal_contacts challenge: until when this session may "
                                   "reveal the challenge's target; otherwise null.")


class StepUpRequestSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class StepUpSerializer(serializers.Serializer):
    step_up_until = serializers.DateTimeField(
        help_text="Until when this session may reveal contacts (any target).")


def refusal_body(error: IdentityError) -> dict:
    """The JSON answer to a refused identity action; a refused reveal also names the page
    that fixes it. Other apps' APIs answer a RevealRefused from run_reveal with this."""
    body = {"error": error.message, "reason": error.code}
    if isinstance(error, RevealRefused) and error.action_url:
        body.update(action_url=error.action_url, action_label=str(error.action_label))
    return body


def errors(*codes: int) -> dict:
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


def signer_params() -> dict:
    params = {"extKeyUsageOids": [trust.INDIVIDUAL_EKU]}
    if settings.EDS_NCALAYER_ANY_CERTIFICATE:
        params["chain"] = []  # NCALayer then offers keys of any CA, e.g. NCA test keys
    return params


class IdentityAPIView(APIView):
    """Signed-in users only; IdentityError becomes {"error", "reason"} with its status."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    def handle_exception(self, exc):
        if isinstance(exc, IdentityError):
            return Response(refusal_body(exc), status=exc.status)
        if isinstance(exc, ValidationError):
            return Response({"error": _validation_message(exc.detail),
                             "reason": "invalid_request"}, status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)


def _validation_message(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{field}: {_validation_message(value)}"
                         for field, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_validation_message(item) for item in detail)
    return str(detail)


class EdsChallengeView(IdentityAPIView):
    @extend_schema(
        tags=[TAG], summary="Issue an EDS challenge to sign with NCALayer",
        description="Single use, valid for EDS_CHALLENGE_TTL_SECONDS, bound to the user, the "
                    "purpose and the target; EDS_CHALLENGES_PER_HOUR per user.",
        request=ChallengeRequestSerializer,
        responses={201: ChallengeSerializer, **errors(400, 403, 429, 503)})
    def post(self, request):
        params = ChallengeRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        challenge = issue_eds_challenge(user=request.user, client_ip=client_ip(request),
                                        **params.validated_data)
        body = ChallengeSerializer({
            "id": challenge.pk,
            "data": base64.b64encode(bytes(challenge.content)).decode("ascii"),
            "expires_at": challenge.expires_at,
            "signer_params": signer_params(),
        }).data
        return Response(body, status=status.HTTP_201_CREATED)


class EdsVerifyView(IdentityAPIView):
    @extend_schema(
        tags=[TAG], summary="Verify the signed challenge and confirm the user's identity",
        description="Every attempt is audited. A refusal answers {error, reason}: 403 for a "
                    "challenge that is not the user's (or does not exist) and for "
                    "identity_mismatch (the account is bound to another IIN), 409 "
                    "challenge_used and identity_in_use (the IIN is bound to another "
                    "account), 410 challenge_expired, 429 too_many_attempts, 400 for a "
                    "signature the verifier rejects (reason is its code), 503 when "
                    "revocation could not be checked. A reveal_contacts challenge also opens "
                    "reveals of its target in this session (step_up_until).",
        request=VerifyRequestSerializer,
        parameters=[OpenApiParameter("challenge_id", OpenApiTypes.UUID, OpenApiParameter.PATH,
                                     description="the id the challenge request returned")],
        responses={200: VerifyResultSerializer, **errors(400, 403, 409, 410, 429, 503)},
        examples=[OpenApiExample("confirmed", response_only=True, status_codes=["200"], value={
            "confirmed": True, "method": "eds", "until": "2026-09-01T14:30:00+05:00"})])
    def post(self, request, challenge_id):
        # Any text reaches the view, so a malformed id is a 400 that says so, not a 404 page.
        try:
            challenge_uuid = uuid.UUID(challenge_id)
        except ValueError:
            raise IdentityError(_("The signature request id must be the UUID the challenge "
                                  "request returned.")) from None
        params = VerifyRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        confirmation = verify_eds_challenge(
            user=request.user, challenge_id=challenge_uuid, cms=params.validated_data["cms"],
            client_ip=client_ip(request))
        step_up = record_eds_step_up(request, confirmation)
        return Response(VerifyResultSerializer({
            "confirmed": True, "method": confirmation.method, "until": confirmation.expires_at,
            "step_up_until": step_up}).data)


class StepUpView(IdentityAPIView):
    @extend_schema(
        tags=[TAG], summary="Step up before reveals: the password again",
        description="Opens reveals of contacts in this session for TZ_REVEAL_STEP_UP_MINUTES. "
                    "400 wrong_password, 429 rate_limited after repeated wrong passwords. "
                    "The other way is an EDS signature over a reveal_contacts challenge.",
        request=StepUpRequestSerializer,
        responses={200: StepUpSerializer, **errors(400, 403, 429)})
    def post(self, request):
        params = StepUpRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        until = step_up_with_password(request=request,
                                      password=params.validated_data["password"])
        return Response(StepUpSerializer({"step_up_until": until}).data)


class IdentityStatusView(IdentityAPIView):
    @extend_schema(
        tags=[TAG], summary="Is the signed-in user's identity confirmed now, how, until when",
        description="method: eds (electronic signature) or service_centre (ID card shown at a "
                    "public service centre); until: when the latest active confirmation ends.",
        responses={200: StatusSerializer, **errors(403)})
    def get(self, request):
        status_now = confirmation_status(request.user)
        return Response(StatusSerializer({"confirmed": status_now.confirmed,
                                          "method": status_now.method,
                                          "until": status_now.until}).data)
