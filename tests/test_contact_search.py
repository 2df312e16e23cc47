"""The contact search: every word a substring of name, e-mails, role or organisation's name."""

from __future__ import annotations

import pytest
from django.db import connection

from hub.core import audit
from hub.partners import search, selectors, services
from hub.partners.models import Contact
from tests import factories

pytestmark = pytest.mark.django_db


def found(affiliate, q: str, *, archived: bool = False) -> list[str]:
    return [c.name for c in selectors.contact_list(affiliate, q=q, archived=archived)]


@pytest.fixture
def people(affiliate_a):
    museum = factories.organisation(affiliate_a, name="Tromsø Museum", city="Tromsø")
    factories.contact(
        museum, name="Øystein Sample", emails="oystein@uit.example", role="Curator of Sámi art"
    )
    ircam = factories.organisation(affiliate_a, name="Institut Royal de la Culture Amazighe")
    factories.contact(
        ircam,
        name="Amina Example",
        emails="amina.example@ircam.example\namina@gmail.example",
        role="Director",
    )
    return museum, ircam


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("oyst", ["Øystein Sample"]),  # name fragment, folded
        ("ØYSTEIN", ["Øystein Sample"]),
        ("AMINA@GMAIL", ["Amina Example"]),  # the second e-mail address
        ("example@irc", ["Amina Example"]),
        ("curator", ["Øystein Sample"]),  # role
        ("sami", ["Øystein Sample"]),  # role, accent-folded
        ("tromso museum", ["Øystein Sample"]),  # organisation's name
        ("amazighe director", ["Amina Example"]),  # organisation's name and role
        ("sample", ["Øystein Sample"]),
        ("am", ["Amina Example", "Øystein Sample"]),  # too short for trigrams: a scan
        ("amina curator", []),  # every word must match the same person
        ('"amina" OR *', []),  # search syntax is just text
    ],
)
def test_finds_every_word_in_name_emails_role_or_organisation(affiliate_a, people, q, names):
    assert found(affiliate_a, q) == names


def test_contacts_without_an_organisation_are_found(affiliate_a):
    services.create_contact(actor=None, affiliate=affiliate_a, name="Łucja Freelance")
    assert found(affiliate_a, "lucja") == ["Łucja Freelance"]


def test_search_is_scoped_to_the_affiliate(affiliate_a, affiliate_b, people):
    theirs = factories.organisation(affiliate_b, name="Tromsø Museum")
    factories.contact(theirs, name="Øystein Other")
    assert found(affiliate_a, "oystein") == ["Øystein Sample"]
    assert found(affiliate_b, "oystein") == ["Øystein Other"]


def test_archived_contacts_are_only_in_the_archived_list(affiliate_a, member_a, people):
    person = Contact.objects.get(name="Amina Example")
    services.archive_contact(actor=member_a, contact=person)
    assert found(affiliate_a, "amina") == []
    assert found(affiliate_a, "amina", archived=True) == ["Amina Example"]


def test_search_follows_contact_changes(affiliate_a, member_a, people):
    museum, ircam = people
    person = Contact.objects.get(name="Øystein Sample")
    services.update_contact(
        actor=member_a, contact=person, role="Press officer", emails="press@uit.example"
    )
    assert found(affiliate_a, "curator") == []
    assert found(affiliate_a, "press@uit") == ["Øystein Sample"]
    services.update_contact(actor=member_a, contact=person, organisation=ircam)
    assert found(affiliate_a, "tromso") == []
    assert found(affiliate_a, "amazighe press") == ["Øystein Sample"]


def test_renaming_an_organisation_renames_it_in_its_contacts_search(affiliate_a, member_a, people):
    museum, _ircam = people
    person = Contact.objects.get(name="Øystein Sample")
    updated_at = person.updated_at
    services.update_organisation(actor=member_a, organisation=museum, name="Arctic Museum")
    assert found(affiliate_a, "tromso museum") == []
    assert found(affiliate_a, "arctic") == ["Øystein Sample"]
    person.refresh_from_db()
    assert person.updated_at == updated_at  # derived text only: not a change to the person
    assert not audit.events_for(person).filter(action="contact.updated").exists()


def test_merging_organisations_moves_the_contacts_search_to_the_kept_name(
    affiliate_a, member_a, people
):
    museum, _ircam = people
    kept = factories.organisation(affiliate_a, name="Norges arktiske universitetsmuseum")
    services.merge_organisations(actor=member_a, keep=kept, duplicate=museum)
    assert found(affiliate_a, "arktiske oystein") == ["Øystein Sample"]
    assert found(affiliate_a, "tromso museum") == []


@pytest.mark.parametrize("n", [3, 12])
def test_list_page_query_count_does_not_grow(affiliate_a, n, django_assert_num_queries):
    for i in range(n):
        factories.contact(factories.organisation(affiliate_a, name=f"Library {i}"))
    with django_assert_num_queries(1):  # contacts joined with their organisations
        rows = list(selectors.contact_list(affiliate_a, q="library"))
        assert all(r.organisation and r.organisation.name for r in rows)
    assert len(rows) == n


def test_sqlite_contact_triggers_come_back_after_a_migration_drops_them(affiliate_a):
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite rebuilds tables (and loses their triggers) in migrations")
    with connection.cursor() as cursor:
        for name in search.CONTACTS.sqlite_triggers():
            cursor.execute(f"DROP TRIGGER {name}")
    # Written while the triggers are gone, as a rebuilt table would be.
    Contact.objects.create(affiliate=affiliate_a, name="Ana", search_text="ana archivist")
    search.repair_after_migrate(using="default")
    assert found(affiliate_a, "archivist") == ["Ana"]
    services.create_contact(actor=None, affiliate=affiliate_a, name="Ana Two", role="Archivist")
    assert found(affiliate_a, "archivist") == ["Ana", "Ana Two"]
