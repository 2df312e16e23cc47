"""Refuse wiki addresses on loopback and private networks unless an administrator configured them.

Two layers: :func:`check_wiki_url` resolves a user-supplied URL before any request, so the user
gets a clear message; and :class:`GuardedAdapter` checks the address every connection actually
reaches, so a name that resolves differently a second later (DNS rebinding) or a redirect to an
internal host is refused too.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from hub.wikimedia.errors import ForbiddenAddress, InvalidWikiUrl, WikiUnreachable

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """Return ``scheme://host:port`` of a URL, lower-cased, with the port always written out."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidWikiUrl(f"A wiki address must start with https:// or http:// ({url!r}).")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise InvalidWikiUrl(f"A wiki address needs a host name ({url!r}).")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise InvalidWikiUrl(f"The port in {url!r} is not a number.") from exc
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def allowed_private_origins() -> frozenset[str]:
    """Return the origins of wikis an administrator allowed on private addresses."""
    configured = getattr(settings, "HUB_ALLOWED_PRIVATE_WIKIS", ()) or ()
    return frozenset(origin_of(url) for url in configured)


def is_public_address(address: str) -> bool:
    """Return whether an IP address is on the public internet (not loopback, private, ...)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(ip.is_global) and not ip.is_multicast


def check_wiki_url(url: str) -> str:
    """Return the URL's origin if requests to it are allowed; raise a typed error if not.

    Raises :class:`InvalidWikiUrl` (not http(s), no host, credentials in the URL),
    :class:`WikiUnreachable` (the name does not resolve) or :class:`ForbiddenAddress`.
    """
    parts = urlsplit(url.strip())
    origin = origin_of(url)
    if parts.username or parts.password:
        raise InvalidWikiUrl("A wiki address must not contain a user name or password.")
    if origin in allowed_private_origins():
        return origin
    host = (parts.hostname or "").rstrip(".")
    port = parts.port or DEFAULT_PORTS[parts.scheme.lower()]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WikiUnreachable(f"The host name {host!r} does not resolve.", url=url) from exc
    for info in infos:
        address = str(info[4][0])
        if not is_public_address(address):
            raise ForbiddenAddress(
                f"{host} resolves to {address}, a loopback, private or reserved address; "
                "only an administrator can add such a wiki (HUB_ALLOWED_PRIVATE_WIKIS).",
                url=url,
            )
    return origin


def _check_peer(sock: socket.socket, scheme: str, host: str, port: int) -> None:
    """Close the socket and raise if it reached an address this origin may not use."""
    address = str(sock.getpeername()[0])
    if is_public_address(address):
        return
    bare = host.strip("[]").lower().rstrip(".")
    shown = f"[{bare}]" if ":" in bare else bare
    if f"{scheme}://{shown}:{port}" in allowed_private_origins():
        return
    sock.close()
    raise ForbiddenAddress(
        f"Refused to connect to {host} at {address}: a loopback, private or reserved address.",
        url=f"{scheme}://{host}:{port}",
    )


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock, "http", self.host, self.port or 80)
        return sock


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock, "https", self.host, self.port or 443)
        return sock


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose every connection is checked by :func:`_check_peer`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {  # type: ignore[union-attr]
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }
        # PoolManager copies the mapping into key_fn_by_scheme only for keys; pools are built
        # from pool_classes_by_scheme at first use, so replacing it here is enough.
