"""Words for the audit events of partnerships, shown on timelines."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "partnership.created": _("created the partnership"),
    "task.created": _("added a task"),
    "task.updated": _("changed a task"),
    "task.completed": _("marked a task done"),
    "task.reopened": _("reopened a task"),
    "task.deleted": _("deleted a task"),
    "reminder.dismissed": _("dismissed a reminder"),
    "calendar_feed.created": _("made a calendar link"),
    "calendar_feed.revoked": _("revoked a calendar link"),
    "strategic_definition.updated": _("changed the strategic definition"),
}
