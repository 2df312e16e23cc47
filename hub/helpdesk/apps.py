"""Configure the helpdesk app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "hub.helpdesk"
    label = "helpdesk"
    verbose_name = _("Helpdesk")

    def ready(self) -> None:
        from hub.core import erasure, personal_data
        from hub.helpdesk import jobs
        from hub.helpdesk.erasure import find_in_helpdesk, identify_requesters, scrub_helpdesk

        # A contact erased in the partner directory is scrubbed from help requests too.
        erasure.scrubbers.register(scrub_helpdesk)
        personal_data.identifiers.register(identify_requesters)
        personal_data.finders.register(find_in_helpdesk)
        # Closed requests are anonymised after HUB_HELPDESK_RETENTION_DAYS (hub/core/schedule.py).
        jobs.register()
