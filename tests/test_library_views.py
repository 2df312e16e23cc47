"""Library pages: who sees what, the forms, case studies with live figures, escaped input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from hub.impact.models import ContentLink
from hub.impact.refresh import store_points
from hub.library import services
from hub.library.models import Resource
from hub.partnerships.activities import services as activities
from tests import factories
from tests import library_files as lf

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    lf.use_temporary_media(settings, tmp_path / "media")


def resource(affiliate: Any, actor: Any, visibility: str, **fields: Any) -> Resource:
    fields.setdefault("title", f"Guide ({visibility})")
    return services.create_resource(
        actor=actor, affiliate=affiliate, kind="guideline", visibility=visibility, **fields
    )


def detail(r: Resource) -> str:
    return reverse("library:resource_detail", kwargs={"pk": r.pk})


def test_visibility_on_every_reading_page(affiliate_a, member_a, client_b) -> None:
    upload = lf.stream("guide.pdf", lf.pdf("Guide"))
    public = resource(affiliate_a, member_a, "public", upload=upload)
    movement = resource(affiliate_a, member_a, "movement")
    own = resource(affiliate_a, member_a, "affiliate", title="Private partner notes")
    anonymous = Client()
    assert anonymous.get(detail(public)).status_code == 200
    assert (
        anonymous.get(reverse("library:resource_file", kwargs={"pk": public.pk})).status_code == 200
    )
    for hidden in (movement, own):
        assert anonymous.get(detail(hidden)).status_code == 404
    assert client_b.get(detail(movement)).status_code == 200
    assert client_b.get(detail(own)).status_code == 404
    listing = client_b.get(reverse("library:library")).content.decode()
    assert "Guide (movement)" in listing
    assert "Private partner notes" not in listing
    assert "Guide (movement)" not in anonymous.get(reverse("library:library")).content.decode()


def test_the_file_is_sent_as_a_download_that_cannot_run(affiliate_a, member_a, client_a):
    r = resource(affiliate_a, member_a, "movement", upload=lf.stream("a.pdf", lf.pdf("x")))
    response = client_a.get(reverse("library:resource_file", kwargs={"pk": r.pk}))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]


def test_add_a_resource_with_a_file_through_the_form(client_a, affiliate_a) -> None:
    url = reverse("library:resource_create", kwargs={"slug": affiliate_a.slug})
    response = client_a.post(
        url,
        {
            "title": "Letter of intent",
            "kind": "template",
            "template_kind": "letter_of_intent",
            "language": "en",
            "visibility": "movement",
            "topics": ["agreements"],
            "file": lf.upload("letter.docx", lf.docx("Dear minister")),
        },
    )
    made = Resource.objects.get(title="Letter of intent")
    assert response.status_code == 302
    assert made.file_kind == "docx"
    assert made.topics == ["agreements"]


def test_a_lying_file_is_refused_on_its_field_and_nothing_is_kept(client_a, affiliate_a):
    url = reverse("library:resource_create", kwargs={"slug": affiliate_a.slug})
    data = {"title": "Fake", "kind": "guideline", "language": "en", "visibility": "affiliate"}
    for name, content, words in [
        ("fake.docx", lf.pdf("x"), "not a DOCX file"),
        ("locked.pdf", lf.pdf("x", password="pw"), "protected with a password"),
        ("bomb.docx", lf.docx_bomb(), "ZIP bomb"),
    ]:
        response = client_a.post(url, {**data, "file": lf.upload(name, content)})
        assert response.status_code == 200
        assert words in response.content.decode()
    assert not Resource.objects.filter(title="Fake").exists()


def test_another_affiliate_cannot_edit_or_delete(affiliate_a, member_a, client_b, affiliate_b):
    r = resource(affiliate_a, member_a, "movement")
    for name in ("library:resource_edit", "library:resource_delete"):
        for slug in (affiliate_a.slug, affiliate_b.slug):
            url = reverse(name, kwargs={"slug": slug, "pk": r.pk})
            assert client_b.get(url).status_code == 404
            assert client_b.post(url).status_code == 404
    assert Resource.objects.filter(pk=r.pk).exists()


def test_edit_links_language_versions_and_delete(client_a, affiliate_a, member_a) -> None:
    english = resource(affiliate_a, member_a, "movement", title="Agreement")
    french = resource(affiliate_a, member_a, "movement", title="Accord", language="fr")
    url = reverse("library:resource_edit", kwargs={"slug": affiliate_a.slug, "pk": french.pk})
    response = client_a.post(
        url,
        {
            "title": "Accord type",
            "kind": "guideline",
            "language": "fr",
            "visibility": "movement",
            "translations": [english.pk],
        },
    )
    assert response.status_code == 302
    page = client_a.get(detail(english)).content.decode()
    assert "Accord type (French)" in page  # the language named, not its code
    url = reverse("library:resource_delete", kwargs={"slug": affiliate_a.slug, "pk": english.pk})
    assert client_a.post(url).status_code == 302
    assert not Resource.objects.filter(pk=english.pk).exists()


def test_results_name_each_resource_language_in_the_reader_language(
    client_a, affiliate_a, member_a
) -> None:
    resource(affiliate_a, member_a, "movement", title="Accord", language="fr")
    page = client_a.get(reverse("library:library")).content.decode()
    assert "· French ·" in page
    assert "· fr ·" not in page
    client_a.cookies["django_language"] = "es"
    assert "· Francés ·" in client_a.get(reverse("library:library")).content.decode()
    # The form's list of the same resource in other languages names them the same way.
    form = client_a.get(reverse("library:resource_create", kwargs={"slug": affiliate_a.slug}))
    assert "Accord (Francés)" in form.content.decode()


def test_hub_staff_feature_a_resource(affiliate_a, member_a, client_a) -> None:
    r = resource(affiliate_a, member_a, "movement", title="Worth reading")
    url = reverse("library:resource_feature", kwargs={"pk": r.pk})
    assert client_a.post(url, {"on": "1"}).status_code == 404
    staff = Client()
    staff.force_login(factories.member(affiliate_a, is_hub_staff=True))
    staff.post(url, {"on": "1"})
    r.refresh_from_db()
    assert r.featured
    listing = client_a.get(reverse("library:library")).content.decode()
    assert "Featured" in listing
    assert "Worth reading" in listing


def test_empty_library_says_what_to_do(client_a) -> None:
    page = client_a.get(reverse("library:library")).content.decode()
    assert "The library is empty so far" in page
    assert "Add a resource" in page
    searched = client_a.get(reverse("library:library"), {"q": "nothing"}).content.decode()
    assert "Nothing matches" in searched


def published_partnership(affiliate: Any, actor: Any) -> Any:
    org = factories.organisation(
        affiliate, actor=actor, name="Museo Nacional", partner_type="museum"
    )
    partnership = factories.partnership(
        affiliate,
        actor=actor,
        title="Museum photos",
        partners=[(org, "main")],
        visibility="published",
        expected_outcomes="5,000 photos on Commons",
    )
    activities.create_activity(
        actor=actor,
        partnership=partnership,
        kind="media_upload",
        title="Upload of the photo archive",
        starts_on=dt.date(2026, 3, 1),
    )
    return partnership


def set_figure(partnership: Any, value: int) -> None:
    """Store the link's newest count of files in use, as a refresh does on 2026-11-20."""
    link, _new = ContentLink.objects.get_or_create(
        affiliate=partnership.affiliate,
        partnership=partnership,
        kind=ContentLink.Kind.COMMONS_CATEGORY,
        wiki_url="https://commons.wikimedia.org",
        target="Museum photos",
    )
    point: dict[str, Any] = {
        "metric": "files_in_use",
        "month": None,
        "value": value,
        "source": "live-api",
        "method": "",
        "detail": {},
    }
    with transaction.atomic():
        store_points(link, [point], dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC))


