"""Guard the ways in: rate limits on shared counters, recent-password checks, a security log."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_ratelimit import ALL
from django_ratelimit.core import get_usage, is_ratelimited

# One logger for what a security team reads: log-ins, refusals, erasures, exports. Settings'
# LOGGING can send it to its own file or service.
logger = logging.getLogger("hub.security")

# The session keys: when the password was last typed, and when the person was last seen.
PASSWORD_AT = "hub_password_at"  # noqa: S105 (a session key, not a password)
LAST_SEEN = "hub_last_seen"

RateKey = str | Callable[[str, HttpRequest], str]

# Session key: logged in by password where Wikimedia log-in is required; must link first
# (hub.core.wikimedia_login, hub.core.middleware.WikimediaLinkMiddleware).
MUST_LINK = "hub_must_link_wikimedia"


def client_address(request: HttpRequest | None) -> str:
    """Return the address the request came from (REMOTE_ADDR: a forged header changes nothing)."""
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def log_event(event: str, request: HttpRequest | None = None, **fields: Any) -> None:
    """Write one security event with who, from where, and plain fields (never a password)."""
    user = getattr(request, "user", None)
    who = user.get_username() if user is not None and user.is_authenticated else "-"
    details = " ".join(f"{key}={value!r}" for key, value in sorted(fields.items()))
    logger.info(
        "%s user=%r ip=%s %s",
        event,
        who,
        client_address(request) or "-",
        details,
        extra={"security_event": event},
    )


def rate_limited(request: HttpRequest, *, group: str, rate: str, keys: Iterable[RateKey]) -> bool:
    """Count this request against every key on the shared cache; return True when over the rate.

    Each key has its own counter (per client address, per user name, per e-mail address), so
    spreading guesses over many names or many addresses does not help. A refusal is logged.
    """
    limited = False
    for key in keys:
        if is_ratelimited(request, group=group, key=key, rate=rate, method=ALL, increment=True):
            limited = True
    if limited:
        log_event("ratelimit.refused", request, group=group, path=request.path)
    return limited


def failures_exceeded(request: HttpRequest, *, group: str, rate: str) -> bool:
    """Return whether this client used up its failures lately at something (counts nothing)."""
    usage = get_usage(request, group=group, key="ip", rate=rate, method=ALL, increment=False)
    return usage is not None and usage["count"] >= usage["limit"]


def count_failure(request: HttpRequest, *, group: str, rate: str) -> None:
    """Count one failure (a wrong link, a wrong token) against this client, and log it."""
    is_ratelimited(request, group=group, key="ip", rate=rate, method=ALL, increment=True)
    log_event("attempt.failed", request, group=group, path=request.path)


def posted(field: str) -> Callable[[str, HttpRequest], str]:
    """Return a rate-limit key: a posted field, trimmed and lower-cased (a name, an address)."""

    def key(group: str, request: HttpRequest) -> str:
        return (request.POST.get(field) or "").strip().lower()[:254]

    return key


def password_is_recent(request: HttpRequest) -> bool:
    """Return whether the person typed their password within HUB_REAUTH_SECONDS."""
    typed_at = request.session.get(PASSWORD_AT)
    return typed_at is not None and time.time() - typed_at <= settings.HUB_REAUTH_SECONDS


def note_password_typed(request: HttpRequest) -> None:
    """Record in the session that the person has just typed their password."""
    request.session[PASSWORD_AT] = int(time.time())


def recent_password_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a view (behind a log-in check) so that it asks for the password again when stale."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not password_is_recent(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('confirm_password')}?{query}")
        return view(request, *args, **kwargs)

    return wrapped


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    # Logging in is typing the password: sensitive pages need no second prompt right away.
    note_password_typed(request)
    request.session[LAST_SEEN] = int(time.time())
    log_event("login.succeeded", request)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already masked the password in credentials; only the user name is kept.
    log_event("login.failed", request, username=str(credentials.get("username", ""))[:150])


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    log_event("logout", request, username=user.get_username() if user is not None else "")
