"""What a viewer may see of the library, searched, faceted and ranked: one scope for every read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Left
from django.utils.safestring import SafeString

from hub.core import audit
from hub.core.models import Affiliate, Membership
from hub.library import highlight, search
from hub.library.models import CaseStudy, Resource, ResourceFacet, Visibility
from hub.library.vocabulary import FACETS, label
from hub.partnerships.models import Activity, Partnership, PartnershipPartner
from hub.partnerships.slots import Figure, partnership_figures

PAGE_SIZE = 20
# Up to this many matches are ranked by relevance; see _ranked_page.
RANK_ALL = 500
# The whole library's facet counts, per scope, are kept this long under the hub's audit stamp.
COUNTS_CACHE_SECONDS = 3600
SHARED = (Visibility.PUBLIC, Visibility.MOVEMENT)


def _scope(viewer: Any, partnership: str) -> Q:
    """Return who may see which resources (a case study's partnership is reached by the path)."""
    published = Q(**{f"{partnership}__isnull": True}) | Q(
        **{f"{partnership}__visibility": Partnership.Visibility.PUBLISHED}
    )
    if viewer is None or not viewer.is_authenticated:
        return Q(visibility=Visibility.PUBLIC) & published
    own = Membership.objects.filter(user=viewer).values("affiliate_id")
    shared = Q(visibility__in=[Visibility.PUBLIC, Visibility.MOVEMENT]) & published
    return shared | Q(affiliate_id__in=own)


def visible_resources(viewer: Any) -> QuerySet[Resource]:
    """Return the resources this person may see: every read of the library starts here.

    Anonymous visitors: public ones. Signed-in people: public and movement ones, and all of
    their own affiliates'. A case study of a partnership that is no longer published shows
    only to its own affiliate. (Search counts the same rule over facet rows: _visible_facets.)
    """
    return Resource.objects.filter(_scope(viewer, "case_study__partnership"))


def _visible_facets(viewer: Any) -> QuerySet[ResourceFacet]:
    """Return the facet rows of the resources the viewer may see (the rule of visible_resources).

    The partnerships whose case studies are hidden (no longer published) are few: one list,
    not a join on every row.
    """
    hidden = CaseStudy.objects.exclude(
        partnership__visibility=Partnership.Visibility.PUBLISHED
    ).values("partnership_id")
    published = ~Q(case_partnership_id__in=hidden)
    if viewer is None or not viewer.is_authenticated:
        return ResourceFacet.objects.filter(published, visibility=Visibility.PUBLIC)
    own = Membership.objects.filter(user=viewer).values("affiliate_id")
    shared = Q(visibility__in=[Visibility.PUBLIC, Visibility.MOVEMENT]) & published
    return ResourceFacet.objects.filter(shared | Q(affiliate_id__in=own))


def resource_for(viewer: Any, pk: int) -> Resource:
    """Return one resource the viewer may see (raise Resource.DoesNotExist otherwise)."""
    return (
        visible_resources(viewer).select_related("affiliate", "case_study__partnership").get(pk=pk)
    )


def own_resource(affiliate: Affiliate, pk: int) -> Resource:
    """Return one of the affiliate's own resources, for editing (raise DoesNotExist)."""
    return Resource.objects.select_related("affiliate", "case_study").get(
        pk=pk, affiliate=affiliate
    )


@dataclass
class Hit:
    """One resource on a results page, with its title and snippet marked."""

    resource: Resource
    title: SafeString
    snippet: SafeString


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    chosen: bool


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)


@dataclass
class SearchPage:
    """One page of results, the total, and the facets with their counts."""

    hits: list[Hit]
    total: int
    page: int
    pages: int
    facets: list[Facet]
    words: list[str]


def _narrowed(rows: QuerySet[ResourceFacet], chosen: dict[str, str]) -> QuerySet[ResourceFacet]:
    """Return the facet rows of the resources that have every chosen facet value."""
    for name, value in chosen.items():
        rows = rows.filter(
            resource_id__in=ResourceFacet.objects.filter(facet=name, value=value).values(
                "resource_id"
            )
        )
    return rows


def _facet_rows(viewer: Any, chosen: dict[str, str], words: list[str]) -> QuerySet[ResourceFacet]:
    """Return the facet rows of what the viewer may see, narrowed by the facets and the words.

    Counting over these narrow rows never reads a resource's row (long, with its file's text).
    """
    rows = _narrowed(_visible_facets(viewer), chosen)
    if words:
        rows = rows.filter(resource_id__in=_matching(words))
    return rows


