"""What the counting needs from the wikis, fetched through hub.wikimedia only, with its errors.

:class:`CountSource` keeps one client per wiki for a run, counts every request (so the ledger
can say what each step cost), and turns the clients' typed errors into :class:`CountError`
with a message an organiser reads, saying whether trying later can help.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from hub.wikimedia.errors import (
    ForbiddenAddress,
    InvalidWikiUrl,
    NotAWiki,
    WikiApiError,
    WikiError,
)
from hub.wikimedia.http import RequestStats
from hub.wikimedia.mediawiki import MediaWikiClient
from hub.wikimedia.mediawiki.api import api_url_candidates
from hub.wikimedia.pageviews import PageviewsClient

R = TypeVar("R")

# Hosts whose articles the Wikimedia pageviews service counts.
PAGEVIEWS_HOSTS = (
    ".wikipedia.org",
    ".wikimedia.org",
    ".wikidata.org",
    ".wikisource.org",
    ".wiktionary.org",
    ".wikibooks.org",
    ".wikinews.org",
    ".wikiquote.org",
    ".wikiversity.org",
    ".wikivoyage.org",
)


class CountError(Exception):
    """A wiki could not be read; ``retryable`` says whether trying later can help."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


def host_of(wiki: str) -> str:
    """Return a wiki address's host name, lower-case."""
    return (urlsplit(wiki.strip()).hostname or "").lower()


def is_commons(wiki: str) -> bool:
    """Return whether the wiki is Wikimedia Commons (the one with global usage of files)."""
    return host_of(wiki) == host_of(str(settings.HUB_IMPACT_COMMONS_URL))


def is_wikidata(wiki: str) -> bool:
    """Return whether the wiki is Wikidata (its main namespace holds items)."""
    return host_of(wiki) in {"www.wikidata.org", "wikidata.org"}


def has_pageviews(wiki: str) -> bool:
    """Return whether the Wikimedia pageviews service counts this wiki's pages."""
    host = host_of(wiki)
    return any(host.endswith(suffix) for suffix in PAGEVIEWS_HOSTS)


def translate(wiki: str, exc: WikiError) -> CountError:
    """Return the organiser's message for a client's error on a wiki."""
    name = host_of(wiki) or wiki
    if isinstance(exc, WikiApiError) and exc.code in {"readapidenied", "permissiondenied"}:
        return CountError(
            _("%(wiki)s is a private wiki: it does not let the Hub read contributions.")
            % {"wiki": name}
        )
    if isinstance(exc, ForbiddenAddress | InvalidWikiUrl | NotAWiki):
        return CountError(
            _("%(wiki)s is not a wiki the Hub can read (%(reason)s).")
            % {"wiki": name, "reason": exc.message}
        )
    if exc.retryable:
        return CountError(
            _("%(wiki)s is not answering (%(reason)s).") % {"wiki": name, "reason": exc.message},
            retryable=True,
        )
    return CountError(
        _("%(wiki)s answered with an error: %(reason)s") % {"wiki": name, "reason": exc.message}
    )


class CountSource:
    """The wikis, as the counting reads them; ``requests`` counts what was sent."""

    def __init__(self, *, background: bool = True) -> None:
        self.background = background
        self.stats = RequestStats()
        self._clients: dict[str, MediaWikiClient] = {}

    @property
    def requests(self) -> int:
        return self.stats.requests

    def _with_client(self, wiki: str, use: Callable[[MediaWikiClient], R]) -> R:
        """Run ``use`` with the wiki's client; its first request also learns the wiki's limits.

        No separate probe: the first query carries ``meta=siteinfo|userinfo`` (see
        ActionApi.call), so a resumed run makes exactly the requests it had left.
        """
        try:
            client = self._clients.get(wiki)
            if client is not None:
                return use(client)
            last: WikiError | None = None
            for candidate in api_url_candidates(wiki):
                client = MediaWikiClient(
                    candidate, user_supplied=True, background=self.background, stats=self.stats
                )
                try:
                    result = use(client)
                except NotAWiki as exc:
                    last = exc
                    continue
                self._clients[wiki] = client
                return result
            raise last or NotAWiki(f"{wiki} is not a MediaWiki wiki.", url=wiki)
        except WikiError as exc:
            raise translate(wiki, exc) from exc

    def contributions(
        self,
        wiki: str,
        users: list[str],
        start: dt.datetime,
        end: dt.datetime,
        cont: dict[str, str] | None,
    ) -> dict[str, Any]:
        """Return one page of the users' contributions as a ledger payload."""
        page = self._with_client(
            wiki,
            lambda c: c.user_contributions_page(users, start=start, end=end, continue_from=cont),
        )
        rows = [
            [
                c.user,
                c.revid,
                c.page_id,
                c.namespace,
                c.title,
                c.timestamp.isoformat(),
                c.size_diff,
                c.new,
                c.comment,
                list(c.tags),
            ]
            for c in page.contributions
        ]
        return {"rows": rows, "next": page.next_continue}

    def first_edit_after(
        self, wiki: str, users: list[str], start: dt.datetime, end: dt.datetime
    ) -> list[str]:
        """Return which of the users made at least one edit between two times.

        Reads pages of contributions (ids only) and stops as soon as every user was seen.
        """
        seen: set[str] = set()
        wanted = set(users)

        def read(client: MediaWikiClient) -> None:
            cont: dict[str, str] | None = None
            while True:
                page = client.user_contributions_page(
                    users, start=start, end=end, prop="ids|timestamp", continue_from=cont
                )
                seen.update(c.user for c in page.contributions)
                if page.next_continue is None or wanted <= seen:
                    return
                cont = page.next_continue

        self._with_client(wiki, read)
        return sorted(seen & wanted)

    def accounts(self, wiki: str, users: list[str]) -> dict[str, Any]:
        """Return each user's registration time (ISO or None) and the names that do not exist."""
        found = self._with_client(wiki, lambda c: c.users(users))
        return {
            "registered": {
                name: user.registered.isoformat() if user.registered else None
                for name, user in found.items()
                if user.exists
            },
            "missing": sorted(name for name, user in found.items() if not user.exists),
        }

    def in_category(self, wiki: str, page_ids: list[int], category: str) -> list[int]:
        """Return which of the pages are in the category now."""
        return sorted(self._with_client(wiki, lambda c: c.pages_in_category(page_ids, category)))

    def page_ids(self, wiki: str, titles: list[str]) -> list[int]:
        """Return the page ids of the titles (through a redirect: a renamed page's old title)."""
        found = self._with_client(wiki, lambda c: c.latest_revisions(titles))
        return sorted({r.page_id for r in found if r.page_id})

    def files_in_use(self, wiki: str, titles: list[str]) -> list[str]:
        """Return which of the files are used on another wiki (Commons' global usage)."""
        usage = self._with_client(wiki, lambda c: c.global_usage(titles=titles))
        return sorted(u.title for u in usage if u.usages)

    def views(self, wiki: str, title: str, first: dt.date, last: dt.date) -> int:
        """Return a page's views by people from ``first`` to ``last`` (both included)."""
        client = PageviewsClient(
            str(settings.HUB_IMPACT_REST_URL), background=self.background, stats=self.stats
        )
        try:
            found = client.per_article(host_of(wiki), title, first, last, granularity="daily")
        except WikiError as exc:
            raise translate(wiki, exc) from exc
        return found.total
