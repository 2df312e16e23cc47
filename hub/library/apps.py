"""Configure the library app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "hub.library"
    label = "library"
    verbose_name = _("Library")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from hub.core import erasure, personal_data
        from hub.core.models import ACTION_LABELS
        from hub.library import search, sections
        from hub.library.documents.sections import generate_section
        from hub.library.erasure import find_in_documents, scrub_documents
        from hub.library.linked import mapping  # noqa: F401  # registers its system check
        from hub.partnerships.slots import PARTNERSHIP_PAGE

        PARTNERSHIP_PAGE.register(sections.case_study_section)
        PARTNERSHIP_PAGE.register(generate_section)
        # Generated documents name the partner's contacts: found and erased with the person.
        erasure.scrubbers.register(scrub_documents)
        personal_data.finders.register(find_in_documents)
        ACTION_LABELS.update(
            {
                "library.resource_created": _("added a library resource"),
                "library.resource_updated": _("changed a library resource"),
                "library.resource_deleted": _("deleted a library resource"),
                "library.resource_featured": _("featured a library resource"),
                "library.resource_unfeatured": _("stopped featuring a library resource"),
                "library.case_study_created": _("started a case study"),
                "library.document_generated": _("generated a document"),
            }
        )
        # SQLite drops a table's triggers when a migration rebuilds it: put them back.
        post_migrate.connect(
            search.repair_after_migrate, sender=self, dispatch_uid="library.search.repair"
        )
