"""The partner portal: one signed link per partner organisation, its page, its corrections,
and the periodic partner update e-mail."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub.partners.models import Organisation


def portal_url_for(organisation: Organisation) -> str:
    """Return the full address of the organisation's portal link in force, or "" if none."""
    from hub.surveys.portal.tokens import live_link, portal_url

    link = live_link(organisation)
    return portal_url(link) if link is not None else ""
