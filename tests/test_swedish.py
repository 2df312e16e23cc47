"""The real Swedish catalogue: offered in the menu, and a page, an e-mail and a PDF read in
Swedish, with dates, numbers and money written the Swedish way (12 500,50 EUR; 1 maj 2026).

Unlike tests/test_languages.py, which builds tiny catalogues, these use locale/sv as shipped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from hub.core.languages import set_preferred_language
from hub.impact import services
from hub.partnerships.activities import services as activities
from hub.partnerships.todo import reminders
from hub.partnerships.todo import services as todo
from tests import factories
from tests.impact_fixtures import (  # noqa: F401 (fixtures)
    TODAY,
    partnership,
    pdf_text,
    refreshed,
    world,
)

NBSP = "\u00a0"  # Swedish groups thousands with a (no-break) space: 12 500,50


@pytest.fixture(autouse=True)
def _swedish_is_shipped() -> None:
    if "sv" not in dict(settings.LANGUAGES):
        pytest.fail("locale/sv is incomplete or not compiled: run `make setup` (see make messages)")


def test_the_menu_offers_swedish_and_the_login_page_speaks_it(db):
    english = Client().get(reverse("login")).content.decode()
    assert '<option value="sv" lang="sv">svenska</option>' in english
    page = Client(headers={"accept-language": "sv-SE,sv;q=0.9,en;q=0.5"}).get(reverse("login"))
    html = page.content.decode()
    assert '<html lang="sv" dir="ltr">' in html
    assert "Hoppa till innehållet" in html and "Skip to content" not in html
    assert "Glömt ditt lösenord?" in html and "Användarnamn" in html
    assert "Partnerskapshubben — fri programvara för Wikimedias innehållspartnerskap" in html


def test_a_partnership_page_in_swedish_writes_money_the_swedish_way(
    client_a, affiliate_a, member_a
):
    museum = factories.organisation(affiliate_a, actor=member_a, name="Upplandsmuseet")
    p = factories.partnership(
        affiliate_a, actor=member_a, partners=[(museum, "main")], title="Fotosamlingen"
    )
    activities.add_contribution(
        actor=member_a,
        partnership=p,
        kind="financial",
        organisation=museum,
        received_on=dt.date(2026, 3, 31),
        amount=Decimal("12500.50"),
        currency="EUR",
    )
    client_a.post(reverse("set_language"), {"language": "sv", "next": "/"})
    url = reverse("partnerships:contribution_list", kwargs={"slug": "alpha", "pk": p.pk})
    html = client_a.get(url).content.decode()
    assert '<html lang="sv"' in html
    assert "Bidrag till" in html and "Mitt arbete" in html and "Logga ut" in html
    assert f"12{NBSP}500,50 EUR" in html  # not 12,500.50
    assert "Ekonomiskt" in html  # the kind of contribution, a model choice
    assert "Log out" not in html and "Financial" not in html
    detail = client_a.get(
        reverse("partnerships:partnership_detail", kwargs={"slug": "alpha", "pk": p.pk})
    ).content.decode()
    assert "Avtalschecklista" in detail and "Agreement checklist" not in detail
    # The same English word, two Swedish ones: "Archive" the button is not "Archive" the
    # partner type (msgctxt), nor the page's "Timeline" the help request's.
    assert ">Arkivera</button>" in detail and ">Tidslinje</h2>" in detail


def test_the_daily_digest_goes_out_in_swedish_with_a_swedish_date(
    affiliate_a, member_a, django_capture_on_commit_callbacks
):
    set_preferred_language(actor=member_a, user=member_a, language="sv")
    todo.create_task(
        actor=member_a,
        affiliate=affiliate_a,
        title="Digitalisera breven",
        assignee=member_a,
        due_on=dt.date(2026, 5, 2),
    )
    reminders.generate_reminders(dt.date(2026, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):  # sent while English is active
        assert reminders.send_digests(dt.date(2026, 5, 1)) == 1
    subject, body, _to = DBTaskResult.objects.get().args_kwargs["args"]
    assert subject == "Partnerskapshubben: 1 påminnelse(r) för den 1 maj 2026"
    assert body.startswith("Hej alice,\n")
    assert "Dina påminnelser i Partnerskapshubben för den 1 maj 2026:" in body
    assert "Digitalisera breven" in body and "Öppna Mitt arbete" in body
    assert "Your reminders" not in body and "You get this e-mail" not in body


@time_machine.travel(TODAY, tick=False)
def test_the_impact_report_pdf_reads_in_swedish(world, partnership, refreshed, member_a):  # noqa: F811
    _share, token = services.create_share_link(actor=member_a, partnership=partnership)
    url = reverse("impact:shared_report_pdf", kwargs={"token": token})
    pdf = Client(headers={"accept-language": "sv"}).get(url).content
    text = pdf_text(pdf).replace(NBSP, " ")  # the PDF's text layer keeps plain spaces
    assert b"/Lang (sv)" in pdf
    assert text.startswith("Genomslagsrapport: Nordic Museum images")
    assert "Siffrorna och deras källor" in text and "Figures and their sources" not in text
    assert "sågs 72 000 gånger 2026" in text  # grouped with a space, not 72,000
    assert "0 1 000 2 000 3 000" in text  # the chart's axis too
    assert "Commons-kategori: Images from the Nordic Museum" in text
    assert "hämtad den 15 januari 2027." in text


def test_an_upload_batchs_pace_reads_in_swedish():
    from hub.uploads.selectors import Progress

    progress = Progress(
        counts={},
        total=10,
        ended=3,
        on_wiki=3,
        problems=0,
        per_minute=1.5,
        seconds_left=280,
        wait_reason="",
        wait_until=None,
    )
    with translation.override("sv"):
        assert progress.pace == "1,5 filer per minut, cirka 5 minuter kvar."
        assert progress.time_left == "cirka 5 minuter"
    with translation.override("sv"):
        assert dataclasses.replace(progress, seconds_left=30).time_left == "cirka 30 sekunder"
        assert dataclasses.replace(progress, seconds_left=1).time_left == "cirka 1 sekund"


def test_the_health_page_says_when_jobs_run_in_swedish_and_the_json_keeps_codes(db):
    client = Client(headers={"accept-language": "sv"})
    html = client.get(reverse("health")).content.decode()
    assert "dagligen kl. 06:00" in html and "Aldrig körd" in html
    assert "daily at" not in html
    jobs = client.get(reverse("health"), {"format": "json"}).json()["checks"]["scheduled_jobs"]
    assert {"period": "daily at 06:00", "outcome": "never"}.items() <= {
        k: v for job in jobs["jobs"] if job["name"] == "send_reminders" for k, v in job.items()
    }.items()
