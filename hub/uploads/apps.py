"""Configure the uploads app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UploadsConfig(AppConfig):
    name = "hub.uploads"
    label = "uploads"
    verbose_name = _("Batch uploads")

    def ready(self) -> None:
        from hub.partnerships.slots import PARTNERSHIP_PAGE
        from hub.uploads import sections

        PARTNERSHIP_PAGE.register(sections.partnership_uploads_section)
