"""Send requests to wikis politely: one session per host, in series, with back-off and typed errors.

Every HTTP call of :mod:`hub.wikimedia` goes through :class:`WikiHttp`. It

- keeps one ``requests.Session`` per host (origin) for anonymous reads, and lets a logged-in
  client have its own session (its cookies are its account's) that shares the host's lock;
- sends requests to one host one at a time (a per-host lock), and makes every caller wait while
  the host asked us to (``Retry-After``);
- keeps that order across processes and machines too, through Django's shared cache
  (:mod:`hub.wikimedia.hosts`), so two workers never talk to one wiki at once and a 429 seen
  by one pauses all;
- sends a descriptive User-Agent with a contact (settings ``HUB_WIKIMEDIA_USER_AGENT`` or
  ``HUB_WIKIMEDIA_CONTACT``);
- retries HTTP 429/5xx, timeouts, refused connections and MediaWiki ``maxlag``/``ratelimited``
  errors (which arrive as HTTP 200 with a ``MediaWiki-API-Error`` header) with ``Retry-After``
  or bounded exponential back-off, within a :class:`RetryPolicy`;
- raises :mod:`hub.wikimedia.errors` types, never returns ``None`` for failure;
- counts requests, time spent waiting on the wiki and time spent backing off
  (:class:`RequestStats`), and calls an optional hook per exchange (:class:`RequestRecord`);
- tells an optional ``on_wait(reason, until)`` each wait it makes, so a page can say what the
  wiki makes us wait for and until when;
- never sends a write that is not idempotent (an upload) again once its bytes may have reached
  the wiki: a timeout or a 5xx then raises :class:`WikiOutcomeUnknown`, and the caller looks.

The sleep and clock functions are injectable so tests never wait in real time.
"""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from urllib3.exceptions import NewConnectionError

from hub.wikimedia.errors import (
    ForbiddenAddress,
    WikiApiError,
    WikiError,
    WikiMalformedResponse,
    WikiMaxLag,
    WikiNotFound,
    WikiOutcomeUnknown,
    WikiRateLimited,
    WikiReadOnly,
    WikiUnreachable,
)
from hub.wikimedia.hosts import (
    Clock,
    HostState,
    SharedHost,
    Sleep,
    forget_hosts,
    host_state_of,
    lease_seconds,
)
from hub.wikimedia.safety import GuardedAdapter, origin_of

logger = logging.getLogger(__name__)

