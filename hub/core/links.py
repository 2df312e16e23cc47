"""Build the addresses of the Hub's pages: in full, for e-mails, feeds and links given to
partners; and one route's addresses for many ids at once, for list pages."""

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


# A stand-in id no route holds twice: the address is reversed once with it, then each row's id
# is put in its place (reversing costs a list page of 50 rows, 4 links each, milliseconds).
_STAND_IN = 987654321987654321


def url_by_id(viewname: str, **kwargs: object) -> Callable[[int], str]:
    """Return a function giving the address of a route taking ``pk`` for any id, as
    ``reverse(viewname, kwargs={**kwargs, "pk": id})`` does, reversing only once.

    Falls back to reversing each time if the stand-in id shows up other than once (say, in a
    slug), so the address is always reverse's own."""
    path = reverse(viewname, kwargs={**kwargs, "pk": _STAND_IN})
    parts = path.split(str(_STAND_IN))
    if len(parts) != 2:
        return lambda pk: reverse(viewname, kwargs={**kwargs, "pk": pk})
    before, after = parts
    return lambda pk: f"{before}{int(pk)}{after}"
