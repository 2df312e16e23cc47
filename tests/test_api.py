"""The REST API: tokens, tenant isolation, writes through the services, problem JSON, ETags."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hub.api import tokens
from hub.core.models import AuditEvent
from hub.partners.models import Organisation
from tests import factories

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _token(user: Any, affiliate: Any, *, write: bool = False) -> str:
    _row, secret = tokens.create_token(
        actor=user, affiliate=affiliate, name="test", can_write=write
    )
    return secret


class Api:
    """A client that sends a token in the Authorization header."""

    def __init__(self, secret: str = "") -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(API + path, headers={**self.headers, **headers})

    def post(self, path: str, body: Any, **headers: str) -> Any:
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(
            API + path, data, content_type="application/json", headers={**self.headers, **headers}
        )

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.patch(
            API + path, data, content_type="application/json", headers={**self.headers, **headers}
        )


@pytest.fixture
def org_a(affiliate_a: Any, member_a: Any) -> Organisation:
    return factories.organisation(affiliate_a, actor=member_a, name="Museo Privado")


@pytest.fixture
def api_a(member_a: Any, affiliate_a: Any) -> Api:
    return Api(_token(member_a, affiliate_a, write=True))


@pytest.fixture
def reader_a(member_a: Any, affiliate_a: Any) -> Api:
    return Api(_token(member_a, affiliate_a))


@pytest.fixture
def api_b(member_b: Any, affiliate_b: Any) -> Api:
    return Api(_token(member_b, affiliate_b, write=True))


def _is_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    return body


def test_lists_and_reads_the_affiliates_organisations(api_a, org_a):
    listing = api_a.get("/organisations/")
    assert listing.status_code == 200
    assert [o["name"] for o in listing.json()["results"]] == ["Museo Privado"]
    detail = api_a.get(f"/organisations/{org_a.pk}/")
    assert detail.json()["name"] == "Museo Privado"


def test_another_affiliates_ids_answer_404(api_b, org_a, member_a, affiliate_a):
    partnership = factories.partnership(affiliate_a, actor=member_a, partners=[(org_a, "main")])
    for path in (f"/organisations/{org_a.pk}/", f"/partnerships/{partnership.pk}/"):
        body = _is_problem(api_b.get(path), 404)
        assert "Museo" not in json.dumps(body)
    assert api_b.get("/organisations/").json()["count"] == 0
    _is_problem(api_b.patch(f"/organisations/{org_a.pk}/", {"name": "Taken"}), 404)
    org_a.refresh_from_db()
    assert org_a.name == "Museo Privado"


def test_no_token_or_a_wrong_one_is_refused(org_a):
    _is_problem(Api().get("/organisations/"), 401)
    _is_problem(Api("hub_not-a-real-token").get("/organisations/"), 401)


def test_a_token_in_the_query_string_is_refused(api_a, org_a, member_a, affiliate_a):
    secret = _token(member_a, affiliate_a)
    body = _is_problem(Client().get(f"{API}/organisations/?token={secret}"), 400)
    assert "Authorization" in body["detail"]


def test_a_revoked_token_is_refused(member_a, affiliate_a, org_a):
    row, secret = tokens.create_token(
        actor=member_a, affiliate=affiliate_a, name="x", can_write=False
    )
    assert Api(secret).get("/organisations/").status_code == 200
    tokens.revoke_token(actor=member_a, token=row)
    _is_problem(Api(secret).get("/organisations/"), 401)


def test_a_token_stops_when_its_person_leaves_the_affiliate(member_a, affiliate_a, org_a):
    secret = _token(member_a, affiliate_a)
    member_a.memberships.all().delete()
    _is_problem(Api(secret).get("/organisations/"), 401)


def test_a_read_only_token_cannot_write(reader_a, org_a):
    _is_problem(reader_a.post("/organisations/", {"name": "New"}), 403)
    _is_problem(reader_a.patch(f"/organisations/{org_a.pk}/", {"name": "Changed"}), 403)
    assert Organisation.objects.count() == 1


def test_a_viewers_token_cannot_be_read_write(viewer_a, affiliate_a):
    with pytest.raises(tokens.ValidationError):
        tokens.create_token(actor=viewer_a, affiliate=affiliate_a, name="x", can_write=True)


def test_creates_and_changes_an_organisation_through_the_service(api_a, member_a):
    created = api_a.post(
        "/organisations/",
        {"name": "Archivo", "country": "es", "partner_type": "archive", "tags": ["glam"]},
    )
    assert created.status_code == 201, created.content
    org = Organisation.objects.get(pk=created.json()["id"])
    assert (org.name, str(org.country.code), org.region) == ("Archivo", "ES", "nwe")
    assert created["Location"].endswith(f"/organisations/{org.pk}/")
    changed = api_a.patch(f"/organisations/{org.pk}/", {"city": "Madrid"})
    assert changed.status_code == 200 and changed.json()["city"] == "Madrid"
    actions = list(AuditEvent.objects.filter(target_id=org.pk).values_list("action", "actor"))
    assert ("organisation.created", member_a.pk) in actions
    assert ("organisation.updated", member_a.pk) in actions


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "colour": "red"}, "colour"),
        ({"name": 12}, "name"),
        ({"name": "X", "status": "exploded"}, "status"),
        ({"name": "X", "wikidata_qid": "not an item"}, "wikidata_qid"),
        ({"name": "X\u0000"}, "name"),
        ({}, "name"),
    ],
)
def test_bad_fields_are_listed_and_nothing_is_written(api_a, body, field):
    problem = _is_problem(api_a.post("/organisations/", body), 400)
    assert field in [e["field"] for e in problem["errors"]], problem
    assert Organisation.objects.count() == 0


def test_malformed_json_is_a_clear_problem(api_a):
    problem = _is_problem(api_a.post("/organisations/", '{"name": "X",'), 400)
    assert "JSON" in problem["title"]
    assert Organisation.objects.count() == 0


def test_a_huge_body_is_refused_unread(api_a, settings):
    settings.HUB_MAX_REQUEST_BYTES = 1000
    _is_problem(api_a.post("/organisations/", {"name": "X" * 2000}), 413)
    assert Organisation.objects.count() == 0


def test_another_affiliates_id_inside_a_body_writes_nothing(api_b, org_a, member_b, affiliate_b):
    problem = _is_problem(
        api_b.post("/partnerships/", {"title": "Stolen", "partners": [{"organisation": org_a.pk}]}),
        400,
    )
    assert problem["errors"][0]["field"] == "partners"
    _is_problem(api_b.post("/contacts/", {"name": "P", "organisation": org_a.pk}), 400)
    from hub.partners.models import Contact
    from hub.partnerships.models import Partnership

    assert not Partnership.objects.filter(title="Stolen").exists()
    assert not Contact.objects.exists()


def test_etag_answers_304_when_unchanged(api_a, org_a):
    first = api_a.get(f"/organisations/{org_a.pk}/")
    again = api_a.get(f"/organisations/{org_a.pk}/", **{"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    listing = api_a.get("/organisations/")
    assert api_a.get("/organisations/", **{"If-None-Match": listing["ETag"]}).status_code == 304


def test_if_match_refuses_a_stale_change(api_a, org_a, member_a):
    etag = api_a.get(f"/organisations/{org_a.pk}/")["ETag"]
    from hub.partners import services

    services.update_organisation(actor=member_a, organisation=org_a, city="Lisboa")
    stale = api_a.patch(f"/organisations/{org_a.pk}/", {"city": "Porto"}, **{"If-Match": etag})
    _is_problem(stale, 412)
    org_a.refresh_from_db()
    assert org_a.city == "Lisboa"
    fresh = api_a.get(f"/organisations/{org_a.pk}/")["ETag"]
    ok = api_a.patch(f"/organisations/{org_a.pk}/", {"city": "Porto"}, **{"If-Match": fresh})
    assert ok.status_code == 200 and ok.json()["city"] == "Porto"


def test_rate_limit_per_token(api_a, reader_a, org_a, settings):
    settings.HUB_API_RATE = "3/m"
    for _ in range(3):
        assert api_a.get("/organisations/").status_code == 200
    problem = _is_problem(api_a.get("/organisations/"), 429)
    assert "Wait" in problem["detail"]
    # Another token has its own count.
    assert reader_a.get("/organisations/").status_code == 200


def test_unknown_address_and_method_answer_problem_json(api_a, org_a):
    _is_problem(api_a.get("/no-such-thing/"), 404)
    _is_problem(api_a.client.delete(f"{API}/organisations/{org_a.pk}/", headers=api_a.headers), 405)


def test_pages_lists(api_a, affiliate_a, member_a):
    for n in range(3):
        factories.organisation(affiliate_a, actor=member_a, name=f"Org {n}")
    first = api_a.get("/organisations/?page_size=2").json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["previous"] is None
    second = Client().get(first["next"], headers=api_a.headers).json()
    assert [o["name"] for o in second["results"]] == ["Org 2"] and second["next"] is None


def test_last_use_is_recorded(member_a, affiliate_a, org_a):
    row, secret = tokens.create_token(
        actor=member_a, affiliate=affiliate_a, name="x", can_write=False
    )
    assert row.last_used_at is None
    Api(secret).get("/organisations/")
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_token_is_made_on_the_account_page_and_shown_once(client_a, affiliate_a, org_a):
    from hub.api.models import ApiToken

    account = client_a.get("/account/")
    assert b"/account/api-tokens/" in account.content
    made = client_a.post(
        "/account/api-tokens/",
        {"name": "OpenRefine", "affiliate": affiliate_a.pk, "can_write": "on"},
        follow=True,
    )
    page = made.content.decode()
    row = ApiToken.objects.get()
    secret = page.split('id="api-token" type="text" readonly value="', 1)[1].split('"', 1)[0]
    assert secret.startswith(row.prefix) and row.token_hash != secret
    assert row.can_write and secret not in client_a.get("/account/api-tokens/").content.decode()
    assert Api(secret).get("/organisations/").status_code == 200
    client_a.post(f"/account/api-tokens/{row.pk}/revoke/")
    _is_problem(Api(secret).get("/organisations/"), 401)


def test_a_viewer_cannot_make_a_read_write_token_on_the_page(viewer_a, affiliate_a):
    from hub.api.models import ApiToken

    client = Client()
    client.force_login(viewer_a)
    response = client.post(
        "/account/api-tokens/",
        {"name": "Script", "affiliate": affiliate_a.pk, "can_write": "on"},
    )
    assert response.status_code == 400
    assert "read its data, not change it" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_for_another_affiliate_cannot_be_made(client_a, affiliate_b):
    from hub.api.models import ApiToken

    response = client_a.post("/account/api-tokens/", {"name": "X", "affiliate": affiliate_b.pk})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_writes_of_every_resource_go_through_the_services(api_a, org_a, member_a):
    contact = api_a.post(
        "/contacts/",
        {"name": "Ana", "organisation": org_a.pk, "emails": ["ana@example.org"]},
    )
    assert contact.status_code == 201, contact.content
    logged = api_a.post(
        "/interactions/",
        {
            "organisation": org_a.pk,
            "date": "2026-11-02",
            "summary": "Call about scans",
            "contacts": [contact.json()["id"]],
        },
    )
    assert logged.status_code == 201, logged.content
    assert logged.json()["contacts"] == [contact.json()["id"]]
    partnership = api_a.post(
        "/partnerships/",
        {"title": "Scans", "partners": [{"organisation": org_a.pk}], "goals": ["content"]},
    )
    assert partnership.status_code == 201, partnership.content
    pid = partnership.json()["id"]
    assert partnership.json()["partners"][0]["name"] == "Museo Privado"
    activity = api_a.post(
        "/activities/",
        {
            "partnership": pid,
            "kind": "editathon",
            "title": "Edit-a-thon",
            "starts_on": "2026-11-20",
            "partners": [org_a.pk],
        },
    )
    assert activity.status_code == 201, activity.content
    contribution = api_a.post(
        "/contributions/",
        {
            "partnership": pid,
            "organisation": org_a.pk,
            "kind": "financial",
            "received_on": "2026-11-20",
            "amount": "250.00",
            "currency": "EUR",
        },
    )
    assert contribution.status_code == 201, contribution.content
    changed = api_a.patch(f"/partnerships/{pid}/", {"summary": "Digitised posters"})
    assert changed.json()["summary"] == "Digitised posters"
    changed = api_a.patch(f"/activities/{activity.json()['id']}/", {"participants": 12})
    assert changed.json()["participants"] == 12
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "contact.created",
        "interaction.logged",
        "partnership.created",
        "partnership.updated",
        "activity.created",
        "activity.updated",
        "contribution.added",
    } <= actions
    for path in ("/contacts/", "/interactions/", "/partnerships/", "/activities/"):
        assert api_a.get(path).json()["count"] == 1, path
    assert api_a.get(f"/contributions/?partnership={pid}").json()["count"] == 1
