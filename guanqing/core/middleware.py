from django.http import JsonResponse

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


class QueryLengthMiddleware:
    """A query-string value longer than `QUERY_VALUE_MAX` characters is refused with a 400 that
    names the parameter, before any view reads it: no filter, search or page number needs more,
    and a search of 100,000 characters made SQLite refuse the whole list ("LIKE or GLOB pattern
    too complex", a 500 on every list with a search). Under /api/ the answer is the API's own
    shape, `{"parameter": ["message"]}`; a page says it on the error page, in the user's
    language. Innermost in MIDDLEWARE, so that the page knows who is signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            for value in values:
                if len(value) > QUERY_VALUE_MAX:
                    return _query_too_long(request, name, len(value))
        return self.get_response(request)


QUERY_VALUE_MAX = 12_000  # characters of one value in a query string: SQLite takes a LIKE
# pattern of up to 50,000 bytes, and 12,000 four-byte characters wrapped in % make 48,002


def _query_too_long(request, name: str, length: int):
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    message = _("查询条件“%(name)s”过长：最多 %(limit)d 个字（现有 %(length)d 个字）") % {
        "name": name[:50],
        "limit": QUERY_VALUE_MAX,
        "length": length,
    }
    if request.path_info.startswith("/api/"):
        return JsonResponse({name[:50]: [message]}, status=400)
    return render(request, "core/400_query.html", {"message": message}, status=400)


class ApiJsonErrorsMiddleware:
    """Under /api/ every error answer is JSON, as the API's own are, including those Django
    makes before or around a view: a body over DATA_UPLOAD_MAX_MEMORY_SIZE (400), an unknown
    path (404), a 403 or 500 page. A client then always reads `{"detail": …}`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith("/api/")
            or getattr(response, "streaming", False)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        from django.conf import settings

        if response.status_code >= 500 and settings.DEBUG:
            return response  # the technical page helps a developer more
        answer = JsonResponse({"detail": _api_error_detail(request, response.status_code)})
        answer.status_code = response.status_code
        for header in ("Retry-After", "Allow", "Content-Language", "Vary"):
            if header in response:
                answer[header] = response[header]
        return answer


def _api_error_detail(request, status: int) -> str:
    from django.conf import settings
    from django.utils.translation import gettext as _
    from rest_framework import exceptions

    if status == 400:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            return _("请求内容超过 %(mb)s MB 的上限") % {"mb": limit // (1024 * 1024)}
        return str(exceptions.ParseError.default_detail)
    known = {
        401: exceptions.NotAuthenticated,
        403: exceptions.PermissionDenied,
        404: exceptions.NotFound,
        405: exceptions.MethodNotAllowed,
        406: exceptions.NotAcceptable,
        415: exceptions.UnsupportedMediaType,
        429: exceptions.Throttled,
    }
    if status == 405:
        return str(exceptions.MethodNotAllowed.default_detail).format(method=request.method)
    if status in known:
        return str(known[status].default_detail)
    return str(exceptions.APIException.default_detail)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every answer (settings.PERMISSIONS_POLICY: features refused to every
    page), and HSTS when the site is served over HTTPS only but TLS ended at a TCP proxy.

    Django's SecurityMiddleware sends Strict-Transport-Security only on requests it sees as HTTPS;
    behind a proxy that passes the connection on with the PROXY protocol (docs/deployment.md §6)
    every request looks like plain HTTP although the browser spoke TLS. With GUANQING_SECURE_COOKIES
    the site says it is served over HTTPS only, so the header is sent all the same (a browser
    ignores it on a plain HTTP answer).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            policy = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)
            response.headers.setdefault("Permissions-Policy", policy)
        if (
            settings.SESSION_COOKIE_SECURE
            and settings.SECURE_HSTS_SECONDS
            and "Strict-Transport-Security" not in response
        ):
            value = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                value += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                value += "; preload"
            response.headers["Strict-Transport-Security"] = value
        return response
