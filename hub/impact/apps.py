"""Configure the impact app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "hub.impact"
    label = "impact"
    verbose_name = _("Impact")

    def ready(self) -> None:
        from hub.impact import figures, sections
        from hub.partnerships.slots import (
            PARTNERSHIP_FIGURES,
            PARTNERSHIP_PAGE,
            PARTNERSHIP_TOTALS,
        )

        PARTNERSHIP_PAGE.register(sections.partnership_impact_section)
        PARTNERSHIP_FIGURES.register(figures.partnership_figures)
        PARTNERSHIP_TOTALS.register(figures.partnership_totals)
