"""Authenticate API calls by a personal token in the Authorization header, limit their rate."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from ninja.security import HttpBearer

from hub.api import problems
from hub.api.tokens import Caller, TokenRefused, caller_for

# Query parameters people put tokens in; a token there ends up in logs, so it is refused.
TOKEN_PARAMS = ("token", "access_token", "api_key", "apikey", "key", "auth")


class ApiProblem(Exception):
    """Stop an API call with a problem details response."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def _unauthorised(detail: str) -> ApiProblem:
    return ApiProblem(
        problems.problem(
            401,
            _("A valid token is needed"),
            detail,
            kind="unauthorised",
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )
    )


def _rate_key(group: str, request: HttpRequest) -> str:
    return str(request.auth.token.pk)  # type: ignore[attr-defined]


class TokenAuth(HttpBearer):
    """Accept `Authorization: Bearer <token>` only; refuse a token in the query string."""

    def __call__(self, request: HttpRequest) -> Caller:
        if any(name in request.GET for name in TOKEN_PARAMS):
            raise ApiProblem(
                problems.problem(
                    400,
                    _("Send the token in the Authorization header"),
                    _(
                        "A token in the address ends up in logs and browser history. Send it as "
                        "“Authorization: Bearer <token>”, and revoke this one on your account "
                        "page: it may have leaked."
                    ),
                    kind="token-in-query",
                )
            )
        header = request.headers.get("Authorization", "")
        scheme, _space, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise _unauthorised(
                _(
                    "Send your personal token as “Authorization: Bearer <token>”. Make one on "
                    "your account page."
                )
            )
        caller = self.authenticate(request, secret.strip())
        request.auth = caller  # type: ignore[attr-defined]
        self.limit_rate(request)
        return caller

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        """Return the caller for the token, or raise a 401 problem."""
        try:
            return caller_for(token)
        except TokenRefused:
            raise _unauthorised(
                _(
                    "This token is unknown or was revoked, or its owner no longer belongs to "
                    "its affiliate. Make a new one on your account page."
                )
            ) from None

    def limit_rate(self, request: HttpRequest) -> None:
        """Raise a 429 problem once the token has made too many calls in the window."""
        usage: dict[str, Any] | None = get_usage(
            request,
            group="api",
            key=_rate_key,
            rate=settings.HUB_API_RATE,
            method=ALL,
            increment=True,
        )
        if usage and usage["should_limit"]:
            wait = max(1, int(usage["time_left"]))
            raise ApiProblem(
                problems.problem(
                    429,
                    _("Too many requests"),
                    _("This token made too many calls. Wait %(seconds)s seconds and try again.")
                    % {"seconds": wait},
                    kind="rate-limited",
                    headers={"Retry-After": str(wait)},
                )
            )


def require_write(request: HttpRequest) -> Caller:
    """Return the caller if both their token and role allow changes, else raise a 403 problem."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    if not caller.can_write:
        detail = (
            _(
                "This token is read-only. Make a read-write token on your account page to "
                "change data."
            )
            if not caller.token.can_write
            else _("Your role in this affiliate lets you read its data, not change it.")
        )
        raise ApiProblem(problems.problem(403, _("Not allowed"), detail, kind="read-only"))
    return caller
