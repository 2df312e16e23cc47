"""Choosing an organisation by searching: small pages at any directory size, with or without JS."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hub.partners.keys import organisation_search_text
from hub.partners.models import Contact, Organisation
from hub.partners.pickers import MATCH_LIMIT
from hub.partnerships.models import Partnership
from tests import factories

pytestmark = pytest.mark.django_db

# Enough organisations that a page listing them all would show it; the point holds at 10,000.
MANY = 300


def _bulk_organisations(affiliate: Any, count: int = MANY) -> None:
    names = [f"Bulk museum {n:04d}" for n in range(count)]
    Organisation.objects.bulk_create(
        Organisation(
            affiliate=affiliate,
            name=name,
            search_text=organisation_search_text(
                name=name, other_names="", city="", website_domain="", wikidata_qid=""
            ),
        )
        for name in names
    )


def _radios(page: str, name: str) -> list[str]:
    """Return the values of the radio buttons named name."""
    return re.findall(rf'<input type="radio" name="{name}" value="([^"]*)"', page)


def _partner_url(name: str, **kwargs: Any) -> str:
    return reverse(f"partnerships:{name}", kwargs={"slug": "alpha", **kwargs})


def _form_pages(affiliate: Any, member: Any) -> list[str]:
    org = factories.organisation(affiliate, name="Chosen partner")
    p = factories.partnership(affiliate, actor=member, partners=[(org, "main")])
    contact = factories.contact(org, actor=member)
    return [
        _partner_url("partnership_create"),
        _partner_url("partnership_partners", pk=p.pk),
        reverse("partners:contact_create", kwargs={"slug": "alpha"}),
        reverse("partners:contact_edit", kwargs={"slug": "alpha", "pk": contact.pk}),
        reverse("partnerships:task_create", kwargs={"slug": "alpha"}),
    ]


def test_organisation_pickers_list_no_directory_however_large(client_a, affiliate_a, member_a):
    _bulk_organisations(affiliate_a)
    for url in _form_pages(affiliate_a, member_a):
        page = client_a.get(url).content.decode()
        assert page.count("Bulk museum") == 0, url
        assert page.count("<option") < 40, url  # roles, stages and kinds, never organisations
        assert 'type="search"' in page, url


def test_a_search_offers_at_most_twenty_matches_and_asks_for_more_words(client_a, affiliate_a):
    _bulk_organisations(affiliate_a)
    page = client_a.post(
        _partner_url("partnership_create"),
        {"title": "Kept title", "partner_0_q": "museum", "partner_0_search": "1"},
    ).content.decode()
    assert len(_radios(page, "partner_0")) == MATCH_LIMIT + 1  # the matches and "none"
    assert page.count("Bulk museum") == MATCH_LIMIT
    assert "type more of the name" in page
    assert 'value="Kept title"' in page
    assert not Partnership.objects.exists()


def test_without_javascript_a_partner_is_searched_picked_and_saved(client_a, affiliate_a):
    museo = factories.organisation(affiliate_a, name="Museo de Arte", city="Lima")
    factories.organisation(affiliate_a, name="Biblioteca Nacional")
    archived = factories.organisation(affiliate_a, name="Museo cerrado")
    Organisation.objects.filter(pk=archived.pk).update(archived_at="2026-01-01T00:00:00Z")
    data = {
        "title": "Edit-a-thon at the museum",
        "structure": "simple",
        "scope": "external",
        "initiative": "affiliate",
        "outcome_clarity": "clear",
        "visibility": "private",
        "role_0": "main",
    }
    page = client_a.post(
        _partner_url("partnership_create"),
        {**data, "partner_0_q": "museo", "partner_0_search": "1"},
    ).content.decode()
    assert _radios(page, "partner_0") == [str(museo.pk), ""]
    assert "Museo de Arte (Lima)" in page and "Museo cerrado" not in page
    assert "Choose one of the organisations found for “museo”, then save." in page
    assert 'value="Edit-a-thon at the museum"' in page  # what was typed is kept
    assert not Partnership.objects.exists()
    response = client_a.post(_partner_url("partnership_create"), {**data, "partner_0": museo.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    partnership = Partnership.objects.get()
    assert list(partnership.partners.values_list("organisation__name", flat=True)) == [
        "Museo de Arte"
    ]


def test_search_words_typed_but_not_searched_are_not_silently_dropped(client_a, affiliate_a):
    factories.organisation(affiliate_a, name="Museo de Arte")
    response = client_a.post(
        reverse("partners:contact_create", kwargs={"slug": "alpha"}),
        {"name": "Ana", "emails": "ana@example.org", "organisation_q": "museo"},
    )
    assert response.status_code == 200
    assert "Choose one of the organisations found" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_contact_is_linked_to_an_organisation_found_by_search(client_a, affiliate_a):
    museo = factories.organisation(affiliate_a, name="Museo de Arte")
    url = reverse("partners:contact_create", kwargs={"slug": "alpha"})
    typed = {"name": "Ana", "emails": "ana@example.org", "legal_basis": "consent"}
    page = client_a.post(
        url, {**typed, "organisation_q": "arte", "organisation_search": "1"}
    ).content.decode()
    assert _radios(page, "organisation") == [str(museo.pk), ""]
    assert 'value="Ana"' in page
    response = client_a.post(url, {**typed, "organisation": museo.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Contact.objects.get().organisation == museo


def test_another_affiliates_organisation_cannot_be_picked(client_a, affiliate_b):
    foreign = factories.organisation(affiliate_b, name="Museo ajeno")
    url = reverse("partners:contact_create", kwargs={"slug": "alpha"})
    page = client_a.post(
        url, {"name": "Ana", "organisation_q": "ajeno", "organisation_search": "1"}
    ).content.decode()
    assert "Museo ajeno" not in page
    response = client_a.post(url, {"name": "Ana", "organisation": foreign.pk})
    assert response.status_code == 200
    assert not Contact.objects.exists()


def test_suggestions_are_json_from_the_affiliates_own_directory(
    client_a, client_b, affiliate_a, affiliate_b
):
    factories.organisation(affiliate_a, name="Museo de Arte", city="Lima", country="PE")
    factories.organisation(affiliate_b, name="Museo de Beta")
    response = client_a.get(
        reverse("partners:organisation_suggest", kwargs={"slug": "alpha"}), {"q": "museo"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert [row["label"] for row in data["results"]] == ["Museo de Arte (Lima, PE)"]
    assert data["more"] is False and "1 organisation matches" in data["status"]
    # Another affiliate's member: 404 on A's address, only B's own on theirs.
    alpha = reverse("partners:organisation_suggest", kwargs={"slug": "alpha"})
    assert client_b.get(alpha, {"q": "museo"}).status_code == 404
    beta = reverse("partners:organisation_suggest", kwargs={"slug": "beta"})
    assert [r["label"] for r in client_b.get(beta, {"q": "museo"}).json()["results"]] == [
        "Museo de Beta"
    ]
    assert Client().get(alpha, {"q": "museo"}).status_code == 302


def test_the_suggestion_script_comes_from_our_own_origin(client_a, affiliate_a):
    page = client_a.get(_partner_url("partnership_create")).content.decode()
    assert '<script src="/static/js/picker.js" defer></script>' in page
    assert page.count("js/picker.js") == 1
    assert 'data-suggest-url="/a/alpha/organisations/suggest/"' in page
