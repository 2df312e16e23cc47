"""Import modes: the valid rows only (with a file of the rest), filling in or overwriting what
the directory has, and the Hub's own export coming back without loss."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hub.core.exports import write_csv
from hub.partners import exports, imports, selectors, services
from hub.partners.models import Contact, ImportBatch, Organisation
from tests import factories
from tests.test_import_views import upload

pytestmark = pytest.mark.django_db


def import_rows(affiliate: Any, rows: list[list[str]], **options: Any) -> imports.ImportCounts:
    data = write_csv(rows[1:], rows[0])
    table = imports.read_bytes(data, "file.csv")
    return imports.apply_import(
        actor=None,
        affiliate=affiliate,
        table=table,
        mapping=imports.guess_mapping(table.headers),
        **options,
    )


# --- the valid rows only ---------------------------------------------------------------------


def test_the_valid_rows_are_imported_and_the_rejected_ones_offered_as_a_file(
    client_a: Client, affiliate_a: Any
) -> None:
    data = (
        b"Organisation,Country,Email\r\n"
        b"Museum A,France,a@museum.example\r\n"
        b"Museum B,Atlantis,b@museum.example\r\n"
        b"Museum C,Chile,not an address\r\n"
        b"Museum D,Peru,\r\n"
    )
    upload(client_a, data)
    batch = ImportBatch.objects.get()
    preview = reverse("partners:import_preview", kwargs={"slug": "alpha", "pk": batch.pk})
    mapping = {f"col_{i}": f for i, f in enumerate(batch.mapping)}
    client_a.post(preview, mapping | {"invalid_rows": "valid"})
    page = client_a.get(preview).content.decode()
    assert "Import the 2 valid rows" in page

    response = client_a.post(
        reverse("partners:import_confirm", kwargs={"slug": "alpha", "pk": batch.pk})
    )
    status = reverse("partners:import_status", kwargs={"slug": "alpha", "pk": batch.pk})
    assert response["Location"] == status
    assert set(Organisation.objects.values_list("name", flat=True)) == {"Museum A", "Museum D"}
    page = client_a.get(status).content.decode()
    assert "2 rows could not be imported." in page

    download = client_a.get(
        reverse("partners:import_rejected", kwargs={"slug": "alpha", "pk": batch.pk})
    )
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["Organisation", "Country", "Email", "Why this row was not imported"]
    assert [r[0] for r in rows[1:]] == ["Museum B", "Museum C"]
    assert "Atlantis" in rows[1][3] and "not a country" in rows[1][3]
    assert "not a valid e-mail address" in rows[2][3]


def test_the_rejected_rows_file_is_another_affiliates_404(
    client_a: Client, client_b: Client, affiliate_a: Any
) -> None:
    upload(client_a, b"Organisation,Country\r\nA,France\r\nB,Atlantis\r\n")
    batch = ImportBatch.objects.get()
    services_batch = imports.set_batch_mapping(
        batch=batch, mapping=batch.mapping, invalid_rows="valid"
    )
    imports.apply_batch(actor=None, batch=services_batch)
    url = reverse("partners:import_rejected", kwargs={"slug": "alpha", "pk": batch.pk})
    assert client_a.get(url).status_code == 200
    assert client_b.get(url).status_code == 404
    assert Client().get(url).status_code in (302, 404)


def test_rows_leaning_on_a_rejected_row_are_left_out_with_it(affiliate_a: Any) -> None:
    counts = import_rows(
        affiliate_a,
        [
            ["Organisation", "Website", "Name", "Email"],
            ["Museum", "not a website!", "", ""],
            ["Museum", "", "Kari Nordmann", "kari@museum.example"],
            ["Library", "library.example", "", ""],
        ],
        keep_valid=True,
    )
    assert counts.rows == 1 and counts.rejected == 2
    assert "comes from row 2" in counts.rejected_reasons[3]
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Library"]
    assert not Contact.objects.exists()


def test_all_or_nothing_stays_the_default(affiliate_a: Any) -> None:
    with pytest.raises(imports.ImportRejected):
        import_rows(affiliate_a, [["Organisation", "Country"], ["A", "France"], ["B", "Atlantis"]])
    assert not Organisation.objects.exists()


# --- updating what the directory has ---------------------------------------------------------


def test_fill_mode_fills_in_what_is_missing_and_keeps_the_rest(affiliate_a: Any) -> None:
    org = factories.organisation(affiliate_a, name="Museum of X", city="Oslo")
    kari = factories.contact(org, name="Kari Nordmann", emails="kari@x.example")
    counts = import_rows(
        affiliate_a,
        [
            ["Organisation", "City", "Website", "Name", "Email", "Role"],
            ["Museum of X", "Bergen", "x.example", "Kari Nordmann", "kari@x.example", "Curator"],
        ],
        existing_rows="fill",
    )
    assert (counts.organisations, counts.contacts) == (0, 0)
    assert (counts.updated_organisations, counts.updated_contacts) == (1, 1)
    org.refresh_from_db()
    kari.refresh_from_db()
    assert (org.city, org.website, org.website_domain) == ("Oslo", "https://x.example", "x.example")
    assert kari.role == "Curator"


def test_overwrite_mode_replaces_the_directorys_values(affiliate_a: Any) -> None:
    org = factories.organisation(affiliate_a, name="Museum of X", city="Oslo")
    import_rows(
        affiliate_a,
        [["Organisation", "City", "Country"], ["Museum of X", "Bergen", "Norway"]],
        existing_rows="overwrite",
    )
    org.refresh_from_db()
    assert (org.city, str(org.country.code)) == ("Bergen", "NO")
    assert org.region  # derived from the new country, as the services do


# --- the Hub's own export comes back ------------------------------------------------------------


def test_the_hub_export_maps_type_region_and_created_date() -> None:
    headers = exports.organisation_headers()
    mapping = dict(zip(headers, imports.guess_mapping(headers), strict=True))
    assert mapping["Type"] == "partner_type"
    assert mapping["Region"] == "region"
    assert mapping["Created"] == "created"
    assert mapping["Name"] == "org_name"


def directory(affiliate: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Return what a user sees of an affiliate's organisations and contacts."""
    orgs = [
        (
            o.name,
            o.other_names,
            o.partner_type,
            o.status,
            str(o.country.code) if o.country else "",
            o.region,
            o.region_overridden,
            o.city,
            o.website,
            o.wikidata_qid,
            sorted(t.name for t in o.tags.all()),
            o.created_at.replace(microsecond=0),
        )
        for o in Organisation.objects.filter(affiliate=affiliate).order_by("name")
    ]
    contacts = [
        (
            c.name,
            c.organisation.name if c.organisation else "",
            c.role,
            c.email_list,
            c.phone,
            c.preferred_language,
            c.legal_basis,
            c.legal_basis_source,
            c.legal_basis_date,
            c.do_not_contact,
        )
        for c in Contact.objects.filter(affiliate=affiliate).order_by("name")
    ]
    return orgs, contacts


