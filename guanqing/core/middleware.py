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
