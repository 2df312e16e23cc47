"""Read from (and log in to) any MediaWiki through its Action API: categories, files, usage.

Start with :meth:`MediaWikiClient.for_user_url` for an address a person typed (checked against
private networks, probed for a wiki), or ``MediaWikiClient(api_url)`` for one the code or an
administrator configured. Every method returns dataclasses and raises
:mod:`hub.wikimedia.errors` types.

Etiquette, all automatic: ``maxlag=5`` on background clients, continuation followed, titles in
batches of 50 (500 where the account has ``apihighlimits``), ``limit=max`` on lists, the first
query also asks for ``meta=siteinfo|userinfo`` (so checking that an address is a wiki and
learning the account's limits costs no extra request), requests in series per host.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from hub.wikimedia import titles as T
from hub.wikimedia.errors import (
    InvalidTitle,
    NotAWiki,
    WikiApiError,
    WikiBadToken,
    WikiLoginFailed,
    WikiMalformedResponse,
    WikiNotFound,
)
from hub.wikimedia.http import (
    BACKGROUND,
    FOREGROUND,
    Clock,
    RequestRecord,
    RequestStats,
    RetryPolicy,
    Sleep,
    WikiHttp,
    new_session,
)
from hub.wikimedia.safety import check_wiki_url

DEFAULT_MAXLAG = 5
BATCH = 50  # titles or page ids per request for ordinary accounts
BATCH_HIGH = 500  # with the apihighlimits right (bots, administrators)
DEFAULT_IIPROP = "url|size|mime|sha1|timestamp|user"
FILE_NS = 6
CATEGORY_NS = 14


@dataclass(frozen=True)
class SiteInfo:
    """What a wiki says about itself (``meta=siteinfo``) and about our account (``userinfo``)."""

    sitename: str
    generator: str  # "MediaWiki 1.39.17"
    server: str
    article_path: str
    script_path: str
    lang: str
    main_page: str
    base: str
    read_only: bool = False
    user_name: str = ""
    anonymous: bool = True
    rights: frozenset[str] = frozenset()

    @property
    def high_limits(self) -> bool:
        """Return whether the account may ask for 500 titles / 5,000 list items at once."""
        return "apihighlimits" in self.rights

    @property
    def batch_size(self) -> int:
        """Return how many titles or page ids one request may carry for this account."""
        return BATCH_HIGH if self.high_limits else BATCH

    def page_url(self, title: str) -> str:
        """Return the address of a page on this wiki."""
        # Wikimedia wikis give a protocol-relative server ("//fr.wikisource.org").
        server = f"https:{self.server}" if self.server.startswith("//") else self.server
        return server + self.article_path.replace("$1", T.path_segment(title))


@dataclass(frozen=True)
class CategoryInfo:
    """A category's size as the wiki counts it (direct members only, not subcategories')."""

    title: str
    page_exists: bool
    size: int
    pages: int
    files: int
    subcats: int
    hidden: bool = False
    page_id: int | None = None


@dataclass(frozen=True)
class CategoryMember:
    """One member of a category: a page, a file or a subcategory."""

    page_id: int
    namespace: int
    title: str
    kind: str  # "page", "file" or "subcat"
    added: datetime | None = None


@dataclass(frozen=True)
class ImageInfo:
    """A file's current version: where it is, how big, who uploaded it when."""

    title: str
    page_id: int | None
    missing: bool = False  # no description page and no file
    file_missing: bool = False  # a description page exists, the file does not
    url: str = ""
    description_url: str = ""
    thumb_url: str = ""
    size: int | None = None
    width: int | None = None
    height: int | None = None
    mime: str = ""
    sha1: str = ""
    timestamp: datetime | None = None
    user: str = ""


@dataclass(frozen=True)
class GlobalUsage:
    """One page, on some wiki, that shows a file."""

    wiki: str  # "en.wikipedia.org"
    title: str
    namespace: int | None = None
    url: str = ""


@dataclass(frozen=True)
class FileUsage:
    """Where a file is used across wikis (``prop=globalusage``)."""

    title: str
    page_id: int | None
    missing: bool = False
    usages: tuple[GlobalUsage, ...] = ()

    @property
    def wikis(self) -> frozenset[str]:
        """Return the wikis that use the file."""
        return frozenset(u.wiki for u in self.usages)


