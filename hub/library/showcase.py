"""Read what affiliates chose to publish: the public showcase, its figures, map and pages.

Only published, unarchived partnerships are ever read here; every public page goes through
``published()``, so a private partnership's id answers 404 everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_countries import countries
from django_countries.data import COUNTRIES

from hub.core.regions import Region
from hub.library.models import CaseStudy, Visibility
from hub.partners.models import PartnerType
from hub.partnerships.models import (
    GOAL_FIELDS,
    Activity,
    Goal,
    Partnership,
    PartnershipPartner,
)
from hub.partnerships.slots import Figure, partnership_figures, partnership_totals

PAGE_SIZE = 20
# Headline figures, in order, by the key impact gives them; summed over the partnerships.
HEADLINE_KEYS = ("files_deep", "views", "articles", "articles_created")
# The public pages are kept in the cache under the newest audit stamp (every change, impact's
# refreshes included, records an audit event), and at most this long besides.
CACHE_SECONDS = 600


def published() -> QuerySet[Partnership]:
    """Return every partnership its affiliate published and has not archived."""
    return Partnership.objects.filter(
        visibility=Partnership.Visibility.PUBLISHED, archived_at__isnull=True
    )


def public_case_studies() -> QuerySet[CaseStudy]:
    """Return case studies that are public, of partnerships that are still published."""
    return (
        CaseStudy.objects.filter(
            resource__visibility=Visibility.PUBLIC,
            partnership__visibility=Partnership.Visibility.PUBLISHED,
            partnership__archived_at__isnull=True,
        )
        .select_related("resource", "partnership__affiliate")
        .only(
            # What the public pages and the feed show: never a resource's long extracted text.
            "id",
            "partnership_id",
            "what_worked",
            "what_did_not",
            "advice",
            "resource__title",
            "resource__summary",
            "resource__author",
            "resource__created_at",
            "resource__updated_at",
            "partnership__affiliate__name",
        )
    )


@dataclass(frozen=True)
class Filters:
    """The showcase's filters, each checked against its choices (unknown values are dropped)."""

    region: str = ""
    country: str = ""
    partner_type: str = ""
    goal: str = ""
    activity_kind: str = ""
    year: int | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Filters:
        def pick(name: str, allowed: Iterable[str]) -> str:
            value = str(params.get(name) or "")[:40]
            return value if value in set(allowed) else ""

        year_text = str(params.get("year") or "")[:4]
        return cls(
            region=pick("region", Region.values),
            country=pick("country", COUNTRIES),
            partner_type=pick("partner_type", PartnerType.values),
            goal=pick("goal", Goal.values),
            activity_kind=pick("activity_kind", Activity.Kind.values),
            year=int(year_text) if year_text.isdigit() and 1900 < int(year_text) < 3000 else None,
        )

    def key(self) -> str:
        return "|".join(str(v or "") for v in self.__dict__.values())

    def query(self) -> str:
        """Return the filters as a query string, for the links of the next pages."""
        return urlencode({k: v for k, v in self.__dict__.items() if v})

    def any(self) -> bool:
        return any(v for v in self.__dict__.values())


def filtered(filters: Filters) -> QuerySet[Partnership]:
    """Return the published partnerships that pass the filters."""
    qs = published()
    partner_q = Q()
    if filters.region:
        partner_q &= Q(organisation__region=filters.region)
    if filters.country:
        partner_q &= Q(organisation__country=filters.country)
    if filters.partner_type:
        partner_q &= Q(organisation__partner_type=filters.partner_type)
    if partner_q:
        qs = qs.filter(
            Exists(PartnershipPartner.objects.filter(partner_q, partnership=OuterRef("pk")))
        )
    if filters.goal:
        qs = qs.filter(**{GOAL_FIELDS[Goal(filters.goal)]: True})
    if filters.activity_kind:
        qs = qs.filter(
            Exists(Activity.objects.filter(partnership=OuterRef("pk"), kind=filters.activity_kind))
        )
    if filters.year:
        qs = qs.filter(start_date__year=filters.year)
    return qs


@dataclass
class Headline:
    """One headline figure: what, how many, and where the number comes from."""

    key: str
    label: str
    value: int
    source: str
    as_of: dt.date | None


