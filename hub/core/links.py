"""Build the addresses of the Hub's pages: full ones for e-mails, feeds and partners; lists."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """Return the full address of a path on this Hub.

    From the request when there is one (the address the person is using); otherwise from
    HUB_SITE_URL, which `make run` sets from its PORT.
    """
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path


def address_by_id(name: str, kwarg: str = "pk") -> Callable[[int], str]:
    """Return a function giving the address of the named page for an id: one reverse() for a
    whole list (reverse() costs a list of twenty links about a millisecond)."""
    marker = 987654321
    before, after = reverse(name, kwargs={kwarg: marker}).split(str(marker))
    return lambda pk: f"{before}{pk}{after}"
