"""The fields a row of an upload sheet can carry, and a guess of which column feeds which."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hub.partners.imports.mapping import fold

IGNORE = ""
EXTRA_PREFIX = "extra:"  # a column kept under its own name (a Pattypan variable, say)
SDC_PREFIX = "sdc:"  # a column whose values become statements of a property: "sdc:P1071"
LANGUAGE_FIELDS = ("description", "caption")  # these take a language: "description_fr"


@dataclass(frozen=True)
class Field:
    """A field of a row: its key, its label and a line of help for the mapping page."""

    key: str
    label: str | Promise
    help: str | Promise = ""


def _fields(*items: tuple[str, str | Promise, str | Promise]) -> dict[str, Field]:
    return {key: Field(key, label, help_text) for key, label, help_text in items}


FIELDS: dict[str, Field] = _fields(
    ("file", _("File (its name or path)"), _("The file's name, or its path inside the ZIP.")),
    ("url", _("File address (URL)"), _("Where the Hub fetches the file from the partner.")),
    ("title", _("File name on the wiki"), _("With or without the extension.")),
    ("description", _("Description"), _("Written into the page as it is.")),
    ("description_en", _("Description (English)"), ""),
    ("caption_en", _("Caption (English)"), _("A short caption for structured data.")),
    ("author", _("Author"), ""),
    ("artist", _("Artist"), _("Who made the original work ({{Artwork}}).")),
    ("photographer", _("Photographer"), ""),
    ("creator_qid", _("Creator (Wikidata item)"), _("For example Q5582.")),
    ("object_title", _("Title of the work"), _("The work's own title, not the file name.")),
    ("object_type", _("Object type"), ""),
    ("date", _("Date"), _("For example 1890, 1890-05 or 1890-05-03.")),
    ("source", _("Source"), _("Where the file comes from: a web page or the collection.")),
    ("licence", _("Licence"), _("For example CC BY-SA 4.0, CC0 or PD-old-70.")),
    ("copyright_status", _("Copyright status"), ""),
    ("permission", _("Permission"), ""),
    ("institution", _("Institution"), _("For example {{Institution:Rijksmuseum}}.")),
    ("department", _("Department"), ""),
    ("accession_number", _("Accession number"), ""),
    ("collection_qid", _("Collection (Wikidata item)"), ""),
    ("depicts", _("Depicts (Wikidata items)"), _("Items separated by semicolons.")),
    ("depicted_people", _("Depicted people"), ""),
    ("depicted_place", _("Depicted place"), ""),
    ("categories", _("Categories"), _("Separated by semicolons.")),
    ("medium", _("Medium"), ""),
    ("dimensions", _("Dimensions"), ""),
    ("location", _("Location"), ""),
    ("place_of_creation", _("Place of creation"), ""),
    ("place_of_discovery", _("Place of discovery"), ""),
    ("object_history", _("Object history"), ""),
    ("exhibition_history", _("Exhibition history"), ""),
    ("credit_line", _("Credit line"), ""),
    ("inscriptions", _("Inscriptions"), ""),
    ("references", _("References"), ""),
    ("wikidata", _("Wikidata item of the work"), ""),
    ("other_versions", _("Other versions"), ""),
    ("other_fields", _("Other fields"), _("Wikitext added to the template as it is.")),
    ("notes", _("Notes"), ""),
)
SEMICOLON_FIELDS = frozenset({"depicts", "categories"})

# Headings (folded) that name a field outright: Pattypan's variables, pywikibot's CSV, and the
# words people use.
_EXACT: dict[str, str] = {
    "path": "file",
    "file": "file",
    "filename": "file",
    "file name": "file",
    "file path": "file",
    "local path": "file",
    "local file": "file",
    "url": "url",
    "file url": "url",
    "download url": "url",
    "image url": "url",
    "media url": "url",
    "name": "title",
    "title": "object_title",
    "file title": "title",
    "commons title": "title",
    "target title": "title",
    "wiki title": "title",
    "commons name": "title",
    "license": "licence",
    "licence": "licence",
    "licensing": "licence",
    "rights": "licence",
    "copyright": "copyright_status",
    "creator": "author",
    "creator qid": "creator_qid",
    "creator item": "creator_qid",
    "artist qid": "creator_qid",
    "author qid": "creator_qid",
    "collection": "collection_qid",
    "collection qid": "collection_qid",
    "p195": "collection_qid",
    "p170": "creator_qid",
    "p180": "depicts",
    "depicts": "depicts",
    "depicts qid": "depicts",
    "category": "categories",
    "inventory number": "accession_number",
    "object number": "accession_number",
    "id": "accession_number",
    "technique": "medium",
    "other versions": "other_versions",
    "place": "location",
}
_LANGUAGE_RE = re.compile(r"^(description|caption|label)[ ._(\-:]+([a-z]{2,3}(?:-[a-z]+)?)\)?$")
_SDC_RE = re.compile(r"^(?:sdc[ :._-]*)?(p[1-9][0-9]{0,6})$")


def guess_field(header: str) -> str:
    """Return the field a column heading most likely means, "extra:<name>" or "" (ignore)."""
    raw = header.strip()
    lowered = raw.lower()
    match = _LANGUAGE_RE.match(lowered)
    if match:
        kind, language = match.groups()
        kind = "caption" if kind == "label" else kind
        return f"{kind}_{language}"
    sdc = _SDC_RE.match(lowered.replace(" ", ""))
    if sdc and lowered.startswith("sdc"):
        return SDC_PREFIX + sdc.group(1).upper()
    folded = fold(raw)
    if folded in _EXACT:
        return _EXACT[folded]
    key = folded.replace(" ", "_")
    if key in FIELDS:
        return key
    if sdc:
        return SDC_PREFIX + sdc.group(1).upper()
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", raw):
        return EXTRA_PREFIX + raw  # kept under its own name, for a template that uses it
    return IGNORE


def guess_mapping(headers: Sequence[str]) -> dict[str, str]:
    """Return a field (or "" to ignore) for every heading; each field takes one column."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        key = guess_field(header)
        if key in used and key != IGNORE:
            key = IGNORE
        if header in mapping:  # two columns with one heading: the first wins
            continue
        used.add(key)
        mapping[header] = key
    if "title" not in used:
        # A sheet with a "Title" column and no file-name column means the name on the wiki;
        # beside Pattypan's "name" it is the work's own title.
        for header, key in mapping.items():
            if key == "object_title":
                mapping[header] = "title"
                break
    return mapping