def test_case_study_from_a_published_partnership_with_live_figures(
    client_a, affiliate_a, member_a, client_b
) -> None:
    partnership = published_partnership(affiliate_a, member_a)
    set_figure(partnership, 1240)
    page = reverse(
        "partnerships:partnership_detail", kwargs={"slug": affiliate_a.slug, "pk": partnership.pk}
    )
    assert "Write a case study" in client_a.get(page).content.decode()
    url = reverse(
        "library:case_study_create", kwargs={"slug": affiliate_a.slug, "pk": partnership.pk}
    )
    response = client_a.post(
        url,
        {
            "title": "How we brought a museum's photos to Commons",
            "language": "en",
            "visibility": "movement",
            "what_worked": "A curator who cared",
            "what_did_not": "Metadata in three spreadsheets",
            "advice": "Agree on the licence first",
        },
    )
    assert response.status_code == 302
    made = Resource.objects.get(kind="case_study")
    assert made.partner_types == ["museum"]
    assert made.activity_kinds == ["media_upload"]
    shown = client_b.get(detail(made)).content.decode()
    for words in ("Museo Nacional", "Upload of the photo archive", "5,000 photos on Commons"):
        assert words in shown
    assert "1,240" in shown and "Live from the wiki" in shown and "2026-11-20" in shown
    assert "Agree on the licence first" in shown
    set_figure(partnership, 2000)  # kept current: read when shown, not copied
    assert "2,000" in client_b.get(detail(made)).content.decode()
    found = client_b.get(reverse("library:library"), {"q": "museo"}).content.decode()
    assert "<mark>Museo</mark> Nacional" in found
    # Unpublished again: the movement no longer sees it; its own affiliate does.
    whole = client_b.get(reverse("library:library")).context["results"]
    assert {v.value for f in whole.facets for v in f.values if f.name == "kind"} == {"case_study"}
    partnership.visibility = "private"
    partnership.save()
    assert client_b.get(detail(made)).status_code == 404
    # The library's counts, kept between visits, follow at once.
    whole = client_b.get(reverse("library:library")).context["results"]
    assert whole.total == 0 and whole.facets == []
    assert client_a.get(reverse("library:library")).context["results"].total == 1
    assert client_a.get(detail(made)).status_code == 200


