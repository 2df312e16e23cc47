"""The reconciliation service (W3C Reconciliation Service API 0.2) over a partner directory.

Its answers are checked against the specification's own JSON Schemas (shared/fixtures/
reconciliation/specs/0.2), replaying requests shaped as OpenRefine sends them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from hub.api.reconciliation import matching
from hub.core.models import Membership
from hub.partners import directory_keys
from hub.partners.models import ReconciliationKey
from tests import factories

pytestmark = pytest.mark.django_db

RECORDED = Path(__file__).parent / "fixtures_synthetic" / "openrefine"


@pytest.fixture(scope="module")
def spec(fixtures_dir: Path) -> Path:
    return fixtures_dir / "reconciliation" / "specs" / "0.2"


@pytest.fixture(scope="module")
def registry(spec: Path) -> Registry:
    """Return the specification's schemas, each under its $id and its file's own address."""
    resources = []
    for path in sorted((spec / "schemas").glob("*.json")):
        contents = json.loads(path.read_text())
        resource = Resource.from_contents(contents, default_specification=DRAFT7)
        base = "https://reconciliation-api.github.io/specs/0.2/schemas/"
        resources.append((base + path.name, resource))
        if "$id" in contents:
            resources.append((contents["$id"], resource))
    return Registry().with_resources(resources)


def validator(spec: Path, registry: Registry, name: str) -> Draft7Validator:
    schema = json.loads((spec / "schemas" / f"{name}.json").read_text())
    return Draft7Validator(schema, registry=registry)


def assert_valid(spec: Path, registry: Registry, name: str, answer: Any) -> None:
    errors = [e.message for e in validator(spec, registry, name).iter_errors(answer)]
    assert not errors, errors


@pytest.mark.parametrize(
    "schema",
    ["manifest", "reconciliation-query-batch", "reconciliation-result-batch"],
)
def test_the_schemas_accept_the_specifications_valid_examples_and_refuse_its_invalid_ones(
    spec, registry, schema
):
    # The validator is set up as the specification means it: its examples come out right.
    folder = spec / "examples" / schema
    for path in sorted((folder / "valid").glob("*.json")):
        example = json.loads(path.read_text())
        if "authentication" in example:
            continue  # its $ref points at Swagger's schema on the web; we send no such field
        assert not list(validator(spec, registry, schema).iter_errors(example)), path.name
    for path in sorted((folder / "invalid").glob("*.json")):
        example = json.loads(path.read_text())
        if "authentication" in example:
            continue
        assert list(validator(spec, registry, schema).iter_errors(example)), path.name


@pytest.fixture
def directory(affiliate_a, member_a, affiliate_b) -> dict[str, Any]:
    def org(aff: Any, **fields: Any) -> Any:
        return factories.organisation(aff, actor=member_a, **fields)

    objs = {
        "nationalmuseum": org(
            affiliate_a,
            name="Nationalmuseum",
            partner_type="museum",
            country="SE",
            city="Stockholm",
            website="https://www.nationalmuseum.se",
        ),
        "national_library": org(
            affiliate_a,
            name="National Library of Sweden",
            other_names="Kungliga biblioteket\nKB",
            partner_type="library",
            country="SE",
            website="https://www.kb.se",
        ),
        "riksarkivet": org(
            affiliate_a, name="Riksarkivet", partner_type="archive", wikidata_qid="Q842858"
        ),
        "national_gallery": org(
            affiliate_a, name="National Gallery of Norway", partner_type="gallery", country="NO"
        ),
        "other_tenant": org(affiliate_b, name="Nationalmuseum Beta", partner_type="museum"),
    }
    _key, objs["token"] = directory_keys.create_key(actor=member_a, affiliate=affiliate_a)
    return objs


def service_url(token: str, name: str = "service") -> str:
    return reverse(f"reconciliation:{name}", kwargs={"token": token})


def replay(client: Client, url: str, recorded: str) -> Any:
    request = json.loads((RECORDED / recorded).read_text())
    if request["method"] == "POST":
        return client.post(url, request["form"])
    return client.get(url, request["params"])


def test_manifest_follows_the_specification(spec, registry, directory):
    response = replay(Client(), service_url(directory["token"]), "manifest.json")
    assert response.status_code == 200
    answer = response.json()
    assert_valid(spec, registry, "manifest", answer)
    assert "Wikimedia Alpha" in answer["name"]
    assert response["Access-Control-Allow-Origin"] == "*"  # OpenRefine reads it from its page
    assert answer["view"]["url"].endswith("/a/alpha/organisations/{{id}}/")
    # The preview and suggest addresses carry the same secret: OpenRefine follows them as given.
    assert directory["token"] in answer["preview"]["url"]
    assert directory["token"] in answer["suggest"]["entity"]["service_url"]


def test_openrefine_batch_follows_the_specification_and_finds_the_partners(
    spec, registry, directory
):
    recorded = json.loads((RECORDED / "reconcile-batch.json").read_text())
    assert_valid(
        spec, registry, "reconciliation-query-batch", json.loads(recorded["form"]["queries"])
    )
    response = replay(Client(), service_url(directory["token"]), "reconcile-batch.json")
    assert response.status_code == 200, response.content
    answer = response.json()
    assert_valid(spec, registry, "reconciliation-result-batch", answer)
    assert set(answer) == {"q0", "q1", "q2", "q3", "q4"}
    best = {key: (found["result"] or [{}])[0] for key, found in answer.items()}
    assert best["q0"]["id"] == str(directory["nationalmuseum"].pk)
    assert best["q0"]["match"] is True
    assert len(answer["q0"]["result"]) <= 3  # the query's own limit
    assert best["q1"]["id"] == str(directory["riksarkivet"].pk)
    assert answer["q2"]["result"] == [] or best["q2"]["score"] < 50
    # Another name on record, and the website, find the national library.
    assert best["q3"]["id"] == str(directory["national_library"].pk)
    assert best["q4"]["id"] == str(directory["riksarkivet"].pk)


def test_batch_never_shows_another_affiliates_organisations(directory):
    queries = json.dumps({"q0": {"query": "Nationalmuseum Beta"}})
    answer = Client().post(service_url(directory["token"]), {"queries": queries}).json()
    ids = {r["id"] for r in answer["q0"]["result"]}
    assert str(directory["other_tenant"].pk) not in ids


def test_queries_may_come_in_a_get_request(spec, registry, directory):
    queries = json.dumps({"q0": {"query": "nationalmuseum"}})
    response = Client().get(service_url(directory["token"]), {"queries": queries})
    assert_valid(spec, registry, "reconciliation-result-batch", response.json())
    assert response.json()["q0"]["result"][0]["name"] == "Nationalmuseum"


def test_suggest_entity_follows_the_specification(spec, registry, directory):
    response = replay(
        Client(), service_url(directory["token"], "suggest_entity"), "suggest-entity.json"
    )
    answer = response.json()
    assert_valid(spec, registry, "suggest-entities-response", answer)
    names = [r["name"] for r in answer["result"]]
    assert "Nationalmuseum" in names and "National Library of Sweden" in names
    assert "Nationalmuseum Beta" not in names


def test_preview_shows_the_organisation_in_a_frame_openrefine_may_embed(directory):
    manifest = Client().get(service_url(directory["token"])).json()
    url = manifest["preview"]["url"].replace("{{id}}", str(directory["nationalmuseum"].pk))
    response = Client().get(url)
    assert response.status_code == 200
    assert b"Nationalmuseum" in response.content and b"Stockholm" in response.content
    assert "X-Frame-Options" not in response
    other = manifest["preview"]["url"].replace("{{id}}", str(directory["other_tenant"].pk))
    assert Client().get(other).status_code == 404


@pytest.mark.parametrize(
    ("queries", "words"),
    [
        ("{not json", b"not valid JSON"),
        ('["q0"]', b"JSON object"),
        ('{"q0": "Nationalmuseum"}', b"not a JSON object"),
        ('{"q0": {"type": "museum"}}', b"neither a name nor properties"),
        ('{"q0": {"query": "x", "limit": "ten"}}', b"not a number"),
        ('{"q0": {"query": "x", "properties": [{"pid": "city"}]}}', b"pid"),
    ],
)
def test_malformed_queries_get_a_clear_error(directory, queries, words):
    response = Client().post(service_url(directory["token"]), {"queries": queries})
    assert response.status_code == 400
    assert words in response.content


def test_a_revoked_or_unknown_key_opens_nothing(directory, member_a):
    token = directory["token"]
    key = ReconciliationKey.objects.get(token_hash=directory_keys.hash_token(token))
    directory_keys.revoke_key(actor=member_a, key=key)
    for name in ("service", "suggest_entity"):
        response = Client().get(service_url(token, name), {"prefix": "nat"})
        assert response.status_code == 404
        assert b"Nationalmuseum" not in response.content
    assert Client().get(service_url("x" * 43, "preview"), {"id": "1"}).status_code == 404


def test_a_key_stops_working_when_its_holder_leaves_the_affiliate(directory, member_a):
    Membership.objects.filter(user=member_a).delete()
    response = Client().get(service_url(directory["token"]))
    assert response.status_code == 404


def test_a_new_key_replaces_the_old_one_and_is_shown_once(client_a, directory):
    page = reverse("reconciliation:keys", kwargs={"slug": "alpha"})
    response = client_a.post(reverse("reconciliation:key_create", kwargs={"slug": "alpha"}))
    assert response["Location"] == page
    shown = client_a.get(page).content.decode()
    assert "/reconcile/" in shown
    assert "/reconcile/" not in client_a.get(page).content.decode()
    assert Client().get(service_url(directory["token"])).status_code == 404
    live = ReconciliationKey.objects.filter(revoked_at=None)
    assert live.count() == 1


def test_scores_rank_name_and_properties(directory):
    cases = [
        # (query, properties, expected best, expected match)
        ("Nationalmuseum", {}, "nationalmuseum", True),
        ("National museum", {"city": ["Stockholm"]}, "nationalmuseum", True),
        # The name fits but the country does not: a candidate for a person to judge.
        ("Nationalmuseum", {"country": ["Norway"]}, "nationalmuseum", False),
        ("Kungliga biblioteket", {}, "national_library", True),
        (
            "Riksarkivet",
            {"wikidata": ["https://www.wikidata.org/wiki/Q842858"]},
            "riksarkivet",
            True,
        ),
    ]
    for text, props, best, match in cases:
        found = matching.reconcile(
            directory["nationalmuseum"].affiliate, matching.Query(text=text, properties=props)
        )
        assert found[0]["id"] == str(directory[best].pk), text
        assert found[0]["match"] is match, (text, found[0])
