"""Add what every page's navigation needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hub.core.models import Membership

# The session key of the affiliate whose pages the person used last (set by affiliate_view).
LAST_AFFILIATE = "hub_last_affiliate"


def remember_affiliate(request: HttpRequest, membership: Membership) -> None:
    """Note the affiliate of the page being shown, for the navigation of hub-wide pages."""
    if request.session.get(LAST_AFFILIATE) != membership.affiliate.slug:
        request.session[LAST_AFFILIATE] = membership.affiliate.slug


def navigation_membership(request: HttpRequest) -> Membership | None:
    """Return the membership the navigation shows on a page outside any affiliate.

    The affiliate used last, or the only one the person belongs to; none when there is no
    way to tell (several affiliates, none used yet in this session). One query.
    """
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = list(Membership.objects.filter(user=user).select_related("affiliate"))
    last = request.session.get(LAST_AFFILIATE)
    for membership in memberships:
        if membership.affiliate.slug == last:
            return membership
    return memberships[0] if len(memberships) == 1 else None


def hub(request: HttpRequest) -> dict[str, Any]:
    """Return the current membership (set by affiliate views, else remembered) for navigation."""
    membership = getattr(request, "membership", None) or navigation_membership(request)
    return {
        "membership": membership,
        "current_affiliate": membership.affiliate if membership else None,
    }
