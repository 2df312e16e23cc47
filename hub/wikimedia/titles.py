"""Normalise page, file and category names the way MediaWiki does, before they reach a wiki."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote, urlsplit

from hub.wikimedia.errors import InvalidTitle

# Characters MediaWiki turns into a plain space in titles (underscore, no-break and other
# Unicode spaces), and directional marks it drops (Title::newFromText / MediaWikiTitleCodec).
_SPACES = re.compile(r"[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_DIRECTION_MARKS = re.compile(r"[\u200e\u200f\u202a-\u202e]")
_ILLEGAL = re.compile(r"[#<>\[\]|{}\x00-\x1f\x7f\ufffd]")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
MAX_TITLE_BYTES = 255

CATEGORY_PREFIXES = ("category",)
FILE_PREFIXES = ("file", "image")


def clean_text(text: str) -> str:
    """Return text in NFC with MediaWiki's spaces folded to one space and marks removed."""
    text = unicodedata.normalize("NFC", text)
    text = _DIRECTION_MARKS.sub("", text)
    return _SPACES.sub(" ", text).strip()


def normalize_title(text: str, *, capitalize: bool = True) -> str:
    """Return a page title as MediaWiki would store it (spaces, NFC, first letter upper case).

    Raises :class:`InvalidTitle` for an empty title, characters no title may contain, a
    percent-encoded sequence (paste the decoded name, or use :func:`title_from_user_input`)
    or a title longer than 255 bytes.
    """
    title = clean_text(text)
    if not title.strip(": "):
        raise InvalidTitle("The name is empty.")
    if _ILLEGAL.search(title):
        raise InvalidTitle(f"{title!r} contains a character no wiki title may have (#<>[]|{{}}).")
    if _PERCENT.search(title):
        raise InvalidTitle(f"{title!r} looks percent-encoded; give the decoded name.")
    if len(title.encode("utf-8")) > MAX_TITLE_BYTES:
        raise InvalidTitle("The name is longer than a wiki title may be (255 bytes).")
    if capitalize:
        title = _upper_first(title)
    return title


# Wikimedia wikis that keep the first letter of a title as written ($wgCapitalLinks = false;
# their siteinfo says "case": "case-sensitive"): every Wiktionary, where "cat" and "Cat" are
# two entries. Matched on the host name's end.
CASE_SENSITIVE_WIKIS = (".wiktionary.org", ".wiktionary")


def capitalizes_first_letter(wiki: str) -> bool:
    """Return whether a wiki upper-cases the first letter of titles (by host or project name).

    A title found on such a wiki (through GlobalUsage, say) is already in its stored form;
    upper-casing it on a case-sensitive wiki names another page.
    """
    host = wiki.strip().lower().removeprefix("https://").removeprefix("http://")
    host = host.split("/", 1)[0]
    return not host.endswith(CASE_SENSITIVE_WIKIS)


def _upper_first(title: str) -> str:
    first = title[0]
    upper = first.upper()
    # MediaWiki leaves a letter alone when upper-casing it would give more than one character
    # (for example "ß"), and so do we.
    return (upper if len(upper) == 1 else first) + title[1:]


def _strip_prefix(title: str, prefixes: tuple[str, ...]) -> str:
    if ":" in title:
        head, rest = title.split(":", 1)
        if head.strip().lower() in prefixes:
            return rest.strip()
    return title


def category_name(text: str, *, extra_prefixes: tuple[str, ...] = ()) -> str:
    """Return a category's name without its namespace: ``"category:foo_bar"`` → ``"Foo bar"``.

    ``extra_prefixes``: the wiki's local names for the namespace (``"Kategorie"``), lower case.
    """
    title = clean_text(text)
    title = _strip_prefix(title.lstrip(":"), CATEGORY_PREFIXES + extra_prefixes)
    return normalize_title(title)


def category_title(text: str, *, extra_prefixes: tuple[str, ...] = ()) -> str:
    """Return the full title of a category: ``"foo_bar"`` → ``"Category:Foo bar"``."""
    return f"Category:{category_name(text, extra_prefixes=extra_prefixes)}"


def file_name(text: str) -> str:
    """Return a file's name without its namespace: ``"File:a_b.jpg"`` → ``"A b.jpg"``."""
    title = clean_text(text)
    return normalize_title(_strip_prefix(title.lstrip(":"), FILE_PREFIXES))


def file_title(text: str) -> str:
    """Return the full title of a file: ``"a_b.jpg"`` → ``"File:A b.jpg"``."""
    return f"File:{file_name(text)}"


def title_from_user_input(text: str) -> str:
    """Return a title from what a person pasted: a title, or a wiki page URL.

    ``https://commons.wikimedia.org/wiki/Category:Foo_(bar)`` and
    ``.../w/index.php?title=Category:Foo`` give ``"Category:Foo (bar)"``-style text (not yet
    normalised; pass it to :func:`category_title` and friends).
    """
    text = text.strip()
    if text.lower().startswith(("http://", "https://")):
        parts = urlsplit(text)
        if "/wiki/" in parts.path:
            text = parts.path.split("/wiki/", 1)[1]
        else:
            query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
            text = query.get("title", "")
        text = unquote(text)
    elif _PERCENT.search(text):
        text = unquote(text)
    return text


def url_title(title: str) -> str:
    """Return a title in its URL form: spaces as underscores (``"Foo bar"`` → ``"Foo_bar"``)."""
    return title.replace(" ", "_")


def path_segment(title: str) -> str:
    """Return a title encoded as one URL path segment for Wikimedia REST APIs.

    Spaces become underscores, and everything but ``A-Z a-z 0-9 - _ . ! ~ * ' ( )`` is
    percent-encoded as UTF-8, slashes included (what ``encodeURIComponent`` does, and what the
    pageviews API expects: ``HIV/AIDS`` → ``HIV%2FAIDS``, ``"Weird Al"`` → ``%22Weird_Al%22``).
    """
    return quote(url_title(title), safe="!~*'()")
