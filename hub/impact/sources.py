"""Name what the impact app needs from the wikis, and get it through hub.wikimedia only.

The impact services talk to an :class:`ImpactSource`; :class:`WikimediaSource` is the real one
and translates the clients' typed errors into the few the services act on. Only
``hub.wikimedia`` makes HTTP calls; this module never does.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

from hub.core.dates import month_start_after
from hub.wikimedia.commons_metrics import CommonsMetricsClient
from hub.wikimedia.errors import (
    ForbiddenAddress,
    InvalidEntityId,
    InvalidTitle,
    InvalidWikiUrl,
    NotAWiki,
    WikiError,
    WikiNotFound,
)
from hub.wikimedia.http import RequestStats
from hub.wikimedia.mediawiki import MediaWikiClient
from hub.wikimedia.pageviews import PageviewsClient
from hub.wikimedia.wikidata import Entity, WikidataClient

# Months of snapshots asked for at least, so that the newest one not being published yet is
# not read as "this category is not covered".
CIM_RECENT_MONTHS = 3


class SourceError(Exception):
    """A figure could not be fetched; ``retryable`` says whether trying later can help."""

    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SourceUnreachable(SourceError):
    """The wiki did not answer, or asked us to slow down: try again later."""

    retryable = True


class SourceNotFound(SourceError):
    """The category, file, item or page does not exist (or a dataset does not cover it)."""


class SourceRefused(SourceError):
    """The address is not allowed or not a wiki: asking again will not help."""


@dataclass(frozen=True)
class WikiInfo:
    """A wiki that answered as a MediaWiki: its normalised address and host name."""

    url: str
    host: str
    name: str = ""


@dataclass(frozen=True)
class CategoryInfo:
    """A category's size as the wiki counts it (direct members only)."""

    title: str
    files: int
    subcategories: int


@dataclass(frozen=True)
class FileEntry:
    """A file and the day it was first uploaded, when known."""

    title: str
    uploaded: dt.date | None = None


@dataclass(frozen=True)
class PageUse:
    """A page on some wiki (host name, title)."""

    wiki: str
    title: str


@dataclass(frozen=True)
class EntityInfo:
    """A Wikidata item's size: how many statements and sitelinks it has."""

    qid: str
    exists: bool
    statements: int = 0
    sitelinks: int = 0


@dataclass(frozen=True)
class CimCategory:
    """Commons Impact Metrics' figures for one allow-listed category."""

    files: int
    files_deep: int
    files_in_use: int
    pages_using: int
    wikis_using: dict[str, int] = field(default_factory=dict)
    views: dict[str, int] = field(default_factory=dict)  # "YYYY-MM" → views
    uploads: dict[str, int] = field(default_factory=dict)  # "YYYY-MM" → files uploaded
    top_pages: list[tuple[str, str, int]] = field(default_factory=list)  # (wiki, title, views)
    wiki_count: int = 0
    as_of: str = ""  # "YYYY-MM": the newest published month the snapshot figures are from


class ImpactSource(Protocol):
    """What the impact refresh asks of the wikis; ``requests`` counts HTTP requests made."""

    @property
    def requests(self) -> int: ...

    def check_wiki(self, wiki_url: str) -> WikiInfo: ...

    def category_info(self, wiki_url: str, category: str) -> CategoryInfo: ...

    def category_files(self, wiki_url: str, category: str, depth: int) -> list[FileEntry]: ...

    def missing_pages(self, wiki_url: str, titles: list[str]) -> list[str]: ...

    def global_usage(self, wiki_url: str, files: list[str]) -> dict[str, list[PageUse]]: ...

    def latest_edits(self, wiki_url: str, titles: list[str]) -> dict[str, dt.datetime | None]: ...

    def first_edit(self, wiki_url: str, title: str) -> dt.datetime | None: ...

    def monthly_views(
        self, wiki_host: str, title: str, first: dt.date, last: dt.date
    ) -> dict[str, int]: ...

    def cim_category(self, category: str, first: dt.date, last: dt.date) -> CimCategory: ...

    def entities(self, qids: list[str]) -> dict[str, EntityInfo]: ...

    def collection_items(self, qid: str, limit: int) -> list[str]: ...


def get_source(*, background: bool = True) -> ImpactSource:
    """Return a fresh source of the configured class (HUB_IMPACT_SOURCE)."""
    source_class: Any = import_string(settings.HUB_IMPACT_SOURCE)
    source: ImpactSource = source_class(background=background)
    return source