def _headline(qs: QuerySet[Partnership]) -> list[Headline]:
    today = timezone.localdate()
    counted = _("Counted in the Hub from what affiliates published")
    # One pass: the partnerships (a partnership without partners still counts) and the
    # distinct organisations among their partners.
    counts = qs.order_by().aggregate(
        partnerships=Count("pk", distinct=True),
        partners=Count("partners__organisation", distinct=True),
    )
    figures = {f.key: f for f in partnership_totals(qs, HEADLINE_KEYS)}
    return [
        Headline("partnerships", _("Partnerships"), counts["partnerships"], counted, today),
        Headline("partners", _("Partner organisations"), counts["partners"], counted, today),
        *(
            Headline(k, figures[k].label, figures[k].value, figures[k].source, figures[k].as_of)
            for k in HEADLINE_KEYS
            if k in figures
        ),
    ]


def headline(filters: Filters) -> list[Headline]:
    """Return the headline figures of the filtered showcase, with their provenance."""
    return _headline(filtered(filters))


def country_counts(qs: QuerySet[Partnership]) -> list[tuple[str, str, int]]:
    """Return (code, name, partnerships) for every partner country, most partnerships first."""
    rows = (
        PartnershipPartner.objects.filter(partnership__in=qs)
        .exclude(organisation__country="")
        .values_list("organisation__country")
        .annotate(n=Count("partnership", distinct=True))
    )
    counts = [(str(code), str(countries.name(code)), n) for code, n in rows]
    return sorted(counts, key=lambda row: (-row[2], row[1]))


def partner_countries() -> list[tuple[str, str]]:
    """Return (code, name) of every country a published partnership's partner is in, by name:
    what the country filter offers (one distinct pass, nothing counted)."""
    codes = (
        PartnershipPartner.objects.filter(partnership__in=published())
        .exclude(organisation__country="")
        .order_by()
        .values_list("organisation__country", flat=True)
        .distinct()
    )
    return sorted(((str(c), str(countries.name(c))) for c in codes), key=lambda row: row[1])


def page_of(qs: QuerySet[Partnership]) -> QuerySet[Partnership]:
    """Return the partnerships of a showcase page with what their cards show."""
    return (
        qs.select_related("affiliate")
        .only(
            "id",
            "title",
            "summary",
            "start_date",
            "updated_at",
            "affiliate__name",
            "affiliate__slug",
        )
        .prefetch_related(
            Prefetch(
                "partners",
                queryset=PartnershipPartner.objects.select_related("organisation").only(
                    "id",
                    "partnership_id",
                    "role",
                    "organisation__name",
                    "organisation__partner_type",
                    "organisation__country",
                ),
            )
        )
        .order_by("-updated_at", "-id")
    )


def years() -> list[int]:
    """Return the start years of published partnerships, newest first."""
    # The distinct dates, their years taken here: truncating each row to its year in SQL is a
    # Python function call per row on SQLite (30 ms over 10,000 partnerships).
    days = published().exclude(start_date=None).order_by().values_list("start_date", flat=True)
    return sorted({day.year for day in days.distinct() if day}, reverse=True)


@dataclass
class PublicPartnership:
    """What a published partnership's public page shows; nothing private (no contacts, money
    or notes)."""

    partnership: Partnership
    partners: list[PartnershipPartner]
    activities: list[Activity]
    figures: list[Figure]
    case_studies: list[CaseStudy] = field(default_factory=list)


def public_partnership(pk: int) -> Partnership:
    """Return a published partnership, or raise 404 (for a private one too)."""
    found = (
        published()
        .select_related("affiliate")
        .annotate(
            # Most partnerships have no case study: saying so here spares their page a query.
            has_case_study=Exists(
                CaseStudy.objects.filter(
                    partnership=OuterRef("pk"), resource__visibility=Visibility.PUBLIC
                )
            )
        )
        .filter(pk=pk)
        .order_by()
        .first()
    )
    if found is None:
        raise Http404
    return found


def public_page(partnership: Partnership) -> PublicPartnership:
    """Return a published partnership with its partners, activities, figures and case study."""
    partners = list(
        PartnershipPartner.objects.filter(partnership=partnership)
        .select_related("organisation")
        .only(
            "id",
            "role",
            "organisation__name",
            "organisation__partner_type",
            "organisation__country",
            "organisation__city",
            "organisation__wikidata_qid",
        )
    )
    activities = list(
        Activity.objects.filter(partnership=partnership)
        .only(
            "id",
            "kind",
            "title",
            "starts_on",
            "ends_on",
            "participants",
            "articles_created",
            "files_uploaded",
            "people_trained",
        )
        .order_by("-starts_on", "-id")[:50]
    )
    return PublicPartnership(
        partnership=partnership,
        partners=partners,
        activities=activities,
        figures=partnership_figures([partnership]).get(partnership.pk, []),
        case_studies=list(public_case_studies().filter(partnership=partnership))
        if getattr(partnership, "has_case_study", True)
        else [],
    )
