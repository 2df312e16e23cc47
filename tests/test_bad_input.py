"""Script and HTML typed into every text field are stored as text and shown escaped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hub.partners.models import Contact, Interaction, Organisation
from tests import factories

pytestmark = pytest.mark.django_db

PAYLOAD = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def url(name: str, **kwargs: object) -> str:
    return reverse(f"partners:{name}", kwargs={"slug": "alpha", **kwargs})


def assert_escaped(html: str) -> None:
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert ESCAPED in html


ORG_TEXT_FIELDS = ["name", "other_names", "city", "description", "tags"]
CONTACT_TEXT_FIELDS = ["name", "role", "phone", "preferred_language", "legal_basis_source", "notes"]


@pytest.mark.parametrize("field", ORG_TEXT_FIELDS)
def test_organisation_fields_show_script_as_text(client_a, affiliate_a, field):
    data = {"name": "Museum", "partner_type": "museum", "status": "active", field: PAYLOAD}
    response = client_a.post(url("organisation_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organisation.objects.get()
    stored = org.description if field == "description" else None
    if stored is not None:
        assert stored == PAYLOAD
    for page in (url("organisation_detail", pk=org.pk), url("organisation_list"), url("my_work")):
        html = client_a.get(page).content.decode()
        assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert_escaped(client_a.get(url("organisation_detail", pk=org.pk)).content.decode())


@pytest.mark.parametrize("field", CONTACT_TEXT_FIELDS)
def test_contact_fields_show_script_as_text(client_a, affiliate_a, field):
    org = factories.organisation(affiliate_a, name="Archive")
    data = {"name": "Ana", "organisation": org.pk, "legal_basis": "consent", field: PAYLOAD}
    response = client_a.post(url("contact_create"), data)
    if response.status_code == 200:
        # A field with its own format refuses the payload with a message and saves nothing.
        assert "errorlist" in response.content.decode()
        assert not Contact.objects.exists()
        return
    contact = Contact.objects.get()
    for page in (
        url("contact_detail", pk=contact.pk),
        url("contact_list"),
        url("organisation_detail", pk=org.pk),
    ):
        html = client_a.get(page).content.decode()
        assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert_escaped(client_a.get(url("contact_detail", pk=contact.pk)).content.decode())


def test_interaction_summary_shows_script_as_text(client_a, affiliate_a):
    org = factories.organisation(affiliate_a)
    response = client_a.post(
        url("interaction_create", pk=org.pk),
        {"date": "2026-11-20", "kind": "call", "summary": PAYLOAD, "follow_up_on": "2026-11-25"},
    )
    assert response.status_code == 302
    assert Interaction.objects.get().summary == PAYLOAD
    for page in (url("organisation_detail", pk=org.pk), url("my_work")):
        html = client_a.get(page).content.decode()
        assert_escaped(html)


@pytest.mark.parametrize("value", ["a" * 5000, "\x00null byte", "line\r\nbreak"])
def test_odd_names_get_a_message_or_are_kept_as_typed_never_a_500(client_a, value):
    response = client_a.post(
        url("organisation_create"), {"name": value, "partner_type": "museum", "status": "active"}
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "errorlist" in response.content.decode()
        assert not Organisation.objects.exists()


def test_search_and_filters_with_odd_input_never_fail(client_a, affiliate_a):
    factories.organisation(affiliate_a, name="Library")
    for query in [
        "q=%25%25%25",
        "q=%00",
        "q=" + "x" * 5000,
        "q=%22%3Cscript%3E",
        "sort=;drop",
        "page=-1",
        "page=abc",
        "type=nonsense",
        "country=%E2%98%83",
        "tag=%00",
    ]:
        response = client_a.get(url("organisation_list") + "?" + query)
        assert response.status_code == 200, query
        assert "<script>" not in response.content.decode()
