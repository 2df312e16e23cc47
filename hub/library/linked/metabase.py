"""Compare what an affiliate published with Metabase's statements: a dry run, nothing is written.

For each published partnership, the Metabase item of the mapping's partnership class whose label
is the partnership's title; for each partner organisation with a Wikidata id, the item whose
"sameAs on Wikidata" (P1) is that id. For every mapped property the comparison says which
statements a sync would add, change or remove, and which already agree. Metabase is read
through :mod:`hub.wikimedia.wikibase` only; a Metabase that does not answer in time, or answers
something that is not a Wikibase reply, raises :class:`MetabaseUnavailable` with a message for
the person waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from hub.library.linked.mapping import Mapping
from hub.library.linked.published import PublicPartnership, Published
from hub.wikimedia.errors import (
    NotAWiki,
    WikiApiError,
    WikiError,
    WikiMalformedResponse,
    WikiUnreachable,
)
from hub.wikimedia.wikibase import WikibaseClient
from hub.wikimedia.wikidata import Entity

ADDED, CHANGED, REMOVED, UNCHANGED = "added", "changed", "removed", "unchanged"
LABEL = "label"
# Partners looked up per comparison, at most: one search each.
MAX_ORGANISATIONS = 200


class MetabaseUnavailable(Exception):
    """Metabase could not be read; the message says so in words a volunteer understands."""


@dataclass(frozen=True)
class Row:
    """One statement's fate: on property ``prop`` (our field ``name``), ours against theirs."""

    prop: str
    name: str
    status: str
    ours: str = ""
    theirs: str = ""


@dataclass
class ItemDiff:
    """What would change on one Metabase item (``item`` is "" when a sync would create one)."""

    kind: str  # "partnership" or "organisation"
    title: str
    hub_url: str
    item: str = ""
    item_url: str = ""
    rows: list[Row] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Return how many rows have the status."""
        return sum(1 for row in self.rows if row.status == status)

    @property
    def changes(self) -> bool:
        """Return whether a sync would change anything on this item."""
        return any(row.status != UNCHANGED for row in self.rows)


@dataclass
class Comparison:
    """The dry-run diff of an affiliate's published data against Metabase."""

    api_url: str
    items: list[ItemDiff]

    def total(self, status: str) -> int:
        """Return how many rows of every item have the status."""
        return sum(item.count(status) for item in self.items)


def plain(value: Any) -> str:
    """Return a Wikibase data value as comparable text (an id, a date, a number, a string)."""
    if isinstance(value, dict):
        if isinstance(value.get("id"), str):
            return value["id"]
        if isinstance(value.get("time"), str):
            day = value["time"].lstrip("+").split("T", 1)[0]
            precision = value.get("precision", 11)
            if precision == 10:
                return day[:7]
            if isinstance(precision, int) and precision <= 9:
                return day[:4]
            return day
        if "amount" in value:
            try:
                return str(Decimal(str(value["amount"])).normalize().quantize(Decimal(1)))
            except (InvalidOperation, ValueError):
                return str(value["amount"])
        if isinstance(value.get("text"), str):
            return value["text"]
    return str(value)


def _rows(prop: str, name: str, ours: set[str], theirs: set[str]) -> list[Row]:
    if ours == theirs:
        return [Row(prop, name, UNCHANGED, v, v) for v in sorted(ours)]
    if len(ours) == 1 and len(theirs) == 1:
        return [Row(prop, name, CHANGED, next(iter(ours)), next(iter(theirs)))]
    return (
        [Row(prop, name, ADDED, ours=v) for v in sorted(ours - theirs)]
        + [Row(prop, name, UNCHANGED, v, v) for v in sorted(ours & theirs)]
        + [Row(prop, name, REMOVED, theirs=v) for v in sorted(theirs - ours)]
    )


def _theirs(entity: Entity | None, prop: str) -> set[str]:
    if entity is None:
        return set()
    return {plain(v) for v in entity.values(prop)}


def _diff(
    diff: ItemDiff,
    entity: Entity | None,
    mapping: Mapping,
    label: str,
    wanted: dict[str, tuple[str, set[str]]],
) -> ItemDiff:
    """Fill the diff's rows: label first, then each property in the mapping's order."""
    label_name = _("label (%(language)s)") % {"language": mapping.language}
    theirs_label = entity.labels.get(mapping.language, "") if entity else ""
    diff.rows += _rows(LABEL, label_name, {label}, {theirs_label} if theirs_label else set())
    for prop, (name, ours) in wanted.items():
        diff.rows += _rows(prop, name, ours, _theirs(entity, prop))
    return diff


def _unavailable(exc: WikiError, mapping: Mapping) -> MetabaseUnavailable:
    if isinstance(exc, WikiMalformedResponse | NotAWiki):
        message = _(
            "Metabase (%(address)s) answered with something that is not a Wikibase reply, so "
            "nothing could be compared. It may be down for maintenance: try again later."
        )
    elif isinstance(exc, WikiUnreachable):
        message = _(
            "Metabase (%(address)s) did not answer within %(seconds)s seconds, so nothing could "
            "be compared. Try again later; nothing was changed anywhere."
        )
    elif isinstance(exc, WikiApiError):
        message = _(
            "Metabase (%(address)s) refused the question (%(code)s), so nothing could be "
            "compared. Check the address in the Metabase mapping."
        )
    else:
        message = _(
            "Metabase (%(address)s) could not be read, so nothing could be compared. Try "
            "again later."
        )
    return MetabaseUnavailable(
        message
        % {
            "address": mapping.api_url,
            "seconds": f"{mapping.timeout_seconds:g}",
            "code": getattr(exc, "code", ""),
        }
    )


