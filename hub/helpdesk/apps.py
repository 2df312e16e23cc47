"""Configure the helpdesk app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "hub.helpdesk"
    label = "helpdesk"
    verbose_name = _("Helpdesk")

    def ready(self) -> None:
        from hub.core import erasure, personal_data
        from hub.core.models import ACTION_LABELS
        from hub.helpdesk import jobs
        from hub.helpdesk.erasure import find_in_helpdesk, identify_requesters, scrub_helpdesk

        # A contact erased in the partner directory is scrubbed from help requests too.
        erasure.scrubbers.register(scrub_helpdesk)
        personal_data.identifiers.register(identify_requesters)
        personal_data.finders.register(find_in_helpdesk)
        # Closed requests are anonymised after HUB_HELPDESK_RETENTION_DAYS (hub/core/schedule.py).
        jobs.register()
        # Words for the helpdesk's audit events (a person's data-rights page lists them).
        ACTION_LABELS.update(
            {
                "help_request.submitted": _("submitted a help request"),
                "help_request.question_asked": _("asked the requester a question"),
                "help_request.answered": _("answered the helpdesk's question"),
                "help_request.note_added": _("added an internal note"),
                "help_request.update_posted": _("posted an update on a help request"),
                "help_request.status_changed": _("changed a help request's status"),
                "help_request.triaged": _("triaged a help request"),
                "help_request.checked": _("rated a help request against the checklist"),
                "help_request.decided": _("recorded the committee's decision"),
                "help_request.anonymised": _("anonymised a closed help request"),
                "help_request.personal_data_asked": _(
                    "asked for a copy or the erasure of their personal data"
                ),
                "notifications.preferences_saved": _("changed their notification settings"),
                "committee.member_added": _("added a committee member"),
                "committee.member_removed": _("removed a committee member"),
                "committee.capacity_set": _("set the committee's capacity for a quarter"),
                "committee.meeting_scheduled": _("scheduled a committee meeting"),
                "committee.agenda_set": _("set a meeting's agenda"),
                "committee.brief_published": _("published a meeting's brief"),
                "working_group.formed": _("formed a working group"),
                "working_group.member_added": _("added a working group member"),
                "working_group.task_added": _("added a working group task"),
                "working_group.task_done": _("marked a working group task done"),
            }
        )
