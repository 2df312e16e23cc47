"""The HTTP session that logging in with Wikimedia (OAuth 2.0 on Meta-Wiki) goes through.

django-allauth's MediaWiki provider makes the token and profile requests; it asks its adapter
for a session, and hub.core.wikimedia_login hands it this one: our User-Agent (also over the
one allauth passes with each request), the private-address guard, no proxy or .netrc from the
environment, and our timeouts.
"""

from __future__ import annotations

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
