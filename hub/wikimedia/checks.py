"""Refuse a deployment that would call Wikimedia without a way for Wikimedia to reach us."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register("wikimedia", deploy=False)
def check_wikimedia_contact(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Return an error when a deployment has no contact for its Wikimedia User-Agent."""
    if any(getattr(settings, name, False) for name in ("DEBUG", "DEVELOPMENT", "TESTING")):
        return []
    contact = getattr(settings, "HUB_WIKIMEDIA_CONTACT", "")
    agent = getattr(settings, "HUB_WIKIMEDIA_USER_AGENT", "")
    if agent and not ("@" in agent or "http" in agent):
        return [
            Error(
                "HUB_WIKIMEDIA_USER_AGENT has no contact (an e-mail address or URL).",
                hint="Wikimedia blocks clients it cannot reach: add one, e.g. "
                "'PartnershipsHub/1.0 (https://hub.example.org; ops@example.org)'.",
                id="wikimedia.E002",
            )
        ]
    if not contact and not agent:
        return [
            Error(
                "HUB_WIKIMEDIA_CONTACT is not set.",
                hint="Set it to an e-mail address or URL where Wikimedia operators can reach "
                "whoever runs this Hub; it goes into the User-Agent of every request.",
                id="wikimedia.E001",
            )
        ]
    return []