@dataclass(frozen=True)
class CategoryTree:
    """A category with its subcategories, counted once each however they link to each other."""

    root: str
    categories: tuple[str, ...]  # every category visited, the root first
    file_ids: frozenset[int]
    page_ids: frozenset[int]
    max_depth_reached: int
    truncated: bool  # a depth or category budget stopped the walk early
    cycles: int = 0  # links back to a category already visited (skipped)

    @property
    def files(self) -> int:
        """Return the number of distinct files in the tree."""
        return len(self.file_ids)

    @property
    def pages(self) -> int:
        """Return the number of distinct pages (not files, not categories) in the tree."""
        return len(self.page_ids)


@dataclass(frozen=True)
class PageRevision:
    """A page's latest (or first) revision time, for a title as it was asked.

    ``title`` is where the wiki led: normalised, and through one redirect when followed.
    ``missing`` for a page that does not exist, ``invalid`` for a title no page can have.
    """

    asked: str
    title: str
    page_id: int | None = None
    missing: bool = False
    invalid: bool = False
    timestamp: datetime | None = None
    revision_id: int | None = None

    @property
    def exists(self) -> bool:
        """Return whether the wiki has the page (and so a revision time)."""
        return not (self.missing or self.invalid) and self.timestamp is not None


@dataclass(frozen=True)
class LoginResult:
    """Who we are logged in as."""

    user_name: str
    user_id: int


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _pages(query: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return ``query.pages`` as a list, from formatversion 2 (a list) or 1 (a dict)."""
    pages = query.get("pages", [])
    if isinstance(pages, dict):
        pages = list(pages.values())
    if not isinstance(pages, list):
        raise WikiMalformedResponse("query.pages is neither a list nor an object.")
    return [p for p in pages if isinstance(p, dict)]


def _aliases(query: Mapping[str, Any]) -> dict[str, str]:
    """Return from-title → to-title for the titles the wiki normalised, converted or followed."""
    found: dict[str, str] = {}
    for key in ("normalized", "converted", "redirects"):
        entries = query.get(key, [])
        if not isinstance(entries, list):
            raise WikiMalformedResponse(f"query.{key} is not a list.")
        for entry in entries:
            if isinstance(entry, dict) and "from" in entry and "to" in entry:
                found[str(entry["from"])] = str(entry["to"])
    return found


def _resolve(title: str, aliases: Mapping[str, str]) -> str:
    """Return where the wiki led a title, following its aliases (a loop stops where it began)."""
    seen = {title}
    while title in aliases and aliases[title] not in seen:
        title = aliases[title]
        seen.add(title)
    return title


def _page_revision(asked: str, page: Mapping[str, Any] | None) -> PageRevision:
    """Return the revision time a ``prop=revisions`` reply gives for one asked title."""
    if page is None:  # the wiki did not mention the title at all
        return PageRevision(asked=asked, title=asked, missing=True)
    title = str(page.get("title", asked))
    if "invalid" in page and page.get("invalid") is not False:
        return PageRevision(asked=asked, title=title, invalid=True)
    if "missing" in page and page.get("missing") is not False:
        return PageRevision(asked=asked, title=title, missing=True)
    revisions = page.get("revisions")
    revision = revisions[0] if isinstance(revisions, list) and revisions else {}
    if not isinstance(revision, dict):
        raise WikiMalformedResponse(f"The revisions of {title} are not objects.")
    return PageRevision(
        asked=asked,
        title=title,
        page_id=_int(page.get("pageid")),
        timestamp=_timestamp(revision.get("timestamp")),
        revision_id=_int(revision.get("revid")),
    )


def api_url_candidates(url: str) -> list[str]:
    """Return the Action API addresses to try for what a person typed as a wiki's address."""
    parts = urlsplit(url.strip())
    if parts.path.endswith("api.php"):
        return [urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))]
    root = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    return [f"{root}/w/api.php", f"{root}/api.php"]


