"""Documents generated from a partnership: read back as DOCX, ODT and PDF, kept as versions."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import docx
import pypdf
import pytest
from django.test import Client
from django.urls import reverse
from odf import teletype
from odf import text as odf_text
from odf.opendocument import load

from hub.library import services as library_services
from hub.library.documents import services, templates
from hub.library.documents.templates import Source
from hub.library.models import Kind, Resource, TemplateKind, Visibility
from hub.partnerships import services as partnership_services
from hub.partnerships.activities import services as activities
from hub.partnerships.models import Document
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def museum_partnership(affiliate_a: Any, member_a: Any) -> Any:
    museum = factories.organisation(
        affiliate_a, actor=member_a, name="Nordic Museum", partner_type="museum", country="SE"
    )
    factories.contact(museum, actor=member_a, name="Karin Lind", role="Head of collections")
    partnership = factories.partnership(
        affiliate_a,
        actor=member_a,
        title="Photographs of Stockholm",
        summary="10,000 photographs of Stockholm, 1880–1950, shared under CC BY-SA.",
        partners=[(museum, "main")],
        goal_content=True,
        start_date=factories.dt.date(2026, 3, 1),
    )
    activities.create_activity(
        actor=member_a,
        partnership=partnership,
        kind="media_upload",
        title="First upload of glass plates",
        starts_on=factories.dt.date(2026, 4, 2),
        files_uploaded=1240,
    )
    activities.add_contribution(
        actor=member_a,
        partnership=partnership,
        organisation=museum,
        kind="in_kind",
        in_kind_type="venue",
        received_on=factories.dt.date(2026, 4, 2),
        amount=Decimal("500"),
        currency="SEK",
    )
    partnership_services.update_agreement(
        actor=member_a,
        partnership=partnership,
        points={
            "licences": ("agreed", "Scans are released under CC BY-SA 4.0."),
            "money": ("agreed", "The museum pays for the scanning."),
        },
    )
    return partnership


def _default(kind: str, language: str = "en") -> Source:
    found = templates.default(kind, language)
    assert found is not None
    return found


def _docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def _odt_text(data: bytes) -> str:
    document = load(io.BytesIO(data))
    nodes = document.getElementsByType(odf_text.H) + document.getElementsByType(odf_text.P)
    return "\n".join(teletype.extractText(n) for n in nodes)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _read(document: Document) -> str:
    data = document.file.open("rb").read()
    reader = {"odt": _odt_text, "docx": _docx_text, "pdf": _pdf_text}
    return reader[document.original_name.rsplit(".", 1)[1]](data)


def test_letter_of_intent_reads_back_in_every_format(museum_partnership, member_a):
    kept = services.generate_document(
        actor=member_a,
        partnership=museum_partnership,
        source=_default(TemplateKind.LETTER_OF_INTENT),
        language="en",
    )
    assert [d.original_name.rsplit(".", 1)[1] for d in kept] == ["odt", "docx", "pdf"]
    for document in kept:
        text = " ".join(_read(document).split())
        assert "Letter of intent" in text, document.original_name
        assert "Wikimedia Alpha intends to work with Nordic Museum" in text
        assert "Photographs of Stockholm" in text
        assert "Dear Karin Lind" in text
        assert "First upload of glass plates" in text
        assert "Content for Wikimedia projects" in text
        assert document.version == 1 and document.language == "en"
        assert document.generated_kind == "letter_of_intent"


def test_agreement_draft_covers_the_six_points_of_the_checklist(museum_partnership, member_a):
    kept = services.generate_document(
        actor=member_a,
        partnership=museum_partnership,
        source=_default(TemplateKind.AGREEMENT),
        language="en",
    )
    text = " ".join(_read(kept[1]).split())
    for point in (
        "Responsibilities and roles of both partners",
        "Who has authority to decide",
        "Communication process",
        "Who pays",
        "Intellectual property and licences",
        "Exit strategy and what happens after the intense phase",
    ):
        assert point in text
    assert "Scans are released under CC BY-SA 4.0." in text
    assert "The museum pays for the scanning." in text
    assert "To be settled together (Not discussed)" in text
    assert kept[0].kind == Document.Kind.AGREEMENT


def test_each_generation_is_a_new_version(museum_partnership, member_a):
    for _time in range(2):
        kept = services.generate_document(
            actor=member_a,
            partnership=museum_partnership,
            source=_default(TemplateKind.CONCEPT_NOTE),
            language="en",
        )
    assert {d.version for d in kept} == {2}
    names = sorted(museum_partnership.documents.values_list("original_name", flat=True))
    assert len(names) == 6 and sum("_v2_en." in n for n in names) == 3


def test_grant_report_and_impact_summary_carry_the_figures(museum_partnership, member_a):
    kept = services.generate_document(
        actor=member_a,
        partnership=museum_partnership,
        source=_default(TemplateKind.GRANT_REPORT_SECTION),
        language="en",
    )
    text = _read(kept[2])
    assert "Nordic Museum, In kind (Venue), 500.00 SEK" in " ".join(text.split())
    assert "Files uploaded during activities: 1,240" in text
    summary = services.draft(
        actor=member_a,
        partnership=museum_partnership,
        source=_default(TemplateKind.IMPACT_SUMMARY),
        language="en",
    )
    assert "1 activities, 1,240 files uploaded" in summary.text


def test_french_letter_uses_the_french_default_and_french_dates(museum_partnership, member_a):
    made = services.draft(
        actor=member_a,
        partnership=museum_partnership,
        source=_default(TemplateKind.LETTER_OF_INTENT, "fr"),
        language="fr",
    )
    assert "Lettre d’intention" in made.text
    assert "1 mars 2026" in made.text


def test_swedish_letter_uses_the_swedish_default_and_swedish_dates(museum_partnership, member_a):
    made = services.draft(
        actor=member_a,
        partnership=museum_partnership,
        source=_default(TemplateKind.LETTER_OF_INTENT, "sv"),
        language="sv",
    )
    assert "Avsiktsförklaring" in made.text and "Med vänliga hälsningar" in made.text
    assert "den 1 mars 2026" in made.text


def test_script_in_the_data_stays_text(affiliate_a, member_a):
    partnership = factories.partnership(
        affiliate_a, actor=member_a, title="<script>alert(1)</script> & <b>bold</b>"
    )
    kept = services.generate_document(
        actor=member_a,
        partnership=partnership,
        source=_default(TemplateKind.LETTER_OF_INTENT),
        language="en",
    )
    for document in kept:
        assert "<script>alert(1)</script> & <b>bold</b>" in _read(document)


def _library_template(affiliate: Any, body: str, **fields: Any) -> Resource:
    return library_services.create_resource(
        actor=None,
        affiliate=affiliate,
        kind=Kind.TEMPLATE,
        template_kind=fields.pop("template_kind", TemplateKind.LETTER_OF_INTENT),
        title=fields.pop("title", "Our letter"),
        body=body,
        **fields,
    )


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{{ settings.SECRET_KEY }}", "not among the placeholders offered"),
        ("{% load static %}", "“load”"),
        ("{{ partnership.__class__.__mro__ }}", "beyond the placeholders"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "beyond the placeholders"),
        ("{{ partnership.title|attr('__class__') }}", "No filter named"),
        ('{% include "/etc/passwd" %}', "cannot load other templates or files"),
        ('{% import "base.html" as base %}', "cannot load other templates or files"),
        ('{% from "base.html" import x %}', "cannot load other templates or files"),
        ('{% extends "base.html" %}', "cannot load other templates or files"),
        ("{{ request.user }}", "not among the placeholders offered"),
        ("{{ self._TemplateReference__context }}", "beyond the placeholders"),
        ("{{ 'x' * 100000000 }}", "beyond the placeholders"),
        ("{{ 9 ** 9 ** 9 }}", "beyond the placeholders"),
        ("{{ '{:>999999999}'.format(1) }}", "beyond the placeholders"),
        ("{{ '%*d' % (999999999, 1) }}", "beyond the placeholders"),
        ("{% for i in range(100000000) %}x{% endfor %}", "beyond the placeholders"),
        ("{{ partners.append(1) }}", "beyond the placeholders"),
        ("{{ partnership.title|center(999999999) }}", "No filter named"),
        (
            "{% for a in range(999) %}{% for b in range(999) %}xyz{% endfor %}{% endfor %}",
            "longer than",
        ),
        (
            "{% set a = 'a' * 9999 %}{% set b = a ~ a ~ a ~ a %}" + "{% set b = b ~ b %}" * 8,
            "beyond",
        ),
        ("{{ x", "has a mistake"),
    ],
)
def test_template_injection_is_refused_with_a_clear_message(
    museum_partnership, member_a, client_a, body, words
):
    """Refused when saved in the library if the sandbox can tell from the text; otherwise
    refused when the document is generated (and a template kept from before the check, read
    straight from the table, is refused there too)."""
    from django.core.exceptions import ValidationError

    try:
        resource = _library_template(museum_partnership.affiliate, body)
    except ValidationError as refused:
        assert words in " ".join(refused.message_dict["body"])
        resource = Resource.objects.create(  # as saved before templates were checked
            affiliate=museum_partnership.affiliate,
            kind=Kind.TEMPLATE,
            template_kind=TemplateKind.LETTER_OF_INTENT,
            title="Old letter",
            body=body,
        )
    url = reverse(
        "library_documents:generate", kwargs={"slug": "alpha", "pk": museum_partnership.pk}
    )
    params = {"kind": "letter_of_intent", "template": resource.pk, "language": "en"}
    response = client_a.post(url, params)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert b"Traceback" not in response.content
    assert not museum_partnership.documents.exists()
    assert words in client_a.get(url, params).content.decode()


def test_preview_shows_the_text_escaped_and_keeps_nothing(affiliate_a, member_a, client_a):
    partnership = factories.partnership(affiliate_a, actor=member_a, title="<script>x()</script>")
    url = reverse("library_documents:generate", kwargs={"slug": "alpha", "pk": partnership.pk})
    response = client_a.get(url, {"kind": "concept_note", "template": 0, "language": "en"})
    assert response.status_code == 200
    assert b"&lt;script&gt;x()&lt;/script&gt;" in response.content
    assert b"<script>x()" not in response.content
    assert not partnership.documents.exists()


def test_generate_keeps_three_files_and_links_from_the_partnership_page(
    museum_partnership, client_a
):
    page = reverse(
        "partnerships:partnership_detail", kwargs={"slug": "alpha", "pk": museum_partnership.pk}
    )
    url = reverse(
        "library_documents:generate", kwargs={"slug": "alpha", "pk": museum_partnership.pk}
    )
    assert url.encode() in client_a.get(page).content
    response = client_a.post(url, {"kind": "letter_of_intent", "template": 0, "language": "en"})
    assert response.status_code == 302
    listing = client_a.get(page).content.decode()
    for extension in ("odt", "docx", "pdf"):
        assert f"Letter_of_intent_-_Photographs_of_Stockholm_v1_en.{extension}</bdi></a>" in listing


def test_another_affiliates_private_template_cannot_be_used(
    museum_partnership, affiliate_b, client_a
):
    theirs = _library_template(affiliate_b, "Secret wording {{ partnership.title }}")
    shared = _library_template(
        affiliate_b, "Shared wording {{ partnership.title }}", visibility=Visibility.MOVEMENT
    )
    url = reverse(
        "library_documents:generate", kwargs={"slug": "alpha", "pk": museum_partnership.pk}
    )
    params: dict[str, Any] = {"kind": "letter_of_intent", "language": "en"}
    refused = client_a.get(url, {**params, "template": theirs.pk})
    assert b"Secret wording" not in refused.content
    assert (
        b"Shared wording Photographs of Stockholm"
        in client_a.get(url, {**params, "template": shared.pk}).content
    )


def test_viewer_may_preview_but_not_keep(museum_partnership, viewer_a):
    client = Client()
    client.force_login(viewer_a)
    url = reverse(
        "library_documents:generate", kwargs={"slug": "alpha", "pk": museum_partnership.pk}
    )
    params: dict[str, Any] = {"kind": "letter_of_intent", "template": 0, "language": "en"}
    assert client.get(url, params).status_code == 200
    assert client.post(url, params).status_code == 403
    assert not museum_partnership.documents.exists()


def test_another_affiliate_gets_404(museum_partnership, client_b):
    url = reverse(
        "library_documents:generate", kwargs={"slug": "alpha", "pk": museum_partnership.pk}
    )
    assert client_b.get(url).status_code == 404
    assert client_b.post(url, {"kind": "agreement", "language": "en"}).status_code == 404


@pytest.mark.parametrize("kind", [str(k) for k in templates.DEFAULT_KINDS])
@pytest.mark.parametrize("language", ["en", "fr", "es", "ar", "sv"])
def test_every_default_fills_in_for_a_bare_partnership(affiliate_a, member_a, kind, language):
    bare = factories.partnership(affiliate_a, actor=member_a, title="Just an idea")
    made = services.draft(
        actor=member_a, partnership=bare, source=_default(kind, language), language=language
    )
    assert "Just an idea" in made.text
    assert made.blocks


def test_a_template_that_loads_files_is_refused_when_saved(affiliate_a, member_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        _library_template(affiliate_a, 'Dear partner, {% include "/etc/passwd" %}')
    assert "cannot load other templates or files" in str(refused.value.message_dict["body"])
    assert not Resource.objects.filter(kind=Kind.TEMPLATE).exists()


ARABIC_LETTER = (
    "# خطاب نوايا\n\n"
    "نود العمل مع {{ main_partner.name }} على {{ partnership.title }}.\n\n"
    "- رفع الصور"
)


def _zip_xml(data: bytes, name: str) -> str:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read(name).decode()


def test_arabic_documents_are_right_to_left_and_keep_an_english_name(museum_partnership, member_a):
    source = Source(
        kind=TemplateKind.LETTER_OF_INTENT, title="خطاب", body=ARABIC_LETTER, language="ar"
    )
    kept = services.generate_document(
        actor=member_a, partnership=museum_partnership, source=source, language="ar"
    )
    files = {d.original_name.rsplit(".", 1)[1]: d.file.open("rb").read() for d in kept}

    word = docx.Document(io.BytesIO(files["docx"]))
    assert word.core_properties.language == "ar"
    body = _zip_xml(files["docx"], "word/document.xml")
    paragraphs = word.paragraphs
    # Every paragraph starts at the right (w:bidi), and so does the page (the section).
    assert paragraphs and all(
        p._p.pPr is not None and p._p.pPr.find(docx.oxml.ns.qn("w:bidi")) is not None
        for p in paragraphs
    )
    assert "<w:bidi/>" in body.split("<w:sectPr", 1)[1]
    line = next(p for p in paragraphs if "Nordic Museum" in p.text)
    # The English name is its own run, in its own direction; the Arabic around it is w:rtl.
    runs = {
        r.text: r._r.rPr is not None and r._r.rPr.find(docx.oxml.ns.qn("w:rtl")) is not None
        for r in line.runs
    }
    assert runs["Nordic Museum"] is False
    assert any(rtl for text, rtl in runs.items() if "نود العمل" in text)
    assert line.text == "نود العمل مع Nordic Museum على Photographs of Stockholm."
    assert 'w:bidi="ar"' in _zip_xml(files["docx"], "word/styles.xml")

    styles = _zip_xml(files["odt"], "styles.xml")
    assert 'style:writing-mode="rl-tb"' in styles and 'style:language-complex="ar"' in styles
    assert "lr-tb" not in styles
    assert "<dc:language>ar</dc:language>" in _zip_xml(files["odt"], "meta.xml")
    assert "نود العمل مع Nordic Museum على Photographs of Stockholm." in _odt_text(files["odt"])


def test_english_documents_stay_left_to_right(museum_partnership, member_a):
    kept = services.generate_document(
        actor=member_a,
        partnership=museum_partnership,
        source=_default(TemplateKind.LETTER_OF_INTENT),
        language="en",
    )
    files = {d.original_name.rsplit(".", 1)[1]: d.file.open("rb").read() for d in kept}
    assert "w:bidi" not in _zip_xml(files["docx"], "word/document.xml")
    assert "<w:rtl" not in _zip_xml(files["docx"], "word/document.xml")
    assert 'w:val="en"' in _zip_xml(files["docx"], "word/styles.xml")
    assert "rl-tb" not in _zip_xml(files["odt"], "styles.xml")
