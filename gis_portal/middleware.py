from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

LANGUAGE_PARAMETER = "lang"


class KazakhFirstLocaleMiddleware(LocaleMiddleware):
    """Kazakh unless the visitor chose otherwise: a `lang` query parameter (API clients), or
    the cookie the language switch sets. The browser's Accept-Language is not consulted, so
    the first screen is Kazakh and the page, its API calls and its tiles always agree."""

    def process_request(self, request):
        supported = {code for code, _ in settings.LANGUAGES}
        for chosen in (request.GET.get(LANGUAGE_PARAMETER),
                       request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)):
            if chosen in supported:
                language = chosen
                break
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
