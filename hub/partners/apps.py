"""Configure the partners app."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "hub.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from hub.core import erasure, personal_data
        from hub.core.models import ACTION_LABELS
        from hub.partners import jobs, search
        from hub.partners.erasure import scrub_partners
        from hub.partners.personal_data import find_in_partners, identify_contacts

        erasure.scrubbers.register(scrub_partners)
        personal_data.identifiers.register(identify_contacts)
        personal_data.finders.register(find_in_partners)
        # The periodic job the workers run (hub/core/schedule.py).
        jobs.register()

        ACTION_LABELS["partners.imported"] = _("imported a spreadsheet")
        ACTION_LABELS["reconciliation_key.created"] = _("made a reconciliation address")
        ACTION_LABELS["reconciliation_key.revoked"] = _("revoked a reconciliation address")
        ACTION_LABELS["wikidata.accepted"] = _("linked a Wikidata item")
        ACTION_LABELS["wikidata.rejected"] = _("rejected a Wikidata item")
        ACTION_LABELS["wikidata.run_started"] = _("started matching the directory with Wikidata")

        # SQLite drops a table's triggers when a migration rebuilds it: put the search
        # index's triggers back after every migrate.
        post_migrate.connect(
            search.repair_after_migrate,
            sender=self,
            dispatch_uid="partners.search.repair_after_migrate",
        )
