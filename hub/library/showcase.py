"""Read what affiliates chose to publish: the public showcase, its figures, map and pages.

Only published, unarchived partnerships are ever read here; every public page goes through
``published()``, so a private partnership's id answers 404 everywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Count, F, Func, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django_countries.data import COUNTRIES

from hub.core.labels import country_name
from hub.core.links import url_by_id
from hub.core.regions import Region
from hub.library.models import CaseStudy, Resource, Visibility
from hub.partners.models import PartnerType
from hub.partnerships.models import (
    GOAL_FIELDS,
    Activity,
    Goal,
    Partnership,
    PartnershipPartner,
)
from hub.partnerships.selectors import published_partnerships
from hub.partnerships.slots import (
    Figure,
    activity_public_links,
    partnership_figures,
    partnership_totals,
)

PAGE_SIZE = 20
# Headline figures, in order, by the key impact gives them; summed over the partnerships.
HEADLINE_KEYS = ("files_deep", "views", "articles", "articles_created")
# The public pages are kept in the cache under the newest audit stamp (every change, impact's
# refreshes included, records an audit event), and at most this long besides.
CACHE_SECONDS = 600
# A filter that leaves at most this many partnerships has them read by id (see counts).
BY_ID = 2000


def published() -> QuerySet[Partnership]:
    """Return every partnership its affiliate published and has not archived."""
    return published_partnerships()


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
class CaseLink:
    """A public case study as the showcase lists it: where it is and whose it is."""

    pk: int
    partnership_id: int
    title: str
    affiliate: str
    url: str


def partnership_url() -> Callable[[int], str]:
    """Return a function giving a published partnership's public address from its id."""
    return url_by_id("showcase:partnership")


