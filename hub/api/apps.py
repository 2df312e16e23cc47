"""Configure the API app: it sits on top of the partner apps and calls their services."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "hub.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from hub.core.models import ACTION_LABELS

        ACTION_LABELS.update(
            {
                "api_token.created": _("made an API token"),
                "api_token.revoked": _("revoked an API token"),
            }
        )