def client_for(mapping: Mapping) -> WikibaseClient:
    """Return a client for a person waiting: two attempts, the mapping's timeout."""
    return WikibaseClient(
        mapping.api_url,
        background=False,
        item_namespace=mapping.item_namespace,
        timeout=(min(5.0, mapping.timeout_seconds), mapping.timeout_seconds),
    )


def _first(ids: Iterable[str]) -> str:
    return next(iter(ids), "")


def compare(
    published: Published,
    mapping: Mapping,
    page_url: Callable[[int], str],
    client: WikibaseClient | None = None,
) -> Comparison:
    """Return the dry-run diff of the published data against Metabase; read only."""
    client = client or client_for(mapping)
    try:
        return _compare(published, mapping, page_url, client)
    except WikiError as exc:
        raise _unavailable(exc, mapping) from exc
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        # A reply in JSON but not in a Wikibase's shape.
        raise _unavailable(WikiMalformedResponse(str(exc)), mapping) from exc


def field_names() -> dict[str, str]:
    """Return our mappable fields' names, in the person's language."""
    return {
        "start_date": _("start date"),
        "end_date": _("end date"),
        "affiliate": _("affiliate"),
        "partners": _("partners"),
        "participants": _("participants (summed over activities)"),
    }


def _want(wanted: dict[str, tuple[str, set[str]]], prop: str, name: str, values: set[str]) -> None:
    """Add values to a property; two fields mapped to one property (P14) share its values."""
    before_name, before = wanted.get(prop, ("", set()))
    joined = f"{before_name}, {name}" if before_name else name
    wanted[prop] = (joined, before | values)


def _partnership_wanted(
    p: PublicPartnership,
    published: Published,
    mapping: Mapping,
    in_metabase: Callable[[str], str],
) -> dict[str, tuple[str, set[str]]]:
    """Return {property: (our fields' names, our values)} for a partnership's item."""
    wanted: dict[str, tuple[str, set[str]]] = {}
    if mapping.partnership_class:
        _want(wanted, mapping.instance_of, _("instance of"), {mapping.partnership_class})
    ours = {
        "start_date": {p.start_date.isoformat()} if p.start_date else set(),
        "end_date": {p.end_date.isoformat()} if p.end_date else set(),
        "affiliate": {in_metabase(published.affiliate_qid)} if published.affiliate_qid else set(),
        "partners": {in_metabase(x.organisation.qid) for x in p.partners if x.organisation.qid},
        "participants": {str(p.participants)} if p.participants is not None else set(),
    }
    names = field_names()
    for name, prop in mapping.mapped():
        _want(wanted, prop, names[name], ours[name])
    return wanted


def _compare(
    published: Published,
    mapping: Mapping,
    page_url: Callable[[int], str],
    client: WikibaseClient,
) -> Comparison:
    organisations = [o for o in published.organisations if o.qid][:MAX_ORGANISATIONS]
    qids = list(dict.fromkeys([published.affiliate_qid, *(o.qid for o in organisations)]))
    by_qid = {qid: _first(client.items_with_value(mapping.wikidata_id, qid)) for qid in qids if qid}
    candidates = {
        p.pk: client.items_labelled(p.title, language=mapping.language)
        for p in published.partnerships
    }
    wanted_ids = [i for i in by_qid.values() if i]
    wanted_ids += [i for ids in candidates.values() for i in ids]
    entities = client.items(list(dict.fromkeys(wanted_ids)))

    def in_metabase(qid: str) -> str:
        found = by_qid.get(qid, "")
        if found:
            return found
        return _("Wikidata %(qid)s (no Metabase item yet)") % {"qid": qid}

    def url_of(item: str) -> str:
        return f"{mapping.entity_uri}{item}" if item else ""

    items: list[ItemDiff] = []
    for p in published.partnerships:
        chosen = ""
        for candidate in candidates[p.pk]:
            entity = entities.get(candidate)
            if entity is None:
                continue
            classes = {plain(v) for v in entity.values(mapping.instance_of)}
            if not mapping.partnership_class or mapping.partnership_class in classes:
                chosen = candidate
                break
        wanted = _partnership_wanted(p, published, mapping, in_metabase)
        diff = ItemDiff("partnership", p.title, page_url(p.pk), chosen, url_of(chosen))
        items.append(_diff(diff, entities.get(chosen), mapping, p.title, wanted))

    for org in organisations:
        item = by_qid.get(org.qid, "")
        org_wanted: dict[str, tuple[str, set[str]]] = {
            mapping.wikidata_id: (_("Wikidata item"), {org.qid})
        }
        if mapping.organisation_class:
            org_wanted[mapping.instance_of] = (_("instance of"), {mapping.organisation_class})
        diff = ItemDiff("organisation", org.name, f"http://www.wikidata.org/entity/{org.qid}")
        diff.item, diff.item_url = item, url_of(item)
        items.append(_diff(diff, entities.get(item), mapping, org.name, org_wanted))
    return Comparison(api_url=mapping.api_url, items=items)
