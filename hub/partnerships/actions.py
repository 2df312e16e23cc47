"""Words for the audit events of partnerships, shown on timelines."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "partnership.created": _("created the partnership"),
}
