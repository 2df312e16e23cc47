"""Reads for the strategic overview: the affiliate's partnerships by stored score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from hub.core.models import Affiliate
from hub.partnerships import scoring
from hub.partnerships.models import Partnership


@dataclass(frozen=True)
class StrategicFilters:
    """What the strategic overview shows: all, strategic partnerships or collaborations."""

    label: str = ""

    @classmethod
    def from_params(cls, params: Any) -> StrategicFilters:
        """Return filters read from a query string."""
        label = params.get("label", "")
        return cls(label=label if label in (scoring.STRATEGIC, scoring.COLLABORATION) else "")


def strategic_list(affiliate: Affiliate, filters: StrategicFilters) -> QuerySet[Partnership]:
    """Return the affiliate's live partnerships, best stored score first, for the overview."""
    qs = Partnership.objects.filter(affiliate=affiliate, archived_at=None)
    if filters.label == scoring.STRATEGIC:
        qs = qs.filter(is_strategic=True)
    elif filters.label == scoring.COLLABORATION:
        qs = qs.filter(is_strategic=False)
    return qs.order_by("-strategic_score", "title", "id").only(
        "id",
        "affiliate_id",
        "title",
        "stage",
        "start_date",
        "end_date",
        "strategic_score",
        "is_strategic",
        "archived_at",
        "agreement_expires_on",
        "impact_report_every_months",
        "impact_reported_on",
    )


def strategic_counts(affiliate: Affiliate) -> dict[str, int]:
    """Return how many live partnerships count as strategic and how many in all."""
    return Partnership.objects.filter(affiliate=affiliate, archived_at=None).aggregate(
        total=Count("id"), strategic=Count("id", filter=Q(is_strategic=True))
    )
