"""Turn a row into structured data for its file on Commons: captions and statements."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import gettext as _

from hub.uploads.fields import SDC_PREFIX, iso_date, languages, split_list
from hub.uploads.licences import Licence, licence_for
from hub.wikimedia.errors import InvalidEntityId
from hub.wikimedia.mediainfo import CAPTION_MAX, Claim, item, somevalue, string, time, url

DEPICTS, CREATOR, COPYRIGHT_STATUS, LICENCE = "P180", "P170", "P6216", "P275"
INCEPTION, COLLECTION, SOURCE_OF_FILE = "P571", "P195", "P7482"
INVENTORY_NUMBER, AUTHOR_NAME, DESCRIBED_AT_URL = "P217", "P2093", "P973"
FILE_AVAILABLE_ON_THE_INTERNET = "Q74228490"
# Properties whose values are dates, so a "sdc:P577" column of "1890-05" becomes a time.
TIME_PROPERTIES = frozenset({"P571", "P577", "P585", "P580", "P582", "P1319", "P1326"})
_QID_RE = re.compile(r"^Q[1-9][0-9]*$")


def _items(prop: str, cell: str) -> list[Claim]:
    claims = []
    for value in split_list(cell):
        try:
            claims.append(item(prop, value))
        except InvalidEntityId:
            continue  # checks.row_problems refuses the row; nothing half-made here
    return claims


def _creator(values: Mapping[str, str]) -> list[Claim]:
    claims = _items(CREATOR, values.get("creator_qid", ""))
    if claims:
        return claims
    for key in ("artist", "author", "photographer"):
        name = values.get(key, "").strip()
        if name and not re.search(r"\{\{|\[\[|<", name):
            return [somevalue(CREATOR, qualifiers=[string(AUTHOR_NAME, name[:400])])]
    return []


def _collection(values: Mapping[str, str]) -> list[Claim]:
    number = values.get("accession_number", "").strip()
    qualifiers = [string(INVENTORY_NUMBER, number)] if number else []
    claims = []
    for value in split_list(values.get("collection_qid", "")):
        try:
            claims.append(item(COLLECTION, value, qualifiers=qualifiers))
        except InvalidEntityId:
            continue
    return claims


def _source(values: Mapping[str, str]) -> list[Claim]:
    for key in ("source", "url"):
        address = values.get(key, "").strip()
        if re.fullmatch(r"https?://\S+", address):
            return [
                item(
                    SOURCE_OF_FILE,
                    FILE_AVAILABLE_ON_THE_INTERNET,
                    qualifiers=[url(DESCRIBED_AT_URL, address)],
                )
            ]
    return []


def _mapped(prop: str, cell: str) -> list[Claim]:
    """Return the statements of a "sdc:Pxxx" column: items, dates, addresses or text."""
    claims = []
    for value in split_list(cell):
        if _QID_RE.match(value.upper()):
            claims.append(item(prop, value))
        elif prop in TIME_PROPERTIES and iso_date(value):
            claims.append(time(prop, iso_date(value) or value))
        elif re.fullmatch(r"https?://\S+", value):
            claims.append(url(prop, value))
        else:
            claims.append(string(prop, value[:1500]))
    return claims


def claims_for_row(values: Mapping[str, str], *, licence: Licence | str | None) -> list[Claim]:
    """Return the statements for a row's file, each once.

    depicts (P180), creator (P170: the item, or "unknown value" with the author's name),
    copyright status (P6216) and licence (P275) from the row's licence, inception (P571) from a
    plain date, collection (P195, with the accession number), source of file (P7482, with the
    address it is described at) and every "sdc:Pxxx" column.
    """
    resolved = licence if isinstance(licence, Licence) or licence is None else licence_for(licence)
    claims: list[Claim] = []
    claims += _items(DEPICTS, values.get("depicts", ""))
    claims += _creator(values)
    if resolved is not None:
        claims.append(item(COPYRIGHT_STATUS, resolved.status_qid))
        if resolved.qid:
            claims.append(item(LICENCE, resolved.qid))
    date = iso_date(values.get("date", ""))
    if date:
        claims.append(time(INCEPTION, date))
    claims += _collection(values)
    claims += _source(values)
    for key, cell in values.items():
        if key.startswith(SDC_PREFIX):
            claims += _mapped(key[len(SDC_PREFIX) :], cell)
    unique: dict[tuple[object, ...], Claim] = {}
    for claim in claims:
        unique.setdefault(claim.key(), claim)
    return list(unique.values())


def captions_for_row(values: Mapping[str, str]) -> dict[str, str]:
    """Return a row's captions by language ("caption_fr" → {"fr": …}), on one line each."""
    return {
        language: " ".join(text.split()) for language, text in languages(values, "caption").items()
    }


def caption_problems(values: Mapping[str, str]) -> list[dict[str, str]]:
    """Return an error for each caption longer than Commons takes."""
    return [
        {
            "level": "error",
            "field": f"caption_{language}",
            "message": _(
                "The caption (%(language)s) has %(n)s characters; Commons takes at most %(max)s. "
                "Shorten it, or put the text in the description."
            )
            % {"language": language, "n": len(text), "max": CAPTION_MAX},
        }
        for language, text in captions_for_row(values).items()
        if len(text) > CAPTION_MAX
    ]
