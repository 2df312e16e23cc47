"""The linked-data export: RDF of what was published, QuickStatements, the Metabase dry run.

Metabase's replies below are written in the shapes of its API: ``wbgetentities`` as in
shared/fixtures/wikidata/wbgetentities-Q42.json, search hits in the "Item:" namespace, and the
property ids of shared/fixtures/movement-records/metabase_* (P1 sameAs on Wikidata, P5 instance
of, Q2 project, P6/P7 start and end, P14 organizer, P28 participants). A local stand-in serves
them (tests/wikiserver.py): the real client makes real HTTP requests.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.urls import reverse
from rdflib import OWL, RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from hub.library.linked import mapping, metabase, quickstatements
from hub.library.linked.published import for_affiliate
from hub.library.linked.rdf import SCHEMA, WIKIDATA
from hub.partnerships.activities import services as activities
from tests import factories
from tests.test_library_showcase import _figures
from tests.wikiserver import RecordedServer, Reply

pytestmark = pytest.mark.django_db

SECRETS = (
    "Secret negotiation",
    "Hidden Partner",
    "Q999",
    "secret.person@example.org",
    "Private note about the director",
    "12345",
    "Activity notes stay inside",
)


@pytest.fixture
def data(affiliate_a: Any, member_a: Any) -> dict[str, Any]:
    affiliate_a.wikidata_qid = "Q10000001"
    affiliate_a.website = "https://alpha.example.org/"
    affiliate_a.save()
    museum = factories.organisation(
        affiliate_a,
        actor=member_a,
        name="Nordic Museum",
        wikidata_qid="Q200",
        country="SE",
        city="Stockholm",
        partner_type="museum",
        description="Private note about the director",
    )
    factories.contact(museum, actor=member_a, emails="secret.person@example.org")
    archive = factories.organisation(
        affiliate_a, actor=member_a, name="City Archive", partner_type="archive", country="SE"
    )
    hidden = factories.organisation(
        affiliate_a, actor=member_a, name="Hidden Partner", wikidata_qid="Q999"
    )
    posters = factories.partnership(
        affiliate_a,
        actor=member_a,
        title="Digitising posters",
        summary="Posters of the twentieth century.",
        goal_content=True,
        start_date=dt.date(2024, 1, 15),
        end_date=dt.date(2024, 12, 31),
        partners=[(museum, "main"), (archive, "co_partner")],
        visibility="published",
    )
    activity = activities.create_activity(
        actor=member_a,
        partnership=posters,
        kind="editathon",
        title="Poster edit-a-thon",
        starts_on=dt.date(2024, 3, 2),
        participants=12,
        articles_created=7,
        notes="Activity notes stay inside",
    )
    activities.add_contribution(
        actor=member_a,
        partnership=posters,
        kind="financial",
        organisation=museum,
        received_on=dt.date(2024, 2, 1),
        amount="12345.00",
        currency="SEK",
    )
    _figures(posters, files=321, views=4567)
    workshop = factories.partnership(
        affiliate_a,
        actor=member_a,
        title="Poster workshop",
        start_date=dt.date(2023, 5, 1),
        partners=[(museum, "main")],
        visibility="published",
    )
    secret = factories.partnership(
        affiliate_a,
        actor=member_a,
        title="Secret negotiation",
        partners=[(hidden, "main")],
    )
    return {
        "museum": museum,
        "archive": archive,
        "posters": posters,
        "workshop": workshop,
        "secret": secret,
        "activity": activity,
    }


def _get(client: Client, name: str, **kwargs: Any) -> Any:
    return client.get(reverse(name, kwargs=kwargs))


def _graph(text: str, fmt: str) -> Graph:
    return Graph().parse(data=text, format=fmt)


def test_turtle_holds_the_published_partnerships_and_nothing_private(data):
    response = _get(Client(), "linked_data:affiliate_turtle", slug="alpha")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/turtle")
    text = response.content.decode()
    for secret in SECRETS:
        assert secret not in text, secret
    graph = _graph(text, "turtle")
    projects = set(graph.subjects(RDF.type, SCHEMA.Project))
    titles = {str(graph.value(p, SCHEMA.name)) for p in projects}
    assert titles == {"Digitising posters", "Poster workshop"}
    orgs = {str(graph.value(o, SCHEMA.name)) for o in graph.subjects(RDF.type, SCHEMA.Organization)}
    assert orgs == {"Wikimedia Alpha", "Nordic Museum", "City Archive"}
    events = list(graph.subjects(RDF.type, SCHEMA.Event))
    assert [str(graph.value(e, SCHEMA.name)) for e in events] == ["Poster edit-a-thon"]
    # The figures, from impact, and the activity's counts.
    values = {
        (
            str(graph.value(v, SCHEMA.propertyID)),
            cast(Literal, graph.value(v, SCHEMA.value)).toPython(),
        )
        for v in graph.subjects(RDF.type, SCHEMA.PropertyValue)
    }
    assert {("participants", 12), ("articles_created", 7), ("files_deep", 321)} <= values


def test_each_affiliate_document_holds_only_its_own_partnerships(data, affiliate_b, member_b):
    factories.partnership(
        affiliate_b, actor=member_b, title="Beta's published work", visibility="published"
    )
    alpha = _get(Client(), "linked_data:affiliate_turtle", slug="alpha").content.decode()
    beta = _get(Client(), "linked_data:affiliate_turtle", slug="beta").content.decode()
    assert "Beta's published work" not in alpha and "Digitising posters" in alpha
    assert "Beta's published work" in beta and "Digitising posters" not in beta


def test_members_page_without_a_wikidata_id_says_there_is_nothing_to_propose(
    data, affiliate_a, client_a
):
    affiliate_a.wikidata_qid = ""
    affiliate_a.save()
    page = _get(client_a, "linked_data:page", slug="alpha").content.decode()
    assert "no Wikidata id in its settings" in page
    assert "<textarea" not in page


def test_wikidata_ids_are_linked_with_owl_same_as(data):
    graph = _graph(_get(Client(), "linked_data:affiliate_turtle", slug="alpha").content, "turtle")
    same = {str(graph.value(s, SCHEMA.name)): o for s, o in graph.subject_objects(OWL.sameAs)}
    assert same == {"Nordic Museum": WIKIDATA.Q200, "Wikimedia Alpha": WIKIDATA.Q10000001}
    assert str(WIKIDATA.Q200) == "http://www.wikidata.org/entity/Q200"
    posters = URIRef(
        "http://testserver" + reverse("showcase:partnership", kwargs={"pk": data["posters"].pk})
    )
    museum = next(graph.subjects(OWL.sameAs, WIKIDATA.Q200))
    assert (posters, SCHEMA.member, museum) in graph
    assert (posters, SCHEMA.startDate, Literal(dt.date(2024, 1, 15))) in graph


def test_json_ld_is_valid_and_says_the_same_as_turtle(data):
    response = _get(Client(), "linked_data:affiliate_jsonld", slug="alpha")
    assert response["Content-Type"].startswith("application/ld+json")
    document = json.loads(response.content)
    assert document["@context"]["schema"] == "https://schema.org/"
    text = response.content.decode()
    for secret in SECRETS:
        assert secret not in text, secret
    from_jsonld = _graph(text, "json-ld")
    from_turtle = _graph(
        _get(Client(), "linked_data:affiliate_turtle", slug="alpha").content, "turtle"
    )
    assert len(from_jsonld) > 20
    assert isomorphic(from_jsonld, from_turtle)


def test_one_partnership_and_a_private_one(data, client_a):
    for fmt in ("turtle", "jsonld"):
        name = f"linked_data:partnership_{fmt}"
        response = _get(Client(), name, pk=data["posters"].pk)
        assert response.status_code == 200
        graph = _graph(response.content, "json-ld" if fmt == "jsonld" else "turtle")
        titles = {
            str(graph.value(p, SCHEMA.name)) for p in graph.subjects(RDF.type, SCHEMA.Project)
        }
        assert titles == {"Digitising posters"}
        for client in (Client(), client_a):
            assert _get(client, name, pk=data["secret"].pk).status_code == 404


def test_unknown_affiliate_answers_404():
    for name in ("affiliate", "affiliate_turtle", "affiliate_jsonld"):
        assert _get(Client(), f"linked_data:{name}", slug="nobody").status_code == 404


def test_affiliate_address_leads_to_its_turtle(data):
    response = _get(Client(), "linked_data:affiliate", slug="alpha")
    assert response.status_code == 303
    assert response["Location"] == reverse("linked_data:affiliate_turtle", kwargs={"slug": "alpha"})


def test_quickstatements_only_for_partners_with_wikidata_ids(data, affiliate_a):
    published = for_affiliate(affiliate_a)
    page = data["posters"].pk if data["posters"].pk < data["workshop"].pk else data["workshop"].pk

    def url(pk: int) -> str:
        return f"https://hub.example.org/showcase/p/{pk}/"

    text = quickstatements.text(published, mapping.current(), url)
    # The museum is in both published partnerships: one statement, earliest start, and no end
    # while the workshop goes on. The archive has no Wikidata id, the hidden partner is private.
    assert text == (
        "Q200\tP2652\tQ10000001\tP580\t+2023-05-01T00:00:00Z/11"
        f'\tS854\t"https://hub.example.org/showcase/p/{page}/"\n'
    )
    affiliate_a.wikidata_qid = ""
    affiliate_a.save()
    assert quickstatements.text(for_affiliate(affiliate_a), mapping.current(), url) == ""


def test_quickstatements_with_an_end_date(affiliate_a, member_a):
    affiliate_a.wikidata_qid = "Q5"
    affiliate_a.save()
    org = factories.organisation(affiliate_a, actor=member_a, wikidata_qid="q42")
    factories.partnership(
        affiliate_a,
        actor=member_a,
        partners=[(org, "main")],
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2021, 6, 30),
        visibility="published",
    )
    text = quickstatements.text(for_affiliate(affiliate_a), mapping.current(), lambda pk: "u")
    assert text.split("\t")[:9] == [
        "Q42",
        "P2652",
        "Q5",
        "P580",
        "+2020-01-01T00:00:00Z/11",
        "P582",
        "+2021-06-30T00:00:00Z/11",
        "S854",
        '"u"\n',
    ]


def test_members_page_lists_downloads_and_the_statements_to_copy(data, client_a):
    response = _get(client_a, "linked_data:page", slug="alpha")
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("linked_data:affiliate_jsonld", kwargs={"slug": "alpha"}) in page
    assert reverse("linked_data:partnership_turtle", kwargs={"pk": data["posters"].pk}) in page
    assert '<textarea id="quickstatements" readonly' in page
    assert "Q200\tP2652\tQ10000001" in page
    assert "Secret negotiation" not in page
    download = _get(client_a, "linked_data:quickstatements", slug="alpha")
    assert download["Content-Type"].startswith("text/plain")
    assert download.content.decode().startswith("Q200\tP2652\tQ10000001")


# The mapping ---------------------------------------------------------------------------


def _mapping_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_mapping_uses_metabases_properties():
    chosen = mapping.load()
    assert chosen.wikidata_id == "P1" and chosen.instance_of == "P5"
    assert chosen.partnership_class == "Q2"
    assert chosen.mapped() == [
        ("start_date", "P6"),
        ("end_date", "P7"),
        ("affiliate", "P14"),
        ("partners", "P14"),
        ("participants", "P28"),
    ]


def test_mapping_override_replaces_only_the_keys_it_names(tmp_path, settings, data, client_a):
    path = _mapping_file(
        tmp_path,
        '[metabase.partnership]\nparticipants = ""\nstart_date = "P99"\n'
        '[quickstatements]\nproperty = "P1327"\n',
    )
    settings.HUB_METABASE_MAPPING = str(path)
    chosen = mapping.current()
    assert chosen.source == str(path)
    assert chosen.partnership["start_date"] == "P99"
    assert chosen.partnership["end_date"] == "P7"  # kept from the defaults
    assert ("participants", "P28") not in chosen.mapped()
    page = _get(client_a, "linked_data:page", slug="alpha").content.decode()
    assert "<td>P99</td>" in page and "Q200\tP1327\tQ10000001" in page


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[metabase.partnership]\nbudget = "P40"\n', "metabase.partnership.budget: this key"),
        ('[metabase.partnership]\nstart_date = "14"\n', "'14' is not an id like P14"),
        ('[metabase.classes]\npartnership = "P2"\n', "'P2' is not an id like Q2"),
        ('[metabase]\napi_url = "ftp://x"\n', "is not a web address"),
        ("[metabase]\ntimeout_seconds = 0\n", "seconds from 1 to 120"),
        ("[metabase\n", "is not valid TOML"),
        ("metabase = 3\n", "should be a table"),
    ],
)
def test_an_invalid_mapping_is_refused_with_a_clear_message(tmp_path, settings, text, says):
    path = _mapping_file(tmp_path, text)
    with pytest.raises(mapping.MappingError, match=str(path).replace("\\", "\\\\")) as caught:
        mapping.load(path)
    assert says in str(caught.value)
    settings.HUB_METABASE_MAPPING = str(path)
    errors = mapping.check_mapping()
    assert [e.id for e in errors] == ["library.E010"]
    assert says in errors[0].msg
    with pytest.raises(SystemCheckError, match="library.E010"):
        call_command("check")


def test_a_missing_mapping_file_is_refused(tmp_path, settings):
    settings.HUB_METABASE_MAPPING = str(tmp_path / "nowhere.toml")
    [error] = mapping.check_mapping()
    assert "does not exist" in error.msg


# The Metabase dry run ------------------------------------------------------------------


def claim(prop: str, value: Any, kind: str) -> dict[str, Any]:
    return {
        "mainsnak": {
            "snaktype": "value",
            "property": prop,
            "datavalue": {"value": value, "type": kind},
        },
        "type": "statement",
        "rank": "normal",
    }


def item_claim(prop: str, qid: str) -> dict[str, Any]:
    return claim(prop, {"entity-type": "item", "id": qid}, "wikibase-entityid")


def time_claim(prop: str, day: str) -> dict[str, Any]:
    value = {"time": f"+{day}T00:00:00Z", "precision": 11, "calendarmodel": "Q1985727"}
    return claim(prop, value, "time")


def item(qid: str, label: str, claims: list[dict[str, Any]]) -> dict[str, Any]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for c in claims:
        grouped.setdefault(c["mainsnak"]["property"], []).append(c)
    return {
        "type": "item",
        "id": qid,
        "labels": {"en": {"language": "en", "value": label}},
        "claims": grouped,
        "lastrevid": 100,
    }


def search_hits(*titles: str) -> dict[str, Any]:
    return {
        "batchcomplete": True,
        "query": {
            # The first question also asks who the wiki is (hub.wikimedia's probe).
            "general": {
                "sitename": "MetaBase",
                "generator": "MediaWiki 1.41.1",
                "server": "https://metabase.wikibase.cloud",
            },
            "userinfo": {"id": 0, "name": "127.0.0.1", "anon": True},
            "searchinfo": {"totalhits": len(titles)},
            "search": [{"ns": 120, "title": t} for t in titles],
        },
    }


def serve_metabase(server: RecordedServer) -> None:
    api = "/w/api.php"
    server.add(api, Reply(search_hits()), match={"action": "query"})
    for qid, found in (("Q10000001", "Item:Q50"), ("Q200", "Item:Q51")):
        server.add(
            api,
            Reply(search_hits(found)),
            match={"action": "query", "srsearch": f"haswbstatement:P1={qid}"},
        )
    server.add(api, Reply({"search": []}), match={"action": "wbsearchentities"})
    server.add(
        api,
        Reply(
            {
                "search": [
                    {"id": "Q60", "label": "Digitising posters"},
                    {"id": "Q61", "label": "Digitising posters (book)"},
                ]
            }
        ),
        match={"action": "wbsearchentities", "search": "Digitising posters"},
    )
    entities = {
        "Q50": item("Q50", "Wikimedia Alpha", [claim("P1", "Q10000001", "string")]),
        "Q51": item("Q51", "Nordiska museet", [claim("P1", "Q200", "string")]),
        "Q60": item(
            "Q60",
            "Digitising posters",
            [
                item_claim("P5", "Q2"),
                time_claim("P6", "2024-01-15"),
                time_claim("P7", "2024-06-30"),
                item_claim("P14", "Q50"),
                item_claim("P14", "Q77"),
            ],
        ),
    }
    server.add(api, Reply({"entities": entities}), match={"action": "wbgetentities"})


def _metabase_mapping(tmp_path: Path, settings: Any, url: str, timeout: float = 10) -> None:
    path = _mapping_file(tmp_path, f'[metabase]\napi_url = "{url}"\ntimeout_seconds = {timeout}\n')
    settings.HUB_METABASE_MAPPING = str(path)


def _rows(diff: metabase.ItemDiff) -> set[tuple[str, str, str, str]]:
    return {(r.prop, r.status, r.ours, r.theirs) for r in diff.rows}


def test_dry_run_shows_added_changed_unchanged_and_removed(
    data, affiliate_a, wiki_server, tmp_path, settings
):
    serve_metabase(wiki_server)
    _metabase_mapping(tmp_path, settings, wiki_server.url("/w/api.php"))
    comparison = metabase.compare(
        for_affiliate(affiliate_a), mapping.current(), lambda pk: f"/showcase/p/{pk}/"
    )
    by_title = {i.title: i for i in comparison.items}
    assert list(by_title) == ["Digitising posters", "Poster workshop", "Nordic Museum"]
    posters = by_title["Digitising posters"]
    assert posters.item == "Q60"
    assert posters.item_url == "https://metabase.wikibase.cloud/entity/Q60"
    assert _rows(posters) == {
        ("label", "unchanged", "Digitising posters", "Digitising posters"),
        ("P5", "unchanged", "Q2", "Q2"),
        ("P6", "unchanged", "2024-01-15", "2024-01-15"),
        ("P7", "changed", "2024-12-31", "2024-06-30"),
        # Organizer: the affiliate (Q50, already there), the museum (Q51, to add); Q77 is on
        # Metabase only. The archive has no Wikidata id, so it cannot be named there.
        ("P14", "unchanged", "Q50", "Q50"),
        ("P14", "added", "Q51", ""),
        ("P14", "removed", "", "Q77"),
        ("P28", "added", "12", ""),
    }
    workshop = by_title["Poster workshop"]
    assert workshop.item == "" and workshop.changes
    assert {r.status for r in workshop.rows} == {"added"}
    museum = by_title["Nordic Museum"]
    assert museum.item == "Q51"
    assert _rows(museum) == {
        ("label", "changed", "Nordic Museum", "Nordiska museet"),
        ("P1", "unchanged", "Q200", "Q200"),
    }
    assert comparison.total("removed") == 1
    # Read only: nothing but reads went to Metabase.
    assert {s.query.get("action") or s.form.get("action") for s in wiki_server.seen} == {
        "query",
        "wbsearchentities",
        "wbgetentities",
    }
    assert all(s.method == "GET" for s in wiki_server.seen)
    sent = " ".join(s.raw_path for s in wiki_server.seen)
    for secret in ("Q999", "Secret", "Hidden"):
        assert secret not in sent


def test_dry_run_page_for_members(data, client_a, wiki_server, tmp_path, settings):
    serve_metabase(wiki_server)
    _metabase_mapping(tmp_path, settings, wiki_server.url("/w/api.php"))
    url = reverse("linked_data:metabase", kwargs={"slug": "alpha"})
    first = client_a.get(url)
    assert first.status_code == 200 and not wiki_server.seen  # opening it asks nothing
    response = client_a.get(url + "?compare=1")
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 items compared: 7 statements to add, 2 to change, 1 to remove, 5 the same." in page
    assert "Nordiska museet" in page and "Secret negotiation" not in page


def test_a_metabase_that_does_not_answer_in_time(data, client_a, wiki_server, tmp_path, settings):
    wiki_server.add("/w/api.php", Reply(search_hits(), delay=1.5))
    _metabase_mapping(tmp_path, settings, wiki_server.url("/w/api.php"), timeout=0.3)
    with pytest.raises(metabase.MetabaseUnavailable, match="did not answer within 0.3 seconds"):
        metabase.compare(for_affiliate(data["posters"].affiliate), mapping.current(), str)
    response = client_a.get(
        reverse("linked_data:metabase", kwargs={"slug": "alpha"}) + "?compare=1"
    )
    assert response.status_code == 502
    assert b"did not answer within 0.3 seconds" in response.content


@pytest.mark.parametrize(
    "reply",
    [
        Reply(
            "<html><body>Down for maintenance</body></html>", headers={"Content-Type": "text/html"}
        ),
        Reply("{not json", headers={"Content-Type": "application/json"}),
        Reply({"query": {"search": "nonsense"}}),
        Reply({"error": {"code": "badvalue", "info": "Unrecognized value for parameter"}}),
        Reply(b"", status=404, headers={"Content-Type": "text/html"}),
    ],
)
def test_a_metabase_that_answers_garbage(data, wiki_server, tmp_path, settings, reply):
    wiki_server.add("/w/api.php", reply)
    _metabase_mapping(tmp_path, settings, wiki_server.url("/w/api.php"))
    with pytest.raises(metabase.MetabaseUnavailable) as caught:
        metabase.compare(for_affiliate(data["posters"].affiliate), mapping.current(), str)
    assert "nothing could be compared" in str(caught.value)
    assert wiki_server.url("/w/api.php") in str(caught.value)
