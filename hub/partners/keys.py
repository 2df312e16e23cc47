"""Normalise names, websites, e-mails and Wikidata ids into keys that find duplicates."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

QID_RE = re.compile(r"^Q[1-9][0-9]{0,11}$")
_LEGAL_FORMS = {
    "the",
    "inc",
    "ltd",
    "llc",
    "gmbh",
    "ev",
    "ag",
    "sa",
    "srl",
    "bv",
    "ngo",
    "asbl",
}


def normalise_name(name: str) -> str:
    """Return a name folded for comparison: no accents, case, punctuation or legal forms."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    # Dots go first so that "e.V." and "eV", "U.S." and "US" fold alike.
    text = re.sub(r"[^\w]+", " ", text.replace(".", ""))
    words = [w for w in text.split() if w not in _LEGAL_FORMS]
    return " ".join(words)[:200]


def website_domain(url: str) -> str:
    """Return the host of a website without "www.", in its IDNA-decoded lower-case form."""
    url = (url or "").strip()
    if not url:
        return ""
    if "://" not in url:
        url = "http://" + url
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host[:200]


def normalise_email(email: str) -> str:
    """Return an e-mail address trimmed and lower-cased."""
    return (email or "").strip().lower()


def normalise_qid(value: str) -> str:
    """Return "Q123" from "q123", " Q123 " or a Wikidata URL; "" for an empty value."""
    value = (value or "").strip()
    if "/" in value:
        value = value.rstrip("/").rsplit("/", 1)[-1]
    return value.upper()


def is_valid_qid(value: str) -> bool:
    """Return True for a well-formed Wikidata item id such as Q42."""
    return bool(QID_RE.match(value))


def search_words(text: str) -> str:
    """Return text folded for search: lower case, accents removed."""
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
