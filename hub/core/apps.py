"""Configure the core app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hub.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # The security log hears of every log-in, failed log-in and log-out (its receivers);
        # hub/wikimedia is plain modules, not an app: its system checks register here.
        from hub.core import jobs, languages, personal_data, security  # noqa: F401
        from hub.wikimedia import checks  # noqa: F401

        jobs.register()
