"""Normalise names, websites, e-mails and Wikidata ids into keys; fold text for search."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
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


# Letters that NFKD leaves whole because they are letters of their own, not a base letter with
# a mark, spelled as someone on a plain Latin keyboard types them ("Tromsø" as "tromso"). Only
# lower case: fold() case-folds first (and case folding already turns ß and ẞ into "ss").
_OWN_LETTERS = str.maketrans(
    {
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "ı": "i",
        "þ": "th",
    }
)


def fold(text: str) -> str:
    """Return text in lower case without accents, with letters like ø, æ, ł spelled in ASCII."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return text.translate(_OWN_LETTERS)


def normalise_name(name: str) -> str:
    """Return a name folded for comparison: no accents, case, punctuation or legal forms."""
    text = fold(name)
    # Dots go first so that "e.V." and "eV", "U.S." and "US" fold alike.
    text = re.sub(r"[^\w]+", " ", text.replace(".", ""))
    words = [w for w in text.split() if w not in _LEGAL_FORMS]
    return " ".join(words)[:200]


def domain_key(domain: str) -> str:
    """Return a domain in one comparable form: lower case, Unicode even if it came as punycode."""
    labels = []
    for label in domain.split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except UnicodeError:
                pass
        labels.append(label.lower())
    return ".".join(labels)


def website_domain(url: str) -> str:
    """Return the host of a website without "www.", in its IDNA-decoded lower-case form."""
    url = (url or "").strip()
    if not url:
        return ""
    if "://" not in url:
        url = "http://" + url
    host = domain_key((urlsplit(url).hostname or "").rstrip("."))
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
    """Return text folded for search: lower case, accents removed, ø as o, ß as ss."""
    return fold(text)


def organisation_search_text(
    *,
    name: str,
    other_names: str,
    city: str,
    website_domain: str,
    wikidata_qid: str,
    contacts: Iterable[tuple[str, str]] = (),
) -> str:
    """Return an organisation's search text: its names, city, domain, QID and live contacts.

    contacts holds the (name, e-mails) of the organisation's contacts that are not archived.
    """
    parts = [name, other_names, city, website_domain, wikidata_qid]
    for contact_name, emails in contacts:
        parts += [contact_name, emails]
    return search_words(" ".join(p for p in parts if p))


def contact_search_text(*, name: str, emails: str, role: str, organisation_name: str) -> str:
    """Return a contact's search text: name, e-mail addresses, role and organisation's name."""
    return search_words(" ".join(p for p in (name, emails, role, organisation_name) if p))
