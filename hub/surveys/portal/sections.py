"""The sections the partner portal adds to the partners' pages (hub.partners.slots): the
organisation page's portal, and My work's corrections waiting for approval."""

from __future__ import annotations

import datetime as dt

from hub.core.models import Affiliate, User
from hub.core.sections import Section
from hub.partners.models import Organisation
from hub.surveys.models import PartnerUpdates
from hub.surveys.portal.forms import PortalLinkForm, UpdatesForm
from hub.surveys.portal.selectors import organisation_portal, pending_count
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


def my_work_changes_section(affiliate: Affiliate, user: User, today: dt.date) -> Section:
    """Return My work's count of the partners' corrections waiting, linked to their page."""
    return Section("surveys/portal/_my_work_changes.html", {"pending": pending_count(affiliate)})
