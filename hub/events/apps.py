"""Configure the events app: participants of an activity and the outputs counted from the wikis."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "hub.events"
    label = "events"
    verbose_name = _("Events and campaigns")

    def ready(self) -> None:
        from hub.events import wiring_count, wiring_out, wiring_people

        wiring_people.register()
        wiring_count.register()
        wiring_out.register()
