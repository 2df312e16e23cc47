"""Normalise what people type for a content link: category and page names, items, wiki URLs."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hub.partners.keys import is_valid_qid, normalise_qid

# Characters no MediaWiki title may contain.
FORBIDDEN_TITLE_CHARS = set("[]{}|#<>")
MAX_TITLE_BYTES = 255
_PREFIXES = {
    "category": ("category", "kategorie", "catégorie", "categoría", "kategoria", "категорія"),
    "file": ("file", "image", "datei", "fichier", "archivo", "plik", "файл"),
}
_SPACES_RE = re.compile(r"[\s_\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
# Invisible characters people paste along with a name: zero-width, direction marks, BOM.
_INVISIBLE_RE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")


def _clean(text: str) -> str:
    """Return text in NFC with invisible characters dropped and spaces/underscores as one space."""
    text = unicodedata.normalize("NFC", unquote(text or ""))
    text = _INVISIBLE_RE.sub("", text)
    return _SPACES_RE.sub(" ", text).strip()


def _strip_wiki_url(text: str) -> str:
    """Return the page name of a pasted wiki URL (…/wiki/Name or …?title=Name), else the text."""
    if not text.lower().startswith(("http://", "https://")):
        return text
    parts = urlsplit(text)
    if "/wiki/" in parts.path:
        return parts.path.split("/wiki/", 1)[1]
    for pair in parts.query.split("&"):
        if pair.startswith("title="):
            return pair[len("title=") :]
    return text


def normalise_title(raw: str, *, namespace: str = "") -> str:
    """Return a page name as the wiki stores it: spaces, first letter capital, no prefix.

    ``namespace`` ("category" or "file") names the prefix to drop, in English or a few other
    languages. Raise ValidationError with a plain message for a name no wiki accepts.
    """
    text = _clean(_strip_wiki_url(_clean(raw))).lstrip(":").strip()
    if namespace:
        head, sep, rest = text.partition(":")
        if sep and head.strip().casefold() in _PREFIXES[namespace]:
            text = rest.strip()
    if not text:
        raise ValidationError(_("The name is empty once spaces and prefixes are removed."))
    bad = sorted({c for c in text if c in FORBIDDEN_TITLE_CHARS})
    if bad or any(unicodedata.category(c) == "Cc" for c in text):
        raise ValidationError(
            _("“%(name)s” contains characters a wiki page name cannot have (%(chars)s).")
            % {"name": text[:80], "chars": " ".join(bad) or _("control characters")}
        )
    text = text[0].upper() + text[1:]
    if len(text.encode("utf-8")) > MAX_TITLE_BYTES:
        raise ValidationError(_("The name is longer than a wiki allows (255 bytes)."))
    return text


def normalise_lines(raw: str, *, namespace: str = "", limit: int) -> list[str]:
    """Return the distinct names of a text with one name per line, in order."""
    names: list[str] = []
    errors: list[str] = []
    for number, line in enumerate((raw or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            name = normalise_title(line, namespace=namespace)
        except ValidationError as exc:
            errors.append(_("Line %(n)s: %(message)s") % {"n": number, "message": exc.messages[0]})
            continue
        if name not in names:
            names.append(name)
    if errors:
        raise ValidationError(errors[:10])
    if not names:
        raise ValidationError(_("Give at least one name, one per line."))
    if len(names) > limit:
        raise ValidationError(
            _("A list can hold at most %(limit)s names; this one has %(n)s.")
            % {"limit": limit, "n": len(names)}
        )
    return names


def normalise_item(raw: str) -> str:
    """Return a Wikidata item id like Q42 from what was typed or pasted; refuse anything else."""
    qid = normalise_qid(_clean(raw))
    if not is_valid_qid(qid):
        raise ValidationError(
            _("“%(value)s” is not a Wikidata item id: it looks like Q followed by digits (Q42).")
            % {"value": raw.strip()[:60]}
        )
    return qid


def normalise_items(raw: str, *, limit: int) -> list[str]:
    """Return the distinct item ids of a text, separated by lines, commas or spaces."""
    qids: list[str] = []
    errors: list[str] = []
    for token in re.split(r"[\s,;]+", raw or ""):
        if not token:
            continue
        try:
            qid = normalise_item(token)
        except ValidationError as exc:
            errors.append(exc.messages[0])
            continue
        if qid not in qids:
            qids.append(qid)
    if errors:
        raise ValidationError(errors[:10])
    if not qids:
        raise ValidationError(_("Give at least one Wikidata item id, such as Q42."))
    if len(qids) > limit:
        raise ValidationError(
            _("A list can hold at most %(limit)s items; this one has %(n)s.")
            % {"limit": limit, "n": len(qids)}
        )
    return qids


def normalise_wiki_url(raw: str) -> str:
    """Return a wiki's base address (scheme and host, lower case) from what was typed."""
    text = _clean(raw)
    if text and "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("http", "https") or not host or " " in host:
        raise ValidationError(
            _("“%(value)s” is not a wiki address. Give one like https://sv.wikipedia.org.")
            % {"value": raw.strip()[:100]}
        )
    if parts.username or parts.password:
        raise ValidationError(_("A wiki address must not contain a user name or password."))
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(_("The port in the wiki address is not a number.")) from None
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValidationError(
            _("“%(value)s” is not a wiki address.") % {"value": raw.strip()[:100]}
        ) from None
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    return f"{parts.scheme}://{netloc}"


def host_of(wiki_url: str) -> str:
    """Return the host name of a wiki address, as the pageviews API names projects."""
    return (urlsplit(wiki_url).hostname or "").lower()
