"""Read any Wikibase (Wikimedia Sverige's Metabase, a Wikibase Cloud wiki), not only Wikidata.

:class:`WikibaseClient` is the :class:`~hub.wikimedia.wikidata.WikidataClient` pointed at
another Wikibase's ``api.php``: the same ``wbgetentities`` and search, the same etiquette. It
only reads; nothing here writes to a Wikibase.
"""

from __future__ import annotations

from typing import Any

from hub.wikimedia.errors import WikiMalformedResponse
from hub.wikimedia.wikidata import Entity, WikidataClient, entity_id

METABASE_API = "https://metabase.wikibase.cloud/w/api.php"


class WikibaseClient(WikidataClient):
    """A client for one Wikibase's API (``api_url`` is required: there is no default wiki)."""

    def __init__(self, api_url: str, *, item_namespace: int = 120, **kwargs: Any) -> None:
        super().__init__(api_url, **kwargs)
        # Wikibase Cloud keeps items in the "Item:" namespace (120); Wikidata in the main one.
        self.item_namespace = item_namespace

    def items_labelled(self, label: str, *, language: str, limit: int = 10) -> list[str]:
        """Return the ids of items whose label (not alias) is exactly ``label``, ignoring case."""
        wanted = label.strip().casefold()
        return [
            hit.id
            for hit in self.search_entities(label, language=language, limit=limit)
            if hit.label.strip().casefold() == wanted
        ]

    def items_with_value(self, prop: str, value: str, *, limit: int = 5) -> list[str]:
        """Return the ids of items with a statement ``prop`` = ``value`` (an id such as Q42)."""
        data = self.call(
            {
                "action": "query",
                "list": "search",
                "srsearch": f"haswbstatement:{entity_id(prop)}={entity_id(value)}",
                "srprop": "",
                "srlimit": limit,
                "srnamespace": self.item_namespace,
            }
        )
        hits = data.get("query", {}).get("search") if isinstance(data, dict) else None
        if not isinstance(hits, list):
            raise WikiMalformedResponse("The search reply has no search list.", url=self.api_url)
        found = []
        for hit in hits:
            title = hit.get("title") if isinstance(hit, dict) else None
            if isinstance(title, str):
                found.append(title.rsplit(":", 1)[-1])
        return found

    def items(self, ids: list[str]) -> dict[str, Entity]:
        """Return the items that exist among ``ids`` (missing ones are left out)."""
        if not ids:
            return {}
        found = self.get_entities(ids, props=("info", "labels", "claims"))
        return {key: value for key, value in found.items() if isinstance(value, Entity)}
