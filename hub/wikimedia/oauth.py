"""The HTTP session that logging in with Wikimedia (OAuth 2.0 on Meta-Wiki) goes through.

django-allauth's MediaWiki provider makes the token and profile requests; it asks its adapter
for a session, and hub.core.wikimedia_login hands it this one: our User-Agent (also over the
one allauth passes with each request), the private-address guard, no proxy or .netrc from the
environment, and our timeouts. Uploads made "as me" renew the person's token here (`refresh`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from hub.wikimedia.http import default_timeout, new_session, user_agent


def session() -> requests.Session:
    """Return a fresh session for one log-in's token and profile requests."""
    http = new_session()
    send = http.request

    def request(method: str, url: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        headers["User-Agent"] = user_agent()
        kwargs.setdefault("timeout", default_timeout())
        return send(method, url, headers=headers, **kwargs)

    http.request = request  # type: ignore[method-assign,assignment]
    return http


@dataclass(frozen=True)
class TokenPair:
    """A fresh access token, the refresh token that replaces the old one, and its lifetime."""

    access_token: str
    refresh_token: str
    expires_in: int


class TokenRefused(Exception):
    """Meta-Wiki would not renew the token (revoked, expired, or the consumer changed)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def refresh(*, token_url: str, client_id: str, client_secret: str, refresh_token: str) -> TokenPair:
    """Trade a refresh token for a new pair (OAuth 2.0 refresh grant); raise TokenRefused."""
    try:
        response = session().post(
            token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": client_id,
                "client_secret": client_secret,
            },
        )
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise TokenRefused(f"no answer from the token endpoint: {exc.__class__.__name__}") from exc
    if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
        detail = body.get("message") or body.get("error") if isinstance(body, dict) else ""
        raise TokenRefused(str(detail or f"HTTP {response.status_code}"))
    return TokenPair(
        access_token=str(body["access_token"]),
        refresh_token=str(body.get("refresh_token") or refresh_token),
        expires_in=int(body.get("expires_in") or 0),
    )
