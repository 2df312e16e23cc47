"""Configure the surveys app: partner surveys, invitations, answers and the partner portal."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "hub.surveys"
    label = "surveys"
    verbose_name = _("Partner surveys and portal")

    def ready(self) -> None:
        self._ready_portal()

    def _ready_portal(self) -> None:
        """Wire the partner portal: its organisation-page section, its job, its personal data."""
        from hub.core import erasure, personal_data
        from hub.partners.slots import ORGANISATION_PAGE
        from hub.surveys.portal import erasure as portal_erasure
        from hub.surveys.portal import jobs, sections

        ORGANISATION_PAGE.register(sections.organisation_portal_section)
        jobs.register()
        personal_data.finders.register(portal_erasure.find_change_requests)
        erasure.scrubbers.register(portal_erasure.scrub_change_requests)
        erasure.scrubbers.register(portal_erasure.forget_drawn_portals)