def test_no_case_study_of_an_unpublished_partnership(client_a, affiliate_a, member_a) -> None:
    partnership = factories.partnership(affiliate_a, actor=member_a, title="Quiet")
    url = reverse(
        "library:case_study_create", kwargs={"slug": affiliate_a.slug, "pk": partnership.pk}
    )
    assert "Publish it first" in client_a.get(url).content.decode()
    response = client_a.post(url, {"title": "X", "language": "en", "visibility": "movement"})
    assert "Publish it first" in response.content.decode()
    assert not Resource.objects.exists()


def test_script_in_every_text_field_is_shown_escaped(client_a, affiliate_a, member_a) -> None:
    partnership = published_partnership(affiliate_a, member_a)
    made = services.create_case_study(
        actor=member_a,
        partnership=partnership,
        title=f"Title {SCRIPT}",
        summary=f"Summary {SCRIPT}",
        author=f"Author {SCRIPT}",
        what_worked=f"Worked {SCRIPT}",
        what_did_not=f"Not {SCRIPT}",
        advice=f"Advice {SCRIPT}",
    )
    services.update_resource(actor=member_a, resource=made, body=f"Body {SCRIPT}")
    pages = [
        client_a.get(detail(made)),
        client_a.get(reverse("library:library")),
        client_a.get(reverse("library:library"), {"q": "alert script title"}),
        client_a.get(reverse("library:library"), {"q": SCRIPT}),
        client_a.get(
            reverse("library:resource_edit", kwargs={"slug": affiliate_a.slug, "pk": made.pk})
        ),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert SCRIPT not in html
    assert "&lt;script&gt;" in pages[0].content.decode()
    assert "<mark>" in pages[2].content.decode()
