"""Configure the surveys app: partner surveys, invitations, answers and the partner portal."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "hub.surveys"
    label = "surveys"
    verbose_name = _("Partner surveys and portal")

    def ready(self) -> None:
        pass