VERSION = "0.1"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# MediaWiki API error codes that mean "not now", and are safe to send again.
RETRY_API_CODES = frozenset({"maxlag", "ratelimited", "readonly"})
# What a wait is for, as on_wait hears it: the outcome of the failed attempt → the reason.
WAIT_REASONS = {"ratelimited": "ratelimited", "maxlag": "maxlag", "readonly": "readonly"}
OnWait = Callable[[str, datetime], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a request that failed for a passing reason."""

    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    # A wait longer than this in total is left to the task queue: raise, with retry_after.
    max_total_wait: float = 180.0

    def backoff(self, attempt: int) -> float:
        """Return the delay after the given failed attempt (1-based): 1, 2, 4, ... capped."""
        return float(min(self.max_delay, self.base_delay * (2 ** (attempt - 1))))


# Background tasks can wait; a person adding a link in a form cannot.
BACKGROUND = RetryPolicy()
FOREGROUND = RetryPolicy(max_attempts=2, base_delay=0.5, max_delay=5.0, max_total_wait=5.0)


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP exchange: what was asked, how it ended, and how long the wiki took."""

    method: str
    url: str
    status: int | None
    seconds: float
    attempt: int
    outcome: str  # "ok", or the reason for failing: "http-429", "maxlag", "timeout", ...
    bytes_received: int = 0


@dataclass
class RequestStats:
    """Running totals for the requests a client made: for benchmarks, logs and budgets."""

    requests: int = 0
    retries: int = 0
    wiki_seconds: float = 0.0  # from sending a request to having read its whole reply
    waited_seconds: float = 0.0  # time spent backing off (Retry-After or exponential)
    queued_seconds: float = 0.0  # time spent waiting for another process to finish with the host
    bytes_received: int = 0
    records: list[RequestRecord] = field(default_factory=list)
    keep_records: bool = False

    def add(self, record: RequestRecord) -> None:
        """Add one exchange to the totals."""
        self.requests += 1
        if record.attempt > 1:
            self.retries += 1
        self.wiki_seconds += record.seconds
        self.bytes_received += record.bytes_received
        if self.keep_records:
            self.records.append(record)


_SESSIONS: dict[str, requests.Session] = {}
_SESSIONS_LOCK = threading.Lock()


def user_agent() -> str:
    """Return the User-Agent for every request: the Hub, its version, its site and a contact."""
    configured = getattr(settings, "HUB_WIKIMEDIA_USER_AGENT", "")
    if configured:
        return str(configured)
    contact = getattr(settings, "HUB_WIKIMEDIA_CONTACT", "") or "no contact configured"
    site = getattr(settings, "SITE_URL", "")
    return f"PartnershipsHub/{VERSION} ({site}; {contact}) python-requests/{requests.__version__}"


def new_session() -> requests.Session:
    """Return a session with our User-Agent and the address guard on every connection."""
    session = requests.Session()
    # No proxy or .netrc from the environment: the address guard must see the real peer, and
    # no credentials may leak to a user-supplied wiki.
    session.trust_env = False
    session.headers["User-Agent"] = user_agent()
    session.headers["Accept"] = "application/json"
    adapter = GuardedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def shared_session(origin: str) -> requests.Session:
    """Return the one anonymous session of a host (origin), creating it on first use."""
    with _SESSIONS_LOCK:
        session = _SESSIONS.get(origin)
        if session is None:
            session = _SESSIONS[origin] = new_session()
        return session


def reset_sessions() -> None:
    """Forget every shared session and host state (tests, and after settings change)."""
    with _SESSIONS_LOCK:
        for session in _SESSIONS.values():
            session.close()
        _SESSIONS.clear()
    forget_hosts()


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for (a number or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def default_timeout() -> tuple[float, float]:
    """Return (connect, read) timeouts in seconds from settings."""
    return (
        float(getattr(settings, "HUB_WIKIMEDIA_CONNECT_TIMEOUT", 5)),
        float(getattr(settings, "HUB_WIKIMEDIA_READ_TIMEOUT", 30)),
    )


class _Retry(Exception):
    """Internal: this attempt failed for a passing reason; carries the error to raise at the end."""

    def __init__(self, error: WikiError, outcome: str) -> None:
        self.error = error
        self.outcome = outcome


class WikiHttp:
    """Send JSON requests to one host in series, with retries and typed errors.

    ``session``: pass one to keep a login's cookies apart from the host's shared anonymous
    session. ``sleep``/``clock``: injectable for tests. ``shared`` and
    ``host_state``: the host's turn across processes and within this one (tests pass their
    own to play several processes). ``on_request``: called after every
    exchange with a :class:`RequestRecord` (benchmarks, logging). ``on_wait``: called before
    each wait with its reason ("ratelimited", "maxlag", "retry-after", "server-error",
    "readonly") and the time (UTC) it ends.
    """

    def __init__(
        self,
        base_url: str,
        *,
        session: requests.Session | None = None,
        policy: RetryPolicy = BACKGROUND,
        timeout: tuple[float, float] | None = None,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
        on_request: Callable[[RequestRecord], None] | None = None,
        stats: RequestStats | None = None,
        shared: SharedHost | None = None,
        host_state: HostState | None = None,
        on_wait: OnWait | None = None,
    ) -> None:
        self.base_url = base_url
        self.on_wait = on_wait
        self.origin = origin_of(base_url)
        self.session = session if session is not None else shared_session(self.origin)
        self.policy = policy
        self.timeout = timeout or default_timeout()
        self.sleep = sleep
        self.clock = clock
        self.on_request = on_request
        self.stats = stats if stats is not None else RequestStats()
        # host_state: tests pass a fresh one to play a second process.
        self._host = host_state if host_state is not None else host_state_of(self.origin)
        self.shared = shared or SharedHost(
            self.origin,
            lease_seconds=lease_seconds(self.timeout),
            # Pauses shared with other processes are in wall-clock time; a test's own clock
            # stands for both.
            wall_clock=time.time if clock is time.monotonic else clock,
            sleep=sleep,
        )

    def get_json(self, url: str, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        """GET a URL and return its decoded JSON body."""
        return self.request_json("GET", url, params=params, **kwargs)

    def post_json(self, url: str, data: Mapping[str, Any], **kwargs: Any) -> Any:
        """POST a form and return the decoded JSON body."""
        return self.request_json("POST", url, data=data, **kwargs)

    def request_json(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        mediawiki: bool = False,
        idempotent: bool = True,
        not_found_ok: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send a request, retrying passing failures, and return the decoded JSON body.

        ``mediawiki``: read MediaWiki Action API errors from the body (HTTP 200) and raise
        :class:`WikiApiError` for them. ``idempotent``: whether a request that may have reached
        the wiki may be sent again; when not, a timeout, a dropped connection or a 5xx raises
        :class:`WikiOutcomeUnknown` (429, 503 with ``Retry-After`` and MediaWiki's "not now"
        errors are still retried: the wiki refused before doing anything). ``not_found_ok``:
        return ``None`` for HTTP 404 instead of raising :class:`WikiNotFound` (REST "no data").
        ``data`` may be a stream with ``seek`` (a multipart body): it is rewound for each attempt.
        """
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._attempt(
                    method,
                    url,
                    params,
                    data,
                    files,
                    attempt,
                    mediawiki,
                    idempotent,
                    not_found_ok,
                    headers,
                )
            except _Retry as retry:
                error = retry.error
                if error.retry_after is not None:
                    # The wiki said how long to leave it alone: everybody does, whether or not
                    # this caller tries again.
                    self._hold_host(error.retry_after)
                if attempt >= self.policy.max_attempts:
                    raise error from None
                delay = error.retry_after
                if delay is None:
                    delay = self.policy.backoff(attempt)
                if delay > self.policy.max_delay or waited + delay > self.policy.max_total_wait:
                    # Waiting that long is the task queue's job, not this thread's.
                    raise error from None
                logger.info(
                    "wiki %s: %s, retrying in %.1f s (attempt %d)",
                    self.origin,
                    retry.outcome,
                    delay,
                    attempt,
                )
                self._tell_wait(_wait_reason(retry.outcome, error), delay)
                self._hold_host(delay)
                waited += delay  # the next attempt waits for the host before sending

    def _tell_wait(self, reason: str, delay: float) -> None:
        """Tell ``on_wait`` what we are about to wait for, and until when (UTC)."""
        if self.on_wait is not None and delay > 0:
            self.on_wait(reason, datetime.now(UTC) + timedelta(seconds=delay))

    def _hold_host(self, delay: float) -> None:
        """Ask every caller to this host, in this process and the others, to wait ``delay``."""
        self._host.not_before = max(self._host.not_before, self.clock() + delay)
        if self.shared.usable():
            self.shared.pause(delay)

    def _wait_for_host(self, shared: bool) -> float:
        remaining = self._host.not_before - self.clock()
        if shared:
            remaining = max(remaining, self.shared.remaining())
        if remaining <= 0:
            return 0.0
        if self._host.not_before - self.clock() < remaining - 1.0:
            # Another process was told to leave the host alone (our own waits are told when
            # they are decided): so are we.
            self._tell_wait("retry-after", remaining)
        if remaining > self.policy.max_delay:
            # Waiting that long is the task queue's job (or the person's, later), not this
            # thread's: say when to come back, without sending anything.
            raise WikiRateLimited(
                f"{self.origin} asked to be left alone for {remaining:.0f} more seconds.",
                retry_after=remaining,
            )
        self.sleep(remaining)
        self.stats.waited_seconds += remaining
        return remaining

    def _attempt(self, *args: Any) -> Any:
        """Send once, in this host's turn: the process's lock, then the shared lease."""
        shared = self.shared.usable()
        while True:
            self._wait_for_host(shared)
            with self._host.lock:
                token = None
                if shared:
                    token, queued = self.shared.acquire()
                    self.stats.queued_seconds += queued
                    if token is not None and self.shared.remaining() > 0:
                        # Another process was told to back off while we queued: so are we.
                        self.shared.release(token)
                        continue
                try:
                    return self._send(*args)
                finally:
                    self.shared.release(token)

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
        files: Mapping[str, Any] | None,
        attempt: int,
        mediawiki: bool,
        idempotent: bool,
        not_found_ok: bool,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        started = self.clock()
        status: int | None = None
        size = 0
        outcome = "ok"
        rewind = getattr(data, "seek", None)
        if callable(rewind):
            rewind(0)
        try:
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    files=files,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
                body = response.content
            except requests.ConnectTimeout as exc:
                outcome = "timeout"
                raise _Retry(
                    WikiUnreachable(f"{self.origin} did not answer in time.", url=url), outcome
                ) from exc
            except requests.Timeout as exc:
                outcome = "timeout"
                if idempotent:
                    error = WikiUnreachable(f"{self.origin} did not answer in time.", url=url)
                    raise _Retry(error, outcome) from exc
                raise WikiOutcomeUnknown(
                    f"{self.origin} did not answer in time; what was sent may have been done.",
                    url=url,
                ) from exc
            except requests.ConnectionError as exc:
                if isinstance(exc.__context__, ForbiddenAddress):
                    raise exc.__context__ from None
                outcome = "connection-error"
                if not idempotent and not _before_sending(exc):
                    raise WikiOutcomeUnknown(
                        f"The connection to {self.origin} broke; what was sent may have been done.",
                        url=url,
                    ) from exc
                raise _Retry(
                    WikiUnreachable(f"Could not connect to {self.origin}.", url=url), outcome
                ) from exc
            except requests.RequestException as exc:
                outcome = "request-error"
                raise WikiUnreachable(f"Request to {self.origin} failed: {exc}", url=url) from exc
            status = response.status_code
            size = len(body)
            try:
                return self._interpret(response, body, url, mediawiki, not_found_ok, idempotent)
            except _Retry as retry:
                outcome = retry.outcome
                raise
            except WikiError as exc:
                outcome = type(exc).__name__
                raise
        finally:
            record = RequestRecord(
                method=method,
                url=url,
                status=status,
                seconds=self.clock() - started,
                attempt=attempt,
                outcome=outcome,
                bytes_received=size,
            )
            self.stats.add(record)
            if self.on_request is not None:
                self.on_request(record)

    def _interpret(
        self,
        response: requests.Response,
        body: bytes,
        url: str,
        mediawiki: bool,
        not_found_ok: bool,
        idempotent: bool = True,
    ) -> Any:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        refused = status == 429 or (status == 503 and retry_after is not None)
        if status in RETRY_STATUSES and not idempotent and not refused:
            raise WikiOutcomeUnknown(
                f"{self.origin} answered HTTP {status}; what was sent may have been done.",
                url=url,
                retry_after=retry_after,
            )
        if status in RETRY_STATUSES:
            error_cls = WikiRateLimited if status == 429 else WikiUnreachable
            error = error_cls(
                f"{self.origin} answered HTTP {status}.", url=url, retry_after=retry_after
            )
            raise _Retry(error, f"http-{status}")
        if status == 404:
            if not_found_ok:
                return None
            raise WikiNotFound(_detail(body) or f"Not found: {url}", url=url)
        if 300 <= status < 400:
            raise WikiMalformedResponse(
                f"{self.origin} redirected to {response.headers.get('Location', '?')}; "
                "use the address it redirects to.",
                url=url,
            )
        if status >= 400:
            raise WikiApiError(f"http-{status}", _detail(body) or response.reason, url=url)
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise WikiMalformedResponse(
                f"{self.origin} answered with something that is not JSON.", url=url
            ) from exc
        if mediawiki:
            self._raise_api_error(response, payload, url, retry_after)
        return payload

    def _raise_api_error(
        self, response: requests.Response, payload: Any, url: str, retry_after: float | None
    ) -> None:
        header_code = response.headers.get("MediaWiki-API-Error")
        error = payload.get("error") if isinstance(payload, dict) else None
        if not header_code and not isinstance(error, dict):
            return
        if isinstance(error, dict):
            code = str(error.get("code") or header_code or "unknown")
            info = str(error.get("info") or error.get("*") or "")
        else:
            code, info = str(header_code), ""
        if code == "maxlag":
            lag = error.get("lag") if isinstance(error, dict) else None
            raise _Retry(
                WikiMaxLag(
                    info or "The wiki is lagged.",
                    url=url,
                    retry_after=retry_after,
                    lag=float(lag) if isinstance(lag, int | float) else None,
                ),
                "maxlag",
            )
        if code == "ratelimited":
            # MediaWiki sends no Retry-After with this: back off exponentially.
            raise _Retry(WikiRateLimited(info, url=url, retry_after=retry_after), "ratelimited")
        if code == "readonly":
            raise _Retry(WikiReadOnly(info, url=url, retry_after=retry_after), "readonly")
        raise WikiApiError(code, info, url=url, data=error if isinstance(error, dict) else None)


def _wait_reason(outcome: str, error: WikiError) -> str:
    """Return what a wait is for, in the words ``on_wait`` uses."""
    if outcome in WAIT_REASONS:
        return WAIT_REASONS[outcome]
    if outcome == "http-429" or error.retry_after is not None:
        return "retry-after"
    return "server-error"


def _before_sending(exc: requests.ConnectionError) -> bool:
    """Return whether a connection error happened before any byte of the request was sent."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NewConnectionError | ConnectionRefusedError):
            return True
        stack += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        stack += [a for a in current.args if isinstance(a, BaseException)]
    return False


def _detail(body: bytes) -> str:
    """Return a short human-readable reason from an error body (REST ``detail``/``title``)."""
    try:
        payload = json.loads(body)
    except ValueError:
        return body[:200].decode("utf-8", "replace").strip()
    if isinstance(payload, dict):
        for key in ("detail", "title", "message"):
            if isinstance(payload.get(key), str):
                return str(payload[key])
    return ""
