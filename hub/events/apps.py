"""Configure the events app: participants of an activity and the outputs counted from the wikis."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "hub.events"
    label = "events"
    verbose_name = _("Events and campaigns")

    def ready(self) -> None:
        # Each part registers its sections, providers, finders and jobs here as it lands:
        # participants (events-people), counting (events-count), outputs and pages (events-out).
        pass
