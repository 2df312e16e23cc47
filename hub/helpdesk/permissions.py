"""Who may open the helpdesk's back office: hub staff and the expert committee."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from hub.helpdesk.selectors import can_use_helpdesk


def helpdesk_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a back-office view: log-in required; hub staff and committee only (others 404)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_use_helpdesk(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def login_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a view for any logged-in person (the visitor is sent to log in)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped
