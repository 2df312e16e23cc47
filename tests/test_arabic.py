"""The Hub in Arabic, with the shipped catalogue: a page, an e-mail and a PDF are translated,
right to left, and an English partner name inside Arabic keeps its own direction."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from hub.core import pdf
from hub.core.languages import set_preferred_language
from hub.impact import services
from hub.library.documents.formats import blocks, to_pdf
from hub.partnerships.todo import reminders
from hub.partnerships.todo import services as todo
from tests.impact_fixtures import (  # noqa: F401 (fixtures)
    TODAY,
    partnership,
    pdf_text,
    refreshed,
    world,
)

HUB = "مركز الشراكات"


@pytest.fixture(autouse=True)
def _default_language_after() -> Any:
    """Put the default language back after each test: an Arabic request leaves Arabic active
    in the thread, and the tests of other files that follow read their messages in it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _words(text: str) -> str:
    """Return extracted PDF text with the letters' joined forms read back as plain letters."""
    return unicodedata.normalize("NFKC", text)


def test_arabic_is_offered_because_its_catalogue_is_complete():
    assert "ar" in dict(settings.LANGUAGES)
    html = Client().get(reverse("login")).content.decode()
    assert 'value="ar"' in html


def test_page_in_arabic_is_right_to_left_and_keeps_an_english_name_apart(
    client_a: Client,
    partnership: Any,  # noqa: F811
):
    client_a.post(reverse("set_language"), {"language": "ar", "next": "/"})
    url = reverse("partnerships:partnership_detail", kwargs={"slug": "alpha", "pk": partnership.pk})
    html = client_a.get(url).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert HUB in html and "تسجيل الخروج" in html  # the frame: "Partnerships Hub", "Log out"
    assert "قائمة التحقق الخاصة بالاتفاقية" in html  # "Agreement checklist"
    assert "<bdi>Nordic Museum images</bdi>" in html and "<bdi>Nordic Museum</bdi>" in html
    assert "Log out" not in html


