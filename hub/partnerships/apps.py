"""Configure the partnerships app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "hub.partnerships"
    label = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self) -> None:
        from hub.core import erasure, personal_data
        from hub.core.models import ACTION_LABELS
        from hub.partners.slots import MY_WORK, ORGANISATION_PAGE
        from hub.partnerships import actions, jobs, sections
        from hub.partnerships.erasure import find_in_partnerships, scrub_partnerships

        ACTION_LABELS.update(actions.ACTION_LABELS)
        ORGANISATION_PAGE.register(sections.organisation_partnerships_section)
        MY_WORK.register(sections.my_work_tasks_section)
        erasure.scrubbers.register(scrub_partnerships)
        personal_data.finders.register(find_in_partnerships)
        # The periodic job the workers run (hub/core/schedule.py).
        jobs.register()
