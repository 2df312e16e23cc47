"""Build the full addresses of the Hub's pages, for e-mails, feeds and links given to partners."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """Return the full address of a path on this Hub.

    From the request when there is one (the address the person is using); otherwise from
    HUB_SITE_URL, which `make run` sets from its PORT.
    """
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path
