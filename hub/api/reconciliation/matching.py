"""Answer reconciliation queries: find an affiliate's organisations for a name, score them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django_countries import countries

from hub.core.models import Affiliate
from hub.partners.keys import normalise_name, normalise_qid, website_domain
from hub.partners.models import Organisation, PartnerType
from hub.partners.selectors import search_organisations

# The one type every entity has; the partner types are finer ones a query may ask for.
ORGANISATION_TYPE = "organisation"
DEFAULT_LIMIT = 5
MAX_LIMIT = 25
# A batch is at most this many queries (OpenRefine sends 10 at a time).
MAX_QUERIES = 50
# How many rows each search may bring in before scoring.
SEARCH_WIDTH = 30
# Properties a query may match against, with their weight when they agree or disagree.
PROPERTIES = ("website", "wikidata", "country", "city")
AGREE = {"website": 10.0, "wikidata": 20.0, "country": 5.0, "city": 5.0}
DISAGREE = {"website": 10.0, "wikidata": 30.0, "country": 15.0, "city": 5.0}
TYPE_MISMATCH = 10.0
# A candidate is a "match" (OpenRefine accepts it without asking) when it scores this much and
# the next best trails it by MATCH_MARGIN.
MATCH_SCORE = 90.0
MATCH_MARGIN = 10.0


class QueryError(ValueError):
    """Report a query batch that is not what the protocol allows, in a volunteer's words."""


@dataclass
class Query:
    """One query of a batch: a name, an optional partner type, property values, a limit."""

    text: str
    types: list[str] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    properties: dict[str, list[str]] = field(default_factory=dict)


def types() -> list[dict[str, str]]:
    """Return the types the service knows: organisation, then each partner type."""
    return [{"id": ORGANISATION_TYPE, "name": str(_("Organisation"))}] + [
        {"id": value, "name": str(label)} for value, label in PartnerType.choices
    ]


def _values(raw: Any) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("id", "")
        if isinstance(item, bool) or item is None:
            continue
        out.append(str(item).strip())
    return [v for v in out if v]


def parse_batch(batch: Any) -> dict[str, Query]:
    """Return the queries of a batch by key; raise QueryError for a batch the protocol refuses."""
    if not isinstance(batch, dict):
        raise QueryError(_("The queries must be a JSON object of queries by key."))
    if len(batch) > MAX_QUERIES:
        raise QueryError(_("Send at most %(count)s queries at a time.") % {"count": MAX_QUERIES})
    parsed = {}
    for key, raw in batch.items():
        if not isinstance(raw, dict):
            raise QueryError(_("Query “%(key)s” is not a JSON object.") % {"key": key})
        text = raw.get("query", "")
        props = raw.get("properties", [])
        if not isinstance(text, str) or not isinstance(props, list):
            raise QueryError(
                _("Query “%(key)s” has a malformed name or properties.") % {"key": key}
            )
        if not text.strip() and not props:
            raise QueryError(_("Query “%(key)s” has neither a name nor properties.") % {"key": key})
        kind = raw.get("type", [])
        kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
        limit = raw.get("limit", DEFAULT_LIMIT)
        if isinstance(limit, bool) or not isinstance(limit, int | float):
            raise QueryError(_("Query “%(key)s” has a limit that is not a number.") % {"key": key})
        properties: dict[str, list[str]] = {}
        for prop in props:
            if not isinstance(prop, dict) or "pid" not in prop or "v" not in prop:
                raise QueryError(
                    _("Query “%(key)s” has a property without “pid” and “v”.") % {"key": key}
                )
            properties.setdefault(str(prop["pid"]), []).extend(_values(prop["v"]))
        parsed[str(key)] = Query(
            text=text.strip()[:300],
            types=[str(k) for k in kinds if k],
            limit=max(1, min(int(limit), MAX_LIMIT)),
            properties=properties,
        )
    return parsed


def _country_code(value: str) -> str:
    value = value.strip()
    if len(value) == 2 and value.upper() in dict(countries):
        return value.upper()
    return countries.by_name(value) or ""


