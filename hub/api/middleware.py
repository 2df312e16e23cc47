"""Turn any error answered under /api/ outside the API's own handlers into problem JSON."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from hub.api import problems

PREFIX = "/api/"


class ProblemMiddleware:
    """Answer problem JSON for the errors Django itself gives under /api/ (an unknown address,
    a method not allowed, a body too large), so a client always gets the same shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.path.startswith(PREFIX)
            or response.status_code < 400
            or response.get("Content-Type", "").startswith(problems.CONTENT_TYPE)
        ):
            return response
        status = response.status_code
        details = {
            404: _("There is no such address in the API. The documentation lists them."),
            405: _("This address does not take %(method)s.") % {"method": request.method},
            413: _("The body is too large. Send less at once."),
        }
        answer = problems.problem(
            status,
            HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else _("Error"),
            details.get(status, ""),
            kind=str(status),
        )
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                answer[header] = response[header]
        return answer
