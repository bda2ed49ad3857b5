from guanqing.core.context import RequestInfo, client_ip, reset_request_info, set_request_info


class RequestContextMiddleware:
    """Makes the client's IP address available to the audit log for the length of a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_info(RequestInfo(ip_address=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            reset_request_info(token)


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese unless the user chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; on government intranets
    many browsers are English-language builds, yet the users read Chinese first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
