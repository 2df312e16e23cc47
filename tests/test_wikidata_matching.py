"""Matching organisations with Wikidata items: scores, look-ups in batches, decisions, facts.

The replies are the recorded shapes of shared/fixtures/wikidata/ (wbgetentities-Q42.json is a
real item; the organisations' items below are written in the same shape), served by a local
stand-in Wikidata (tests/wikiserver.py): the real client makes real HTTP requests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from hub.partners import wikidata, wikidata_runs
from hub.partners.models import WikidataCandidate, WikidataRun
from hub.partners.wikidata import Profile, score
from hub.wikimedia.http import RetryPolicy
from hub.wikimedia.wikidata import Entity, WikidataClient, parse_entities
from tests import factories
from tests.wikiserver import RecordedServer, Reply

pytestmark = pytest.mark.django_db


def claim(prop: str, value: Any, kind: str) -> dict[str, Any]:
    """Return a statement shaped as in wbgetentities-Q42.json."""
    return {
        "mainsnak": {
            "snaktype": "value",
            "property": prop,
            "datavalue": {"value": value, "type": kind},
        },
        "type": "statement",
        "rank": "normal",
    }


def item(
    qid: str,
    label: str,
    *,
    aliases: tuple[str, ...] = (),
    p31: tuple[str, ...] = (),
    p17: tuple[str, ...] = (),
    website: str = "",
    coords: tuple[float, float] | None = None,
    extra: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    claims: dict[str, list[dict[str, Any]]] = {}
    for prop, values in (("P31", p31), ("P17", p17)):
        if values:
            claims[prop] = [
                claim(prop, {"entity-type": "item", "id": v}, "wikibase-entityid") for v in values
            ]
    if website:
        claims["P856"] = [claim("P856", website, "string")]
    if coords:
        value = {"latitude": coords[0], "longitude": coords[1], "precision": 0.0001}
        claims["P625"] = [claim("P625", value, "globecoordinate")]
    claims.update(extra or {})
    return {
        "type": "item",
        "id": qid,
        "labels": {"en": {"language": "en", "value": label}},
        "descriptions": {"en": {"language": "en", "value": f"description of {label}"}},
        "aliases": {"en": [{"language": "en", "value": a} for a in aliases]},
        "claims": claims,
    }


def entity(raw: dict[str, Any]) -> Entity:
    parsed = parse_entities({"entities": {raw["id"]: raw}})[raw["id"]]
    assert isinstance(parsed, Entity)
    return parsed


SWEDEN, NORWAY, MUSEUM, ART_MUSEUM, HUMAN = "Q34", "Q20", "Q33506", "Q207694", "Q5"
CODES = {SWEDEN: "SE", NORWAY: "NO"}
NATIONALMUSEUM = item(
    "Q842858",
    "Nationalmuseum",
    aliases=("Swedish National Museum of Fine Arts",),
    p31=(ART_MUSEUM,),
    p17=(SWEDEN,),
    website="https://www.nationalmuseum.se/",
    coords=(59.3294, 18.0780),
)
MUSEUM_PROFILE = Profile(
    names=("Nationalmuseum",),
    partner_type="museum",
    country="SE",
    website="nationalmuseum.se",
)


@pytest.mark.parametrize(
    ("case", "profile", "raw", "expected"),
    [
        ("everything agrees", MUSEUM_PROFILE, NATIONALMUSEUM, 100.0),
        (
            "the name alone",
            Profile(names=("Nationalmuseum",)),
            NATIONALMUSEUM,
            55.0,
        ),
        (
            "another name on record matches an alias",
            Profile(names=("Statens konstmuseum", "Swedish National Museum of Fine Arts")),
            NATIONALMUSEUM,
            55.0,
        ),
        (
            "the country disagrees",
            Profile(names=("Nationalmuseum",), partner_type="museum", country="NO"),
            NATIONALMUSEUM,
            50.0,
        ),
        (
            "the type does not fit: no type points",
            Profile(names=("Nationalmuseum",), partner_type="library", country="SE"),
            NATIONALMUSEUM,
            70.0,
        ),
        (
            "the coordinates are near",
            Profile(names=("Nationalmuseum",), coordinates=(59.33, 18.07)),
            NATIONALMUSEUM,
            65.0,
        ),
        (
            "the coordinates are far",
            Profile(names=("Nationalmuseum",), coordinates=(60.39, 5.32)),
            NATIONALMUSEUM,
            55.0,
        ),
        (
            "a namesake of another kind in another country",
            MUSEUM_PROFILE,
            item("Q1", "Nationalmuseum FC", p31=("Q476028",), p17=(NORWAY,)),
            29.7,  # under KEEP_SCORE: not even proposed
        ),
    ],
)
def test_scores(case, profile, raw, expected):
    assert score(profile, entity(raw), CODES).score == pytest.approx(expected, abs=0.1), case


def test_a_recorded_item_of_a_person_scores_low_for_a_museum(fixtures_dir: Path):
    raw = json.loads((fixtures_dir / "wikidata" / "wbgetentities-Q42.json").read_text())
    q42 = parse_entities(raw)["Q42"]
    assert isinstance(q42, Entity)
    found = score(MUSEUM_PROFILE, q42, CODES)
    assert found.score < wikidata.KEEP_SCORE
    assert {"id": "name", "value": found.reasons[0]["value"]} == found.reasons[0]


def countries_reply() -> Reply:
    raw = {
        SWEDEN: item(SWEDEN, "Sweden", extra={"P297": [claim("P297", "SE", "string")]}),
        NORWAY: item(NORWAY, "Norway", extra={"P297": [claim("P297", "NO", "string")]}),
    }
    return Reply({"entities": raw, "success": 1})


def search_reply(*qids_labels: tuple[str, str]) -> Reply:
    hits = [
        {
            "id": q,
            "label": label,
            "description": "",
            "concepturi": f"http://www.wikidata.org/entity/{q}",
        }
        for q, label in qids_labels
    ]
    return Reply({"search": hits, "success": 1})


@pytest.fixture
def stand_in(wiki_server: RecordedServer, settings: Any) -> RecordedServer:
    settings.HUB_IMPACT_WIKIDATA_URL = wiki_server.base_url
    wiki_server.add("/w/api.php", search_reply(), match={"action": "wbsearchentities"})
    wiki_server.add(
        "/w/api.php", countries_reply(), match={"action": "wbgetentities", "props": "claims"}
    )
    return wiki_server


def quick_client(server: RecordedServer) -> WikidataClient:
    return WikidataClient(
        server.url("/w/api.php"), policy=RetryPolicy(max_attempts=1), sleep=lambda s: None
    )


def test_finding_candidates_keeps_the_likely_ones_scored(stand_in, affiliate_a, member_a):
    org = factories.organisation(
        affiliate_a, actor=member_a, name="Nationalmuseum", partner_type="museum", country="SE"
    )
    stand_in.add(
        "/w/api.php",
        search_reply(("Q842858", "Nationalmuseum"), ("Q42", "Douglas Adams")),
        match={"action": "wbsearchentities", "search": "Nationalmuseum"},
    )
    stand_in.add(
        "/w/api.php",
        Reply(
            {
                "entities": {
                    "Q842858": NATIONALMUSEUM,
                    "Q42": item("Q42", "Douglas Adams", p31=(HUMAN,)),
                }
            }
        ),
        match={"action": "wbgetentities", "ids": "Q842858|Q42"},
    )
    assert wikidata.find_candidates(organisation=org) == 1
    candidate = WikidataCandidate.objects.get(organisation=org)
    assert candidate.qid == "Q842858" and candidate.score == 85.0
    assert {"id": "country", "value": True} in candidate.reasons


def test_a_batch_run_resumes_after_its_last_saved_chunk_without_asking_twice(
    stand_in, affiliate_a, member_a
):
    orgs = [
        factories.organisation(affiliate_a, actor=member_a, name=f"Museum number {n}")
        for n in range(7)
    ]
    for n, org in enumerate(orgs):
        stand_in.add(
            "/w/api.php",
            search_reply((f"Q{100 + n}", org.name)),
            match={"action": "wbsearchentities", "search": org.name},
        )
    stand_in.add(
        "/w/api.php",
        Reply(
            {"entities": {f"Q{100 + n}": item(f"Q{100 + n}", o.name) for n, o in enumerate(orgs)}}
        ),
        match={"action": "wbgetentities", "props": "labels|descriptions|aliases|claims"},
    )
    # Wikidata stops answering at the fifth organisation: the run keeps what it saved.
    stand_in.add(
        "/w/api.php",
        Reply({"error": "down"}, status=503),
        match={"action": "wbsearchentities", "search": orgs[4].name},
    )
    # Started as from the page (its task is enqueued on commit; here the test is the worker).
    run = wikidata_runs.start_run(actor=member_a, affiliate=affiliate_a)
    status = wikidata.continue_run(run_id=run.pk, wd=quick_client(stand_in), chunk=2)
    assert status == "queued"  # the task queues itself again for later
    run.refresh_from_db()
    assert (run.status, run.done, run.cursor) == ("queued", 4, orgs[3].pk)
    assert "Wikidata did not answer" in run.message
    # The wiki is back; a worker picks the task up again.
    stand_in.add(
        "/w/api.php",
        search_reply(("Q104", orgs[4].name)),
        match={"action": "wbsearchentities", "search": orgs[4].name},
    )
    before = len(stand_in.seen)
    assert wikidata.continue_run(run_id=run.pk, wd=quick_client(stand_in), chunk=2) == "done"
    searched = [s.query.get("search") for s in stand_in.seen[before:] if s.query.get("search")]
    assert searched == [o.name for o in orgs[4:]]
    run.refresh_from_db()
    assert (run.done, run.total) == (7, 7)
    assert WikidataCandidate.objects.filter(affiliate=affiliate_a).count() == 7
    # Run twice: a finished run is left alone.
    assert wikidata.continue_run(run_id=run.pk, wd=quick_client(stand_in)) == "done"


def test_requests_stay_near_the_api_minimum(stand_in, affiliate_a, member_a):
    orgs = [
        factories.organisation(affiliate_a, actor=member_a, name=f"Archive {n}", country="SE")
        for n in range(120)
    ]
    entities = {}
    for n, org in enumerate(orgs):
        hits = [(f"Q{1000 + n}", org.name), (f"Q{5000 + n}", org.name + " (other)")]
        stand_in.add(
            "/w/api.php",
            search_reply(*hits),
            match={"action": "wbsearchentities", "search": org.name},
        )
        for qid, label in hits:
            entities[qid] = item(qid, label, p17=(SWEDEN,))
    stand_in.add(
        "/w/api.php",
        Reply({"entities": entities}),
        match={"action": "wbgetentities", "props": "labels|descriptions|aliases|claims"},
    )
    run = WikidataRun.objects.create(affiliate=affiliate_a, total=120)
    wikidata.continue_run(run_id=run.pk, wd=quick_client(stand_in))
    run.refresh_from_db()
    # The minimum: one search per name, 240 items in 50s (5), the country's code once (1).
    minimum = 120 + 5 + 1
    assert run.requests <= 1.2 * minimum, run.requests


def test_accepting_links_the_item_and_keeps_its_facts_with_their_source(
    stand_in, affiliate_a, member_a
):
    org = factories.organisation(affiliate_a, actor=member_a, name="Nationalmuseum")
    candidate = WikidataCandidate.objects.create(
        affiliate=affiliate_a, organisation=org, qid="Q842858", label="Nationalmuseum", score=90
    )
    extra = {
        "P18": [claim("P18", "Nationalmuseum Stockholm.jpg", "string")],
        "P571": [claim("P571", {"time": "+1792-00-00T00:00:00Z", "precision": 9}, "time")],
        "P791": [claim("P791", "SE-NM", "string")],
    }
    raw = {**NATIONALMUSEUM, "claims": {**NATIONALMUSEUM["claims"], **extra}}
    stand_in.add("/w/api.php", Reply({"entities": {"Q842858": raw}}), match={"ids": "Q842858"})
    wikidata.accept(actor=member_a, candidate=candidate)
    org.refresh_from_db()
    assert org.wikidata_qid == "Q842858"
    facts = {f["property"]: f for f in WikidataCandidate.objects.get().facts}
    assert facts["P571"]["value"] == "1792"
    assert facts["P791"]["value"] == "SE-NM"
    assert facts["P856"]["link"] == "https://www.nationalmuseum.se/"
    assert facts["P18"]["link"].startswith("https://commons.wikimedia.org/wiki/File:")
    assert facts["P625"]["source"] == "https://www.wikidata.org/wiki/Q842858#P625"


def test_a_deleted_item_is_refused_and_nothing_is_written(
    stand_in, affiliate_a, member_a, fixtures_dir
):
    org = factories.organisation(affiliate_a, actor=member_a, name="Gone museum")
    candidate = WikidataCandidate.objects.create(
        affiliate=affiliate_a, organisation=org, qid="Q404"
    )
    stand_in.add(
        "/w/api.php",
        Reply({"entities": {"Q404": {"id": "Q404", "missing": ""}}, "success": 1}),
        match={"ids": "Q404"},
    )
    with pytest.raises(wikidata.MatchingError, match="deleted"):
        wikidata.accept(actor=member_a, candidate=candidate)
    org.refresh_from_db()
    candidate.refresh_from_db()
    assert org.wikidata_qid == "" and candidate.status == "proposed"


def test_a_redirected_item_is_linked_under_its_new_id(stand_in, affiliate_a, member_a):
    org = factories.organisation(affiliate_a, actor=member_a, name="Nationalmuseum")
    candidate = WikidataCandidate.objects.create(
        affiliate=affiliate_a, organisation=org, qid="Q999"
    )
    merged = {**NATIONALMUSEUM, "redirects": {"from": "Q999", "to": "Q842858"}}
    stand_in.add("/w/api.php", Reply({"entities": {"Q842858": merged}}), match={"ids": "Q999"})
    wikidata.accept(actor=member_a, candidate=candidate)
    org.refresh_from_db()
    assert org.wikidata_qid == "Q842858"


def test_a_wikidata_that_times_out_gets_a_clear_message_and_nothing_is_written(
    stand_in, affiliate_a, member_a
):
    org = factories.organisation(affiliate_a, actor=member_a, name="Slow museum")
    candidate = WikidataCandidate.objects.create(affiliate=affiliate_a, organisation=org, qid="Q7")
    stand_in.add("/w/api.php", Reply({}, status=504), match={"ids": "Q7"})
    with pytest.raises(wikidata.MatchingError, match="did not answer"):
        wikidata.accept(actor=member_a, candidate=candidate, wd=quick_client(stand_in))
    org.refresh_from_db()
    assert org.wikidata_qid == ""


def test_the_organisation_page_offers_candidates_and_takes_decisions(
    stand_in, affiliate_a, member_a, client_a, client_b
):
    org = factories.organisation(affiliate_a, actor=member_a, name="Nationalmuseum")
    keep = WikidataCandidate.objects.create(
        affiliate=affiliate_a, organisation=org, qid="Q842858", label="Nationalmuseum", score=90
    )
    other = WikidataCandidate.objects.create(
        affiliate=affiliate_a, organisation=org, qid="Q1", label="Nationalmuseum FC", score=40
    )
    page = reverse("partners:organisation_detail", kwargs={"slug": "alpha", "pk": org.pk})
    decide = reverse("partners:wikidata_decide", kwargs={"slug": "alpha", "pk": org.pk})
    html = client_a.get(page).content.decode()
    assert "Nationalmuseum FC" in html and "Accept" in html
    assert client_b.post(decide, {"candidate": other.pk, "decision": "reject"}).status_code == 404
    client_a.post(decide, {"candidate": other.pk, "decision": "reject"})
    stand_in.add(
        "/w/api.php", Reply({"entities": {"Q842858": NATIONALMUSEUM}}), match={"ids": "Q842858"}
    )
    client_a.post(decide, {"candidate": keep.pk, "decision": "accept"})
    html = client_a.get(page).content.decode()
    assert "Official website" in html and "Q842858#P856" in html
    other.refresh_from_db()
    assert other.status == "rejected"


def test_the_run_page_shows_progress(affiliate_a, member_a, client_a):
    WikidataRun.objects.create(affiliate=affiliate_a, total=10, done=4, status="running")
    html = client_a.get(reverse("partners:wikidata_runs", kwargs={"slug": "alpha"})).content
    assert b"4 of 10 organisations looked up" in html


def test_a_run_waits_for_wikidata_then_stops_with_the_reason(
    stand_in, affiliate_a, member_a, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from hub.partners.tasks import match_directory_with_wikidata

    settings.HUB_TASK_MAX_ATTEMPTS = 2
    factories.organisation(affiliate_a, actor=member_a, name="Unlucky museum")
    stand_in.add("/w/api.php", Reply({}, status=503), match={"action": "wbsearchentities"})
    run = WikidataRun.objects.create(affiliate=affiliate_a, total=1)
    # The real client on the stand-in, without its back-off's real waits.
    monkeypatch.setattr(wikidata, "client", lambda: quick_client(stand_in))
    with django_capture_on_commit_callbacks(execute=True):
        assert match_directory_with_wikidata.call(run.pk) == "queued"
    retry = DBTaskResult.objects.get()
    assert retry.run_after is not None
    assert match_directory_with_wikidata.call(run.pk) == "failed"
    run.refresh_from_db()
    assert "Wikidata did not answer" in run.message


def test_a_run_left_running_by_a_killed_worker_goes_on_after_its_last_saved_chunk(
    stand_in, affiliate_a, member_a
):
    orgs = [
        factories.organisation(affiliate_a, actor=member_a, name=f"Gallery {n}") for n in range(4)
    ]
    stand_in.add(
        "/w/api.php",
        Reply({"entities": {}}),
        match={"action": "wbgetentities", "props": "labels|descriptions|aliases|claims"},
    )
    # The worker saved the first two organisations' candidates, then was killed.
    run = WikidataRun.objects.create(
        affiliate=affiliate_a, total=4, done=2, cursor=orgs[1].pk, status="running"
    )
    assert wikidata.continue_run(run_id=run.pk, wd=quick_client(stand_in)) == "done"
    searched = [s.query.get("search") for s in stand_in.seen if s.query.get("search")]
    assert searched == ["Gallery 2", "Gallery 3"]
    run.refresh_from_db()
    assert (run.done, run.status) == (4, "done")
