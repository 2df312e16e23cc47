"""The partner directory pages, as a member, another affiliate's member and a visitor see them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.core.models import AuditEvent
from hub.partners.models import Contact, Interaction, Organisation
from tests import factories

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: object) -> str:
    return reverse(f"partners:{name}", kwargs={"slug": "alpha", **kwargs})


def test_member_creates_organisation_and_sees_it_on_its_page(client_a, affiliate_a):
    response = client_a.post(
        url("organisation_create"),
        {
            "name": "Museo Nacional de Bellas Artes",
            "partner_type": "museum",
            "status": "active",
            "country": "CL",
            "city": "Santiago",
            "website": "https://www.mnba.gob.cl",
            "wikidata_qid": "q2915040",
            "tags": "GLAM, WikiGap",
            "other_names": "MNBA",
            "description": "<script>alert(1)</script>",
        },
    )
    org = Organisation.objects.get(affiliate=affiliate_a)
    assert response.status_code == 302
    assert org.region == "lac"
    assert org.wikidata_qid == "Q2915040"
    assert sorted(t.name for t in org.tags.all()) == ["GLAM", "WikiGap"]
    page = client_a.get(url("organisation_detail", pk=org.pk)).content.decode()
    assert "Museo Nacional de Bellas Artes" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "created the organisation" in page


def test_invalid_qid_and_country_are_explained_and_nothing_saved(client_a, affiliate_a):
    response = client_a.post(
        url("organisation_create"),
        {
            "name": "X",
            "partner_type": "museum",
            "status": "active",
            "country": "ZZ",
            "wikidata_qid": "P31",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "is not a Wikidata item id" in text
    assert "ZZ" in text and "valid choice" in text
    assert not Organisation.objects.exists()


def test_overlong_name_is_refused(client_a):
    response = client_a.post(
        url("organisation_create"),
        {"name": "M" * 500, "partner_type": "museum", "status": "active"},
    )
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()
    assert not Organisation.objects.exists()


def test_duplicate_warning_then_create_anyway(client_a, affiliate_a):
    factories.organisation(affiliate_a, name="Polish National Museum", website="https://mnw.art.pl")
    data = {
        "name": "The Polish National Museum",
        "partner_type": "museum",
        "status": "prospect",
        "website": "http://www.mnw.art.pl/en/",
    }
    response = client_a.post(url("organisation_create"), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "You may already have this organisation" in text
    assert "same website" in text and "same name" in text
    assert Organisation.objects.count() == 1
    response = client_a.post(url("organisation_create"), {**data, "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert Organisation.objects.count() == 2


def test_search_finds_by_other_name_city_and_contact_email(client_a, affiliate_a):
    org = factories.organisation(
        affiliate_a,
        name="Institut Royal de la Culture Amazighe",
        other_names="IRCAM",
        city="Rabat",
        country="MA",
    )
    factories.contact(org, name="Amina Example", emails="amina@ircam.example")
    factories.organisation(affiliate_a, name="Reading Network", city="Marrakesh")
    for q in ("ircam", "RABAT", "amina@ircam", "institut royal", "Amazighe"):
        text = client_a.get(url("organisation_list"), {"q": q}).content.decode()
        assert "Institut Royal de la Culture Amazighe" in text, q
        assert "Reading Network" not in text, q


def test_search_ignores_accents(client_a, affiliate_a):
    factories.organisation(affiliate_a, name="Museu de São Paulo")
    text = client_a.get(url("organisation_list"), {"q": "sao paulo"}).content.decode()
    assert "Museu de São Paulo" in text


def test_filters_and_sorting(client_a, affiliate_a):
    factories.organisation(
        affiliate_a,
        name="Archive A",
        partner_type="archive",
        country="CL",
        status="active",
        tags=["GLAM"],
    )
    factories.organisation(
        affiliate_a, name="School B", partner_type="school", country="UA", status="prospect"
    )
    cases = {
        "type=archive": "Archive A",
        "country=UA": "School B",
        "region=lac": "Archive A",
        "status=prospect": "School B",
        "tag=GLAM": "Archive A",
    }
    for query, expected in cases.items():
        text = client_a.get(url("organisation_list") + "?" + query).content.decode()
        other = "School B" if expected == "Archive A" else "Archive A"
        assert expected in text and other not in text, query
    text = client_a.get(url("organisation_list") + "?sort=-name").content.decode()
    assert text.index("School B") < text.index("Archive A")


def test_list_paginates(client_a, affiliate_a):
    for i in range(55):
        factories.organisation(affiliate_a, name=f"Library {i:02d}")
    first = client_a.get(url("organisation_list")).content.decode()
    second = client_a.get(url("organisation_list"), {"page": 2}).content.decode()
    assert "Library 00" in first and "Library 54" not in first
    assert "Library 54" in second and "Page 2 of 2" in second


def test_archive_hides_from_list_and_restore_brings_back(client_a, affiliate_a):
    org = factories.organisation(affiliate_a, name="Dormant Gallery")
    client_a.post(url("organisation_archive", pk=org.pk))
    assert "Dormant Gallery" not in client_a.get(url("organisation_list")).content.decode()
    assert (
        "Dormant Gallery"
        in client_a.get(url("organisation_list"), {"archived": "1"}).content.decode()
    )
    client_a.post(url("organisation_archive", pk=org.pk), {"restore": "1"})
    assert "Dormant Gallery" in client_a.get(url("organisation_list")).content.decode()


def test_contact_interaction_follow_up_flow(client_a, affiliate_a, member_a):
    org = factories.organisation(affiliate_a, name="ECLAC")
    response = client_a.post(
        url("contact_create"),
        {
            "name": "Carla Example",
            "organisation": org.pk,
            "emails": "carla@cepal.example\nCarla.Two@cepal.example",
            "legal_basis": "consent",
            "legal_basis_source": "signed form",
            "legal_basis_date": "2026-10-01",
        },
    )
    assert response.status_code == 302, response.content.decode()
    contact = Contact.objects.get()
    assert contact.email_list == ["carla@cepal.example", "carla.two@cepal.example"]
    due = timezone.localdate() + dt.timedelta(days=3)
    response = client_a.post(
        url("interaction_create", pk=org.pk),
        {
            "date": timezone.localdate().isoformat(),
            "kind": "meeting",
            "summary": "Agreed on a data upload of statistics.",
            "contacts": [contact.pk],
            "users": [member_a.pk],
            "follow_up_on": due.isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()
    work = client_a.get(url("my_work")).content.decode()
    assert "ECLAC" in work and due.isoformat() in work and "mine" in work
    interaction = Interaction.objects.get()
    client_a.post(url("follow_up_done", pk=interaction.pk))
    assert "ECLAC" not in client_a.get(url("my_work")).content.decode().split("Recently touched")[0]


def test_bad_email_is_explained(client_a):
    response = client_a.post(
        url("contact_create"),
        {"name": "Joseph", "emails": "joseph-email.com", "legal_basis": "consent"},
    )
    assert response.status_code == 200
    assert "is not a valid e-mail address" in response.content.decode()
    assert not Contact.objects.exists()


def test_follow_up_before_interaction_is_refused(client_a, affiliate_a):
    org = factories.organisation(affiliate_a)
    response = client_a.post(
        url("interaction_create", pk=org.pk),
        {"date": "2026-05-10", "kind": "call", "summary": "x", "follow_up_on": "2026-05-01"},
    )
    assert "before the interaction" in response.content.decode()
    assert not Interaction.objects.exists()


def test_merge_moves_contacts_interactions_and_tags(client_a, affiliate_a):
    keep = factories.organisation(affiliate_a, name="Smithsonian Institution", tags=["GLAM"])
    dup = factories.organisation(
        affiliate_a, name="Smithsonian", website="https://si.edu", tags=["USA"]
    )
    factories.contact(dup, name="Sam Example")
    factories.interaction(dup)
    response = client_a.post(url("organisation_merge", pk=keep.pk), {"duplicate": dup.pk})
    assert response.status_code == 302
    keep.refresh_from_db()
    dup.refresh_from_db()
    assert keep.contacts.count() == 1 and keep.interactions.count() == 1
    assert {t.name for t in keep.tags.all()} == {"GLAM", "USA"}
    assert keep.website == "https://si.edu" and "Smithsonian" in keep.other_names_list
    assert dup.archived_at is not None
    event = AuditEvent.objects.get(action="organisation.merged_in")
    assert event.changes["moved"][1]["contacts"] == 1


def test_other_affiliate_gets_404_everywhere(client_b, affiliate_a):
    org = factories.organisation(affiliate_a, name="Secret partner")
    contact = factories.contact(org)
    interaction = factories.interaction(org)
    for name, kwargs in [
        ("organisation_detail", {"pk": org.pk}),
        ("organisation_edit", {"pk": org.pk}),
        ("contact_detail", {"pk": contact.pk}),
        ("interaction_edit", {"pk": interaction.pk}),
        ("organisation_list", {}),
        ("my_work", {}),
    ]:
        assert client_b.get(url(name, **kwargs)).status_code == 404, name


def test_member_of_b_cannot_reach_a_object_through_own_affiliate(
    client_b, affiliate_a, affiliate_b
):
    org = factories.organisation(affiliate_a, name="Secret partner")
    response = client_b.get(
        reverse("partners:organisation_detail", kwargs={"slug": "beta", "pk": org.pk})
    )
    assert response.status_code == 404
    response = client_b.post(
        reverse(
            "partners:organisation_merge",
            kwargs={"slug": "beta", "pk": factories.organisation(affiliate_b).pk},
        ),
        {"duplicate": org.pk},
    )
    org.refresh_from_db()
    assert org.archived_at is None


def test_viewer_cannot_change_anything(affiliate_a, viewer_a):
    from django.test import Client

    client = Client()
    client.force_login(viewer_a)
    org = factories.organisation(affiliate_a)
    assert client.get(url("organisation_detail", pk=org.pk)).status_code == 200
    assert client.get(url("organisation_create")).status_code == 403
    assert client.post(url("organisation_archive", pk=org.pk)).status_code == 403


def test_member_cannot_erase_but_manager_can(client_a, affiliate_a):
    org = factories.organisation(affiliate_a)
    contact = factories.contact(org, name="Erin Erasable", emails="erin@example.org")
    factories.organisation(affiliate_a)  # unrelated
    assert (
        client_a.post(url("contact_erase", pk=contact.pk), {"confirm": "erase"}).status_code == 403
    )
    from django.test import Client

    manager = factories.member(affiliate_a, username="mona", role="manager")
    client = Client()
    client.force_login(manager)
    assert client.post(url("contact_erase", pk=contact.pk), {"confirm": "erase"}).status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not AuditEvent.objects.filter(target_repr__contains="Erin").exists()
    assert not AuditEvent.objects.filter(changes__icontains="erin@example.org").exists()
    org.refresh_from_db()
    assert "erin" not in org.search_text


def test_manager_downloads_a_persons_data(affiliate_a):
    from django.test import Client

    org = factories.organisation(affiliate_a, name="UNFPA")
    contact = factories.contact(org, name="Olena Example", emails="olena@example.org")
    factories.interaction(org, contacts=[contact], summary="Planned a WikiGap edit-a-thon.")
    manager = factories.member(affiliate_a, username="mona", role="manager")
    client = Client()
    client.force_login(manager)
    response = client.get(url("contact_data", pk=contact.pk))
    assert response.status_code == 200
    data = response.json()
    assert data["emails"] == ["olena@example.org"] and data["organisation"] == "UNFPA"
    assert data["interactions"][0]["summary"] == "Planned a WikiGap edit-a-thon."
    assert data["history"][0]["action"] == "contact.created"


def test_timeline_names_changed_fields_in_words(client_a, affiliate_a, member_a):
    from hub.partners import services

    org = factories.organisation(affiliate_a, name="Serlo", partner_type="ngo")
    services.update_organisation(actor=member_a, organisation=org, partner_type="foundation")
    page = client_a.get(url("organisation_detail", pk=org.pk)).content.decode()
    assert "<strong>partner type</strong>: ngo → foundation" in page
    assert "changed the organisation" in page


def test_contact_with_a_known_email_is_flagged_then_saved_on_confirmation(client_a, affiliate_a):
    org = factories.organisation(affiliate_a, name="American Chemical Society")
    factories.contact(org, name="Pat Example", emails="pat@acs.example")
    data = {"name": "Patricia Example", "emails": "PAT@acs.example", "legal_basis": "consent"}
    response = client_a.post(url("contact_create"), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "You may already have this person" in text and "Pat Example" in text
    assert Contact.objects.count() == 1
    response = client_a.post(url("contact_create"), {**data, "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert Contact.objects.count() == 2


def test_editing_a_contact_does_not_flag_itself(client_a, affiliate_a):
    org = factories.organisation(affiliate_a)
    contact = factories.contact(org, name="Sam", emails="sam@example.org")
    response = client_a.post(
        url("contact_edit", pk=contact.pk),
        {"name": "Sam Example", "emails": "sam@example.org", "legal_basis": "consent"},
    )
    assert response.status_code == 302


def test_filter_form_keeps_what_was_chosen_and_show_archived_works(client_a, affiliate_a):
    org = factories.organisation(affiliate_a, name="Old Gallery", partner_type="gallery")
    from hub.partners import services

    services.archive_organisation(actor=None, organisation=org)
    html = client_a.get(
        url("organisation_list"), {"type": "gallery", "archived": "1", "q": "old"}
    ).content.decode()
    assert "Old Gallery" in html
    assert '<option value="gallery" selected>' in html
    assert 'name="archived" value="1" id="id_archived" checked' in html
    assert 'value="old"' in html


def test_new_interaction_form_starts_on_today(client_a, affiliate_a):
    org = factories.organisation(affiliate_a)
    page = client_a.get(url("interaction_create", pk=org.pk)).content.decode()
    assert f'name="date" value="{timezone.localdate().isoformat()}"' in page
