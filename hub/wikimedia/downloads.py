"""Fetch a partner's file from its server to disk: streamed, size-limited, address-guarded.

The address is checked like a wiki's (:mod:`hub.wikimedia.safety`): a name that resolves to a
loopback, private or reserved network is refused before connecting, every connection's real
peer is checked again (DNS rebinding), and each redirect is checked the same way. The body is
written to ``dest`` as it arrives with its SHA-1 computed on the way, never held in memory; a
server that sends more than ``max_bytes``, or less than it announced, gets a typed error and
leaves no file behind.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from hub.wikimedia.errors import (
    DownloadError,
    DownloadTooLarge,
    ForbiddenAddress,
    InvalidWikiUrl,
    WikiUnreachable,
)
from hub.wikimedia.http import new_session
from hub.wikimedia.safety import check_wiki_url

BLOCK = 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT = (10.0, 60.0)  # connect, and between two blocks of the body


@dataclass(frozen=True)
class DownloadResult:
    """A file fetched to disk."""

    path: Path
    size: int
    sha1: str  # hex, lower case
    content_type: str
    url: str  # where it came from in the end (after redirects)


def _checked(url: str) -> str:
    """Return the URL if we may fetch from it; raise a typed error in plain words if not."""
    host = urlsplit(url).hostname or url
    try:
        check_wiki_url(url)
    except InvalidWikiUrl as exc:
        raise DownloadError(f"{url!r} is not a web address the Hub can fetch from.") from exc
    except ForbiddenAddress as exc:
        raise ForbiddenAddress(
            f"{host} is on a private or local network; the Hub does not fetch files from there.",
            url=url,
        ) from exc
    except WikiUnreachable as exc:
        raise DownloadError(f"The server name {host} does not exist.", url=url) from exc
    return url


def _failed(message: str, url: str, *, retryable: bool) -> DownloadError:
    error = DownloadError(message, url=url)
    error.retryable = retryable
    return error


def fetch_to_file(url: str, dest: Path, *, max_bytes: int) -> DownloadResult:
    """Fetch ``url`` into ``dest`` and return its size and SHA-1; raise typed errors.

    Raises :class:`ForbiddenAddress` (a private address, or a redirect to one),
    :class:`DownloadTooLarge` (announced or sent more than ``max_bytes``) and
    :class:`DownloadError` (not found, refused, cut short, not answering: ``retryable`` says
    whether trying later may help).
    """
    session = new_session()
    session.headers["Accept"] = "*/*"
    # Sizes are compared with what arrives: no compression between us and the server.
    session.headers["Accept-Encoding"] = "identity"
    partial = dest.with_name(dest.name + ".part")
    try:
        response = _get(session, _checked(url))
        with response:
            final_url = response.url
            announced = response.headers.get("Content-Length")
            expected = int(announced) if announced and announced.isdigit() else None
            if expected is not None and expected > max_bytes:
                raise DownloadTooLarge(
                    f"The file is {expected:,} bytes, more than the {max_bytes:,} accepted.",
                    url=final_url,
                )
            digest = hashlib.sha1()  # noqa: S324 - Commons compares files by SHA-1
            size = 0
            with open(partial, "wb") as out:
                try:
                    for block in response.iter_content(BLOCK):
                        size += len(block)
                        if size > max_bytes:
                            raise DownloadTooLarge(
                                f"The server sent more than the {max_bytes:,} bytes accepted.",
                                url=final_url,
                            )
                        digest.update(block)
                        out.write(block)
                except requests.RequestException as exc:
                    raise _failed(
                        f"The download from {urlsplit(final_url).hostname} was cut short "
                        f"after {size:,} bytes.",
                        final_url,
                        retryable=True,
                    ) from exc
            if expected is not None and size != expected:
                raise _failed(
                    f"The server announced {expected:,} bytes and sent {size:,}.",
                    final_url,
                    retryable=True,
                )
        os.replace(partial, dest)
        return DownloadResult(
            path=dest,
            size=size,
            sha1=digest.hexdigest(),
            content_type=response.headers.get("Content-Type", "").split(";")[0].strip(),
            url=final_url,
        )
    finally:
        partial.unlink(missing_ok=True)
        session.close()


def _get(session: requests.Session, url: str) -> requests.Response:
    """GET the URL, following redirects ourselves so each new address is checked first."""
    host = urlsplit(url).hostname
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = session.get(url, stream=True, timeout=TIMEOUT, allow_redirects=False)
        except requests.ConnectionError as exc:
            if isinstance(exc.__context__, ForbiddenAddress):
                raise _checked_again(url) from None
            raise _failed(f"Could not connect to {host}.", url, retryable=True) from exc
        except requests.Timeout as exc:
            raise _failed(f"{host} did not answer in time.", url, retryable=True) from exc
        except requests.RequestException as exc:
            raise _failed(f"Could not fetch {url}: {exc}", url, retryable=False) from exc
        if response.is_redirect:
            location = response.headers.get("Location", "")
            response.close()
            url = _checked(urljoin(url, location))
            host = urlsplit(url).hostname
            continue
        if response.status_code != 200:
            response.close()
            status = response.status_code
            words = {404: "does not have that file", 403: "refused to give the file"}
            raise _failed(
                f"{host} {words.get(status, 'could not give the file')} (HTTP {status}).",
                url,
                retryable=status in (429, 500, 502, 503, 504),
            )
        return response
    raise _failed(f"{url} redirects more than {MAX_REDIRECTS} times.", url, retryable=False)


def _checked_again(url: str) -> ForbiddenAddress:
    host = urlsplit(url).hostname
    return ForbiddenAddress(
        f"{host} led to a private or local network; the Hub does not fetch files from there.",
        url=url,
    )