Counts = dict[tuple[str, str], int]


def _count(rows: QuerySet[ResourceFacet]) -> Counts:
    """Return {(facet, value): number of resources} over the facet rows."""
    counts = rows.values_list("facet", "value").annotate(n=Count("id")).order_by()
    return {(facet, value): n for facet, value, n in counts}


def _hidden_case_studies() -> list[int]:
    """Return the partnerships whose case studies show only to their affiliate (few)."""
    return sorted(
        CaseStudy.objects.exclude(partnership__visibility=Partnership.Visibility.PUBLISHED)
        .values_list("partnership_id", flat=True)
        .distinct()
    )


def _counts_key(hidden: list[int], *parts: Any) -> str:
    """Return the cache key of facet counts: the hub's newest audit stamp, which every library
    and partnership service moves, and the hidden case studies, read each time, are in it.

    Only counts that do not depend on a file's text are kept: reading a file (processing)
    changes what words find without an audit event.
    """
    digest = hashlib.sha256(repr((hidden, parts)).encode()).hexdigest()[:32]
    return audit.stamped_key(None, "library-facets", digest)


def _library_counts(viewer: Any, chosen: dict[str, str]) -> Counts:
    """Return the facet counts of the library the viewer may see, narrowed by the chosen
    facets (no words), without a GROUP BY over every facet row on each visit.

    What public or movement-wide resources count is the same for every signed-in person (for
    anonymous visitors, the public ones): it is kept in the cache (_counts_key), so a change
    shows at once. The viewer's own affiliates' other resources (few) are counted live and
    added: the rule of _visible_facets.
    """
    hidden = _hidden_case_studies()
    anonymous = viewer is None or not viewer.is_authenticated
    shown = [Visibility.PUBLIC] if anonymous else list(SHARED)
    key = _counts_key(
        hidden, "whole", "public" if anonymous else "movement", sorted(chosen.items())
    )
    shared: Counts | None = cache.get(key)
    if shared is None:
        rows = ResourceFacet.objects.filter(visibility__in=shown).exclude(
            case_partnership_id__in=hidden
        )
        shared = _count(_narrowed(rows, chosen))
        cache.set(key, shared, COUNTS_CACHE_SECONDS)
    if anonymous:
        return shared
    own = Membership.objects.filter(user=viewer).values("affiliate_id")
    rest = ResourceFacet.objects.filter(affiliate_id__in=own).filter(
        ~Q(visibility__in=shown) | Q(case_partnership_id__in=hidden)
    )
    counts = dict(shared)
    for pair, n in _count(_narrowed(rest, chosen)).items():
        counts[pair] = counts.get(pair, 0) + n
    return counts


def _facets(counts: Counts, chosen: dict[str, str]) -> list[Facet]:
    facets = {name: Facet(name=name, label=str(FACETS[name][0])) for name in FACETS}
    for (name, value), n in counts.items():
        facet = facets.get(name)
        if facet is not None:
            facet.values.append(FacetValue(value, label(name, value), n, chosen.get(name) == value))
    for facet in facets.values():
        facet.values.sort(key=lambda v: (-v.count, v.label))
    return [facet for facet in facets.values() if facet.values]


def search_library(
    viewer: Any, query: str = "", chosen: dict[str, str] | None = None, page: int = 1
) -> SearchPage:
    """Search what the viewer may see: ranked by relevance (title first), snippets, facets.

    Without words the newest added come first (the page lists featured ones above). The same
    on SQLite (FTS5) and PostgreSQL (tsvector in the resource's language), accents and case
    ignored.
    """
    chosen = {k: v for k, v in (chosen or {}).items() if k in FACETS and v}
    words = search.terms(query)
    facet_rows = _facet_rows(viewer, chosen, words)
    # Every resource has exactly one kind: its kind row stands for the resource.
    kinds = facet_rows.filter(facet="kind")
    if words:
        counts = _count(facet_rows)
    else:
        counts = _library_counts(viewer, chosen)
    # Every resource has exactly one kind: the kinds' counts add up to the resources.
    total = sum(n for (name, _value), n in counts.items() if name == "kind")
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    offset = (page - 1) * PAGE_SIZE
    if words:
        candidates = _facet_rows(viewer, chosen, []).filter(facet="kind").values("resource_id")
        ids = _ranked_page(words, candidates, kinds, total, offset)
    else:
        ids = _newest(kinds, offset, PAGE_SIZE)
    found = {
        r.pk: r
        for r in Resource.objects.filter(pk__in=ids)
        .select_related("affiliate")
        .defer("extracted_text", "search_text")
        .annotate(
            text_head=Left("extracted_text", highlight.SCAN_CHARS),
            search_head=Left("search_text", highlight.SCAN_CHARS),
        )
    }
    hits = []
    for pk in ids:
        resource = found[pk]
        heads = [resource.text_head, resource.search_head]  # type: ignore[attr-defined]
        texts = [resource.summary, resource.body, *heads]
        hits.append(
            Hit(
                resource=resource,
                title=highlight.marked(resource.title, words),
                snippet=highlight.snippet(texts, words),
            )
        )
    return SearchPage(
        hits=hits,
        total=total,
        page=page,
        pages=pages,
        facets=_facets(counts, chosen),
        words=words,
    )


