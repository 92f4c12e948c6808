"""JSON API of pooled funding: a fundraiser's progress and public donor list, pledging, and
the staff's confirm and cancel (and the donor's withdraw) of a pledge.

Session authentication only, so every POST needs the CSRF token as well as a signed-in user.
Refusals answer {"error", "code", "field"?, "remaining"?}: 400 bad amount, 401 not signed
in, 403 not allowed, 404 no such fundraiser or pledge, 409 the state refuses it (closed, above
the remainder: "remaining" says how much is left).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from layers.core.params import path_id

from . import actions
from .actions import FundingError
from .models import Fundraiser, Pledge

TAG = "funding"
DONORS_SHOWN = 200


class FundingErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="What went wrong, in the user's language.")
    code = serializers.CharField(
        required=False, help_text="Stable code, e.g. invalid, not_signed_in, forbidden, "
                                  "closed, over_remainder, fully_pledged, pledge_confirmed.")
    field = serializers.CharField(required=False, help_text="The input to fix, e.g. amount.")
    remaining = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False,
        help_text="Over the remainder: the tenge that remain to be pledged.")


def money(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class FundingDonorSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The donor's name, or \"Anonymous donor\" by the "
                                           "donor's choice.")
    amount = money()
    confirmed = serializers.BooleanField(help_text="The money has arrived.")


class FundingProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    goal = money()
    pledged = money(help_text="Active and confirmed pledges.")
    confirmed = money(help_text="Pledges whose money has arrived.")
    remaining = money()
    percent_pledged = serializers.DecimalField(max_digits=4, decimal_places=1)
    percent_confirmed = serializers.DecimalField(max_digits=4, decimal_places=1)
    is_open = serializers.BooleanField(help_text="Whether the fundraiser accepts pledges.")


class FundingFundraiserSerializer(FundingProgressSerializer):
    donor_count = serializers.IntegerField()
    donors = FundingDonorSerializer(many=True, help_text=f"Newest first, at most {DONORS_SHOWN}.")


class FundingPledgeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = money()
    status = serializers.ChoiceField(choices=Pledge.Status.choices)
    anonymous = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(help_text="Unconfirmed by then, it expires.")


class FundingPledgeResultSerializer(serializers.Serializer):
    pledge = FundingPledgeSerializer()
    fundraiser = FundingProgressSerializer()


class FundingPledgeRequestSerializer(serializers.Serializer):
    amount = serializers.JSONField(
        help_text='Tenge as a string ("1500.00") or number, at most two decimals, more than '
                  'zero; or "remainder" for exactly what remains when the pledge is taken.')
    anonymous = serializers.BooleanField(required=False, default=False,
                                         help_text="List the donor as anonymous.")


class FundingCancelRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True,
                                   max_length=actions.NOTE_MAX_CHARS)


ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="the id")


def by_id(queryset, pk: str):
    """The row with this id, or the API's JSON 404 (also for an id that is no number)."""
    row_id = path_id(pk)
    if row_id is None:
        raise Http404
    return get_object_or_404(queryset, pk=row_id)


def progress_body(fundraiser: Fundraiser) -> dict:
    return {"id": fundraiser.pk, **fundraiser.progress(), "is_open": fundraiser.is_open}


def fundraiser_body(fundraiser: Fundraiser) -> dict:
    return FundingFundraiserSerializer({
        **progress_body(fundraiser),
        "donor_count": actions.donor_count(fundraiser),
        "donors": actions.public_donors(fundraiser, limit=DONORS_SHOWN),
    }).data


def pledge_result(pledge: Pledge) -> dict:
    return FundingPledgeResultSerializer({"pledge": pledge,
                                   "fundraiser": progress_body(pledge.fundraiser)}).data


def refusal_body(error: FundingError) -> dict:
    body = {"error": error.message, "code": error.code}
    if error.field:
        body["field"] = error.field
    if getattr(error, "remaining", None) is not None:
        body["remaining"] = f"{error.remaining:.2f}"
    return body


def errors(*codes: int) -> dict:
    return {code: OpenApiResponse(FundingErrorSerializer) for code in codes}


class FundingAPIView(APIView):
    parser_classes = [JSONParser]

    def handle_exception(self, exc):
        if isinstance(exc, FundingError):
            return Response(refusal_body(exc), status=exc.status)
        if isinstance(exc, NotAuthenticated):
            return Response({"error": _("Sign in first."), "code": "not_signed_in"},
                            status=status.HTTP_401_UNAUTHORIZED)
        if isinstance(exc, ParseError):
            return Response({"error": _("The request body must be JSON."), "code": "invalid"},
                            status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)


