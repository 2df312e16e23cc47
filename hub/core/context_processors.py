"""Add what every page's navigation needs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from hub.core.models import Membership

# The cookie naming the affiliate whose pages the person used last (set by affiliate_view).
# Only a choice among the person's own memberships: a changed cookie shows nobody else's menu.
# A cookie rather than the session, so that an affiliate page writes nothing to the database.
LAST_AFFILIATE = "hub_affiliate"


def remember_affiliate(request: HttpRequest, response: HttpResponse, slug: str) -> None:
    """Note the affiliate of the page being shown, for the navigation of hub-wide pages."""
    if request.COOKIES.get(LAST_AFFILIATE) != slug:
        response.set_cookie(
            LAST_AFFILIATE,
            slug,
            max_age=settings.SESSION_COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def memberships(request: HttpRequest) -> list[Membership]:
    """Return the signed-in person's memberships with their affiliates, read once a request."""
    if not request.user.is_authenticated:
        return []
    kept: list[Membership] | None = getattr(request, "_hub_memberships", None)
    if kept is None:
        kept = list(Membership.objects.filter(user=request.user).select_related("affiliate"))
        request._hub_memberships = kept  # type: ignore[attr-defined]
    return kept


def navigation_membership(request: HttpRequest) -> Membership | None:
    """Return the membership the navigation shows on a page outside any affiliate.

    The affiliate used last, or the only one the person belongs to; none when there is no
    way to tell (several affiliates, none used yet in this session). One query.
    """
    mine = memberships(request)
    last = request.COOKIES.get(LAST_AFFILIATE)
    for membership in mine:
        if membership.affiliate.slug == last:
            return membership
    return mine[0] if len(mine) == 1 else None


def hub(request: HttpRequest) -> dict[str, Any]:
    """Return the current membership (set by affiliate views, else remembered) for navigation."""
    membership = getattr(request, "membership", None) or navigation_membership(request)
    return {
        "membership": membership,
        "current_affiliate": membership.affiliate if membership else None,
    }
