"""Read Wikidata: entities (``wbgetentities``), search (``wbsearchentities``), counts via search.

:class:`WikidataClient` is a :class:`~hub.wikimedia.mediawiki.MediaWikiClient` for
``https://www.wikidata.org/w/api.php`` (or a local stand-in), so it shares the etiquette:
``maxlag``, retries, requests in series, typed errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.wikimedia.errors import InvalidEntityId, WikiApiError, WikiMalformedResponse, WikiNotFound
from hub.wikimedia.mediawiki import MediaWikiClient
from hub.wikimedia.mediawiki.results import BATCH

WIKIDATA_API = "https://www.wikidata.org/w/api.php"
ENTITY_ID = re.compile(r"^[QPLM][1-9]\d*$")
DEFAULT_PROPS = ("info", "labels", "descriptions", "aliases", "claims", "sitelinks")


def entity_id(text: str) -> str:
    """Return a normalised entity id (``" q42 "`` → ``"Q42"``); raise :class:`InvalidEntityId`.

    Also accepts an entity's address (``https://www.wikidata.org/wiki/Q42``).
    """
    value = text.strip().rstrip("/")
    if "/" in value:
        value = value.rsplit("/", 1)[1]
    value = value.removeprefix("Property:").upper()
    if not ENTITY_ID.match(value):
        raise InvalidEntityId(f"{text!r} is not a Wikidata id like Q42.")
    return value


@dataclass(frozen=True)
class Entity:
    """An item or property, with the parts a partnership needs."""

    id: str
    type: str
    labels: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    statements: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)
    sitelinks: dict[str, str] = field(default_factory=dict)  # site ("enwiki") → page title
    datatype: str = ""  # properties only
    last_revision: int | None = None
    modified: str = ""
    redirected_from: str = ""  # the id asked for, when Wikidata redirected it to this one

    @property
    def statement_count(self) -> int:
        """Return how many statements the entity has, over all properties."""
        return sum(len(s) for s in self.statements.values())

    @property
    def sitelink_count(self) -> int:
        """Return how many wiki pages the entity links to."""
        return len(self.sitelinks)

    def label(self, *languages: str) -> str:
        """Return the label in the first of the languages that has one (then English, then id)."""
        for lang in (*languages, "en"):
            if lang in self.labels:
                return self.labels[lang]
        return self.id

    def values(self, prop: str) -> tuple[Any, ...]:
        """Return the values of a property's statements (deprecated ones left out)."""
        found = []
        for statement in self.statements.get(prop, ()):
            if statement.get("rank") == "deprecated":
                continue
            snak = statement.get("mainsnak", {})
            if snak.get("snaktype", "value") == "value" and "datavalue" in snak:
                found.append(snak["datavalue"].get("value"))
        return tuple(found)

    def item_values(self, prop: str) -> tuple[str, ...]:
        """Return the item ids a property's statements point to (``P195`` → collections)."""
        values = []
        for statement in self.statements.get(prop, ()):
            value = statement.get("mainsnak", {}).get("datavalue", {}).get("value")
            if isinstance(value, dict) and isinstance(value.get("id"), str):
                values.append(value["id"])
        return tuple(values)


@dataclass(frozen=True)
class MissingEntity:
    """An id Wikidata has no entity for (never created, or deleted)."""

    id: str


@dataclass(frozen=True)
class SearchHit:
    """One result of ``wbsearchentities``."""

    id: str
    label: str
    description: str
    url: str
    match: str = ""


def _parse_entity(raw: Mapping[str, Any]) -> Entity:
    def texts(key: str) -> dict[str, str]:
        values = raw.get(key, {})
        if not isinstance(values, dict):
            return {}
        return {lang: str(v.get("value", "")) for lang, v in values.items() if isinstance(v, dict)}

    aliases_raw = raw.get("aliases", {})
    aliases = {
        lang: tuple(str(a.get("value", "")) for a in items if isinstance(a, dict))
        for lang, items in (aliases_raw.items() if isinstance(aliases_raw, dict) else [])
        if isinstance(items, list)
    }
    claims_raw = raw.get("claims", raw.get("statements", {}))
    statements = {
        prop: tuple(s for s in items if isinstance(s, dict))
        for prop, items in (claims_raw.items() if isinstance(claims_raw, dict) else [])
        if isinstance(items, list)
    }
    sitelinks_raw = raw.get("sitelinks", {})
    sitelinks = {
        site: str(link.get("title", ""))
        for site, link in (sitelinks_raw.items() if isinstance(sitelinks_raw, dict) else [])
        if isinstance(link, dict)
    }
    revision = raw.get("lastrevid")
    return Entity(
        id=str(raw["id"]),
        type=str(raw.get("type", "")),
        labels=texts("labels"),
        descriptions=texts("descriptions"),
        aliases=aliases,
        statements=statements,
        sitelinks=sitelinks,
        datatype=str(raw.get("datatype", "")),
        last_revision=revision if isinstance(revision, int) else None,
        modified=str(raw.get("modified", "")),
        redirected_from=str((raw.get("redirects") or {}).get("from", "")),
    )