def test_digest_email_in_arabic_reads_right_to_left(
    affiliate_a: Any, member_a: Any, django_capture_on_commit_callbacks: Any
):
    set_preferred_language(actor=member_a, user=member_a, language="ar")
    todo.create_task(
        actor=member_a,
        affiliate=affiliate_a,
        title="Scan the letters",
        assignee=member_a,
        due_on=dt.date(2026, 5, 2),
    )
    reminders.generate_reminders(dt.date(2026, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):  # sent while English is active
        assert reminders.send_digests(dt.date(2026, 5, 1)) == 1
    subject, body, to = DBTaskResult.objects.get().args_kwargs["args"]
    assert to == [member_a.email]
    assert subject.startswith(f"{HUB}: 1 ")
    assert "تذكيراتك في مركز الشراكات" in body and "Scan the letters" in body
    # A plain-text e-mail has no dir: mail programs take its direction from its first letter.
    first_letter = next(c for c in body if unicodedata.bidirectional(c) in {"L", "R", "AL"})
    assert unicodedata.bidirectional(first_letter) == "AL"


def _shaped(text: str) -> bool:
    """Say whether text holds Arabic letters in their joined (presentation) forms."""
    return any("\ufb50" <= c <= "\ufeff" for c in text)


@time_machine.travel(TODAY, tick=False)
def test_shared_report_pdf_in_arabic_has_joined_letters_right_to_left(
    refreshed: Any,  # noqa: F811
    partnership: Any,  # noqa: F811
    member_a: Any,
):
    _share, token = services.create_share_link(actor=member_a, partnership=partnership)
    url = reverse("impact:shared_report_pdf", kwargs={"token": token})
    document = Client(headers={"accept-language": "ar"}).get(url).content
    assert b"/Lang (ar)" in document and b"DejaVuSans" in document  # a font with Arabic
    raw = pdf_text(document)
    assert _shaped(raw)  # letters joined as they are drawn
    # pypdf reads each right-to-left run back in reading order.
    text = _words(raw)
    assert "تقرير الأثر" in text and "Nordic Museum images" in text  # title, English name kept
    assert "الأرقام ومصادرها" in text  # "Figures and their sources"
    assert "Impact report" not in text and "\ufffd" not in text


def test_generated_document_pdf_in_arabic_breaks_lines_before_reordering():
    filler = " ".join(["نص عربي طويل عن شراكة مع Nordic Museum"] * 30)
    text_in = f"# مذكرة مفاهيمية\n\nبداية الفقرة {filler} نهاية الفقرة"
    document = to_pdf("مذكرة", blocks(text_in), language="ar")
    assert b"/Lang (ar)" in document
    raw = pdf_text(document)
    assert _shaped(raw)
    text = _words(raw)
    assert "مذكرة مفاهيمية" in text
    # The paragraph runs over several lines, broken before each line is reordered: its first
    # words are on its first line, its last on its last (reordering the whole paragraph first
    # would put its end at the top).
    assert text.index("بداية الفقرة") < text.index("نهاية الفقرة")


def test_english_pdf_text_goes_through_unchanged():
    assert pdf.visual("Nordic Museum") == "Nordic Museum"
    with translation.override("en"):
        assert not pdf.right_to_left()
    text = pdf_text(
        to_pdf("Note", blocks("# A concept note\n\nWith Nordic Museum."), language="en")
    )
    assert "A concept note With Nordic Museum." in text


@pytest.mark.parametrize("code", ["ar"])
def test_every_plural_form_of_the_shipped_catalogue_is_filled(code: str):
    from pathlib import Path

    from hub.core.catalogues import catalogue_path, read_po

    entries = read_po(catalogue_path(Path(settings.BASE_DIR) / "locale", code))
    plurals = [e for e in entries if e.msgid_plural]
    assert plurals and all(sorted(e.msgstr) == [0, 1, 2, 3, 4, 5] for e in plurals)
    with translation.override(code):
        from django.utils.translation import ngettext

        forms = {n: ngettext("%(n)s file", "%(n)s files", n) % {"n": n} for n in (2, 5, 11, 100)}
    assert forms == {2: "2 ملفان", 5: "5 ملفات", 11: "11 ملفًا", 100: "100 ملف"}


def test_figures_in_arabic_pdf_lines_stay_readable():
    # After an Arabic letter, the bidi algorithm alone would draw 2027-01-15 as 15-01-2027.
    line = pdf.visual("جُلب في 2027-01-15، وشوهدت 72,000 مرة.", rtl=True)
    assert "2027-01-15" in line and "72,000" in line
    assert "\u2066" not in line and "\u2069" not in line  # the isolates are not drawn


def test_dates_inside_arabic_sentences_are_isolated_left_to_right():
    # After an Arabic word a browser, like the PDFs' bidi step, would show 2026-12-05 as
    # 05-12-2026; the catalogue isolates date placeholders (U+2066 … U+2069).
    from django.utils.translation import gettext

    with translation.override("ar"):
        assert "\u2066%(day)s\u2069" in gettext("since %(day)s")
        assert "\u2066%(date)s\u2069" in gettext("The agreement expires on %(date)s.")


def test_lists_take_the_arabic_comma_and_ranges_no_arrow():
    from django.template import Context, Template

    from hub.core.languages import change_arrow, date_range, join_list

    with translation.override("ar"):
        assert join_list(["Nordic Museum", "متحف"]) == "Nordic Museum، متحف"
        assert "→" not in date_range("2026-03-01", "2026-09-30")
        assert date_range("2026-03-01", "2026-09-30").startswith("2026-03-01")
        # "→" does not mirror: in right-to-left text the arrow points the way Arabic reads.
        assert change_arrow() == "←"
        page = Template(
            "{% load hub_format %}{{ names|joined }} | {% for n in names %}{{ n }}"
            "{% if not forloop.last %}{% list_separator %}{% endif %}{% endfor %}"
        ).render(Context({"names": ["<b>A</b>", "ب"]}))
        assert page == "&lt;b&gt;A&lt;/b&gt;، ب | &lt;b&gt;A&lt;/b&gt;، ب"
    with translation.override("en"):
        assert join_list(["a", "b"]) == "a, b" and change_arrow() == "→"
    with translation.override("fr"):
        assert join_list(["a", "b"]) == "a, b"


def test_partnership_page_in_arabic_has_no_left_pointing_arrow(
    client_a: Client,
    partnership: Any,  # noqa: F811
):
    url = reverse("partnerships:partnership_detail", kwargs={"slug": "alpha", "pk": partnership.pk})
    listed = reverse("partnerships:partnership_list", kwargs={"slug": "alpha"})
    # The override puts the test's own language back after the Arabic requests.
    with translation.override(settings.LANGUAGE_CODE):
        client_a.post(reverse("set_language"), {"language": "ar", "next": "/"})
        html = client_a.get(url).content.decode()
        listing = client_a.get(listed).content.decode()
    assert '<html lang="ar" dir="rtl">' in html and "→" not in html
    assert ", " not in listing.split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
