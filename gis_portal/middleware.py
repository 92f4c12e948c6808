import re
from urllib.parse import unquote_plus

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty

LANGUAGE_PARAMETER = "lang"


class KazakhFirstLocaleMiddleware(LocaleMiddleware):
    """Kazakh unless the visitor chose otherwise: a `lang` query parameter (API clients, the
    map's tiles), or the cookie the language switch sets. The browser's Accept-Language is not
    consulted, so the first screen is Kazakh and the page, its API calls and its tiles always
    agree."""

    def process_request(self, request):
        supported = {code for code, _ in settings.LANGUAGES}
        from_url = request.GET.get(LANGUAGE_PARAMETER)
        from_cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        request.language_from_url = from_url in supported
        if request.language_from_url:
            language = from_url
        elif from_cookie in supported:
            language = from_cookie
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        """Content-Language names the answer's language. When ?lang= did not fix it, the cookie
        did (or the default its absence means): the answer varies with Cookie, so no cache
        hands one language's tiles to a visitor who chose another. Accept-Language is not read,
        so it is not named (the plaque pages, which read it, add it themselves)."""
        if not getattr(request, "language_from_url", False):
            patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


# Paths whose answers are JSON (or tiles) for programs, not pages for people.
API_PATH_PREFIXES = ("/api/", "/tiles/")


# Unicode category Cc: the C0 controls (NUL to US), DEL and the C1 controls.
_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f]")


def _has_control_character(text: str) -> bool:
    return _CONTROL_CHARACTER.search(text) is not None


def _control_character_problem(request) -> tuple[str, str | None] | None:
    """Where a request's path or query string holds a control character: ("path", None) or
    ("query", the parameter), or None when it holds none."""
    if _has_control_character(request.path):
        return "path", None
    for name, values in request.GET.lists():
        if _has_control_character(name):
            return "query", None
        if any(map(_has_control_character, values)):
            return "query", name
    return None


class RejectControlCharactersMiddleware:
    """API requests whose path or query string carries a NUL byte or another control character
    get a 400 JSON error before any view runs. No identifier, code or coordinate of the API
    contains one, and PostgreSQL refuses NUL in text: the views validate their parameters
    too, this keeps a parameter a view forgot from ever becoming a server error. Pages are
    left alone: their forms validate their own input."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # One search over the whole decoded query string clears nearly every request; only
        # a hit looks for the parameter to name.
        if request.path.startswith(API_PATH_PREFIXES) and (
                _has_control_character(request.path)
                or _has_control_character(unquote_plus(request.META.get("QUERY_STRING", "")))):
            problem = _control_character_problem(request)
            if problem is not None:
                where, parameter = problem
                body = {"error": f"the request {where} contains a control character (such as "
                                 "a NUL byte or a line break): remove it"}
                if parameter:
                    body["parameter"] = parameter
                return JsonResponse(body, status=400)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, except that responses under the policy's EXCLUDE_URL_PREFIXES
    (JSON, GeoJSON and tiles, never rendered as documents) are left alone before the policy is
    built: django-csp builds the header for every response and only then checks the prefix,
    a cost every tile and list page would pay for a header it never gets."""

    def __init__(self, get_response):
        super().__init__(get_response)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        self.excluded_prefixes = tuple(policy.get("EXCLUDE_URL_PREFIXES") or ())

    def _excluded(self, request) -> bool:
        return bool(self.excluded_prefixes) and request.path_info.startswith(
            self.excluded_prefixes)

    def process_request(self, request):
        if not self._excluded(request):
            super().process_request(request)

    def process_response(self, request, response):
        if self._excluded(request):
            return response
        return super().process_response(request, response)


class LazyMessageMiddleware(MessageMiddleware):
    """Django's message middleware with the storage made on first use (a view adding a
    message, a page template showing them). Tiles and API answers never do; making the
    cookie-and-session storage and saving it back cost each of them as much as resolving its
    URL."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
