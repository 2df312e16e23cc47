"""Configure the impact app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "hub.impact"
    label = "impact"
    verbose_name = _("Impact")

    def ready(self) -> None:
        from hub.core.metrics import metric_sources
        from hub.core.models import ACTION_LABELS
        from hub.impact import figures, jobs, sections, services
        from hub.impact.metrics import refresh_metrics
        from hub.partnerships.slots import (
            CONTENT_PUBLISHED,
            PARTNER_REPORT,
            PARTNERSHIP_FIGURES,
            PARTNERSHIP_PAGE,
            PARTNERSHIP_TOTALS,
        )

        PARTNERSHIP_PAGE.register(sections.partnership_impact_section)
        PARTNERSHIP_FIGURES.register(figures.partnership_figures)
        # The partner portal's impact report (hub.surveys.portal).
        PARTNER_REPORT.register(sections.partner_report_section)
        PARTNERSHIP_TOTALS.register(figures.partnership_totals)
        # A finished batch upload's content counts in its partnership's impact by itself.
        CONTENT_PUBLISHED.register(services.receive_published_content)
        # The periodic job the workers run (hub/core/schedule.py).
        jobs.register()
        metric_sources.register(refresh_metrics)
        # Words for the partnership's timeline.
        ACTION_LABELS.update(
            {
                "impact.link_added": _("added content to count for impact"),
                "impact.link_removed": _("removed content counted for impact"),
                "impact.refresh_requested": _("asked for fresh impact figures"),
                "impact.refreshed": _("refreshed the impact figures"),
                "impact.share_created": _("made a link to share the impact report"),
                "impact.share_revoked": _("withdrew a shared impact report link"),
                "impact.demo_figures": _("filled in demo impact figures"),
            }
        )