def _matching(words: list[str], *, title_only: bool = False) -> RawSQL:
    match, params = search.match_sql(words, title_only=title_only)
    # The SQL is search's constants; the words travel as parameters.
    return RawSQL(match, params)  # noqa: S611


def _newest(kinds: QuerySet[ResourceFacet], offset: int, limit: int) -> list[int]:
    """Return a page of resource ids, the newest added first, from their kind rows."""
    ordered = kinds.order_by("-resource_id").values_list("resource_id", flat=True)
    return list(ordered[offset : offset + limit])


def _ranked_page(
    words: list[str],
    candidates: QuerySet[Any],
    kinds: QuerySet[ResourceFacet],
    total: int,
    offset: int,
) -> list[int]:
    """Return one page of matching ids, best first.

    Up to RANK_ALL matches are all ranked by relevance. Beyond that (a word found in most of
    the library), the resources with every word in their title come first, ranked, then the
    rest newest first: scoring thousands of long texts would cost more than it tells.
    """
    sql, params = candidates.query.sql_with_params()
    if total <= RANK_ALL:
        return search.ranked_ids(words, sql, list(params), PAGE_SIZE, offset)
    titled = kinds.filter(resource_id__in=_matching(words, title_only=True))
    titled_count = titled.count()
    ids: list[int] = []
    if offset < titled_count:
        if titled_count <= RANK_ALL:
            ids = search.ranked_ids(words, sql, list(params), PAGE_SIZE, offset, title_only=True)
        else:
            ids = _newest(titled, offset, PAGE_SIZE)
    if len(ids) < PAGE_SIZE:
        rest = kinds.exclude(resource_id__in=_matching(words, title_only=True))
        ids += _newest(rest, max(0, offset - titled_count), PAGE_SIZE - len(ids))
    return ids


@dataclass
class CaseStudyView:
    """A case study's partnership as it is now: partners, activities, outcomes, figures."""

    case_study: CaseStudy
    partnership: Partnership
    partners: list[PartnershipPartner]
    activities: list[Activity]
    figures: list[Figure]


def case_study_view(case_study: CaseStudy) -> CaseStudyView:
    """Return what a case study page shows of its partnership, read now, not copied."""
    partnership = case_study.partnership
    partners = list(
        PartnershipPartner.objects.filter(partnership=partnership).select_related("organisation")
    )
    activities = list(Activity.objects.filter(partnership=partnership).order_by("-starts_on")[:50])
    return CaseStudyView(
        case_study=case_study,
        partnership=partnership,
        partners=partners,
        activities=activities,
        figures=partnership_figures([partnership]).get(partnership.pk, []),
    )


def translations_of(viewer: Any, resource: Resource) -> list[Resource]:
    """Return the resource's versions in other languages that the viewer may see."""
    return list(
        visible_resources(viewer)
        .filter(translations=resource)
        .only("id", "title", "language")
        .order_by("language")
    )


def featured(viewer: Any, limit: int = 6) -> list[Resource]:
    """Return the featured resources the viewer may see, newest first."""
    return list(
        visible_resources(viewer)
        .filter(featured=True)
        .select_related("affiliate")
        .defer("extracted_text", "search_text")
        .order_by("-featured_at", "-id")[:limit]
    )


def case_study_of(partnership: Partnership) -> Resource | None:
    """Return the partnership's case study (the first, if several), for its page."""
    return (
        Resource.objects.filter(case_study__partnership=partnership)
        .defer("extracted_text", "search_text")
        .order_by("id")
        .first()
    )
