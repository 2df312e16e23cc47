"""Configure the helpdesk app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "hub.helpdesk"
    label = "helpdesk"
    verbose_name = _("Helpdesk")

    def ready(self) -> None:
        from hub.core import erasure
        from hub.helpdesk.erasure import scrub_helpdesk

        # A contact erased in the partner directory is scrubbed from help requests too.
        erasure.scrubbers.register(scrub_helpdesk)
