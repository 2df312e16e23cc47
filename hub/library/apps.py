"""Configure the library app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "hub.library"
    label = "library"
    verbose_name = _("Library")

    def ready(self) -> None:
        from hub.core.models import ACTION_LABELS
        from hub.library.documents.sections import generate_section
        from hub.partnerships.slots import PARTNERSHIP_PAGE

        PARTNERSHIP_PAGE.register(generate_section)
        ACTION_LABELS["library.document_generated"] = _("generated a document")
