"""The section the partner portal adds to the organisation page (hub.partners.slots)."""

from __future__ import annotations

from hub.core.models import Affiliate
from hub.core.sections import Section
from hub.partners.models import Organisation
from hub.surveys.models import PartnerUpdates
from hub.surveys.portal.forms import PortalLinkForm, UpdatesForm
from hub.surveys.portal.selectors import organisation_portal
from hub.surveys.portal.tokens import portal_url


def organisation_portal_section(affiliate: Affiliate, organisation: Organisation) -> Section:
    """Return the organisation page's partner portal: its link, updates, corrections waiting."""
    found = organisation_portal(affiliate, organisation)
    frequency = found.updates.frequency if found.updates else PartnerUpdates.Frequency.NEVER
    return Section(
        "surveys/portal/_organisation_portal.html",
        {
            "portal": found,
            "portal_url": portal_url(found.link) if found.link else "",
            "portal_link_form": PortalLinkForm(),
            "portal_updates_form": UpdatesForm(initial={"frequency": frequency}),
        },
    )
