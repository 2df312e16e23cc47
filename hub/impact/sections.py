"""The section the impact app adds to the partnership page (hub.partnerships.slots)."""

from __future__ import annotations

from hub.core.models import Affiliate
from hub.core.sections import Section
from hub.impact import reports
from hub.impact.selectors import organisation_report, section_context
from hub.partners.models import Organisation
from hub.partnerships.models import Partnership


def partnership_impact_section(partnership: Partnership) -> Section:
    """Return the partnership page's impact figures: links, files in use, views, articles."""
    return Section("impact/_section_impact.html", section_context(partnership))


def partner_report_section(affiliate: Affiliate, organisation: Organisation) -> Section:
    """Return a partner's impact report across its partnerships, for its portal."""
    report = organisation_report(affiliate, organisation)
    return Section(
        "impact/_report.html",
        {"report": report, "summary": reports.summary(report), "charts": reports.charts(report)},
    )