def parse_entities(data: Mapping[str, Any]) -> dict[str, Entity | MissingEntity]:
    """Return the entities of a ``wbgetentities`` reply, missing ones as :class:`MissingEntity`."""
    entities = data.get("entities")
    if not isinstance(entities, dict):
        raise WikiMalformedResponse("The wbgetentities reply has no entities object.")
    result: dict[str, Entity | MissingEntity] = {}
    for key, raw in entities.items():
        if not isinstance(raw, dict):
            raise WikiMalformedResponse(f"Entity {key!r} is not an object.")
        if "missing" in raw:
            result[str(key)] = MissingEntity(id=str(raw.get("id", key)))
        else:
            entity = _parse_entity(raw)
            result[str(key)] = entity
            # A merged item answers under its new id: keep it findable by the old one too.
            if entity.redirected_from:
                result.setdefault(entity.redirected_from, entity)
    return result


class WikidataClient(MediaWikiClient):
    """A client for Wikidata's API (``api_url`` defaults to www.wikidata.org)."""

    def __init__(self, api_url: str = WIKIDATA_API, **kwargs: Any) -> None:
        super().__init__(api_url, **kwargs)

    def get_entities(
        self,
        ids: Iterable[str],
        *,
        props: Iterable[str] = DEFAULT_PROPS,
        languages: Iterable[str] | None = None,
    ) -> dict[str, Entity | MissingEntity]:
        """Return entities by id, 50 per request; ids that do not exist map to MissingEntity.

        Raises :class:`InvalidEntityId` before any request for an id that cannot exist.
        """
        wanted = list(dict.fromkeys(entity_id(i) for i in ids))
        result: dict[str, Entity | MissingEntity] = {}
        params: dict[str, Any] = {"action": "wbgetentities", "props": list(props)}
        if languages is not None:
            params["languages"] = list(languages)
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start : start + BATCH]
            try:
                data = self.call({**params, "ids": batch})
            except WikiApiError as exc:
                if exc.code == "no-such-entity" and len(batch) == 1:
                    result[batch[0]] = MissingEntity(id=batch[0])
                    continue
                raise
            result.update(parse_entities(data))
        return result

    def get_entity(self, entity: str, **kwargs: Any) -> Entity:
        """Return one entity; raise :class:`WikiNotFound` if it does not exist."""
        key = entity_id(entity)
        found = self.get_entities([key], **kwargs).get(key)
        if not isinstance(found, Entity):
            raise WikiNotFound(f"Wikidata has no entity {key}.", url=self.api_url)
        return found

    def search_entities(
        self, text: str, *, language: str = "en", entity_type: str = "item", limit: int = 10
    ) -> list[SearchHit]:
        """Return entities whose label or alias matches the text (for linking a partner)."""
        data = self.call(
            {
                "action": "wbsearchentities",
                "search": text,
                "language": language,
                "uselang": language,
                "type": entity_type,
                "limit": limit,
            }
        )
        hits = data.get("search")
        if not isinstance(hits, list):
            raise WikiMalformedResponse("The search reply has no search list.", url=self.api_url)
        return [
            SearchHit(
                id=str(h.get("id", "")),
                label=str(h.get("label", "")),
                description=str(h.get("description", "")),
                url=str(h.get("concepturi") or h.get("url") or ""),
                match=str((h.get("match") or {}).get("text", "")),
            )
            for h in hits
            if isinstance(h, dict)
        ]

    def count_items_with_statement(self, prop: str, value: str) -> int:
        """Return how many items have the statement (``P195``, ``Q123``: the collection's size).

        Uses the search index (``haswbstatement``), which can lag edits by minutes.
        """
        query = f"haswbstatement:{entity_id(prop)}={entity_id(value)}"
        data = self.call(
            {
                "action": "query",
                "list": "search",
                "srsearch": query,
                "srinfo": "totalhits",
                "srprop": "",
                "srlimit": 1,
                "srnamespace": 0,
            }
        )
        info = data.get("query", {}).get("searchinfo", {})
        total = info.get("totalhits") if isinstance(info, dict) else None
        if not isinstance(total, int):
            raise WikiMalformedResponse("The search reply has no totalhits.", url=self.api_url)
        return total

    def iter_items_with_statement(self, prop: str, value: str) -> Iterator[str]:
        """Yield the ids of the items that have the statement, following continuation."""
        query = f"haswbstatement:{entity_id(prop)}={entity_id(value)}"
        params = {
            "list": "search",
            "srsearch": query,
            "srprop": "",
            "srlimit": "max",
            "srnamespace": 0,
        }
        for data in self.query(params):
            for hit in data.get("query", {}).get("search", []):
                if isinstance(hit, dict) and isinstance(hit.get("title"), str):
                    yield hit["title"]
