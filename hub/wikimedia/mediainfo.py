"""Structured data on Commons: a file's captions and statements (its MediaInfo entity, ``M`` +
page id), read with ``wbgetentities`` and written with ``wbeditentity``.

Writing is idempotent: :func:`write_mediainfo` reads the entity first and sends only the
captions and statements it lacks, with ``baserevid``, so a batch resumed after a crash never
adds a statement twice. Errors come back as :class:`StructuredDataError` in plain words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hub.wikimedia.errors import (
    InvalidEntityId,
    StructuredDataError,
    WikiApiError,
    WikiMalformedResponse,
)
from hub.wikimedia.mediawiki import MediaWikiClient
from hub.wikimedia.mediawiki.results import BATCH, pages_of, parse_int
from hub.wikimedia.wikidata import MissingEntity, WikidataClient, entity_id

GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
CAPTION_MAX = 250  # characters, Commons' limit for a label
_DATE = re.compile(r"^(\d{1,4})(?:-(\d{2}))?(?:-(\d{2}))?$")
PRECISION = {1: 9, 2: 10, 3: 11}  # year, month, day


def mediainfo_id(page_id: int) -> str:
    """Return a file's MediaInfo entity id: ``M`` and its page id."""
    return f"M{int(page_id)}"


@dataclass(frozen=True)
class Claim:
    """One statement: a property and its value (``kind`` says what the value is)."""

    property: str
    value: Any
    kind: str  # "item" | "string" | "url" | "time" | "monolingual" | "somevalue"
    qualifiers: tuple[Claim, ...] = field(default=())

    def snak(self) -> dict[str, Any]:
        """Return the claim as a Wikibase snak."""
        if self.kind == "somevalue":
            return {"snaktype": "somevalue", "property": self.property}
        if self.kind == "item":
            number = int(str(self.value)[1:])
            datavalue: dict[str, Any] = {
                "type": "wikibase-entityid",
                "value": {"entity-type": "item", "numeric-id": number, "id": self.value},
            }
        elif self.kind in ("string", "url"):
            datavalue = {"type": "string", "value": str(self.value)}
        elif self.kind == "time":
            datavalue = {"type": "time", "value": dict(self.value)}
        elif self.kind == "monolingual":
            text, language = self.value
            datavalue = {"type": "monolingualtext", "value": {"text": text, "language": language}}
        else:
            raise ValueError(f"Unknown kind of claim: {self.kind!r}")
        return {"snaktype": "value", "property": self.property, "datavalue": datavalue}

    def statement(self) -> dict[str, Any]:
        """Return the claim as a statement to send in ``wbeditentity``'s ``claims``."""
        out: dict[str, Any] = {"mainsnak": self.snak(), "type": "statement", "rank": "normal"}
        if self.qualifiers:
            order = list(dict.fromkeys(q.property for q in self.qualifiers))
            out["qualifiers"] = {
                p: [q.snak() for q in self.qualifiers if q.property == p] for p in order
            }
            out["qualifiers-order"] = order
        return out

    def key(self) -> tuple[Any, ...]:
        """Return what makes two statements the same, for not adding one twice."""
        return statement_key(self.statement())


def item(prop: str, qid: str, *, qualifiers: Sequence[Claim] = ()) -> Claim:
    """Return a statement whose value is a Wikidata item (``P180``, ``Q146``)."""
    return Claim(entity_id(prop), entity_id(qid), "item", tuple(qualifiers))


def string(prop: str, text: str, *, qualifiers: Sequence[Claim] = ()) -> Claim:
    """Return a statement whose value is a string (an identifier, a name)."""
    if not text.strip():
        raise ValueError("A statement's text is empty.")
    return Claim(entity_id(prop), text.strip(), "string", tuple(qualifiers))


def url(prop: str, address: str, *, qualifiers: Sequence[Claim] = ()) -> Claim:
    """Return a statement whose value is a web address."""
    if not address.strip().lower().startswith(("http://", "https://")):
        raise ValueError(f"{address!r} is not a web address (http:// or https://).")
    return Claim(entity_id(prop), address.strip(), "url", tuple(qualifiers))


def monolingual(prop: str, text: str, language: str) -> Claim:
    """Return a statement whose value is a text in one language (a title)."""
    return Claim(entity_id(prop), (text.strip(), language.strip().lower()), "monolingual")


def somevalue(prop: str, *, qualifiers: Sequence[Claim] = ()) -> Claim:
    """Return a statement with an unknown value (a creator known only by name, as qualifier)."""
    return Claim(entity_id(prop), None, "somevalue", tuple(qualifiers))