def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def _candidates(live: QuerySet[Organisation], query: Query) -> list[Organisation]:
    found: dict[int, Organisation] = {}

    def add(qs: QuerySet[Organisation]) -> None:
        for org in qs.order_by("name", "id")[:SEARCH_WIDTH]:
            found.setdefault(org.pk, org)

    name = normalise_name(query.text)
    keys = Q(normalised_name=name) if name else Q()
    domains = [website_domain(v) for v in query.properties.get("website", [])]
    qids = [normalise_qid(v) for v in query.properties.get("wikidata", [])]
    if any(domains):
        keys |= Q(website_domain__in=[d for d in domains if d])
    if any(qids):
        keys |= Q(wikidata_qid__in=[q for q in qids if q])
    if keys:
        add(live.filter(keys))
    if query.text:
        add(search_organisations(live, query.text))
        # A spreadsheet's name may hold words the directory's does not ("Museum X, Oslo"):
        # the longest words find those too.
        words = sorted({w for w in name.split() if len(w) >= 4}, key=len, reverse=True)[:2]
        for word in words:
            add(search_organisations(live, word))
    return list(found.values())


def _score(org: Organisation, query: Query) -> tuple[float, list[dict[str, Any]]]:
    """Return the organisation's score for the query (0-100) and the features behind it."""
    wanted = normalise_name(query.text)
    names = [org.name, *org.other_names_list]
    name_score = max((_similarity(wanted, normalise_name(n)) for n in names), default=0.0)
    score = name_score * 100 if wanted else 50.0
    features: list[dict[str, Any]] = [{"id": "name", "value": round(name_score, 3)}]
    ours = {
        "website": org.website_domain,
        "wikidata": org.wikidata_qid,
        "country": str(org.country or ""),
        "city": normalise_name(org.city),
    }
    theirs = {
        "website": [website_domain(v) for v in query.properties.get("website", [])],
        "wikidata": [normalise_qid(v) for v in query.properties.get("wikidata", [])],
        "country": [_country_code(v) for v in query.properties.get("country", [])],
        "city": [normalise_name(v) for v in query.properties.get("city", [])],
    }
    for pid in PROPERTIES:
        given = [v for v in theirs[pid] if v]
        if not given or not ours[pid]:
            continue
        agrees = ours[pid] in given
        score += AGREE[pid] if agrees else -DISAGREE[pid]
        features.append({"id": pid, "value": agrees})
    finer = [t for t in query.types if t != ORGANISATION_TYPE]
    if finer:
        fits = org.partner_type in finer
        features.append({"id": "type", "value": fits})
        if not fits:
            score -= TYPE_MISMATCH
    return max(0.0, min(100.0, round(score, 2))), features


def describe(org: Organisation) -> str:
    """Return what tells an organisation apart from its namesakes: its type and place."""
    place = ", ".join(p for p in (org.city, str(org.country.name) if org.country else "") if p)
    kind = str(org.get_partner_type_display())
    return f"{kind} · {place}" if place else kind


def reconcile(affiliate: Affiliate, query: Query) -> list[dict[str, Any]]:
    """Return the query's candidates among the affiliate's live organisations, best first."""
    live = Organisation.objects.filter(affiliate=affiliate, archived_at=None)
    scored = []
    for org in _candidates(live, query):
        score, features = _score(org, query)
        scored.append((score, org, features))
    scored.sort(key=lambda row: (-row[0], row[1].name, row[1].pk))
    scored = scored[: query.limit]
    results = []
    for i, (score, org, features) in enumerate(scored):
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        results.append(
            {
                "id": str(org.pk),
                "name": org.name,
                "description": describe(org),
                "score": score,
                "features": features,
                "match": i == 0 and score >= MATCH_SCORE and score - runner_up >= MATCH_MARGIN,
                "type": [{"id": org.partner_type, "name": str(org.get_partner_type_display())}],
            }
        )
    return results


def reconcile_batch(affiliate: Affiliate, queries: dict[str, Query]) -> dict[str, Any]:
    """Return the result of every query of a batch, by the batch's keys."""
    return {key: {"result": reconcile(affiliate, q)} for key, q in queries.items()}


def suggest(affiliate: Affiliate, prefix: str, *, limit: int = 10) -> list[dict[str, Any]]:
    """Return the affiliate's live organisations whose names hold the typed words."""
    if not prefix.strip():
        return []
    live = Organisation.objects.filter(affiliate=affiliate, archived_at=None)
    rows = search_organisations(live, prefix).order_by("name", "id")[:limit]
    return [
        {
            "id": str(org.pk),
            "name": org.name,
            "description": describe(org),
            "notable": [{"id": org.partner_type, "name": str(org.get_partner_type_display())}],
        }
        for org in rows
    ]


def get_organisation(affiliate: Affiliate, entity_id: str) -> Organisation | None:
    """Return the affiliate's live organisation with this entity id, or None."""
    if not entity_id.isdigit() or len(entity_id) > 18:
        return None
    return Organisation.objects.filter(
        affiliate=affiliate, archived_at=None, pk=int(entity_id)
    ).first()
