"""Request-wide guards: oversized bodies refused unread, idle sessions ended, no caching of
what a signed-in person sees."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control

from hub.core.security import LAST_SEEN, MUST_LINK, log_event

Handler = Callable[[HttpRequest], HttpResponse]

# Write the last-seen time into the session at most this often, not on every request.
LAST_SEEN_PRECISION_SECONDS = 60


def upload_limits() -> dict[str, int]:
    """Return the pages that take files, by URL name, with the largest body each accepts."""
    form_room = 1024 * 1024  # the form's other fields and the multipart framing
    return {
        "partners:import_upload": settings.HUB_IMPORT_MAX_BYTES + form_room,
        "partnerships:document_upload": settings.HUB_DOCUMENT_MAX_BYTES + form_room,
        "uploads:batch_sheet": settings.HUB_UPLOADS_MAX_SHEET_BYTES + form_room,
        "uploads:batch_files": settings.HUB_UPLOADS_MAX_REQUEST_BYTES + form_room,
        "library:resource_create": settings.HUB_LIBRARY_MAX_BYTES + form_room,
        "library:resource_edit": settings.HUB_LIBRARY_MAX_BYTES + form_room,
    }


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads no body without a valid length


class RequestSizeLimitMiddleware:
    """Answer 413 to a body larger than the page accepts, before anything reads it.

    Without this, an anonymous 200 MB POST to the log-in page is read and spooled to disk
    (to find the CSRF token) before it is refused. The proxy in front should cap bodies too.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        name = match.view_name if match is not None else ""
        limit = upload_limits().get(name, settings.HUB_MAX_REQUEST_BYTES)
        length = _content_length(request)
        if length <= limit:
            return None
        log_event("request.too_large", request, path=request.path, length=length, limit=limit)
        context = {"limit_mb": max(1, limit // (1024 * 1024)), "length_mb": length // (1024 * 1024)}
        return render(request, "413.html", context, status=413)


class SessionIdleTimeoutMiddleware:
    """Sign out a person who sent no request for HUB_SESSION_IDLE_SECONDS.

    The session cookie's own age (SESSION_COOKIE_AGE) still ends every session in the end; this
    also ends one left open on a shared computer.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > settings.HUB_SESSION_IDLE_SECONDS:
                log_event("session.idle_timeout", request, idle_seconds=now - last_seen)
                # The request goes on as an anonymous visitor's: pages send them to log in.
                logout(request)
            elif last_seen is None or now - last_seen >= LAST_SEEN_PRECISION_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Tell browsers and proxies to keep no copy of any page shown to a signed-in person."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class WikimediaLinkMiddleware:
    """Keep a person who logged in by password, where hub staff require Wikimedia log-in, on the
    page that links their Wikimedia account until they have linked it (hub.core.wikimedia_login).

    Reads only the session unless the flag is set at log-in; it is cleared once linked.
    """

    ALLOWED = ("/account/", "/accounts/", "/logout/", "/static/", "/i18n/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.session.get(MUST_LINK)
            and request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED)
        ):
            from hub.core.wikimedia_login import must_link_first

            if must_link_first(request.user):
                return redirect("account")
            request.session.pop(MUST_LINK, None)
        return self.get_response(request)
