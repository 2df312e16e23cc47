"""Tell a public Wikimedia wiki's address from a private, unknown or non-Wikimedia one.

An event tracks wikis by their base address (``https://sv.wikipedia.org``). What a person types
may be a page address, a bare host, or a wiki that is not Wikimedia's, or one of the
foundation's private wikis (office, board...) whose contributions nobody outside can read.
:func:`classify_wiki` answers without any request, from the host's shape; a wiki an
administrator allowed on a private address (``HUB_ALLOWED_PRIVATE_WIKIS``, the local test wiki)
is accepted as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from hub.wikimedia.errors import InvalidWikiUrl
from hub.wikimedia.safety import allowed_private_origins, origin_of

# The families of language wikis: <language>.<family>.org.
FAMILIES = frozenset(
    {
        "wikipedia",
        "wiktionary",
        "wikibooks",
        "wikinews",
        "wikiquote",
        "wikisource",
        "wikiversity",
        "wikivoyage",
    }
)
# The public wikis that are not one language's.
MULTILINGUAL = frozenset(
    {
        "commons.wikimedia.org",
        "www.wikidata.org",
        "wikidata.org",
        "test.wikidata.org",
        "meta.wikimedia.org",
        "species.wikimedia.org",
        "incubator.wikimedia.org",
        "outreach.wikimedia.org",
        "wikimania.wikimedia.org",
        "www.mediawiki.org",
        "mediawiki.org",
        "www.wikifunctions.org",
        "wikifunctions.org",
        "wikisource.org",
        "test.wikipedia.org",
        "test2.wikipedia.org",
        "beta.wikiversity.org",
    }
)
COMMONS_HOST = "commons.wikimedia.org"
# Read access only for their members: their contributions cannot be counted from outside.
PRIVATE = frozenset(
    {
        "office",
        "board",
        "boardgovcom",
        "chair",
        "checkuser",
        "collab",
        "exec",
        "fdc",
        "grants",
        "internal",
        "legalteam",
        "movementroles",
        "ombuds",
        "otrs-wiki",
        "vrt-wiki",
        "projectcom",
        "steward",
        "sysop-it",
        "techconduct",
        "wg-en",
        "transitionteam",
        "spcom",
        "electcom",
        "affcom",
        "u4c",
    }
)
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
# Wikimedia language codes that do not fit the pattern above.
ODD_LANGUAGES = frozenset(
    {"simple", "zh-min-nan", "zh-classical", "zh-yue", "be-tarask", "roa-rup", "map-bms"}
)


class WikiKind(StrEnum):
    """What an address is, for an event's list of wikis."""

    WIKIMEDIA = "wikimedia"  # a public Wikimedia wiki
    ALLOWED = "allowed"  # a wiki an administrator allowed (HUB_ALLOWED_PRIVATE_WIKIS)
    PRIVATE = "private"  # a Wikimedia wiki closed to the public
    UNKNOWN = "unknown"  # on a Wikimedia domain, but no wiki of that name
    NOT_WIKIMEDIA = "not_wikimedia"  # any other site
    INVALID = "invalid"  # not a web address


@dataclass(frozen=True)
class WikiAddress:
    """An address classified: its kind and, when usable, its base (``https://host``)."""

    kind: WikiKind
    base: str
    host: str

    @property
    def usable(self) -> bool:
        return self.kind in (WikiKind.WIKIMEDIA, WikiKind.ALLOWED)


def _host_kind(host: str) -> WikiKind:
    if host in MULTILINGUAL:
        return WikiKind.WIKIMEDIA
    labels = host.split(".")
    if len(labels) == 3 and labels[2] == "org" and labels[1] in FAMILIES:
        lang = labels[0]
        if lang == "m" or not (LANGUAGE.match(lang) or lang in ODD_LANGUAGES):
            return WikiKind.UNKNOWN
        return WikiKind.WIKIMEDIA
    if len(labels) == 3 and labels[1:] == ["wikimedia", "org"]:
        return WikiKind.PRIVATE if labels[0] in PRIVATE else WikiKind.UNKNOWN
    if labels[-2:] in (["wikimedia", "org"], ["wikidata", "org"]) or (
        len(labels) >= 2 and labels[-2] in FAMILIES and labels[-1] == "org"
    ):
        return WikiKind.UNKNOWN
    return WikiKind.NOT_WIKIMEDIA


def classify_wiki(text: str) -> WikiAddress:
    """Return what a typed wiki address is; its base is ``https://<host>`` for Wikimedia's.

    A mobile address (``sv.m.wikipedia.org``) counts as the wiki itself.
    """
    value = text.strip()
    if value and "://" not in value:
        value = "https://" + value
    try:
        origin = origin_of(value)
    except InvalidWikiUrl:
        return WikiAddress(WikiKind.INVALID, "", "")
    parts = urlsplit(value)
    if parts.username or parts.password or any(c.isspace() for c in value):
        return WikiAddress(WikiKind.INVALID, "", "")
    host = (parts.hostname or "").lower().rstrip(".")
    if origin in allowed_private_origins():
        base = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        return WikiAddress(WikiKind.ALLOWED, base, host)
    host = host.replace(".m.", ".", 1)
    kind = _host_kind(host)
    if host == "wikidata.org":
        host = "www.wikidata.org"
    if host == "mediawiki.org":
        host = "www.mediawiki.org"
    if host == "wikifunctions.org":
        host = "www.wikifunctions.org"
    return WikiAddress(kind, f"https://{host}" if kind == WikiKind.WIKIMEDIA else "", host)


def wiki_host(address: str) -> str:
    """Return a wiki's host (``commons.wikimedia.org``, with the port when one is written)
    from any of its addresses (its base, its API's, a page's, a bare host)."""
    value = address.strip()
    parts = urlsplit(value if "://" in value else "https://" + value)
    host = (parts.hostname or "").rstrip(".").replace(".m.", ".", 1)
    try:
        port = parts.port
    except ValueError:
        port = None
    if not host:
        return value
    return f"{host}:{port}" if port else host


def wiki_name(address: str) -> str:
    """Return a wiki as a page names it in words: "Wikimedia Commons" for Commons, else its
    host (``sv.wikipedia.org``, with the port when one is written), from any of its addresses
    (its API's, a page's, a bare host)."""
    host = wiki_host(address)
    # Commons by any port is still Commons (an IPv6 host, the only other with ":", is not).
    return _("Wikimedia Commons") if host.rsplit(":", 1)[0] == COMMONS_HOST else host
