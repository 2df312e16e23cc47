"""Configure the partnerships app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "hub.partnerships"
    label = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self) -> None:
        from hub.core.models import ACTION_LABELS
        from hub.partners.slots import MY_WORK, ORGANISATION_PAGE
        from hub.partnerships import actions, sections

        ACTION_LABELS.update(actions.ACTION_LABELS)
        ORGANISATION_PAGE.add(sections.organisation_partnerships_section)
        MY_WORK.add(sections.my_work_tasks_section)
