"""Words for the audit events of partnerships, shown on timelines."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "partnership.created": _("created the partnership"),
    "activity.created": _("added an activity"),
    "activity.updated": _("changed an activity"),
    "activity.deleted": _("deleted an activity"),
    "contribution.added": _("recorded a contribution"),
    "contribution.updated": _("changed a contribution"),
    "contribution.deleted": _("deleted a contribution"),
    "exchange_rate.set": _("set an exchange rate"),
    "exchange_rate.deleted": _("deleted an exchange rate"),
    "affiliate.reporting_currency_changed": _("changed the reporting currency"),
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
