"""What a viewer may see of the library, searched, faceted and ranked: one scope for every read."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Left
from django.utils.safestring import SafeString

from hub.core.models import Affiliate, AuditEvent, Membership
from hub.library import highlight, idsets, search
from hub.library.models import CaseStudy, Resource, ResourceFacet, Visibility
from hub.library.vocabulary import FACETS, label
from hub.partnerships.models import Activity, Partnership, PartnershipPartner
from hub.partnerships.slots import Figure, partnership_figures

PAGE_SIZE = 20
# Up to this many matches are ranked by relevance; see _ranked_page.
RANK_ALL = 500
SHARED = (Visibility.PUBLIC, Visibility.MOVEMENT)


def _scope(viewer: Any, partnership: str, own: list[int] | None = None) -> Q:
    """Return who may see which resources (a case study's partnership is reached by the path).

    ``own``: the viewer's affiliates, if the caller has read them (otherwise a subquery).
    """
    published = Q(**{f"{partnership}__isnull": True}) | Q(
        **{f"{partnership}__visibility": Partnership.Visibility.PUBLISHED}
    )
    if viewer is None or not viewer.is_authenticated:
        return Q(visibility=Visibility.PUBLIC) & published
    shared = Q(visibility__in=[Visibility.PUBLIC, Visibility.MOVEMENT]) & published
    if own is None:
        return shared | Q(
            affiliate_id__in=Membership.objects.filter(user=viewer).values("affiliate_id")
        )
    return shared | Q(affiliate_id__in=own)


def visible_resources(viewer: Any, *, own: list[int] | None = None) -> QuerySet[Resource]:
    """Return the resources this person may see: every read of the library starts here.

    Anonymous visitors: public ones. Signed-in people: public and movement ones, and all of
    their own affiliates'. A case study of a partnership that is no longer published shows
    only to its own affiliate. (Search keeps the same rule
    in memory: _Library.) ``own``: the viewer's affiliates, if the caller has read them in
    this request (their memberships), sparing a subquery.
    """
    return Resource.objects.filter(_scope(viewer, "case_study__partnership", own))


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


Counts = dict[tuple[str, str], int]


@dataclass(frozen=True)
class _Library:
    """Who may see each resource and its facet values, read at once from the facet rows.

    Kept in the process (_library) under the hub's newest audit stamp, which every library
    and partnership service moves, the hidden case studies and the newest facet row: search
    then counts, narrows and pages in memory, and asks the database only for the words'
    matches and the page's rows. What words find is never kept (reading a file records no
    audit event). Sets of resource ids are idsets (the bits of an integer).
    """

    key: tuple[Any, ...]
    # Public or movement-wide, and public only, leaving out case studies whose partnership is
    # no longer published (those show to their own affiliate only): the rule of _scope.
    shared: int
    public: int
    # Every resource of each affiliate (its own members see them all): ids, not idsets, which
    # would each be as long as the library.
    by_affiliate: dict[int, list[int]]
    by_value: dict[tuple[str, str], int]
    # The counts of the shared or public part, per chosen facets (the same for everyone).
    counted: dict[tuple[Any, ...], Counts] = field(default_factory=dict, compare=False)

    def visible(self, viewer: Any, own: list[int]) -> tuple[int, int]:
        """Return what everyone signed in (or anonymous) sees, and what only ``own`` adds."""
        if viewer is None or not viewer.is_authenticated:
            return self.public, idsets.EMPTY
        extra = idsets.of([n for a in own for n in self.by_affiliate.get(a, [])])
        return self.shared, extra & ~self.shared

    def narrowed(self, ids: int, chosen: dict[str, str]) -> int:
        """Return the ids that have every chosen facet value."""
        for pair in chosen.items():
            ids &= self.by_value.get(pair, idsets.EMPTY)
        return ids

    def count(self, ids: int) -> Counts:
        """Return {(facet, value): how many of the ids have it}."""
        counts = {}
        for pair, having in self.by_value.items():
            n = (having & ids).bit_count()
            if n:
                counts[pair] = n
        return counts

    def count_shared(self, base: int, chosen: dict[str, str]) -> Counts:
        """Return the counts of the shared (or public) resources narrowed by the facets, kept."""
        key = (base == self.public, tuple(sorted(chosen.items())))
        counts = self.counted.get(key)
        if counts is None:
            if len(self.counted) > 200:
                self.counted.clear()
            counts = self.counted[key] = self.count(self.narrowed(base, chosen))
        return counts

    @property
    def languages(self) -> list[str]:
        return [value for facet, value in self.by_value if facet == "language"]


_kept: list[_Library] = []


def _library() -> _Library:
    """Return the library's visibility and facets as they are now (see _Library)."""
    from django.db import connection

    stamp, hidden, newest_row = _state()
    database = (connection.alias, connection.settings_dict["NAME"])
    key = (database, stamp, hidden, newest_row)
    if _kept and _kept[0].key == key:
        return _kept[0]
    shared: list[int] = []
    public: list[int] = []
    by_affiliate: dict[int, list[int]] = {}
    by_value: dict[tuple[str, str], list[int]] = {}
    hidden_set = set(hidden)
    shown = {str(v) for v in SHARED}
    # Read as plain rows: tens of thousands of them, once after each change.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT resource_id, facet, value, visibility, affiliate_id, case_partnership_id "  # noqa: S608
            f"FROM {ResourceFacet._meta.db_table}"
        )
        for resource_id, facet, value, visibility, affiliate_id, partnership_id in cursor:
            by_value.setdefault((facet, value), []).append(resource_id)
            if facet != "kind":  # every resource has one kind row: its scope is read there
                continue
            by_affiliate.setdefault(affiliate_id, []).append(resource_id)
            if partnership_id in hidden_set or visibility not in shown:
                continue
            shared.append(resource_id)
            if visibility == Visibility.PUBLIC:
                public.append(resource_id)
    library = _Library(
        key=key,
        shared=idsets.of(shared),
        public=idsets.of(public),
        by_affiliate=by_affiliate,
        by_value={k: idsets.of(v) for k, v in by_value.items()},
    )
    _kept[:] = [library]
    return library


