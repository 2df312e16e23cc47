"""Words for the audit events of partnerships, shown on timelines."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "partnership.created": _("created the partnership"),
    "partnership.updated": _("changed the partnership"),
    "partnership.partners_changed": _("changed the partners and their roles"),
    "partnership.stage_changed": _("moved the partnership to another stage"),
    "partnership.agreement_updated": _("updated the agreement"),
    "partnership.document_added": _("uploaded a document"),
    "partnership.document_deleted": _("deleted a document"),
    "partnership.archived": _("archived the partnership"),
    "partnership.restored": _("restored the partnership"),
    "main_goal.added": _("added a main goal"),
    "main_goal.renamed": _("renamed a main goal"),
    "main_goal.removed": _("removed a main goal"),
}
