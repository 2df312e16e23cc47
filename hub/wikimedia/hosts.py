"""Keep the requests to one wiki host in series, within a process and across processes.

Within a process a lock per host (origin) does it. Across processes and machines a short lease
per host and the host's ``Retry-After`` live in Django's shared cache (:class:`SharedHost`), so
two workers never talk to one wiki at once and a 429 seen by one pauses all.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import transaction

logger = logging.getLogger(__name__)

Sleep = Callable[[float], None]
Clock = Callable[[], float]
# How often a caller looks again whether another process has finished with a host.
LEASE_POLL_SECONDS = 0.05


@dataclass
class HostState:
    """One host's turn within this process: its lock, and until when nobody sends to it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    not_before: float = 0.0  # clock() value before which nobody sends to this host


_HOSTS: dict[str, HostState] = {}
_HOSTS_LOCK = threading.Lock()


def host_state_of(origin: str) -> HostState:
    """Return this process's state of a host (origin), creating it on first use."""
    with _HOSTS_LOCK:
        return _HOSTS.setdefault(origin, HostState())


def forget_hosts() -> None:
    """Forget every host's state in this process (tests, and after settings change)."""
    with _HOSTS_LOCK:
        _HOSTS.clear()


class SharedHost:
    """One host's turn and pause, shared by every process through Django's cache.

    The per-process lock keeps the threads of one worker in series; this lease keeps the workers
    of several processes or machines in series too, and a ``Retry-After`` that one of them
    receives makes all of them wait. The lease expires by itself (``lease_seconds``, longer than
    any one request may take), so a worker killed while holding it delays the others, never
    blocks them. When the cache cannot be used the per-process lock still holds: a wiki call
    must not fail because the cache did.
    """

    def __init__(
        self,
        origin: str,
        *,
        lease_seconds: float,
        cache: BaseCache | None = None,
        wall_clock: Clock = time.time,
        sleep: Sleep = time.sleep,
    ) -> None:
        digest = hashlib.sha256(origin.encode()).hexdigest()[:32]
        self.origin = origin
        self.lease_key = f"hub:wikihost:{digest}:turn"
        self.pause_key = f"hub:wikihost:{digest}:not-before"
        self.lease_seconds = lease_seconds
        self._cache = cache
        self.wall_clock = wall_clock
        self.sleep = sleep

    @property
    def cache(self) -> BaseCache:
        if self._cache is not None:
            return self._cache
        return caches[getattr(settings, "HUB_WIKIMEDIA_HOST_CACHE", "default")]

    def usable(self) -> bool:
        """Whether the shared turn can be taken from here now.

        The database cache writes rows: inside a transaction the lease would stay invisible to
        the other processes until the commit (or vanish on a rollback), so it is not used there.
        """
        if not getattr(settings, "HUB_WIKIMEDIA_SHARED_HOST_LOCK", True):
            return False
        if isinstance(self.cache, DatabaseCache):
            return not transaction.get_connection().in_atomic_block
        return True

    def acquire(self) -> tuple[str | None, float]:
        """Wait for this host's turn; return the lease's token (None if the cache failed) and
        the seconds waited."""
        token = uuid.uuid4().hex
        waited = 0.0
        # The holder's lease runs out after lease_seconds at most; past twice that, something
        # is wrong with the cache's clock, and we go ahead rather than hang.
        while waited < 2 * self.lease_seconds:
            try:
                if self.cache.add(self.lease_key, token, timeout=self.lease_seconds):
                    return token, waited
            except Exception:  # noqa: BLE001 — any cache failure: fall back, and say so
                logger.warning(
                    "shared cache unavailable: %s is serialised per process only",
                    self.origin,
                    exc_info=True,
                )
                return None, waited
            self.sleep(LEASE_POLL_SECONDS)
            waited += LEASE_POLL_SECONDS
        logger.warning("gave up waiting for the shared turn at %s", self.origin)
        return None, waited

    def release(self, token: str | None) -> None:
        """Give the turn back, if it is still ours."""
        if token is None:
            return
        try:
            if self.cache.get(self.lease_key) == token:
                self.cache.delete(self.lease_key)
        except Exception:  # noqa: BLE001
            logger.warning("could not release the shared turn at %s", self.origin, exc_info=True)

    def pause(self, seconds: float) -> None:
        """Ask every process to leave this host alone for ``seconds`` from now."""
        until = self.wall_clock() + seconds
        try:
            if until > float(self.cache.get(self.pause_key) or 0.0):
                self.cache.set(self.pause_key, until, timeout=int(seconds) + 2)
        except Exception:  # noqa: BLE001
            logger.warning("could not share the pause of %s", self.origin, exc_info=True)

    def remaining(self) -> float:
        """Return how many seconds the host still asked everybody to wait."""
        try:
            until = float(self.cache.get(self.pause_key) or 0.0)
        except Exception:  # noqa: BLE001
            return 0.0
        return max(0.0, until - self.wall_clock())


def lease_seconds(timeout: tuple[float, float]) -> float:
    """Return how long one request may hold a host's shared turn: longer than it can take."""
    return timeout[0] + timeout[1] + 5.0
