"""What a MediaWiki's Action API answers, as dataclasses, and how its replies are read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.wikimedia import titles as T
from hub.wikimedia.errors import WikiMalformedResponse

BATCH = 50  # titles or page ids per request for ordinary accounts
BATCH_HIGH = 500  # with the apihighlimits right (bots, administrators)


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
class Contribution:
    """One revision a user made (``list=usercontribs``).

    ``new``: the revision created the page (in the file namespace, a new file's description
    page: the upload of a new file). ``size_diff`` is None when the wiki does not say (a
    revision whose parent was deleted).
    """

    user: str
    revid: int
    page_id: int
    namespace: int
    title: str
    timestamp: datetime
    size: int | None = None
    size_diff: int | None = None
    new: bool = False
    minor: bool = False
    comment: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContributionsPage:
    """One reply of ``list=usercontribs``: its contributions and where the next one starts.

    ``next_continue`` is None on the last page; pass it back to read the next one.
    """

    contributions: tuple[Contribution, ...]
    next_continue: dict[str, str] | None = None


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


@dataclass(frozen=True)
class WikiFile:
    """A file already on the wiki."""

    title: str  # "File:Name.jpg"
    page_id: int
    sha1: str  # hex, lower case
    url: str  # the file itself
    description_url: str  # its page
    revision_id: int | None = None


@dataclass(frozen=True)
class UploadOutcome:
    """What the wiki did with an upload (or with one chunk of it).

    ``result``: "Success" (on the wiki: ``file``), "Warning" (nothing published: read
    ``warnings``; the bytes wait in the stash under ``filekey``) or "Stashed" (every chunk is in
    the stash under ``filekey``, to publish with ``finish_stashed``).
    ``warnings``: the wiki's own, e.g. ``{"duplicate": ["Other.jpg"], "exists": "X.jpg"}``.
    """

    result: str
    filename: str  # as the wiki stored it, without "File:"
    warnings: dict[str, Any]
    filekey: str = ""
    file: WikiFile | None = None
    sha1: str = ""  # of the bytes the wiki received, when it said

    @property
    def succeeded(self) -> bool:
        """Return whether the file is published on the wiki."""
        return self.result == "Success"


@dataclass(frozen=True)
class UploadLimits:
    """What the wiki accepts: the biggest file, a chunk's size, the file extensions."""

    max_bytes: int
    chunk_bytes: int
    extensions: frozenset[str]
    min_chunk_bytes: int = 1024
    single_request_bytes: int = 100 * 1024 * 1024  # above this, send in chunks


def parse_timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def pages_of(query: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return ``query.pages`` as a list, from formatversion 2 (a list) or 1 (a dict)."""
    pages = query.get("pages", [])
    if isinstance(pages, dict):
        pages = list(pages.values())
    if not isinstance(pages, list):
        raise WikiMalformedResponse("query.pages is neither a list nor an object.")
    return [p for p in pages if isinstance(p, dict)]


def aliases_of(query: Mapping[str, Any]) -> dict[str, str]:
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


def resolve_title(title: str, aliases: Mapping[str, str]) -> str:
    """Return where the wiki led a title, following its aliases (a loop stops where it began)."""
    seen = {title}
    while title in aliases and aliases[title] not in seen:
        title = aliases[title]
        seen.add(title)
    return title


def page_revision(asked: str, page: Mapping[str, Any] | None) -> PageRevision:
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
        page_id=parse_int(page.get("pageid")),
        timestamp=parse_timestamp(revision.get("timestamp")),
        revision_id=parse_int(revision.get("revid")),
    )


def image_info(page: Mapping[str, Any]) -> ImageInfo:
    """Return a file's current version from one page of a ``prop=imageinfo`` reply."""
    infos = page.get("imageinfo")
    info = infos[0] if isinstance(infos, list) and infos else {}
    missing = "missing" in page and page.get("missing") is not False
    return ImageInfo(
        title=str(page.get("title", "")),
        page_id=parse_int(page.get("pageid")),
        missing=missing and not info,
        file_missing=not info,
        url=str(info.get("url", "")),
        description_url=str(info.get("descriptionurl", "")),
        thumb_url=str(info.get("thumburl", "")),
        size=parse_int(info.get("size")),
        width=parse_int(info.get("width")),
        height=parse_int(info.get("height")),
        mime=str(info.get("mime", "")),
        sha1=str(info.get("sha1", "")),
        timestamp=parse_timestamp(info.get("timestamp")),
        user=str(info.get("user", "")),
    )


def contribution(item: Mapping[str, Any]) -> Contribution:
    """Read one ``usercontribs`` entry (formatversion 1 or 2)."""
    timestamp = parse_timestamp(item.get("timestamp"))
    revid = parse_int(item.get("revid"))
    if timestamp is None or revid is None:
        raise WikiMalformedResponse("A usercontribs entry has no revision id or time.")
    tags = item.get("tags")
    return Contribution(
        user=str(item.get("user", "")),
        revid=revid,
        page_id=parse_int(item.get("pageid")) or 0,
        namespace=parse_int(item.get("ns")) or 0,
        title=str(item.get("title", "")),
        timestamp=timestamp,
        size=parse_int(item.get("size")),
        size_diff=_signed(item.get("sizediff")),
        new="new" in item and item.get("new") is not False,
        minor="minor" in item and item.get("minor") is not False,
        comment=str(item.get("comment", "")),
        tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
    )


def _signed(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class WikiUser:
    """What a wiki says about one account (``list=users``): exists, blocked, registered when.

    ``blocked`` is a sitewide block only; a partial block (some pages or namespaces) leaves the
    person able to edit elsewhere. ``registered`` is None for accounts older than MediaWiki's
    registration field (2005) and for names that do not exist.
    """

    name: str
    exists: bool
    blocked: bool = False
    registered: datetime | None = None
    invalid: bool = False


def wiki_user(entry: Mapping[str, Any]) -> WikiUser:
    """Read one entry of ``query.users``."""

    def flag(key: str) -> bool:
        return key in entry and entry.get(key) is not False

    blocked = ("blockid" in entry or flag("blockedby")) and not flag("blockpartial")
    return WikiUser(
        name=str(entry.get("name", "")),
        exists=not flag("missing") and not flag("invalid"),
        blocked=bool(blocked),
        registered=parse_timestamp(entry.get("registration")),
        invalid=flag("invalid"),
    )