class MediaWikiClient:
    """A client for one wiki's Action API (``https://commons.wikimedia.org/w/api.php``).

    ``background``: a background task's client (``maxlag=5``, patient retries); ``False``
    for a person waiting on a page (no maxlag, two attempts, at most 5 s of back-off).
    ``user_supplied``: check the address against private networks before the first request.
    ``sleep``, ``clock``, ``on_request``, ``stats``: see :class:`hub.wikimedia.http.WikiHttp`.
    """

    def __init__(
        self,
        api_url: str,
        *,
        background: bool = True,
        maxlag: int | None = DEFAULT_MAXLAG,
        policy: RetryPolicy | None = None,
        user_supplied: bool = False,
        session: requests.Session | None = None,
        timeout: tuple[float, float] | None = None,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
        on_request: Callable[[RequestRecord], None] | None = None,
        stats: RequestStats | None = None,
    ) -> None:
        if user_supplied:
            check_wiki_url(api_url)
        self.api_url = api_url
        self.background = background
        self.maxlag = maxlag if background else None
        self.http = WikiHttp(
            api_url,
            session=session,
            policy=policy or (BACKGROUND if background else FOREGROUND),
            timeout=timeout,
            sleep=sleep,
            clock=clock,
            on_request=on_request,
            stats=stats,
        )
        self._site: SiteInfo | None = None
        self._csrf: str | None = None
        self._credentials: tuple[str, str] | None = None

    @classmethod
    def for_user_url(cls, url: str, **kwargs: Any) -> MediaWikiClient:
        """Return a client for a wiki address a person typed, having checked it is a wiki.

        Accepts the API address or any page address of the wiki; tries ``/w/api.php`` and
        ``/api.php``. Raises :class:`InvalidWikiUrl`, :class:`ForbiddenAddress`,
        :class:`WikiUnreachable` or :class:`NotAWiki`.
        """
        check_wiki_url(url)
        last: NotAWiki | None = None
        for candidate in api_url_candidates(url):
            client = cls(candidate, user_supplied=True, **kwargs)
            try:
                client.siteinfo()
            except NotAWiki as exc:
                last = exc
                continue
            return client
        raise last or NotAWiki(f"{url} is not a MediaWiki wiki.", url=url)

    @property
    def stats(self) -> RequestStats:
        """Return the running request totals of this client."""
        return self.http.stats

    # -- the Action API ---------------------------------------------------------------------

    def _params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        full: dict[str, Any] = {"format": "json", "formatversion": "2"}
        if self.maxlag is not None:
            full["maxlag"] = self.maxlag
        for key, value in params.items():
            if value is None or value is False:
                continue
            if value is True:
                value = "1"
            elif isinstance(value, list | tuple | set | frozenset):
                value = "|".join(str(v) for v in value)
            full[key] = value
        return full

    def call(
        self,
        params: Mapping[str, Any],
        *,
        post: bool = False,
        idempotent: bool = True,
        files: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send one Action API request and return its JSON; raise typed errors for API errors."""
        full = self._params(params)
        probing = self._site is None and full.get("action") == "query"
        if probing:
            meta = [m for m in str(full.get("meta", "")).split("|") if m]
            full["meta"] = "|".join([*meta, "siteinfo", "userinfo"])
            full.setdefault("siprop", "general")
            full.setdefault("uiprop", "rights")
        try:
            if post:
                data = self.http.post_json(
                    self.api_url, full, mediawiki=True, idempotent=idempotent, files=files
                )
            else:
                data = self.http.get_json(self.api_url, full, mediawiki=True)
        except (WikiNotFound, WikiMalformedResponse) as exc:
            if self._site is None:
                raise NotAWiki(
                    f"{self.api_url} does not answer as a MediaWiki API.", url=self.api_url
                ) from exc
            raise
        except WikiApiError as exc:
            if self._site is None and exc.code.startswith("http-"):
                raise NotAWiki(
                    f"{self.api_url} does not answer as a MediaWiki API ({exc.code}).",
                    url=self.api_url,
                ) from exc
            raise
        if not isinstance(data, dict):
            raise self._not_a_wiki_or_malformed("The API answered with JSON that is not an object.")
        if probing:
            self._site = self._read_site(data)
        return data

    def _not_a_wiki_or_malformed(self, message: str) -> Exception:
        if self._site is None:
            return NotAWiki(f"{self.api_url} does not answer as a MediaWiki API.", url=self.api_url)
        return WikiMalformedResponse(message, url=self.api_url)

    def _read_site(self, data: Mapping[str, Any]) -> SiteInfo:
        query = data.get("query")
        general = query.get("general") if isinstance(query, dict) else None
        if not isinstance(general, dict) or not str(general.get("generator", "")).startswith(
            "MediaWiki"
        ):
            raise NotAWiki(f"{self.api_url} does not answer as a MediaWiki API.", url=self.api_url)
        user = query.get("userinfo", {}) if isinstance(query, dict) else {}
        if not isinstance(user, dict):
            user = {}
        return SiteInfo(
            sitename=str(general.get("sitename", "")),
            generator=str(general.get("generator", "")),
            server=str(general.get("server", "")),
            article_path=str(general.get("articlepath", "/wiki/$1")),
            script_path=str(general.get("scriptpath", "")),
            lang=str(general.get("lang", "")),
            main_page=str(general.get("mainpage", "")),
            base=str(general.get("base", "")),
            read_only="readonly" in general and general.get("readonly") is not False,
            user_name=str(user.get("name", "")),
            anonymous="anon" in user and user.get("anon") is not False,
            rights=frozenset(str(r) for r in user.get("rights", []) if isinstance(r, str)),
        )

    def query(self, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Yield each reply of an ``action=query``, following ``continue`` to the end."""
        cont: dict[str, Any] = {}
        while True:
            data = self.call({"action": "query", **params, **cont})
            yield data
            next_cont = data.get("continue")
            if not isinstance(next_cont, dict) or not next_cont:
                return
            cont = {str(k): v for k, v in next_cont.items()}

    def query_pages(
        self, params: Mapping[str, Any], *, aliases: dict[str, str] | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield complete batches of ``query.pages``, merging what continuation split.

        A prop module (imageinfo, globalusage) may spread one batch of pages over several
        replies; the pages are merged by id (or title) and yielded once ``batchcomplete``.
        ``aliases``, when given, collects what the wiki did to the titles asked
        (``normalized``, ``converted``, ``redirects``): from-title → to-title.
        """
        merged: dict[Any, dict[str, Any]] = {}
        for data in self.query(params):
            query = data.get("query", {})
            if not isinstance(query, dict):
                raise WikiMalformedResponse("query is not an object.", url=self.api_url)
            if aliases is not None:
                aliases.update(_aliases(query))
            for page in _pages(query):
                key = page.get("pageid") or page.get("title")
                into = merged.setdefault(key, {})
                for name, value in page.items():
                    if isinstance(value, list) and isinstance(into.get(name), list):
                        into[name] = into[name] + value
                    else:
                        into[name] = value
            if "batchcomplete" in data:
                if merged:
                    yield list(merged.values())
                merged = {}
        if merged:
            yield list(merged.values())

    def siteinfo(self) -> SiteInfo:
        """Return what the wiki says about itself and our account (asked once per client)."""
        if self._site is None:
            self.call({"action": "query"})
        assert self._site is not None  # noqa: S101 - call() sets it or raises
        return self._site

    # -- categories -------------------------------------------------------------------------

    def category_info(self, category: str) -> CategoryInfo:
        """Return a category's direct size; raise :class:`WikiNotFound` if it does not exist.

        ``category`` may have the ``Category:`` prefix or not, underscores or spaces.
        A category with members but no description page exists (``page_exists=False``).
        """
        title = T.category_title(category)
        data = self.call({"action": "query", "prop": "categoryinfo", "titles": title})
        pages = _pages(data.get("query", {}))
        if not pages:
            raise WikiMalformedResponse("No page in the categoryinfo reply.", url=self.api_url)
        page = pages[0]
        if "invalid" in page:
            raise InvalidTitle(str(page.get("invalidreason", f"{title!r} is not a valid title.")))
        info = page.get("categoryinfo")
        missing = "missing" in page and page.get("missing") is not False
        if missing and (not isinstance(info, dict) or not _int(info.get("size"))):
            raise WikiNotFound(f"{page.get('title', title)} does not exist.", url=self.api_url)
        info = info if isinstance(info, dict) else {}
        return CategoryInfo(
            title=str(page.get("title", title)),
            page_exists=not missing,
            size=_int(info.get("size")) or 0,
            pages=_int(info.get("pages")) or 0,
            files=_int(info.get("files")) or 0,
            subcats=_int(info.get("subcats")) or 0,
            hidden="hidden" in info and info.get("hidden") is not False,
            page_id=_int(page.get("pageid")),
        )

    def iter_category_members(
        self, category: str, *, kinds: Iterable[str] = ("file",)
    ) -> Iterator[CategoryMember]:
        """Yield a category's direct members of the given kinds (page, file, subcat)."""
        title = T.category_title(category)
        params = {
            "list": "categorymembers",
            "cmtitle": title,
            "cmtype": "|".join(kinds),
            "cmprop": "ids|title|type|timestamp",
            "cmlimit": "max",
        }
        for data in self.query(params):
            members = data.get("query", {}).get("categorymembers", [])
            if not isinstance(members, list):
                raise WikiMalformedResponse("categorymembers is not a list.", url=self.api_url)
            for m in members:
                yield CategoryMember(
                    page_id=int(m["pageid"]),
                    namespace=int(m["ns"]),
                    title=str(m["title"]),
                    kind=str(m.get("type", "")),
                    added=_timestamp(m.get("timestamp")),
                )

    def iter_category_files_with_info(
        self,
        category: str,
        *,
        iiprop: str = DEFAULT_IIPROP,
        thumb_width: int | None = None,
    ) -> Iterator[ImageInfo]:
        """Yield every file directly in a category with its image info, in as few requests as
        the API allows (``generator=categorymembers`` with ``limit=max``)."""
        params: dict[str, Any] = {
            "generator": "categorymembers",
            "gcmtitle": T.category_title(category),
            "gcmtype": "file",
            "gcmlimit": "max",
            "prop": "imageinfo",
            "iiprop": iiprop,
        }
        if thumb_width:
            params["iiurlwidth"] = thumb_width
        for batch in self.query_pages(params):
            for page in batch:
                yield self._image_info(page)

    def category_tree(
        self,
        category: str,
        *,
        max_depth: int = 7,
        max_categories: int = 2_000,
    ) -> CategoryTree:
        """Walk a category and its subcategories, counting each file and page once.

        Categories that link back to one already visited (cycles are common on Commons) are
        skipped. Stops at ``max_depth`` levels below the root (Commons Impact Metrics counts
        7) or after ``max_categories``, and says so with ``truncated``.
        """
        root = T.category_title(category)
        self.category_info(root)  # a typed WikiNotFound for an unknown root
        seen = {root}
        order = [root]
        frontier = [root]
        files: set[int] = set()
        pages: set[int] = set()
        depth = 0
        truncated = False
        cycles = 0
        while frontier:
            next_frontier: list[str] = []
            for cat in frontier:
                for member in self.iter_category_members(cat, kinds=("page", "file", "subcat")):
                    if member.kind == "file":
                        files.add(member.page_id)
                    elif member.kind == "page":
                        pages.add(member.page_id)
                    elif member.title in seen:
                        cycles += 1
                    elif depth >= max_depth or len(seen) >= max_categories:
                        truncated = True
                    else:
                        seen.add(member.title)
                        order.append(member.title)
                        next_frontier.append(member.title)
            frontier = next_frontier
            if frontier:
                depth += 1
        return CategoryTree(
            root=root,
            categories=tuple(order),
            file_ids=frozenset(files),
            page_ids=frozenset(pages),
            max_depth_reached=depth,
            truncated=truncated,
            cycles=cycles,
        )

    # -- files ------------------------------------------------------------------------------

    def _image_info(self, page: Mapping[str, Any]) -> ImageInfo:
        infos = page.get("imageinfo")
        info = infos[0] if isinstance(infos, list) and infos else {}
        missing = "missing" in page and page.get("missing") is not False
        return ImageInfo(
            title=str(page.get("title", "")),
            page_id=_int(page.get("pageid")),
            missing=missing and not info,
            file_missing=not info,
            url=str(info.get("url", "")),
            description_url=str(info.get("descriptionurl", "")),
            thumb_url=str(info.get("thumburl", "")),
            size=_int(info.get("size")),
            width=_int(info.get("width")),
            height=_int(info.get("height")),
            mime=str(info.get("mime", "")),
            sha1=str(info.get("sha1", "")),
            timestamp=_timestamp(info.get("timestamp")),
            user=str(info.get("user", "")),
        )

    def _batch_size(self) -> int:
        # Until the first reply says what the account may do, assume an ordinary account;
        # that first request also carries the siteinfo/userinfo probe.
        return self._site.batch_size if self._site is not None else BATCH

    def imageinfo(
        self,
        *,
        titles: Iterable[str] = (),
        page_ids: Iterable[int] = (),
        iiprop: str = DEFAULT_IIPROP,
        thumb_width: int | None = None,
    ) -> list[ImageInfo]:
        """Return image info for files by title or page id, 50 (or 500) per request.

        Titles may omit ``File:``; a file that does not exist comes back with ``missing``.
        """
        result: list[ImageInfo] = []
        extra: dict[str, Any] = {"prop": "imageinfo", "iiprop": iiprop}
        if thumb_width:
            extra["iiurlwidth"] = thumb_width
        for key, values in self._batched_ids(titles, page_ids):
            for batch in self.query_pages({**extra, key: values}):
                result.extend(self._image_info(page) for page in batch)
        return result

    def _batched(self, values: list[str]) -> Iterator[list[str]]:
        """Yield the values in batches as big as one request may carry for this account."""
        start = 0
        while start < len(values):
            size = self._batch_size()  # asked again: the first reply may have raised it
            yield values[start : start + size]
            start += size

    def _batched_ids(
        self, titles: Iterable[str], page_ids: Iterable[int]
    ) -> Iterator[tuple[str, list[str]]]:
        title_list = list(dict.fromkeys(T.file_title(t) for t in titles))
        id_list = list(dict.fromkeys(str(int(p)) for p in page_ids))
        for key, values in (("titles", title_list), ("pageids", id_list)):
            for batch in self._batched(values):
                yield key, batch

    def global_usage(
        self,
        *,
        titles: Iterable[str] = (),
        page_ids: Iterable[int] = (),
        filter_local: bool = True,
        content_only: bool = False,
    ) -> list[FileUsage]:
        """Return where each file is used on other wikis (``prop=globalusage``, Commons only).

        ``filter_local``: leave out uses on the file's own wiki. ``content_only``: only
        articles (namespace 0), for "pages using the files" as impact reports count them.
        """
        params: dict[str, Any] = {
            "prop": "globalusage",
            "guprop": "namespace|url",
            "gulimit": "max",
            "gufilterlocal": filter_local,
        }
        if content_only:
            params["gunamespace"] = 0
        result: list[FileUsage] = []
        for key, values in self._batched_ids(titles, page_ids):
            for batch in self.query_pages({**params, key: values}):
                for page in batch:
                    usages = tuple(
                        GlobalUsage(
                            wiki=str(u.get("wiki", "")),
                            title=str(u.get("title", "")).replace("_", " "),
                            namespace=_int(u.get("ns")),
                            url=str(u.get("url", "")),
                        )
                        for u in page.get("globalusage", [])
                        if isinstance(u, dict)
                    )
                    result.append(
                        FileUsage(
                            title=str(page.get("title", "")),
                            page_id=_int(page.get("pageid")),
                            missing="missing" in page and page.get("missing") is not False,
                            usages=usages,
                        )
                    )
        return result

    # -- revisions --------------------------------------------------------------------------

    def latest_revisions(
        self, titles: Iterable[str], *, follow_redirects: bool = True
    ) -> list[PageRevision]:
        """Return each title's latest revision time, 50 (or 500) titles per request.

        In multi-page mode ``prop=revisions`` gives each page's latest revision only. One
        entry per distinct title, in the order asked, keyed by the title as given: the
        wiki's normalisation (and a redirect, when followed) is read from the reply.
        """
        asked = list(dict.fromkeys(titles))
        params: dict[str, Any] = {
            "prop": "revisions",
            "rvprop": "ids|timestamp",
            "redirects": follow_redirects,
        }
        result: list[PageRevision] = []
        for batch in self._batched(asked):
            aliases: dict[str, str] = {}
            by_title: dict[str, dict[str, Any]] = {}
            for pages in self.query_pages({**params, "titles": batch}, aliases=aliases):
                by_title.update((str(p.get("title", "")), p) for p in pages)
            result += [_page_revision(t, by_title.get(_resolve(t, aliases))) for t in batch]
        return result

    def first_revision(self, title: str, *, follow_redirects: bool = True) -> PageRevision:
        """Return a page's first revision time, in one request.

        The API allows ``rvdir`` only for a single page. Its ``continue`` (the page's next
        revisions) is not followed: the oldest revision is all we ask for.
        Raises :class:`InvalidTitle` for a title no page can have.
        """
        data = self.call(
            {
                "action": "query",
                "prop": "revisions",
                "titles": title,
                "rvprop": "ids|timestamp",
                "rvdir": "newer",
                "rvlimit": 1,
                "redirects": follow_redirects,
            }
        )
        query = data.get("query", {})
        if not isinstance(query, dict):
            raise WikiMalformedResponse("query is not an object.", url=self.api_url)
        pages = _pages(query)
        found = _page_revision(title, pages[0] if pages else None)
        if found.invalid:
            raise InvalidTitle(f"{title!r} is not a valid title on this wiki.")
        return found

    # -- logging in and writing ---------------------------------------------------------------

    def login(self, username: str, password: str) -> LoginResult:
        """Log in with a bot password (``Name@BotName``); raise :class:`WikiLoginFailed`.

        The client switches to a session of its own, so the login's cookies never reach the
        host's shared anonymous session.
        """
        self.http.session = new_session()
        self._csrf = None
        data = self.call({"action": "query", "meta": "tokens", "type": "login"})
        token = data.get("query", {}).get("tokens", {}).get("logintoken")
        if not isinstance(token, str):
            raise WikiMalformedResponse("No login token in the reply.", url=self.api_url)
        reply = self.call(
            {"action": "login", "lgname": username, "lgpassword": password, "lgtoken": token},
            post=True,
        )
        login = reply.get("login", {})
        if not isinstance(login, dict) or login.get("result") != "Success":
            reason = login.get("reason", login.get("result", "")) if isinstance(login, dict) else ""
            if isinstance(reason, dict):
                reason = reason.get("text") or reason.get("code") or ""
            raise WikiLoginFailed(f"Login as {username} failed: {reason}", url=self.api_url)
        self._credentials = (username, password)
        self._site = None  # rights changed: the next query asks again, at no extra request
        return LoginResult(
            user_name=str(login.get("lgusername", "")), user_id=int(login["lguserid"])
        )

    def csrf_token(self, *, refresh: bool = False) -> str:
        """Return the CSRF token of the session, fetching it when needed."""
        if self._csrf is None or refresh:
            data = self.call({"action": "query", "meta": "tokens", "type": "csrf"})
            token = data.get("query", {}).get("tokens", {}).get("csrftoken")
            if not isinstance(token, str):
                raise WikiMalformedResponse("No CSRF token in the reply.", url=self.api_url)
            self._csrf = token
        return self._csrf

    def post_with_token(
        self,
        params: Mapping[str, Any],
        *,
        idempotent: bool = False,
        files: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """POST a write (edit, upload, ...) with the CSRF token.

        A ``badtoken`` error fetches a fresh token and tries once more (tokens expire with the
        session); a second one raises :class:`WikiBadToken`. When logged in, ``assert=user``
        makes the wiki refuse rather than write anonymously, and an expired login is renewed
        once with the same bot password.
        """
        relogged = False
        refreshed = False
        while True:
            full = dict(params)
            if self._credentials is not None:
                full.setdefault("assert", "user")
            full["token"] = self.csrf_token()
            try:
                return self.call(full, post=True, idempotent=idempotent, files=files)
            except WikiApiError as exc:
                if exc.code == "badtoken" and not refreshed:
                    refreshed = True
                    self._csrf = None
                    continue
                if exc.code == "badtoken":
                    raise WikiBadToken(exc.code, exc.info, url=exc.url) from exc
                if exc.code == "assertuserfailed" and self._credentials and not relogged:
                    relogged = True
                    self.login(*self._credentials)
                    continue
                raise

    def edit(self, title: str, text: str, *, summary: str = "") -> dict[str, Any]:
        """Replace a page's text and return the ``edit`` part of the reply."""
        reply = self.post_with_token(
            {
                "action": "edit",
                "title": T.normalize_title(title),
                "text": text,
                "summary": summary,
                "bot": self._credentials is not None,
            },
            # Sending the same text twice is a null edit: safe to repeat after a timeout.
            idempotent=True,
        )
        edit = reply.get("edit")
        if not isinstance(edit, dict):
            raise WikiMalformedResponse("No edit result in the reply.", url=self.api_url)
        return edit
