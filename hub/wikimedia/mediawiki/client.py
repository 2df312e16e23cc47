"""The MediaWiki client: the Action API, its reads and its writes, in one object."""

from __future__ import annotations

from typing import Any

from hub.wikimedia.errors import NotAWiki
from hub.wikimedia.mediawiki.api import api_url_candidates
from hub.wikimedia.mediawiki.reading import Reading
from hub.wikimedia.mediawiki.uploading import Uploading
from hub.wikimedia.safety import check_wiki_url


class MediaWikiClient(Reading, Uploading):
    """A client for one wiki's Action API (``https://commons.wikimedia.org/w/api.php``).

    ``background``: a background task's client (``maxlag=5``, patient retries); ``False``
    for a person waiting on a page (no maxlag, two attempts, at most 5 s of back-off).
    ``user_supplied``: check the address against private networks before the first request.
    ``sleep``, ``clock``, ``on_request``, ``stats``, ``on_wait``: see
    :class:`hub.wikimedia.http.WikiHttp`.
    """

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
