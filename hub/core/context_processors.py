"""Add what every page's navigation needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def hub(request: HttpRequest) -> dict[str, Any]:
    """Return the current membership (set by affiliate views) for the navigation."""
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "current_affiliate": membership.affiliate if membership else None,
    }
