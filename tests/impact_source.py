"""Answer the impact app's questions from a recorded world (JSON), as the wikis would.

Stands in for hub.wikimedia in the impact tests: the clients' own tests cover HTTP. It counts
requests as the real APIs' batch limits would, and can pause a worker mid-refresh (for the
kill -9 test) while a file named ``block`` exists in HUB_IMPACT_BLOCK_DIR.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import time
from pathlib import Path
from typing import Any

from hub.impact.sources import (
    CategoryInfo,
    CimCategory,
    EntityInfo,
    FileEntry,
    PageUse,
    SourceNotFound,
    SourceRefused,
    SourceUnreachable,
    WikiInfo,
)

WORLD: dict[str, Any] = {}


def world() -> dict[str, Any]:
    """Return the world of this process: HUB_IMPACT_WORLD's file, else the module's WORLD."""
    path = os.environ.get("HUB_IMPACT_WORLD")
    if path:
        loaded: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        return loaded
    return WORLD


class RecordedSource:
    """Answer from the recorded world; count requests; optionally pause after N calls."""

    def __init__(self, *, background: bool = True) -> None:
        self.requests = 0
        self.world = world()
        self.first_asked: list[str] = []  # the titles whose first revision was asked, in order

    def _made(self, requests: int = 1) -> None:
        self.requests += requests
        block_dir = os.environ.get("HUB_IMPACT_BLOCK_DIR")
        if not block_dir:
            return
        folder = Path(block_dir)
        with (folder / "calls.log").open("a", encoding="utf-8") as log:
            log.write(f"{os.getpid()}\n")
        calls = len((folder / "calls.log").read_text().splitlines())
        deadline = time.monotonic() + 30
        while (folder / "block").exists() and calls >= int((folder / "block").read_text() or 0):
            if time.monotonic() > deadline:
                raise TimeoutError("the block file was never removed")
            time.sleep(0.05)

    def _wiki(self, wiki_url: str) -> None:
        if wiki_url in self.world.get("unreachable", []):
            raise SourceUnreachable(f"{wiki_url} did not answer (timed out)")

    def check_wiki(self, wiki_url: str) -> WikiInfo:
        if wiki_url in self.world.get("forbidden", []):
            raise SourceRefused(f"{wiki_url} is on a private or loopback network")
        self._wiki(wiki_url)
        self._made()
        if wiki_url in self.world.get("not_wiki", []):
            raise SourceRefused(f"{wiki_url} does not answer as a MediaWiki")
        return WikiInfo(url=wiki_url, host=wiki_url.split("://")[1])

    def _category(self, name: str) -> dict[str, Any]:
        found = self.world.get("categories", {}).get(name)
        if found is None:
            raise SourceNotFound(f"Category:{name} does not exist")
        category: dict[str, Any] = found
        return category

    def category_info(self, wiki_url: str, category: str) -> CategoryInfo:
        self._wiki(wiki_url)
        self._made()
        found = self._category(category)
        return CategoryInfo(category, len(found["files"]), len(found.get("subcats", [])))

    def category_files(self, wiki_url: str, category: str, depth: int) -> list[FileEntry]:
        self._wiki(wiki_url)
        seen: dict[str, FileEntry] = {}
        queue, visited = [(category, 0)], set()
        while queue:
            name, level = queue.pop(0)
            if name in visited:
                continue
            visited.add(name)
            found = self._category(name)
            self._made(max(1, math.ceil(len(found["files"]) / 500)))
            for title, uploaded in found["files"]:
                seen.setdefault(
                    title, FileEntry(title, dt.date.fromisoformat(uploaded) if uploaded else None)
                )
            if level < depth:
                queue += [(sub, level + 1) for sub in found.get("subcats", [])]
        return sorted(seen.values(), key=lambda f: f.title)

    def missing_pages(self, wiki_url: str, titles: list[str]) -> list[str]:
        self._wiki(wiki_url)
        self._made(math.ceil(len(titles) / 50))
        known = set(self.world.get("pages", {}).get(wiki_url, []))
        return [t for t in titles if t not in known]

    def global_usage(self, wiki_url: str, files: list[str]) -> dict[str, list[PageUse]]:
        self._wiki(wiki_url)
        assert len(files) <= 50
        self._made()
        usage = self.world.get("usage", {})
        return {f: [PageUse(w, t) for w, t in usage.get(f, [])] for f in files}

    def _revisions(self, wiki_url: str, title: str) -> list[str] | None:
        """Return [first, latest] revision times of a page, or None when it does not exist."""
        found: list[str] | None = self.world.get("revisions", {}).get(wiki_url, {}).get(title)
        return found

    def latest_edits(self, wiki_url: str, titles: list[str]) -> dict[str, dt.datetime | None]:
        self._wiki(wiki_url)
        assert len(titles) <= 50
        self._made()
        times = {t: self._revisions(wiki_url, t) for t in titles}
        return {t: dt.datetime.fromisoformat(r[1]) if r else None for t, r in times.items()}

    def first_edit(self, wiki_url: str, title: str) -> dt.datetime | None:
        self._wiki(wiki_url)
        self.first_asked.append(title)
        self._made()
        found = self._revisions(wiki_url, title)
        return dt.datetime.fromisoformat(found[0]) if found else None

    def monthly_views(
        self, wiki_host: str, title: str, first: dt.date, last: dt.date
    ) -> dict[str, int]:
        self._made()
        views = self.world.get("views", {}).get(f"{wiki_host}|{title}")
        if views is None:
            raise SourceNotFound("no views recorded")
        lo, hi = first.isoformat()[:7], last.isoformat()[:7]
        return {m: int(v) for m, v in views.items() if lo <= m <= hi}

    def cim_category(self, category: str, first: dt.date, last: dt.date) -> CimCategory:
        self._made(4)
        found = self.world.get("cim", {}).get(category)
        if found is None:
            raise SourceNotFound("not in Commons Impact Metrics")
        lo, hi = first.isoformat()[:7], last.isoformat()[:7]
        return CimCategory(
            files=found["files"],
            files_deep=found["files_deep"],
            files_in_use=found["files_in_use"],
            pages_using=found["pages_using"],
            wikis_using=found["wikis_using"],
            views={m: v for m, v in found["views"].items() if lo <= m <= hi},
            uploads=found["uploads"],
            top_pages=[tuple(t) for t in found["top_pages"]],  # type: ignore[misc]
        )

    def entities(self, qids: list[str]) -> dict[str, EntityInfo]:
        if "https://www.wikidata.org" in self.world.get("unreachable", []):
            raise SourceUnreachable("Wikidata did not answer")
        self._made(math.ceil(len(qids) / 50))
        known = self.world.get("entities", {})
        return {
            q: EntityInfo(q, True, known[q]["statements"], known[q]["sitelinks"])
            if q in known
            else EntityInfo(q, False)
            for q in qids
        }

    def collection_items(self, qid: str, limit: int) -> list[str]:
        self._made()
        items: list[str] = self.world.get("collections", {}).get(qid, [])[:limit]
        return items


COMMONS = "https://commons.wikimedia.org"
WIKIDATA = "https://www.wikidata.org"
CATEGORY = "Images from the Nordic Museum"


def sample_world(files: int = 120, sub_files: int = 30) -> dict[str, Any]:
    """Return a world with one category (and a subcategory), its usage, views and items.

    Every third file is used on one or two pages of four Wikipedias; each page has views
    in 2026. Numbers are chosen so that totals are easy to check by hand.
    """
    main = [[f"File:Nordic {n:04d}.jpg", f"2025-{n % 12 + 1:02d}-15"] for n in range(files)]
    sub = [[f"File:Nordic sub {n:04d}.jpg", "2026-01-10"] for n in range(sub_files)]
    wikis = ["sv.wikipedia.org", "en.wikipedia.org", "fi.wikipedia.org", "de.wikipedia.org"]
    usage: dict[str, list[list[str]]] = {}
    views: dict[str, dict[str, int]] = {}
    for n, (title, _uploaded) in enumerate(main):
        if n % 3:
            continue
        wiki = wikis[n % 4]
        pages = [[wiki, f"Article {n}"]]
        if n % 2 == 0:
            pages.append([wiki, f"Article {n + 1000}"])
        usage[title] = pages
        for w, t in pages:
            views[f"{w}|{t}"] = {f"2026-{m:02d}": 100 for m in range(1, 13)} | {"2025-12": 50}
    return {
        "categories": {
            CATEGORY: {"files": main, "subcats": ["Nordic Museum details"]},
            "Nordic Museum details": {"files": sub, "subcats": []},
            "Empty category": {"files": [], "subcats": []},
        },
        "usage": usage,
        "views": views,
        "entities": {f"Q{n}": {"statements": 10 + n % 5, "sitelinks": n % 3} for n in range(1, 80)}
        | {"Q190804": {"statements": 300, "sitelinks": 90}},
        "collections": {"Q190804": [f"Q{n}" for n in range(1, 61)]},
        "pages": {
            "https://sv.wikipedia.org": ["Nordiska museet", "Skansen"],
        }
        | {COMMONS: [t for t, _u in main]},
        "cim": {},
        "unreachable": [],
        "forbidden": [],
        "not_wiki": [],
    }


WIKIPEDIA = "https://sv.wikipedia.org"
PARTNERSHIP_START = dt.date(2026, 3, 1)
# [first revision, latest revision] of a list of articles, around PARTNERSHIP_START.
ARTICLE_REVISIONS: dict[str, list[str]] = {
    "Nordiska museets samlingar": ["2026-04-02T10:00:00+00:00", "2026-10-01T08:00:00+00:00"],
    "Hazelius": ["2026-03-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00"],  # on the first day
    "Skansen": ["2019-05-05T12:00:00+00:00", "2026-06-06T09:30:00+00:00"],
    "Julmarknad": ["2020-01-01T00:00:00+00:00", "2026-03-01T00:30:00+00:00"],
    "Dalahäst": ["2018-02-02T00:00:00+00:00", "2026-02-28T23:59:59+00:00"],  # the day before
}
DELETED_ARTICLE = "Borttagen artikel"  # existed when listed, deleted before the refresh


def add_articles(
    data: dict[str, Any], revisions: dict[str, list[str]], *, deleted: int = 0
) -> list[str]:
    """Put articles with these revision times (and deleted ones) on WIKIPEDIA; return the list."""
    gone = [f"{DELETED_ARTICLE} {n}" for n in range(deleted)]
    data["pages"][WIKIPEDIA] = [*data["pages"].get(WIKIPEDIA, []), *revisions, *gone]
    data.setdefault("revisions", {})[WIKIPEDIA] = revisions
    return [*revisions, *gone]
