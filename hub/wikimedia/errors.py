"""Typed errors of the Wikimedia clients: each says whether trying again later makes sense."""

from __future__ import annotations

from typing import Any


class WikiError(Exception):
    """Base of every failure a wiki client reports; never ``None`` for failure.

    ``retryable`` tells a background task whether re-enqueueing the same work later can
    succeed (the wiki was busy, unreachable, rate-limiting); ``retry_after`` is the wait the
    wiki asked for, in seconds, when it said.
    """

    retryable: bool = False

    def __init__(self, message: str, *, url: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.retry_after = retry_after


class WikiUnreachable(WikiError):
    """The wiki did not answer: DNS failure, refused connection, timeout, or a 5xx reply."""

    retryable = True


class WikiRateLimited(WikiError):
    """The wiki refused for now: HTTP 429, or a MediaWiki ``ratelimited`` error."""

    retryable = True


class WikiMaxLag(WikiError):
    """The wiki's replicas (or job queue) lag more than our ``maxlag`` allows."""

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        url: str = "",
        retry_after: float | None = None,
        lag: float | None = None,
    ) -> None:
        super().__init__(message, url=url, retry_after=retry_after)
        self.lag = lag


class WikiReadOnly(WikiError):
    """The wiki is in read-only mode; writes may work again later."""

    retryable = True


class WikiNotFound(WikiError):
    """The thing asked for does not exist (a category, a page, an entity, a REST resource)."""


class WikiMalformedResponse(WikiError):
    """The reply could not be read: not JSON, or JSON of an unexpected shape."""


class WikiOutcomeUnknown(WikiUnreachable):
    """A write (an upload) was sent, and no answer said whether it happened.

    Never send it again blindly: look first (is the file on the wiki under its title, or its
    bytes under another?), then decide.
    """


class WikiApiError(WikiError):
    """MediaWiki answered with an API error (HTTP 200, an ``error`` body) we do not retry.

    ``data``: the whole ``error`` object (``details``, ``offset``, ``messages`` ...).
    ``message``: the error in plain words, when we know better than ``code: info``.
    """

    def __init__(
        self,
        code: str,
        info: str,
        *,
        url: str = "",
        data: dict[str, Any] | None = None,
        message: str = "",
    ) -> None:
        super().__init__(message or f"{code}: {info}", url=url)
        self.code = code
        self.info = info
        self.data = data or {}


class WikiUploadError(WikiApiError):
    """The wiki refused an upload or one of its chunks; ``message`` says why in plain words."""


class StructuredDataError(WikiApiError):
    """Commons refused a caption or a statement (bad language, too long, no such file ...)."""


class WikiBadToken(WikiApiError):
    """The CSRF token was refused even after fetching a fresh one."""


class WikiLoginFailed(WikiError):
    """Logging in with a bot password failed (wrong name or password, or not allowed)."""


class InvalidWikiUrl(WikiError):
    """The address given for a wiki is not an http(s) URL we can use."""


class ForbiddenAddress(WikiError):
    """The wiki's address resolves to a loopback, private, link-local or reserved network."""


class NotAWiki(WikiError):
    """The address answers, but not as a MediaWiki Action API."""


class InvalidTitle(WikiError):
    """A page, file or category name that no wiki accepts (empty, or with ``[]{}|#<>``)."""


class NotInCommonsImpactMetrics(WikiNotFound):
    """Commons Impact Metrics has no data for this category and period (not allow-listed)."""


class InvalidEntityId(WikiError):
    """A Wikidata id that is not of the form Q123, P123, L123 or M123."""


class DownloadError(WikiError):
    """A partner's file could not be fetched (refused address, HTTP error, not answering)."""


class DownloadTooLarge(DownloadError):
    """A partner's file is bigger than we accept (said so, or sent more than it said)."""
