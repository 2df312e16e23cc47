"""Configure the events app: participants of an activity and the outputs counted from the wikis."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "hub.events"
    label = "events"
    verbose_name = _("Events and campaigns")

    def ready(self) -> None:
        from hub.core.models import ACTION_LABELS
        from hub.events import wiring_count, wiring_out, wiring_people

        wiring_people.register()
        wiring_count.register()
        wiring_out.register()
        # Words for the events' audit events (a person's data-rights page lists them).
        ACTION_LABELS.update(
            {
                "event.created": _("set up an event"),
                "event.updated": _("changed an event's settings"),
                "event.signup_opened": _("opened an event's sign-up link"),
                "event.signup_closed": _("closed an event's sign-up link"),
                "event.dashboard_imported": _(
                    "imported an event's figures from the Programs & Events Dashboard"
                ),
                "events.count_requested": _("asked for an event's outputs to be counted"),
                "events.counted": _("counted an event's outputs from the wikis"),
                "participant.added": _("added a participant"),
                "participant.imported": _("imported participants from a list"),
                "participant.updated": _("changed a participant"),
                "participant.removed": _("removed a participant"),
                "participant.signed_up": _("signed up for an event"),
                "participant.withdrew": _("withdrew from an event"),
            }
        )