def _state() -> tuple[str, list[int], int | None]:
    """Return what the kept copy of the library follows, read in one statement (one round
    trip on every search): the newest audit event (as audit.latest_stamp reads it), the
    partnerships whose case studies show only to their affiliate (few), the newest facet row.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        joined = "string_agg(DISTINCT c.partnership_id::text, ',')"
    else:
        joined = "group_concat(DISTINCT c.partnership_id)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT CAST(id AS TEXT) || ' ' || CAST(created_at AS TEXT) "  # noqa: S608 - table names only
            f"FROM {AuditEvent._meta.db_table} ORDER BY id DESC LIMIT 1), "
            f"(SELECT {joined} FROM {CaseStudy._meta.db_table} c "
            f"JOIN {Partnership._meta.db_table} p ON p.id = c.partnership_id "
            "WHERE p.visibility <> %s), "
            f"(SELECT MAX(id) FROM {ResourceFacet._meta.db_table})",
            [Partnership.Visibility.PUBLISHED.value],
        )
        stamp, hidden, newest_row = cursor.fetchone()
    return stamp or "0", sorted(json.loads(f"[{hidden}]")) if hidden else [], newest_row


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
    viewer: Any,
    query: str = "",
    chosen: dict[str, str] | None = None,
    page: int = 1,
    *,
    own: list[int] | None = None,
) -> SearchPage:
    """Search what the viewer may see: ranked by relevance (title first), snippets, facets.

    Without words the newest added come first (the page lists featured ones above). The same
    on SQLite (FTS5) and PostgreSQL (tsvector in the resource's language), accents and case
    ignored. Counting and narrowing are done in memory (_Library); the words are matched
    once, by the database. ``own``: the viewer's affiliates, if the caller has read them.
    """
    chosen = {k: v for k, v in (chosen or {}).items() if k in FACETS and v}
    words = search.terms(query)
    library = _library()
    if viewer is None or not viewer.is_authenticated:
        own = []
    elif own is None:
        memberships = Membership.objects.filter(user=viewer).order_by()
        own = list(memberships.values_list("affiliate_id", flat=True))
    base, extra = library.visible(viewer, own)
    extra = library.narrowed(extra, chosen)
    prepared = None
    if not words:
        counts = dict(library.count_shared(base, chosen))
        for pair, n in library.count(extra).items():
            counts[pair] = counts.get(pair, 0) + n
        found = library.narrowed(base, chosen) | extra
    else:
        prepared, matched = search.match(words, library.languages)
        found = (library.narrowed(base, chosen) | extra) & matched
        counts = library.count(found)
    total = found.bit_count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    offset = (page - 1) * PAGE_SIZE
    if prepared is None:
        ids = idsets.newest(found, offset, PAGE_SIZE)
    else:
        ids = _ranked_page(prepared, found, offset)
    return SearchPage(
        hits=_hits(viewer, ids, words, own),
        total=total,
        page=page,
        pages=pages,
        facets=_facets(counts, chosen),
        words=words,
    )


# What a results page shows of a resource (not its file's text: see _hits).
HIT_FIELDS = (
    "id",
    "title",
    "kind",
    "template_kind",
    "language",
    "featured",
    "summary",
    "body",
    "affiliate__name",
    "affiliate__slug",
)


def _hits(viewer: Any, ids: list[int], words: list[str], own: list[int]) -> list[Hit]:
    """Return the page's resources, in order, with their titles marked and their snippets.

    The ids come from the in-memory copy (search_library), which follows the audit stamp; the
    rows shown are read through visible_resources all the same, so a change that left no
    audit event (an edit in the admin site) can at worst make a count stale, never show a
    resource the viewer may not see. A snippet comes from the summary or
    the description; only the resources whose words are not there have the opening of their
    file's text and search text read (a second, short query).
    """
    if not ids:
        return []
    loaded = {
        r.pk: r
        for r in visible_resources(viewer, own=own)
        .filter(pk__in=ids)
        .select_related("affiliate")
        .only(*HIT_FIELDS)
        .order_by()  # in the order of ids, below
    }
    found = [loaded[pk] for pk in ids if pk in loaded]
    snippets = {r.pk: highlight.matched_snippet([r.summary, r.body], words) for r in found}
    missing = [pk for pk, snippet in snippets.items() if snippet is None]
    if words and missing:
        heads = Resource.objects.filter(pk__in=missing).values_list(
            "pk",
            Left("extracted_text", highlight.SCAN_CHARS),
            Left("search_text", highlight.SCAN_CHARS),
        )
        for pk, text_head, search_head in heads:
            snippets[pk] = highlight.matched_snippet([text_head, search_head], words)
    return [
        Hit(
            resource=r,
            title=highlight.marked(r.title, words),
            snippet=snippets[r.pk] or highlight.opening([r.summary, r.body]),
        )
        for r in found
    ]


def _ranked_page(query: search.Query, found: int, offset: int) -> list[int]:
    """Return one page of the matching ids the viewer may see (an idset), best first.

    Up to RANK_ALL matches are all ranked by relevance. Beyond that (a word found in most of
    the library), the resources with every word in their title come first, then the rest,
    each newest first: scoring weighs a word by how rare it is, which tells nothing of a word
    in most resources, and costs a pass over every match.
    """
    if found.bit_count() <= RANK_ALL:
        return search.ranked_ids(query, idsets.members(found), PAGE_SIZE, offset)
    titled = found & search.title_matches(query)
    titled_count = titled.bit_count()
    ids = idsets.newest(titled, offset, PAGE_SIZE) if offset < titled_count else []
    if len(ids) < PAGE_SIZE:
        rest = found & ~titled
        ids += idsets.newest(rest, max(0, offset - titled_count), PAGE_SIZE - len(ids))
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
    """Return the featured resources the viewer may see, newest first.

    The featured ones (few) are found first, by their index: asked in one query with who may
    see them, SQLite reads every resource the viewer may see to find them.
    """
    chosen = list(Resource.objects.filter(featured=True).order_by().values_list("id", flat=True))
    if not chosen:
        return []
    return list(
        visible_resources(viewer)
        .filter(pk__in=chosen)
        .select_related("affiliate")
        .defer("extracted_text", "search_text")
        .order_by("-featured_at", "-id")[:limit]
    )


def case_study_of(partnership: Partnership) -> Resource | None:
    """Return the partnership's case study (the first, if several), for its page: its id and
    title, what the page links (not its body)."""
    return (
        Resource.objects.filter(case_study__partnership=partnership)
        .only("id", "title")
        .order_by("id")
        .first()
    )