def newest_case_studies(count: int) -> list[CaseLink]:
    """Return the newest public case studies of published partnerships (1 query, plain
    values: no model instances to build)."""
    rows = (
        public_case_studies()
        .order_by("-resource__created_at", "-id")
        .values_list("id", "partnership_id", "resource__title", "partnership__affiliate__name")
    )
    url = partnership_url()
    return [
        CaseLink(pk, partnership, title, affiliate, f"{url(partnership)}#case-study-{pk}")
        for pk, partnership, title, affiliate in rows[:count]
    ]


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
    # "id IN (the partners' partnerships)" rather than a correlated EXISTS: SQLite then reads
    # the few matching partners once instead of probing them for every published partnership.
    if partner_q:
        qs = qs.filter(pk__in=PartnershipPartner.objects.filter(partner_q).values("partnership_id"))
    if filters.goal:
        qs = qs.filter(**{GOAL_FIELDS[Goal(filters.goal)]: True})
    if filters.activity_kind:
        qs = qs.filter(
            pk__in=Activity.objects.filter(kind=filters.activity_kind).values("partnership_id")
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


class _AnyOf(Func):
    """``column = ANY(array)`` on PostgreSQL: true when the column's value is in the array."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = BooleanField()


def _with_ids(ids: list[int]) -> QuerySet[Partnership]:
    """Return the partnerships of the given ids, passed as one parameter (an array on
    PostgreSQL, a JSON list on SQLite): compiling a parameter per id would cost more than
    the queries that read them."""
    if connection.vendor == "postgresql":
        # "id = ANY(array)", not "id IN (SELECT unnest(array))": the planner knows how many
        # ids the array holds and reads them by the primary key; it took the subquery for 200
        # rows and read all 10,000 partnerships to join them (10 ms for a page of cards).
        return Partnership.objects.filter(_AnyOf(F("pk"), RawSQL("%s::bigint[]", [ids])))
    found = RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])
    return Partnership.objects.filter(pk__in=found)


@dataclass
class Counts:
    """What the filtered showcase counts: partnerships, partner organisations, partnerships
    per partner country (code, name, count; most first) and the start years, newest first;
    and ``shown``, the same partnerships for the next queries (by id when few)."""

    partnerships: int
    partners: int
    countries: list[tuple[str, str, int]]
    years: list[int]
    shown: QuerySet[Partnership]


def counts(qs: QuerySet[Partnership]) -> Counts:
    """Count the partnerships of ``qs``, their partners, countries and years (2 queries)."""
    # Up to BY_ID partnerships are read by id: their ids and start dates once, and the next
    # queries find them by id instead of filtering every published partnership again.
    rows = list(qs.order_by().values_list("pk", "start_date")[: BY_ID + 1])
    if len(rows) <= BY_ID:
        qs = _with_ids([pk for pk, _day in rows])
        total, years = len(rows), {day.year for _pk, day in rows if day}
    else:
        # Many: by start date, their number and years (taken here: truncating each row to
        # its year in SQL is a Python call per row on SQLite).
        total, years = 0, set()
        for day, n in qs.order_by().values_list("start_date").annotate(n=Count("pk")):
            total += n
            if day:
                years.add(day.year)
    # Partnerships and distinct partners per partner country; an organisation is in one
    # country (or none), so the partners of all countries add up to the distinct partners.
    by_country_rows = (
        PartnershipPartner.objects.filter(partnership__in=qs.order_by().values("pk"))
        .order_by()
        .values_list("organisation__country")
        .annotate(
            partnerships=Count("partnership", distinct=True),
            partners=Count("organisation", distinct=True),
        )
    )
    partners, by_country = 0, []
    for code, n, organisations in by_country_rows:
        partners += organisations
        if code:
            by_country.append((str(code), country_name(code), n))
    return Counts(
        partnerships=total,
        partners=partners,
        countries=sorted(by_country, key=lambda row: (-row[2], row[1])),
        years=sorted(years, reverse=True),
        shown=qs,
    )


def headline(counted: Counts) -> list[Headline]:
    """Return the headline figures of the filtered showcase, with their provenance (1 query:
    impact's totals kept per partnership, summed)."""
    today = timezone.localdate()
    said = _("Counted in the Hub from what affiliates published")
    figures = {f.key: f for f in partnership_totals(counted.shown, HEADLINE_KEYS)}
    return [
        Headline("partnerships", _("Partnerships"), counted.partnerships, said, today),
        Headline("partners", _("Partner organisations"), counted.partners, said, today),
        *(
            Headline(k, figures[k].label, figures[k].value, figures[k].source, figures[k].as_of)
            for k in HEADLINE_KEYS
            if k in figures
        ),
    ]


def filter_options(counted: Counts, filters: Filters) -> dict[str, Any]:
    """Return the countries and years the filters offer: those of the partnerships shown (a
    choice that would show nothing is not offered), and the ones chosen."""
    options = {(code, name) for code, name, _n in counted.countries}
    if filters.country:
        options.add((filters.country, country_name(filters.country)))
    years = set(counted.years) | ({filters.year} if filters.year else set())
    return {
        "countries": sorted(options, key=lambda row: row[1]),
        "years": sorted(years, reverse=True),
    }


@dataclass
class Card:
    """A partnership as the showcase's list shows it: plain values, no model instances."""

    pk: int
    title: str
    summary: str
    year: int | None
    affiliate: str
    url: str
    # (organisation name, country name or "") of each partner.
    partners: list[tuple[str, str]] = field(default_factory=list)


def _words(text: str) -> str:
    """Return the first 40 words of a text, as the truncatewords filter does."""
    return Truncator(text).words(40, truncate=" …")


def page_of(qs: QuerySet[Partnership], number: int, count: int) -> Page:
    """Return a page of the partnerships' cards, newest change first (2 queries).

    ``count`` is how many partnerships ``qs`` holds (counted already). Values, not models:
    a card needs a few columns, and building model instances cost more than the queries.
    """
    paginator = Paginator(
        qs.order_by("-updated_at", "-id").values_list(
            "id", "title", "summary", "start_date", "affiliate__name"
        ),
        PAGE_SIZE,
    )
    paginator.count = count  # type: ignore[misc]
    page = paginator.get_page(number)
    url = partnership_url()
    cards = [
        Card(pk, title, _words(summary), day.year if day else None, affiliate, url(pk))
        for pk, title, summary, day, affiliate in page.object_list
    ]
    by_pk = {card.pk: card for card in cards}
    partners = PartnershipPartner.objects.filter(partnership_id__in=list(by_pk)).values_list(
        "partnership_id", "organisation__name", "organisation__country"
    )
    for pk, name, code in partners:
        by_pk[pk].partners.append((name, country_name(code)))
    page.object_list = cards  # type: ignore[assignment]
    return page


@dataclass
class PublicPartnership:
    """What a published partnership's public page shows; nothing private (no contacts, money
    or notes)."""

    partnership: Partnership
    partners: list[PartnershipPartner]
    activities: list[Activity]
    figures: list[Figure]
    case_studies: list[CaseStudy] = field(default_factory=list)


# Whether a partnership has a public case study, written out: compiling the same test as an
# Exists() of the ORM cost a public page more than running it.
_CASE, _RESOURCE = CaseStudy._meta.db_table, Resource._meta.db_table
_HAS_CASE_STUDY = RawSQL(  # noqa: S611  # table names from the models; the value a parameter
    f"EXISTS (SELECT 1 FROM {_CASE} INNER JOIN {_RESOURCE} ON {_RESOURCE}.id = {_CASE}.resource_id"  # noqa: S608
    f" WHERE {_CASE}.partnership_id = {Partnership._meta.db_table}.id"
    f" AND {_RESOURCE}.visibility = %s)",
    [Visibility.PUBLIC.value],
    output_field=BooleanField(),
)


def public_partnership(pk: int) -> Partnership:
    """Return a published partnership, or raise 404 (for a private one too)."""
    found = list(
        published()
        .select_related("affiliate")
        # Most partnerships have no case study: saying so here spares their page a query.
        .annotate(has_case_study=_HAS_CASE_STUDY)
        .filter(pk=pk)[:1]
    )
    if not found:
        raise Http404
    return found[0]


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
    # Each activity's public page (an event's totals), where an app higher up offers one.
    links = activity_public_links(activities)
    for activity in activities:
        setattr(activity, "public_link", links.get(activity.pk, ""))  # noqa: B010
    return PublicPartnership(
        partnership=partnership,
        partners=partners,
        activities=activities,
        figures=partnership_figures([partnership]).get(partnership.pk, []),
        case_studies=list(public_case_studies().filter(partnership=partnership))
        if getattr(partnership, "has_case_study", True)
        else [],
    )
