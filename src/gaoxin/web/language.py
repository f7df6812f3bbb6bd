"""The page language: Chinese unless this browser chose English with the header's switch.

Django's LocaleMiddleware would also follow the browser's Accept-Language; gaoxin does not
(decision 035): official work here is in Chinese, the engine's problem messages and the data
are Chinese, and a browser left in English (a kiosk, a test machine, a colleague's laptop)
should not turn a reporter's page English by surprise. The choice is the cookie that Django's
``set_language`` view writes (``LANGUAGE_COOKIE_NAME``), kept for a year.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request) -> str:
    """The language this browser chose (a code of ``LANGUAGES``), else ``LANGUAGE_CODE``."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Activate the chosen language for the request; say which in Content-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
