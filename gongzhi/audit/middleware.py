from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from gongzhi.core.http import client_ip

from . import context


class AuditContextMiddleware:
    """Remembers the request's address (gongzhi.core.http.client_ip: X-Forwarded-For only from a
    trusted proxy) and an id for the audit rows written while it runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.set_current(
            context.RequestContext(ip=client_ip(request), request_id=uuid.uuid4().hex[:16])
        )
        try:
            return self.get_response(request)
        finally:
            context.reset(token)
