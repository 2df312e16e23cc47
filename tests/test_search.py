"""The organisation search: substring semantics on an index that follows every change."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from hub.partners import search, selectors, services
from hub.partners.models import Contact, Organisation
from tests import factories

pytestmark = pytest.mark.django_db


def found(affiliate, q: str) -> list[str]:
    return list(
        selectors.organisation_list(affiliate, selectors.OrganisationFilters(q=q)).values_list(
            "name", flat=True
        )
    )


def test_every_word_must_be_a_substring_of_names_city_or_contacts(affiliate_a):
    ircam = factories.organisation(
        affiliate_a,
        name="Institut Royal de la Culture Amazighe",
        other_names="IRCAM",
        city="Rabat",
        country="MA",
    )
    factories.contact(ircam, name="Amina Example", emails="amina.example@ircam.example")
    factories.organisation(affiliate_a, name="Reading Network", city="Marrakesh")
    name = "Institut Royal de la Culture Amazighe"
    for q in ("cam", "ircam rabat", "AMINA.EXAMPLE@IRC", "tut roy", "Amazighe", "ra am"):
        assert found(affiliate_a, q) == [name], q
    assert found(affiliate_a, "ircam marrakesh") == []
    assert found(affiliate_a, "ad") == ["Reading Network"]  # too short for trigrams: a scan
    assert sorted(found(affiliate_a, "ra")) == [name, "Reading Network"]


def test_search_is_scoped_to_the_affiliate(affiliate_a, affiliate_b):
    factories.organisation(affiliate_a, name="Museo de Arte")
    factories.organisation(affiliate_b, name="Museo de Arte Precolombino")
    assert found(affiliate_a, "museo arte") == ["Museo de Arte"]


def test_quotes_and_search_syntax_are_just_text(affiliate_a):
    factories.organisation(affiliate_a, name='The "Quoted" Archive AND OR NOT *')
    assert found(affiliate_a, '"quoted"') == ['The "Quoted" Archive AND OR NOT *']
    assert found(affiliate_a, "AND OR NOT *") == ['The "Quoted" Archive AND OR NOT *']
    assert found(affiliate_a, 'NEAR(a b) "') == []


def test_index_follows_renames_contacts_and_deletes(affiliate_a, member_a):
    org = factories.organisation(affiliate_a, name="Polish National Museum")
    services.update_organisation(actor=member_a, organisation=org, name="Muzeum Narodowe", tags=[])
    assert found(affiliate_a, "polish") == []
    assert found(affiliate_a, "narodowe") == ["Muzeum Narodowe"]
    factories.contact(org, name="Zofia Sample", emails="zofia@mnw.example")
    assert found(affiliate_a, "zofia@mnw") == ["Muzeum Narodowe"]
    Organisation.objects.filter(pk=org.pk).delete()
    assert found(affiliate_a, "narodowe") == []
    factories.organisation(affiliate_a, name="Muzeum Narodowe w Krakowie")
    assert found(affiliate_a, "narodowe") == ["Muzeum Narodowe w Krakowie"]


def test_bulk_created_rows_are_found(affiliate_a):
    Organisation.objects.bulk_create(
        Organisation(affiliate=affiliate_a, name=f"Archive {i}", search_text=f"archive {i}")
        for i in range(3)
    )
    assert sorted(found(affiliate_a, "archive")) == ["Archive 0", "Archive 1", "Archive 2"]


def test_sqlite_triggers_come_back_after_a_migration_drops_them(affiliate_a):
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite rebuilds tables (and loses their triggers) in migrations")
    with connection.cursor() as cursor:
        for name in search.ORGANISATIONS.sqlite_triggers():
            cursor.execute(f"DROP TRIGGER {name}")
    # Written while the triggers are gone, as a rebuilt table would be.
    Organisation.objects.create(affiliate=affiliate_a, name="Archivo", search_text="archivo")
    search.repair_after_migrate(using="default")
    assert found(affiliate_a, "archivo") == ["Archivo"]
    factories.organisation(affiliate_a, name="Archivo Nacional")
    assert sorted(found(affiliate_a, "archivo")) == ["Archivo", "Archivo Nacional"]


@pytest.mark.parametrize("index", search.INDEXES, ids=lambda index: index.table)
def test_postgresql_has_the_trigram_indexes(db, index):
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE indexname = %s",
            [index.postgres_index],
        )
        (table, definition) = cursor.fetchone()
    assert table == index.table
    assert "gin_trgm_ops" in definition


@pytest.mark.parametrize("index", search.INDEXES, ids=lambda index: index.table)
def test_sqlite_has_the_fts_tables_and_triggers(db, index):
    if connection.vendor != "sqlite":
        pytest.skip("FTS5 is SQLite's")
    assert search.ensure_sqlite_triggers(connection, index) is False  # nothing was missing


@pytest.mark.parametrize(
    ("name", "q"),
    [
        ("Tromsø Museum", "tromso"),
        ("Tromsø Museum", "TROMSØ"),
        ("Muzeum Sztuki w Łodzi", "lodzi"),
        ("Łódź Film School", "Łódź"),
        ("Łódź Film School", "lodz"),
        ("Ærø Museum", "aero"),
        ("Œuvre des Musées", "oeuvre"),
        ("Straßenbahnmuseum", "strassenbahn"),
        ("Muzej Đorđa", "dorda"),
        ("Kırıkkale Library", "kirikkale"),
        ("Þjóðminjasafn Íslands", "thjodminjasafn"),
    ],
)
def test_letters_that_do_not_decompose_are_folded_too(affiliate_a, name, q):
    factories.organisation(affiliate_a, name=name)
    assert found(affiliate_a, q) == [name]


def test_duplicate_detection_folds_the_same_letters(affiliate_a):
    factories.organisation(affiliate_a, name="Straße der Museen e.V.")
    factories.organisation(affiliate_a, name="Tromsø Museum")
    for name in ("Strasse der Museen", "STRASSE DER MUSEEN"):
        matches = selectors.find_duplicate_organisations(affiliate_a, name=name)
        assert [m.organisation.name for m in matches] == ["Straße der Museen e.V."], name
    matches = selectors.find_duplicate_organisations(affiliate_a, name="Tromso museum")
    assert [m.organisation.name for m in matches] == ["Tromsø Museum"]


def test_migration_refolds_existing_rows(affiliate_a):
    migration = importlib.import_module(
        "hub.partners.migrations.0005_fold_letters_and_contact_search"
    )
    org = factories.organisation(affiliate_a, name="Tromsø Museum", city="Tromsø")
    person = factories.contact(org, name="Øystein Sample", role="Førstekonservator")
    # As the older folding left them: ø kept.
    Organisation.objects.filter(pk=org.pk).update(
        normalised_name="tromsø museum", search_text="tromsø museum tromsø"
    )
    Contact.objects.filter(pk=person.pk).update(search_text="")
    editor = SimpleNamespace(connection=connection)
    migration.refold_organisations(django_apps, editor)
    migration.fill_contact_search_text(django_apps, editor)
    org.refresh_from_db()
    person.refresh_from_db()
    assert org.normalised_name == "tromso museum"
    assert org.search_text == f"tromso museum tromso oystein sample {person.emails}"
    assert person.search_text == f"oystein sample {person.emails} forstekonservator tromso museum"
    assert found(affiliate_a, "tromso oystein") == ["Tromsø Museum"]
    assert [c.name for c in selectors.contact_list(affiliate_a, q="oystein tromso")] == [
        "Øystein Sample"
    ]
