"""Read a wiki: categories and their trees, files and where they are used, page revisions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from hub.wikimedia import titles as T
from hub.wikimedia.errors import InvalidTitle, WikiMalformedResponse, WikiNotFound
from hub.wikimedia.mediawiki.api import ActionApi
from hub.wikimedia.mediawiki.results import (
    CategoryInfo,
    CategoryMember,
    CategoryTree,
    Contribution,
    ContributionsPage,
    FileUsage,
    GlobalUsage,
    ImageInfo,
    PageRevision,
    WikiUser,
    contribution,
    image_info,
    page_revision,
    pages_of,
    parse_int,
    parse_timestamp,
    resolve_title,
    wiki_user,
)

DEFAULT_IIPROP = "url|size|mime|sha1|timestamp|user"
FILE_NS = 6
# ``list=users`` takes at most 50 names a request for an ordinary account.
USERS_BATCH = 50
CATEGORY_NS = 14
# What a contribution carries: enough to tell creations, sizes, summaries (hashtags) and tags.
USERCONTRIBS_PROP = "ids|title|timestamp|sizediff|size|flags|comment|tags"


def api_timestamp(moment: datetime) -> str:
    """Return a time as the Action API takes it (ISO 8601 in UTC, whole seconds)."""
    if moment.tzinfo is None:
        raise ValueError("A time sent to a wiki must say its time zone.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Reading(ActionApi):
    """The reads of :class:`~hub.wikimedia.mediawiki.MediaWikiClient`."""

    # -- categories -------------------------------------------------------------------------

    def category_info(self, category: str) -> CategoryInfo:
        """Return a category's direct size; raise :class:`WikiNotFound` if it does not exist.

        ``category`` may have the ``Category:`` prefix or not, underscores or spaces.
        A category with members but no description page exists (``page_exists=False``).
        """
        title = T.category_title(category)
        data = self.call({"action": "query", "prop": "categoryinfo", "titles": title})
        pages = pages_of(data.get("query", {}))
        if not pages:
            raise WikiMalformedResponse("No page in the categoryinfo reply.", url=self.api_url)
        page = pages[0]
        if "invalid" in page:
            raise InvalidTitle(str(page.get("invalidreason", f"{title!r} is not a valid title.")))
        info = page.get("categoryinfo")
        missing = "missing" in page and page.get("missing") is not False
        if missing and (not isinstance(info, dict) or not parse_int(info.get("size"))):
            raise WikiNotFound(f"{page.get('title', title)} does not exist.", url=self.api_url)
        info = info if isinstance(info, dict) else {}
        return CategoryInfo(
            title=str(page.get("title", title)),
            page_exists=not missing,
            size=parse_int(info.get("size")) or 0,
            pages=parse_int(info.get("pages")) or 0,
            files=parse_int(info.get("files")) or 0,
            subcats=parse_int(info.get("subcats")) or 0,
            hidden="hidden" in info and info.get("hidden") is not False,
            page_id=parse_int(page.get("pageid")),
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
                    added=parse_timestamp(m.get("timestamp")),
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
                yield image_info(page)

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
                result.extend(image_info(page) for page in batch)
        return result

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
                            namespace=parse_int(u.get("ns")),
                            url=str(u.get("url", "")),
                        )
                        for u in page.get("globalusage", [])
                        if isinstance(u, dict)
                    )
                    result.append(
                        FileUsage(
                            title=str(page.get("title", "")),
                            page_id=parse_int(page.get("pageid")),
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
            result += [page_revision(t, by_title.get(resolve_title(t, aliases))) for t in batch]
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
        pages = pages_of(query)
        found = page_revision(title, pages[0] if pages else None)
        if found.invalid:
            raise InvalidTitle(f"{title!r} is not a valid title on this wiki.")
        return found

    # -- users and their contributions ------------------------------------------------------

    def user_contributions_page(
        self,
        users: Iterable[str],
        *,
        start: datetime,
        end: datetime,
        namespaces: Iterable[int] | None = None,
        new_only: bool = False,
        prop: str = USERCONTRIBS_PROP,
        continue_from: Mapping[str, str] | None = None,
    ) -> ContributionsPage:
        """Return one reply of ``list=usercontribs`` for up to 50 users (500 with apihighlimits).

        The users go in one request, joined with ``|``; ``uclimit=max``. Oldest first
        (``ucdir=newer``, so ``ucstart`` is the earlier time, ``ucend`` the later; both are
        included). ``continue_from``: the ``next_continue`` of the page before. A user who
        does not exist simply has no contributions (MediaWiki does not say so: ask
        :meth:`users`). One request, no retry beyond the client's own.
        """
        names = list(dict.fromkeys(users))
        if not names:
            return ContributionsPage(())
        if len(names) > self._batch_size():
            raise ValueError(f"At most {self._batch_size()} users per request.")
        params: dict[str, Any] = {
            "action": "query",
            "list": "usercontribs",
            "ucuser": names,
            "uclimit": "max",
            "ucdir": "newer",
            "ucstart": api_timestamp(start),
            "ucend": api_timestamp(end),
            "ucprop": prop,
        }
        if namespaces is not None:
            params["ucnamespace"] = [int(n) for n in namespaces]
        if new_only:
            params["ucshow"] = "new"
        data = self.call({**params, **(continue_from or {})})
        query = data.get("query", {})
        items = query.get("usercontribs", []) if isinstance(query, dict) else None
        if not isinstance(items, list):
            raise WikiMalformedResponse("usercontribs is not a list.", url=self.api_url)
        cont = data.get("continue")
        return ContributionsPage(
            contributions=tuple(contribution(i) for i in items if isinstance(i, dict)),
            next_continue={str(k): str(v) for k, v in cont.items()}
            if isinstance(cont, dict) and cont
            else None,
        )

    def iter_user_contributions(
        self,
        users: Iterable[str],
        *,
        start: datetime,
        end: datetime,
        namespaces: Iterable[int] | None = None,
        new_only: bool = False,
        prop: str = USERCONTRIBS_PROP,
    ) -> Iterator[Contribution]:
        """Yield every contribution of the users between two times, oldest first per batch.

        As few requests as the API allows: 50 users a request (500 with apihighlimits),
        ``uclimit=max``, continuation followed. Uploads of new files are the contributions
        in the file namespace (6) with ``new`` set: pass ``namespaces=[6], new_only=True``.
        """
        ns = list(namespaces) if namespaces is not None else None
        for batch in self._batched(list(dict.fromkeys(users))):
            cont: Mapping[str, str] | None = None
            while True:
                page = self.user_contributions_page(
                    batch,
                    start=start,
                    end=end,
                    namespaces=ns,
                    new_only=new_only,
                    prop=prop,
                    continue_from=cont,
                )
                yield from page.contributions
                if page.next_continue is None:
                    break
                cont = page.next_continue

    def pages_in_category(self, page_ids: Iterable[int], category: str) -> set[int]:
        """Return which of the pages are (directly) in a category, 50 (or 500) per request."""
        params: dict[str, Any] = {
            "prop": "categories",
            "clcategories": T.category_title(category),
            "cllimit": "max",
        }
        found: set[int] = set()
        for batch in self._batched(list(dict.fromkeys(str(int(p)) for p in page_ids))):
            for pages in self.query_pages({**params, "pageids": batch}):
                found.update(
                    int(p["pageid"]) for p in pages if p.get("categories") and p.get("pageid")
                )
        return found

    # -- accounts ---------------------------------------------------------------------------

    def users(self, names: Iterable[str]) -> dict[str, WikiUser]:
        """Return what the wiki says about each username: exists, blocked, registration date.

        Asks ``list=users`` for 50 names a request (joined with ``|``). The answer is keyed by
        the name as asked; a name the wiki normalised is matched through its reply's order,
        which MediaWiki keeps.
        """
        asked = list(dict.fromkeys(str(n) for n in names if str(n).strip()))
        found: dict[str, WikiUser] = {}
        for start in range(0, len(asked), USERS_BATCH):
            batch = asked[start : start + USERS_BATCH]
            data = self.call(
                {
                    "action": "query",
                    "list": "users",
                    "ususers": "|".join(batch),
                    "usprop": "registration|blockinfo",
                }
            )
            entries = data.get("query", {}).get("users", [])
            if not isinstance(entries, list) or len(entries) != len(batch):
                raise WikiMalformedResponse(
                    "list=users did not answer every name.", url=self.api_url
                )
            by_name = {str(e.get("name", "")): wiki_user(e) for e in entries if isinstance(e, dict)}
            for name, entry in zip(batch, entries, strict=True):
                user = by_name.get(name) or wiki_user(entry if isinstance(entry, dict) else {})
                found[name] = user
        return found