def _translate(exc: Exception) -> SourceError:
    """Return the impact error for a hub.wikimedia error, by its kind."""
    message = getattr(exc, "message", "") or str(exc)
    if isinstance(exc, ForbiddenAddress | InvalidWikiUrl | NotAWiki | InvalidTitle):
        return SourceRefused(message)
    if isinstance(exc, InvalidEntityId):
        return SourceNotFound(message)
    if isinstance(exc, WikiNotFound):
        return SourceNotFound(message)
    if getattr(exc, "retryable", False):
        return SourceUnreachable(message)
    return SourceError(message)


def _month_key(day: dt.date) -> str:
    return day.isoformat()[:7]


class WikimediaSource:
    """Fetch figures through the hub.wikimedia clients; count requests; translate errors.

    ``background``: False for a person waiting on a page (checking a link as it is added):
    the clients then retry briefly instead of patiently.
    """

    def __init__(self, *, background: bool = True) -> None:
        self.background = background
        self.stats = RequestStats()
        self._wikis: dict[str, MediaWikiClient] = {}

    @property
    def requests(self) -> int:
        return self.stats.requests

    def _client(self, wiki_url: str) -> MediaWikiClient:
        """Return one client per wiki, checked to be a wiki (and allowed) on first use."""
        if wiki_url not in self._wikis:
            self._wikis[wiki_url] = MediaWikiClient.for_user_url(
                wiki_url, background=self.background, stats=self.stats
            )
        return self._wikis[wiki_url]

    def _wikidata(self) -> WikidataClient:
        url = str(settings.HUB_IMPACT_WIKIDATA_URL)
        if not isinstance(self._wikis.get(url), WikidataClient):
            client = WikidataClient.for_user_url(url, background=self.background, stats=self.stats)
            self._wikis[url] = client
        wikidata = self._wikis[url]
        assert isinstance(wikidata, WikidataClient)  # noqa: S101 - set just above
        return wikidata

    def check_wiki(self, wiki_url: str) -> WikiInfo:
        try:
            site = self._client(wiki_url).siteinfo()
        except WikiError as exc:
            raise _translate(exc) from exc
        return WikiInfo(url=wiki_url, host=urlsplit(wiki_url).hostname or "", name=site.sitename)

    def category_info(self, wiki_url: str, category: str) -> CategoryInfo:
        try:
            info = self._client(wiki_url).category_info(category)
        except WikiError as exc:
            raise _translate(exc) from exc
        return CategoryInfo(title=info.title, files=info.files, subcategories=info.subcats)

    def category_files(self, wiki_url: str, category: str, depth: int) -> list[FileEntry]:
        """Return the files of a category and its subcategories to ``depth``, each once."""
        try:
            client = self._client(wiki_url)
            files: dict[str, FileEntry] = {}
            seen = {category}
            frontier = [category]
            for level in range(depth + 1):
                next_frontier: list[str] = []
                for name in frontier:
                    kinds = ("file", "subcat") if level < depth else ("file",)
                    for member in client.iter_category_members(name, kinds=kinds):
                        if member.kind == "file":
                            added = member.added.date() if member.added else None
                            files.setdefault(member.title, FileEntry(member.title, added))
                        elif member.title not in seen:
                            seen.add(member.title)
                            next_frontier.append(member.title)
                frontier = next_frontier
        except WikiError as exc:
            raise _translate(exc) from exc
        return sorted(files.values(), key=lambda f: f.title)

    def missing_pages(self, wiki_url: str, titles: list[str]) -> list[str]:
        """Return the titles that do not exist on the wiki (asked 50 at a time)."""
        missing: list[str] = []
        try:
            client = self._client(wiki_url)
            for start in range(0, len(titles), 50):
                batch = titles[start : start + 50]
                for pages in client.query_pages({"prop": "info", "titles": batch}):
                    missing += [
                        str(p.get("title", ""))
                        for p in pages
                        if "missing" in p and p.get("missing") is not False
                    ]
        except WikiError as exc:
            raise _translate(exc) from exc
        return missing

    def global_usage(self, wiki_url: str, files: list[str]) -> dict[str, list[PageUse]]:
        try:
            usage = self._client(wiki_url).global_usage(titles=files, content_only=True)
        except WikiError as exc:
            raise _translate(exc) from exc
        found = {u.title: [PageUse(g.wiki, g.title) for g in u.usages] for u in usage}
        return {f: found.get(f, []) for f in files}

    def latest_edits(self, wiki_url: str, titles: list[str]) -> dict[str, dt.datetime | None]:
        """Return each title's latest edit time (None: no such page), 50 titles a request."""
        try:
            found = self._client(wiki_url).latest_revisions(titles)
        except WikiError as exc:
            raise _translate(exc) from exc
        return {r.asked: r.timestamp if r.exists else None for r in found}

    def first_edit(self, wiki_url: str, title: str) -> dt.datetime | None:
        """Return the time the page was created (None: no such page), in one request."""
        try:
            found = self._client(wiki_url).first_revision(title)
        except InvalidTitle:
            return None  # listed before the wiki refused such titles: counted as missing
        except WikiError as exc:
            raise _translate(exc) from exc
        return found.timestamp if found.exists else None

    def monthly_views(
        self, wiki_host: str, title: str, first: dt.date, last: dt.date
    ) -> dict[str, int]:
        client = PageviewsClient(
            settings.HUB_IMPACT_REST_URL, background=self.background, stats=self.stats
        )
        try:
            views = client.per_article(wiki_host, title, first, last)
        except WikiError as exc:
            raise _translate(exc) from exc
        return {_month_key(c.day): c.views for c in views.counts}

    def cim_category(self, category: str, first: dt.date, last: dt.date) -> CimCategory:
        """Return Commons Impact Metrics' figures; SourceNotFound if it does not cover them.

        Covered means a snapshot in at least one of the recent months (the newest month may
        not be published yet), and tree totals: a subcategory of an allow-listed category has
        none (its deep figures are 0), so it is counted live instead. Monthly series have rows
        only where a count is above zero: a published month without a row is a measured 0,
        a month not published yet has no figure at all.
        """
        client = CommonsMetricsClient(
            settings.HUB_IMPACT_REST_URL, background=self.background, stats=self.stats
        )
        end = month_start_after(last, 1)
        recent = min(first, month_start_after(last, 1 - CIM_RECENT_MONTHS))
        try:
            snapshots = client.category_snapshots(category, recent, end)
            if not snapshots:
                raise SourceNotFound(category)
            latest = max(snapshots, key=lambda s: s.month)
            if not latest.has_tree_figures:
                raise SourceNotFound(
                    f"Category:{category} is a subcategory in Commons Impact Metrics, which keep "
                    "tree totals for allow-listed categories only."
                )
            views = client.pageviews_per_category(category, first, end)
            uploads = client.edits_per_category(category, first, end, edit_type="create")
            top = client.top_pages(category, latest.month.year, latest.month.month)
            wikis = client.top_wikis(category, latest.month.year, latest.month.month)
        except WikiError as exc:
            raise _translate(exc) from exc
        published = sorted({s.month for s in snapshots if first <= s.month <= last})
        view_rows = {v.month: v.count for v in views}
        upload_rows = {u.month: u.count for u in uploads}
        return CimCategory(
            files=latest.media_file_count,
            files_deep=latest.media_file_count_deep,
            files_in_use=latest.used_media_file_count_deep,
            pages_using=latest.leveraging_page_count_deep,
            wikis_using={w.wiki: w.views for w in wikis},
            views={_month_key(m): view_rows.get(m, 0) for m in published},
            uploads={_month_key(m): upload_rows[m] for m in published if upload_rows.get(m)},
            top_pages=[(p.wiki, p.title, p.views) for p in top],
            wiki_count=latest.leveraging_wiki_count_deep,
            as_of=_month_key(latest.month),
        )

    def entities(self, qids: list[str]) -> dict[str, EntityInfo]:
        try:
            found = self._wikidata().get_entities(qids, props=("claims", "sitelinks"))
        except WikiError as exc:
            raise _translate(exc) from exc
        result: dict[str, EntityInfo] = {}
        for qid in qids:
            entity = found.get(qid)
            if isinstance(entity, Entity):
                result[qid] = EntityInfo(qid, True, entity.statement_count, entity.sitelink_count)
            else:
                result[qid] = EntityInfo(qid, False)
        return result

    def collection_items(self, qid: str, limit: int) -> list[str]:
        try:
            items = self._wikidata().iter_items_with_statement("P195", qid)
            return list(itertools.islice(items, limit))
        except WikiError as exc:
            raise _translate(exc) from exc