def is_known_field(key: str) -> bool:
    """Return whether a mapping target is a field, a language field, an extra or a statement."""
    if key in FIELDS or key == IGNORE:
        return True
    if key.startswith(EXTRA_PREFIX):
        return bool(key[len(EXTRA_PREFIX) :])
    if key.startswith(SDC_PREFIX):
        return bool(re.fullmatch(r"P[1-9][0-9]{0,6}", key[len(SDC_PREFIX) :]))
    head, _sep, language = key.rpartition("_")
    return head in LANGUAGE_FIELDS and bool(re.fullmatch(r"[a-z]{2,3}(-[a-z]+)?", language))


def languages(values: Mapping[str, str], kind: str) -> dict[str, str]:
    """Return the non-empty per-language values of a field: {"en": "...", "fr": "..."}."""
    prefix = f"{kind}_"
    return {
        key[len(prefix) :]: value.strip()
        for key, value in values.items()
        if key.startswith(prefix) and value.strip() and is_known_field(key)
    }


def split_list(value: str) -> list[str]:
    """Return the non-empty items of a semicolon-separated cell, trimmed, in order, once each."""
    seen: dict[str, None] = {}
    for part in (value or "").split(";"):
        if part.strip():
            seen.setdefault(part.strip(), None)
    return list(seen)


# Pattypan's templates name the file's path "path", its name "name", the licence "license" and
# the work's title "title"; the Hub's built-in templates use the same words.
_TEMPLATE_ALIASES = {"path": "file", "name": "title", "license": "licence", "title": "object_title"}


def template_values(values: Mapping[str, str]) -> dict[str, str]:
    """Return the variables a page template sees: fields, extras by their own name, aliases."""
    context = {key: value for key, value in values.items() if ":" not in key}
    for alias, key in _TEMPLATE_ALIASES.items():
        context[alias] = values.get(key, "")
    for key, value in values.items():
        if key.startswith(EXTRA_PREFIX):
            context.setdefault(key[len(EXTRA_PREFIX) :], value)
    return context


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def iso_date(text: str) -> str | None:
    """Return a date cell as "1890", "1890-05" or "1890-05-03", or None if it is not one."""
    match = _DATE_RE.match((text or "").strip())
    if not match:
        return None
    year, month, day = match.groups()
    if month is None:
        return year
    if not 1 <= int(month) <= 12:
        return None
    if day is None:
        return f"{year}-{int(month):02d}"
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return f"{year}-{int(month):02d}-{int(day):02d}"