def time(prop: str, date: str, *, qualifiers: Sequence[Claim] = ()) -> Claim:
    """Return a statement whose value is a date: ``"1890"``, ``"1890-05"`` or ``"1890-05-03"``."""
    found = _DATE.match(date.strip())
    if not found:
        raise ValueError(f"{date!r} is not a date like 1890, 1890-05 or 1890-05-03.")
    parts = [p for p in found.groups() if p is not None]
    year, month, day = (int(parts[i]) if i < len(parts) else 0 for i in range(3))
    if month > 12 or day > 31 or (len(parts) > 1 and month == 0) or (len(parts) > 2 and day == 0):
        raise ValueError(f"{date!r} is not a date like 1890, 1890-05 or 1890-05-03.")
    value = {
        "time": f"+{year:04d}-{month:02d}-{day:02d}T00:00:00Z",
        "timezone": 0,
        "before": 0,
        "after": 0,
        "precision": PRECISION[len(parts)],
        "calendarmodel": GREGORIAN,
    }
    return Claim(entity_id(prop), value, "time", tuple(qualifiers))


def _snak_key(snak: Mapping[str, Any]) -> tuple[Any, ...]:
    datavalue = snak.get("datavalue")
    value = datavalue.get("value") if isinstance(datavalue, dict) else None
    if isinstance(value, dict):
        if "id" in value:
            value = ("id", value["id"])
        elif "time" in value:
            value = ("time", value.get("time"), value.get("precision"))
        elif "text" in value:
            value = ("text", value.get("text"), value.get("language"))
        else:
            value = tuple(sorted((k, str(v)) for k, v in value.items()))
    return (snak.get("property"), snak.get("snaktype"), value)


def statement_key(statement: Mapping[str, Any]) -> tuple[Any, ...]:
    """Return a statement's property, value and qualifiers, ignoring ids, hashes and rank."""
    qualifiers = statement.get("qualifiers")
    keys = sorted(
        _snak_key(q)
        for snaks in (qualifiers.values() if isinstance(qualifiers, dict) else [])
        for q in snaks
        if isinstance(q, dict)
    )
    return (_snak_key(statement.get("mainsnak") or {}), tuple(map(str, keys)))


# -- errors -------------------------------------------------------------------------------------


def structured_data_error(exc: WikiApiError, *, entity: str) -> StructuredDataError:
    """Return the typed error, in plain words, for what Commons answered to a write."""
    names = [m.get("name") for m in exc.data.get("messages", []) if isinstance(m, dict)]
    if (exc.code == "badvalue" and "language" in exc.info) or exc.code == "not-recognized-language":
        message = f"Commons does not know that language code ({exc.info})"
    elif "wikibase-validator-label-too-long" in names:
        message = f"A caption may have at most {CAPTION_MAX} characters."
    elif exc.code in ("no-such-entity-link", "no-such-entity", "no-such-entity-id"):
        message = f"The file ({entity}) is not on Commons: it may have been deleted or renamed."
    elif exc.code == "editconflict":
        message = f"Someone else changed the structured data of {entity} at the same time."
    else:
        message = f"Commons refused the structured data of {entity}: {exc.info}"
    return StructuredDataError(exc.code, exc.info, url=exc.url, data=exc.data, message=message)


# -- reading and writing ----------------------------------------------------------------------


def get_mediainfo(
    client: MediaWikiClient, page_ids: Sequence[int], *, check_pages: bool = True
) -> dict[int, dict[str, Any]]:
    """Return each file's MediaInfo entity by page id, 50 per request.

    A file without structured data yet gives ``{}``. Commons answers "missing" alike for a
    file without structured data and for no file at all, so the pages of missing entities are
    looked up (``check_pages``); a page that does not exist raises :class:`StructuredDataError`.
    """
    ids = [int(p) for p in dict.fromkeys(page_ids)]
    result: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        data = _read(client, [mediainfo_id(p) for p in batch])
        entities = data.get("entities")
        if not isinstance(entities, dict):
            raise WikiMalformedResponse("The wbgetentities reply has no entities.")
        for page_id in batch:
            raw = entities.get(mediainfo_id(page_id))
            if not isinstance(raw, dict):
                raise WikiMalformedResponse(f"No entity {mediainfo_id(page_id)} in the reply.")
            result[page_id] = {} if "missing" in raw else raw
    missing = [p for p in ids if not result[p]]
    if check_pages and missing:
        _require_pages(client, missing)
    return result


def _read(client: MediaWikiClient, ids: list[str]) -> dict[str, Any]:
    try:
        return client.call({"action": "wbgetentities", "ids": ids})
    except WikiApiError as exc:
        raise structured_data_error(exc, entity=", ".join(ids)) from exc


