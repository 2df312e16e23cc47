"""Send Action API requests to one wiki: parameters, continuation, batches, the first probe."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from hub.wikimedia import titles as T
from hub.wikimedia.errors import NotAWiki, WikiApiError, WikiMalformedResponse, WikiNotFound
from hub.wikimedia.hosts import Clock, Sleep
from hub.wikimedia.http import (
    BACKGROUND,
    FOREGROUND,
    OnWait,
    RequestRecord,
    RequestStats,
    RetryPolicy,
    WikiHttp,
)
from hub.wikimedia.mediawiki.multipart import FilePart, MultipartBody
from hub.wikimedia.mediawiki.results import BATCH, SiteInfo, aliases_of, pages_of
from hub.wikimedia.safety import check_wiki_url

DEFAULT_MAXLAG = 5


def api_url_candidates(url: str) -> list[str]:
    """Return the Action API addresses to try for what a person typed as a wiki's address."""
    parts = urlsplit(url.strip())
    if parts.path.endswith("api.php"):
        return [urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))]
    root = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    return [f"{root}/w/api.php", f"{root}/api.php"]


class ActionApi:
    """Send requests to one wiki's Action API (arguments: see ``MediaWikiClient``)."""

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
        on_wait: OnWait | None = None,
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
            on_wait=on_wait,
        )
        self._site: SiteInfo | None = None
        self._csrf: str | None = None
        self._credentials: tuple[str, str] | None = None

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
        """Send one Action API request and return its JSON; raise typed errors for API errors.

        ``files``: :class:`FilePart` values are streamed from disk in a multipart body with
        every parameter (MediaWiki wants the token in the body); others go to ``requests``.
        """
        full = self._params(params)
        # A continued query may not change its modules (MediaWiki refuses the continuation),
        # so the probe waits for the next fresh query.
        probing = self._site is None and full.get("action") == "query" and not full.get("continue")
        if probing:
            meta = [m for m in str(full.get("meta", "")).split("|") if m]
            full["meta"] = "|".join([*meta, "siteinfo", "userinfo"])
            full.setdefault("siprop", "general")
            full.setdefault("uiprop", "rights")
        try:
            if post and files and all(isinstance(f, FilePart) for f in files.values()):
                with MultipartBody(full, files) as body:
                    data = self.http.request_json(
                        "POST",
                        self.api_url,
                        data=body,  # type: ignore[arg-type]
                        headers={"Content-Type": body.content_type},
                        mediawiki=True,
                        idempotent=idempotent,
                    )
            elif post:
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
                aliases.update(aliases_of(query))
            for page in pages_of(query):
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

    def _batch_size(self) -> int:
        # Until the first reply says what the account may do, assume an ordinary account;
        # that first request also carries the siteinfo/userinfo probe.
        return self._site.batch_size if self._site is not None else BATCH

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