class SignedInView(FundingAPIView):
    permission_classes = [IsAuthenticated]


class FundraiserView(FundingAPIView):
    @extend_schema(
        tags=[TAG], summary="A fundraiser's progress and public donor list",
        description="Goal, pledged (active + confirmed), confirmed and remaining tenge, and "
                    "the donors as each chose to be listed (name or anonymous) with their "
                    "amounts; never contacts. 404 also while what it funds is not public.",
        parameters=[ID_PARAMETER],
        responses={200: FundingFundraiserSerializer, **errors(400, 404)})
    def get(self, request, pk):
        fundraiser = by_id(Fundraiser.objects.all(), pk)
        if not actions.is_publicly_visible(fundraiser):
            raise Http404
        return Response(fundraiser_body(fundraiser))


class PledgeCreateView(SignedInView):
    @extend_schema(
        tags=[TAG], summary="Pledge an amount, or the whole remainder",
        description="The pledge holds its amount for TZ_PLEDGE_HOLD_DAYS; the area's staff "
                    "confirm it when the money arrives. 400 bad amount, 401 not signed in, "
                    "409 closed fundraiser or an amount above the remainder (remaining says "
                    "how much is left).",
        request=FundingPledgeRequestSerializer, parameters=[ID_PARAMETER],
        responses={201: FundingPledgeResultSerializer, **errors(400, 401, 403, 404, 409)},
        examples=[OpenApiExample("amount", request_only=True,
                                 value={"amount": "1500.00", "anonymous": False}),
                  OpenApiExample("remainder", request_only=True,
                                 value={"amount": "remainder", "anonymous": True})])
    def post(self, request, pk):
        fundraiser = by_id(Fundraiser.objects.all(), pk)
        params = self._params(request)
        created = actions.pledge(user=request.user, fundraiser=fundraiser,
                                 amount=params["amount"], anonymous=params["anonymous"])
        return Response(pledge_result(created), status=status.HTTP_201_CREATED)

    def _params(self, request) -> dict:
        data = request.data if isinstance(request.data, dict) else {}
        if data.get("amount") is None:
            raise FundingError(_('Give an amount in tenge, or "remainder".'), field="amount")
        anonymous = data.get("anonymous", False)
        if not isinstance(anonymous, bool):
            raise FundingError(_("anonymous must be true or false."), field="anonymous")
        return {"amount": data["amount"], "anonymous": anonymous}


class PledgeDecisionView(SignedInView):
    decision = ""  # confirm, cancel or withdraw

    def post(self, request, pk):
        pledge = by_id(Pledge.objects.select_related("fundraiser"), pk)
        if self.decision == "confirm":
            actions.confirm_pledge(user=request.user, pledge=pledge)
        elif self.decision == "cancel":
            params = FundingCancelRequestSerializer(
                data=request.data if isinstance(request.data, dict) else {})
            if not params.is_valid():
                raise FundingError(_("The reason is too long: at most %(count)d characters.")
                                   % {"count": actions.NOTE_MAX_CHARS}, field="reason")
            actions.cancel_pledge(user=request.user, pledge=pledge,
                                  reason=params.validated_data["reason"])
        else:
            actions.withdraw_pledge(user=request.user, pledge=pledge)
        return Response(pledge_result(pledge))


DECISION_RESPONSES = {200: FundingPledgeResultSerializer, **errors(400, 401, 403, 404, 409)}


class PledgeConfirmView(PledgeDecisionView):
    decision = "confirm"

    @extend_schema(tags=[TAG], summary="Staff: the pledge's money has arrived",
                   description="Staff whose role covers the fundraiser's area (403 otherwise); "
                               "409 when the pledge is not awaiting the money.",
                   request=None, parameters=[ID_PARAMETER],
                   responses=DECISION_RESPONSES)
    def post(self, request, pk):
        return super().post(request, pk)


class PledgeCancelView(PledgeDecisionView):
    decision = "cancel"

    @extend_schema(tags=[TAG], summary="Staff: cancel a pledge and free its amount",
                   description="An active pledge (the money will not come) or a confirmed one "
                               "(the money was returned); staff of the area only.",
                   request=FundingCancelRequestSerializer, parameters=[ID_PARAMETER],
                   responses=DECISION_RESPONSES)
    def post(self, request, pk):
        return super().post(request, pk)


class PledgeWithdrawView(PledgeDecisionView):
    decision = "withdraw"

    @extend_schema(tags=[TAG], summary="The donor withdraws their own unconfirmed pledge",
                   request=None, parameters=[ID_PARAMETER],
                   responses=DECISION_RESPONSES)
    def post(self, request, pk):
        return super().post(request, pk)