def _require_pages(client: MediaWikiClient, page_ids: list[int]) -> None:
    """Raise :class:`StructuredDataError` if any of these pages does not exist."""
    for start in range(0, len(page_ids), BATCH):
        batch = page_ids[start : start + BATCH]
        data = client.call({"action": "query", "prop": "info", "pageids": batch})
        for page in pages_of(data.get("query", {})):
            if "missing" in page and page.get("missing") is not False:
                entity = mediainfo_id(parse_int(page.get("pageid")) or 0)
                raise StructuredDataError(
                    "no-such-entity",
                    f"No page {page.get('pageid')}.",
                    message=f"The file ({entity}) is not on Commons: it may have been deleted.",
                )


def missing_parts(
    entity: Mapping[str, Any], captions: Mapping[str, str], claims: Sequence[Claim]
) -> dict[str, Any]:
    """Return the ``wbeditentity`` data that adds what the entity lacks (``{}``: nothing)."""
    raw_labels = entity.get("labels")
    labels: dict[str, Any] = raw_labels if isinstance(raw_labels, dict) else {}
    statements = entity.get("statements") or entity.get("claims") or {}
    have = {
        statement_key(s)
        for items in (statements.values() if isinstance(statements, dict) else [])
        for s in items
        if isinstance(s, dict)
    }
    data: dict[str, Any] = {}
    new_labels = {
        lang: {"language": lang, "value": text.strip()}
        for lang, text in captions.items()
        if text.strip() and lang not in labels  # never overwrite someone's caption
    }
    if new_labels:
        data["labels"] = new_labels
    new_claims = []
    for claim in claims:
        if claim.key() not in have:
            have.add(claim.key())
            new_claims.append(claim.statement())
    if new_claims:
        data["claims"] = new_claims
    return data


def write_mediainfo(
    client: MediaWikiClient,
    page_id: int,
    *,
    captions: Mapping[str, str],
    claims: Sequence[Claim],
    summary: str,
) -> int:
    """Add the captions and statements the file lacks; return the entity's revision id.

    Reads first and sends only what is missing (nothing at all when everything is there), with
    ``baserevid`` so a concurrent change is noticed; an edit conflict reads and tries once more.
    """
    entity = mediainfo_id(page_id)
    for too_long in (t for t in captions.values() if len(t.strip()) > CAPTION_MAX):
        raise StructuredDataError(
            "caption-too-long",
            too_long[:40],
            message=f"A caption may have at most {CAPTION_MAX} characters.",
        )
    for attempt in (1, 2):
        current = get_mediainfo(client, [page_id], check_pages=False)[page_id]
        data = missing_parts(current, captions, claims)
        revision = parse_int(current.get("lastrevid"))
        if not data:
            return revision or 0
        params: dict[str, Any] = {
            "action": "wbeditentity",
            "id": entity,
            "data": json.dumps(data, ensure_ascii=False),
            "summary": summary,
            "bot": client._credentials is not None,
        }
        if revision:
            params["baserevid"] = revision
        try:
            reply = client.post_with_token(params)
        except WikiApiError as exc:
            if exc.code == "editconflict" and attempt == 1:
                continue
            raise structured_data_error(exc, entity=entity) from exc
        written = reply.get("entity", {}).get("lastrevid") if isinstance(reply, dict) else None
        if not isinstance(written, int):
            raise WikiMalformedResponse("No lastrevid in the wbeditentity reply.")
        return written
    raise AssertionError("unreachable")  # pragma: no cover


def set_caption(client: MediaWikiClient, title: str, *, language: str, text: str) -> int:
    """Set one caption by file title (``wbsetlabel``); return the entity's revision id."""
    try:
        reply = client.post_with_token(
            {
                "action": "wbsetlabel",
                "site": "commonswiki",
                "title": title,
                "language": language,
                "value": text,
            },
            idempotent=True,  # the same label twice is no change
        )
    except WikiApiError as exc:
        raise structured_data_error(exc, entity=title) from exc
    revision = reply.get("entity", {}).get("lastrevid") if isinstance(reply, dict) else None
    if not isinstance(revision, int):
        raise WikiMalformedResponse("No lastrevid in the wbsetlabel reply.")
    return revision


def missing_items(client: WikidataClient, qids: Iterable[str]) -> set[str]:
    """Return the ids (as given) of Wikidata items that do not exist, 50 per request.

    An id that cannot exist (not ``Q`` and digits) is missing too, without a request.
    """
    given: dict[str, str] = {}
    missing: set[str] = set()
    for qid in dict.fromkeys(qids):
        try:
            given[qid] = entity_id(qid)
        except InvalidEntityId:
            missing.add(qid)
    found = client.get_entities(list(dict.fromkeys(given.values())), props=["info"])
    gone = {key for key, entity in found.items() if isinstance(entity, MissingEntity)}
    return missing | {qid for qid, key in given.items() if key in gone or key not in found}