def exported(affiliate: Any) -> tuple[bytes, bytes]:
    filters = selectors.OrganisationFilters()
    orgs = write_csv(exports.organisation_rows(affiliate, filters), exports.organisation_headers())
    contacts = write_csv(exports.contact_rows(affiliate), exports.contact_headers())
    return orgs, contacts


def fill_directory(affiliate: Any) -> None:
    museum = services.create_organisation(
        actor=None,
        affiliate=affiliate,
        name="Musée d'Orsay",
        other_names="MO\nOrsay",
        partner_type="museum",
        status="active",
        country="FR",
        city="Paris",
        website="https://www.musee-orsay.fr",
        wikidata_qid="Q23402",
        tags=["glam", "2026 plan"],
    )
    services.create_organisation(
        actor=None,
        affiliate=affiliate,
        name="Island Archive",
        partner_type="archive",
        country="IS",
        tags=["archives"],
    )
    services.create_contact(
        actor=None,
        affiliate=affiliate,
        organisation=museum,
        name="Anne Martin",
        emails="anne@orsay.example\nanne.martin@home.example",
        role="Curator",
        phone="+33 1 23",
        preferred_language="fr",
        legal_basis="consent",
        legal_basis_source="Met at GLAM day",
        legal_basis_date=dt.date(2025, 5, 1),
        do_not_contact=True,
    )
    # Without a source of its own, a contact imported into an empty directory would get the
    # import's ("Imported from … on …"): give it one, so the comparison is exact.
    services.create_contact(
        actor=None,
        affiliate=affiliate,
        organisation=None,
        name="Solo Expert",
        emails="",
        legal_basis_source="Wikimania 2025",
    )
    Organisation.objects.filter(affiliate=affiliate).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )


def import_export(affiliate: Any, orgs: bytes, contacts: bytes, mode: str | None) -> None:
    for data, name in ((orgs, "organisations.csv"), (contacts, "contacts.csv")):
        table = imports.read_bytes(data, name)
        imports.apply_import(
            actor=None,
            affiliate=affiliate,
            table=table,
            mapping=imports.guess_mapping(table.headers),
            existing_rows=mode,
        )


def test_the_hub_export_imports_into_an_empty_affiliate_without_loss(
    affiliate_a: Any, affiliate_b: Any
) -> None:
    fill_directory(affiliate_a)
    orgs, contacts = exported(affiliate_a)
    import_export(affiliate_b, orgs, contacts, mode="fill")
    assert directory(affiliate_b) == directory(affiliate_a)


@pytest.mark.parametrize("mode", ["fill", "overwrite"])
def test_the_hub_export_imports_back_in_update_mode_without_change(
    affiliate_a: Any, mode: str
) -> None:
    fill_directory(affiliate_a)
    before = directory(affiliate_a)
    orgs, contacts = exported(affiliate_a)
    import_export(affiliate_a, orgs, contacts, mode=mode)
    assert directory(affiliate_a) == before


def test_a_change_to_the_directory_while_rows_are_judged_is_judged_again(
    affiliate_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.partners.imports import writing

    real = writing._judged
    calls: list[Any] = []

    def judged_while_someone_adds_the_museum(*args: Any) -> Any:
        plan = real(*args)
        if not calls:
            # Another member adds the same organisation just after the rows were judged.
            factories.organisation(affiliate_a, name="Museum of X")
        calls.append(plan)
        return plan

    monkeypatch.setattr(writing, "_judged", judged_while_someone_adds_the_museum)
    with pytest.raises(imports.ImportRejected) as caught:
        import_rows(affiliate_a, [["Organisation"], ["Museum of X"]])
    assert len(calls) == 1  # judged again, and rejected the second time
    assert "already in your directory" in " ".join(caught.value.plan.rows[0].errors)
    assert Organisation.objects.filter(affiliate=affiliate_a).count() == 1
