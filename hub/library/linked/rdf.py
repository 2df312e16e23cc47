"""Write what an affiliate published as RDF (Turtle, JSON-LD) with rdflib.

The vocabulary is schema.org, with ``owl:sameAs`` to Wikidata's entity IRIs
(``http://www.wikidata.org/entity/Q…``) for the affiliate and every partner that has a Wikidata
id. docs/linked-data.md lists every term used. Partnerships are named by their public showcase
page; the affiliate, organisations and activities by fragments of the affiliate's linked-data
address (``…/linked-data/<slug>#organisation-12``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import OWL, RDF, XSD, Graph, Literal, Namespace, URIRef

from hub.library.linked.published import PublicOrganisation, PublicPartnership, Published

SCHEMA = Namespace("https://schema.org/")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
JSONLD_CONTEXT = {
    "schema": str(SCHEMA),
    "owl": str(OWL),
    "xsd": str(XSD),
    "wd": str(WIKIDATA),
}
# The activities' counts a public page shows, as figures (schema:PropertyValue).
ACTIVITY_COUNTS = ("participants", "articles_created", "files_uploaded", "people_trained")


@dataclass(frozen=True)
class Addresses:
    """Where things live: the affiliate's document and each partnership's public page."""

    document: str  # the affiliate's linked-data address, without a format: fragments hang off it
    partnership_page: Callable[[int], str]

    def affiliate(self) -> URIRef:
        return URIRef(f"{self.document}#affiliate")

    def organisation(self, pk: int) -> URIRef:
        return URIRef(f"{self.document}#organisation-{pk}")

    def activity(self, pk: int) -> URIRef:
        return URIRef(f"{self.document}#activity-{pk}")

    def partnership(self, pk: int) -> URIRef:
        return URIRef(self.partnership_page(pk))


def wikidata_iri(qid: str) -> URIRef:
    """Return Wikidata's IRI for an entity id."""
    return WIKIDATA[qid]


def _value(graph: Graph, node: URIRef, key: str, name: str, value: int, **extra: object) -> None:
    graph.add((node, RDF.type, SCHEMA.PropertyValue))
    graph.add((node, SCHEMA.propertyID, Literal(key)))
    graph.add((node, SCHEMA.name, Literal(name)))
    graph.add((node, SCHEMA.value, Literal(value, datatype=XSD.integer)))
    for term, literal in extra.items():
        if literal:
            graph.add((node, SCHEMA[term], Literal(literal)))


def _organisation(graph: Graph, node: URIRef, org: PublicOrganisation) -> None:
    graph.add((node, RDF.type, SCHEMA.Organization))
    graph.add((node, SCHEMA.name, Literal(org.name)))
    if org.partner_type:
        graph.add((node, SCHEMA.additionalType, Literal(org.partner_type)))
    if org.country:
        graph.add((node, SCHEMA.addressCountry, Literal(org.country)))
    if org.city:
        graph.add((node, SCHEMA.addressLocality, Literal(org.city)))
    if org.qid:
        graph.add((node, OWL.sameAs, wikidata_iri(org.qid)))


def _partnership(graph: Graph, at: Addresses, p: PublicPartnership, affiliate: URIRef) -> None:
    node = at.partnership(p.pk)
    graph.add((node, RDF.type, SCHEMA.Project))
    graph.add((node, SCHEMA.name, Literal(p.title)))
    graph.add((node, SCHEMA.url, Literal(str(node), datatype=XSD.anyURI)))
    if p.summary:
        graph.add((node, SCHEMA.description, Literal(p.summary)))
    if p.start_date:
        graph.add((node, SCHEMA.startDate, Literal(p.start_date, datatype=XSD.date)))
    if p.end_date:
        graph.add((node, SCHEMA.endDate, Literal(p.end_date, datatype=XSD.date)))
    for goal in p.goals:
        graph.add((node, SCHEMA.keywords, Literal(goal)))
    graph.add((node, SCHEMA.organizer, affiliate))
    for partner in p.partners:
        graph.add((node, SCHEMA.member, at.organisation(partner.organisation.pk)))
    for index, figure in enumerate(p.figures, start=1):
        figure_node = URIRef(f"{node}#figure-{index}")
        graph.add((node, SCHEMA.additionalProperty, figure_node))
        _value(
            graph,
            figure_node,
            figure.key or f"figure-{index}",
            figure.label,
            figure.value,
            measurementTechnique=figure.source,
            dateModified=figure.as_of.isoformat() if figure.as_of else "",
        )
    for activity in p.activities:
        event = at.activity(activity.pk)
        graph.add((event, RDF.type, SCHEMA.Event))
        graph.add((event, SCHEMA.name, Literal(activity.title)))
        graph.add((event, SCHEMA.additionalType, Literal(activity.kind)))
        graph.add((event, SCHEMA.isPartOf, node))
        graph.add((event, SCHEMA.startDate, Literal(activity.starts_on, datatype=XSD.date)))
        if activity.ends_on:
            graph.add((event, SCHEMA.endDate, Literal(activity.ends_on, datatype=XSD.date)))
        for key in ACTIVITY_COUNTS:
            count = getattr(activity, key)
            if count:
                count_node = URIRef(f"{event}-{key.replace('_', '-')}")
                graph.add((event, SCHEMA.additionalProperty, count_node))
                name = str(getattr(activity._meta.get_field(key), "verbose_name", key))
                _value(graph, count_node, key, name, count)


def graph_of(published: Published, at: Addresses) -> Graph:
    """Return the RDF graph of what the affiliate published."""
    graph = Graph()
    for prefix, namespace in JSONLD_CONTEXT.items():
        graph.bind(prefix, Namespace(namespace))
    affiliate = at.affiliate()
    graph.add((affiliate, RDF.type, SCHEMA.Organization))
    graph.add((affiliate, SCHEMA.name, Literal(published.affiliate.name)))
    if published.affiliate.website:
        graph.add(
            (affiliate, SCHEMA.url, Literal(published.affiliate.website, datatype=XSD.anyURI))
        )
    if published.affiliate_qid:
        graph.add((affiliate, OWL.sameAs, wikidata_iri(published.affiliate_qid)))
    for org in published.organisations:
        _organisation(graph, at.organisation(org.pk), org)
    for partnership in published.partnerships:
        _partnership(graph, at, partnership, affiliate)
    return graph


def turtle(graph: Graph) -> str:
    """Return the graph as Turtle."""
    return graph.serialize(format="turtle")


def jsonld(graph: Graph) -> str:
    """Return the graph as JSON-LD, compacted with the schema/owl/wd prefixes."""
    return graph.serialize(format="json-ld", context=JSONLD_CONTEXT, indent=2, ensure_ascii=False)
