"""API errors: every bad request gets a JSON body that says what to fix."""

from django.http import JsonResponse
from rest_framework.views import exception_handler


class BadQuery(ValueError):
    """A query parameter the caller must fix (HTTP 400)."""

    status = 400

    def __init__(self, message: str, parameter: str | None = None):
        super().__init__(message)
        self.message = message
        self.parameter = parameter


class NotFound(LookupError):
    """The thing asked for does not exist, or not here (HTTP 404)."""

    status = 404

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def error_response(error: BadQuery | NotFound) -> JsonResponse:
    body = {"error": error.message}
    if getattr(error, "parameter", None):
        body["parameter"] = error.parameter
    return JsonResponse(body, status=error.status)


def api_exception_handler(exc, context):
    """DRF hook: turn the portal's typed errors into the same JSON shape as DRF's own."""
    if isinstance(exc, BadQuery | NotFound):
        return error_response(exc)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"error": str(response.data["detail"])}
    return response
