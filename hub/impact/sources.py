"""Name what the impact app needs from the wikis, and get it through hub.wikimedia only.

The impact services talk to an :class:`ImpactSource`; :class:`WikimediaSource` is the real one
and translates the clients' typed errors into the few the services act on. Only
``hub.wikimedia`` makes HTTP calls; this module never does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _


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


class ImpactSource(Protocol):
    """What the impact refresh asks of the wikis; ``requests`` counts HTTP requests made."""

    requests: int

    def check_wiki(self, wiki_url: str) -> WikiInfo: ...

    def category_info(self, wiki_url: str, category: str) -> CategoryInfo: ...

    def category_files(self, wiki_url: str, category: str, depth: int) -> list[FileEntry]: ...

    def missing_pages(self, wiki_url: str, titles: list[str]) -> list[str]: ...

    def global_usage(self, wiki_url: str, files: list[str]) -> dict[str, list[PageUse]]: ...

    def monthly_views(
        self, wiki_host: str, title: str, first: dt.date, last: dt.date
    ) -> dict[str, int]: ...

    def cim_category(self, category: str, first: dt.date, last: dt.date) -> CimCategory: ...

    def entities(self, qids: list[str]) -> dict[str, EntityInfo]: ...

    def collection_items(self, qid: str, limit: int) -> list[str]: ...


def get_source() -> ImpactSource:
    """Return a fresh source of the configured class (HUB_IMPACT_SOURCE)."""
    source_class: Any = import_string(settings.HUB_IMPACT_SOURCE)
    source: ImpactSource = source_class()
    return source


def _client_missing(what: str) -> SourceUnreachable:
    """Return the error for a client hub.wikimedia does not provide yet."""
    return SourceUnreachable(
        _("The connection to the wikis is not set up on this server (%(what)s).") % {"what": what}
    )


def _translate(exc: Exception) -> SourceError:
    """Return the impact error for a hub.wikimedia error, by its kind."""
    name = type(exc).__name__
    message = getattr(exc, "message", "") or str(exc)
    if name in {"ForbiddenAddress", "InvalidWikiUrl", "NotAWiki", "InvalidTitle"}:
        return SourceRefused(message)
    if name == "WikiNotFound":
        return SourceNotFound(message)
    if getattr(exc, "retryable", False):
        return SourceUnreachable(message)
    return SourceError(message)


class WikimediaSource:
    """Fetch figures through the hub.wikimedia clients; translate their errors."""

    def __init__(self) -> None:
        self.requests = 0
        try:
            from hub.wikimedia import impact as client  # type: ignore[attr-defined]
        except ImportError:
            client = None
        self._client: Any = client

    def _call(self, name: str, *args: Any) -> Any:
        """Call one function of the client, counting its requests and translating its errors."""
        if self._client is None or not hasattr(self._client, name):
            raise _client_missing(name)
        try:
            from hub.wikimedia.errors import WikiError  # type: ignore[import-not-found]
        except ImportError:  # pragma: no cover - the clients ship their errors
            raise _client_missing("errors") from None
        try:
            result, requests = getattr(self._client, name)(*args)
        except WikiError as exc:
            raise _translate(exc) from exc
        self.requests += int(requests)
        return result

    def check_wiki(self, wiki_url: str) -> WikiInfo:
        info: WikiInfo = self._call("check_wiki", wiki_url)
        return info

    def category_info(self, wiki_url: str, category: str) -> CategoryInfo:
        info: CategoryInfo = self._call("category_info", wiki_url, category)
        return info

    def category_files(self, wiki_url: str, category: str, depth: int) -> list[FileEntry]:
        files: list[FileEntry] = self._call("category_files", wiki_url, category, depth)
        return files

    def missing_pages(self, wiki_url: str, titles: list[str]) -> list[str]:
        missing: list[str] = self._call("missing_pages", wiki_url, titles)
        return missing

    def global_usage(self, wiki_url: str, files: list[str]) -> dict[str, list[PageUse]]:
        usage: dict[str, list[PageUse]] = self._call("global_usage", wiki_url, files)
        return usage

    def monthly_views(
        self, wiki_host: str, title: str, first: dt.date, last: dt.date
    ) -> dict[str, int]:
        views: dict[str, int] = self._call("monthly_views", wiki_host, title, first, last)
        return views

    def cim_category(self, category: str, first: dt.date, last: dt.date) -> CimCategory:
        figures: CimCategory = self._call("cim_category", category, first, last)
        return figures

    def entities(self, qids: list[str]) -> dict[str, EntityInfo]:
        found: dict[str, EntityInfo] = self._call("entities", qids)
        return found

    def collection_items(self, qid: str, limit: int) -> list[str]:
        items: list[str] = self._call("collection_items", qid, limit)
        return items
