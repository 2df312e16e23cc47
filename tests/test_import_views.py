"""Import pages: upload, mapping, preview and confirm, for the right people only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hub.partners.models import Contact, ImportBatch, Organisation

CSV = (
    "Organisation,Country,First name,Last name,Email,Birth date\r\n"
    "Musée du Louvre,France,Anne,Martin,anne@louvre.example,1970-01-01\r\n"
    "<script>alert('x')</script>,Côte d'Ivoire,Kofi,Mensah,kofi@example.org,\r\n"
).encode("utf-8-sig")


def upload(client: Client, data: bytes = CSV, name: str = "partners.csv") -> Any:
    """Post a file to affiliate A's import page."""
    return client.post(
        reverse("partners:import_upload", kwargs={"slug": "alpha"}),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


@pytest.fixture
def batch(client_a: Client) -> ImportBatch:
    """Return a pending batch that member A uploaded."""
    response = upload(client_a)
    assert response.status_code == 302
    return ImportBatch.objects.get()


def urls_of(batch: ImportBatch) -> list[tuple[str, str]]:
    """Return every import route of affiliate A with the method it answers."""
    kwargs = {"slug": "alpha", "pk": batch.pk}
    return [
        ("get", reverse("partners:import_upload", kwargs={"slug": "alpha"})),
        ("get", reverse("partners:import_preview", kwargs=kwargs)),
        ("post", reverse("partners:import_preview", kwargs=kwargs)),
        ("post", reverse("partners:import_confirm", kwargs=kwargs)),
        ("post", reverse("partners:import_discard", kwargs=kwargs)),
    ]


def test_member_uploads_previews_and_confirms(client_a: Client, affiliate_a: Any) -> None:
    response = upload(client_a)
    batch = ImportBatch.objects.get()
    preview_url = reverse("partners:import_preview", kwargs={"slug": "alpha", "pk": batch.pk})
    assert response["Location"] == preview_url
    assert batch.created_by is not None and batch.filename == "partners.csv"

    page = client_a.get(preview_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Birth date" in html  # listed as ignored
    assert "Musée du Louvre" in html
    # Markup from the file is shown as text, never run.
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert '<th scope="col">' in html and '<th scope="row">' in html
    assert Organisation.objects.count() == 0  # nothing written before confirming

    response = client_a.post(
        reverse("partners:import_confirm", kwargs={"slug": "alpha", "pk": batch.pk})
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:organisation_list", kwargs={"slug": "alpha"})
    assert set(
        Organisation.objects.filter(affiliate=affiliate_a).values_list("name", flat=True)
    ) == {"Musée du Louvre", "<script>alert('x')</script>"}
    assert Organisation.objects.get(name__startswith="<script>").country.code == "CI"
    assert Contact.objects.filter(affiliate=affiliate_a).count() == 2
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert batch.rows == []  # the file's personal data is not kept after the import
    assert batch.result == {"rows": 2, "organisations": 2, "contacts": 2}
    # A second confirmation finds nothing to confirm.
    again = client_a.post(
        reverse("partners:import_confirm", kwargs={"slug": "alpha", "pk": batch.pk})
    )
    assert again.status_code == 404
    assert Organisation.objects.count() == 2


def test_member_changes_the_mapping(client_a: Client, batch: ImportBatch) -> None:
    url = reverse("partners:import_preview", kwargs={"slug": "alpha", "pk": batch.pk})
    assert batch.mapping == ["org_name", "country", "first_name", "last_name", "email", "ignore"]
    wanted = ["org_name", "ignore", "first_name", "last_name", "email", "ignore"]
    response = client_a.post(url, {f"col_{i}": v for i, v in enumerate(wanted)})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.mapping == wanted
    clash = dict.fromkeys((f"col_{i}" for i in range(6)), "ignore") | {
        "col_0": "org_name",
        "col_2": "org_name",
    }
    page = client_a.post(url, clash)
    assert page.status_code == 200
    assert "both go into" in page.content.decode()
    batch.refresh_from_db()
    assert batch.mapping == wanted


def test_rejected_rows_block_the_confirmation_and_write_nothing(client_a: Client) -> None:
    data = b"Organisation,Email,Name\r\nGood,good@example.org,A B\r\nBad,not-an-address,C D\r\n"
    upload(client_a, data)
    batch = ImportBatch.objects.get()
    page = client_a.get(
        reverse("partners:import_preview", kwargs={"slug": "alpha", "pk": batch.pk})
    )
    html = page.content.decode()
    assert "“not-an-address” is not a valid e-mail address." in html
    assert reverse("partners:import_confirm", kwargs={"slug": "alpha", "pk": batch.pk}) not in html
    response = client_a.post(
        reverse("partners:import_confirm", kwargs={"slug": "alpha", "pk": batch.pk})
    )
    assert response.status_code == 302
    assert Organisation.objects.count() == Contact.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PENDING


def test_an_unreadable_file_is_refused_on_the_upload_page(client_a: Client) -> None:
    response = upload(client_a, b"\x00\x01\x02" * 50, "garbage.csv")
    assert response.status_code == 200
    assert "binary data" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_discarding_forgets_the_rows(client_a: Client, batch: ImportBatch) -> None:
    response = client_a.post(
        reverse("partners:import_discard", kwargs={"slug": "alpha", "pk": batch.pk})
    )
    assert response.status_code == 302
    assert not ImportBatch.objects.exists()


def test_another_affiliate_gets_404_on_every_import_route(
    client_b: Client, batch: ImportBatch
) -> None:
    for method, url in urls_of(batch):
        assert getattr(client_b, method)(url).status_code == 404, url
    assert ImportBatch.objects.get().status == ImportBatch.Status.PENDING


def test_a_batch_of_another_affiliate_is_404_even_under_ones_own_slug(
    batch: ImportBatch, affiliate_b: Any, member_b: Any
) -> None:
    client = Client()
    client.force_login(member_b)
    url = reverse("partners:import_preview", kwargs={"slug": "beta", "pk": batch.pk})
    assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(batch: ImportBatch) -> None:
    client = Client()
    for method, url in urls_of(batch):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert reverse("login") in response["Location"]


def test_viewers_cannot_import(viewer_a: Any, batch: ImportBatch) -> None:
    client = Client()
    client.force_login(viewer_a)
    for method, url in urls_of(batch):
        assert getattr(client, method)(url).status_code == 403, url


def test_member_chooses_to_skip_rows_already_in_the_directory(
    client_a: Client, affiliate_a: Any
) -> None:
    upload(client_a)
    first = ImportBatch.objects.get()
    client_a.post(reverse("partners:import_confirm", kwargs={"slug": "alpha", "pk": first.pk}))
    assert Organisation.objects.filter(affiliate=affiliate_a).count() == 2

    upload(client_a)
    batch = ImportBatch.objects.get(status=ImportBatch.Status.PENDING)
    url = reverse("partners:import_preview", kwargs={"slug": "alpha", "pk": batch.pk})
    html = client_a.get(url).content.decode()
    assert 'type="radio" name="existing_rows" value="reject"' in html
    assert "Skip them and keep what you have" in html
    assert "2 rows cannot be imported." in html  # rejecting is the default

    mapping = {f"col_{i}": v for i, v in enumerate(batch.mapping)}
    response = client_a.post(url, mapping | {"existing_rows": "skip"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.existing_rows == ImportBatch.ExistingRows.SKIP
    html = client_a.get(url).content.decode()
    assert "2 rows are already in your directory and will be skipped." in html
    assert "rows 2, 3." in html
    assert "there is nothing new to import" in html
    # A mapping posted without the choice keeps it.
    client_a.post(url, mapping)
    batch.refresh_from_db()
    assert batch.existing_rows == ImportBatch.ExistingRows.SKIP

    response = client_a.post(
        reverse("partners:import_confirm", kwargs={"slug": "alpha", "pk": batch.pk}), follow=True
    )
    assert "Nothing new was imported. 2 rows already in your directory were skipped." in (
        response.content.decode()
    )
    batch.refresh_from_db()
    assert batch.result == {"rows": 0, "organisations": 0, "contacts": 0, "skipped_rows": 2}
    assert Organisation.objects.filter(affiliate=affiliate_a).count() == 2
    assert Contact.objects.filter(affiliate=affiliate_a).count() == 2


def test_a_file_with_the_same_headings_gets_the_last_mapping_chosen(
    client_a: Client, client_b: Client, affiliate_a: Any
) -> None:
    upload(client_a)
    first = ImportBatch.objects.get()
    assert first.mapping[-1] == "ignore"  # "Birth date" is not kept
    chosen = ["org_name", "country", "first_name", "last_name", "email", "notes"]
    preview = reverse("partners:import_preview", kwargs={"slug": "alpha", "pk": first.pk})
    client_a.post(preview, {f"col_{i}": f for i, f in enumerate(chosen)})

    # The same headings, in another case: the choice comes back, for this affiliate only.
    upload(client_a, CSV.decode("utf-8-sig").replace("Birth date", "BIRTH DATE").encode())
    again = ImportBatch.objects.exclude(pk=first.pk).get()
    assert again.mapping == chosen
    page = client_a.get(
        reverse("partners:import_preview", kwargs={"slug": "alpha", "pk": again.pk})
    ).content.decode()
    assert '<option value="notes" selected>' in page
    client_b.post(
        reverse("partners:import_upload", kwargs={"slug": "beta"}),
        {"file": SimpleUploadedFile("partners.csv", CSV, content_type="text/csv")},
    )
    other = ImportBatch.objects.exclude(affiliate=affiliate_a).get()
    assert other.mapping[-1] == "ignore"
