"""Configure the partnerships app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "hub.partnerships"
    label = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self) -> None:
        from hub.core import erasure
        from hub.core.models import ACTION_LABELS
        from hub.partnerships import actions
        from hub.partnerships.erasure import scrub_partnerships

        ACTION_LABELS.update(actions.ACTION_LABELS)
        erasure.scrubbers.register(scrub_partnerships)
