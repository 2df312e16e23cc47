"""The real French catalogue: offered in the menu, and a page, an e-mail and a PDF read in French,
with dates, numbers and money written the French way (1 500,50 EUR; 1 mai 2026).

Unlike tests/test_languages.py, which builds tiny catalogues, these use locale/fr as shipped.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
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

NBSP = "\u00a0"  # French puts a no-break space before : ; ! ? and between thousands


@pytest.fixture(autouse=True)
def _french_is_shipped() -> None:
    if "fr" not in dict(settings.LANGUAGES):
        pytest.fail("locale/fr is incomplete or not compiled: run `make setup` (see make messages)")


def test_the_menu_offers_french_and_the_login_page_speaks_it(db):
    english = Client().get(reverse("login")).content.decode()
    assert '<option value="fr" lang="fr">français</option>' in english
    page = Client(headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"}).get(reverse("login"))
    html = page.content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Aller au contenu" in html and "Skip to content" not in html
    assert f"Mot de passe oublié{NBSP}?" in html
    assert "Hub des partenariats — logiciel libre pour les partenariats de contenu" in html


def test_a_partnership_page_in_french_writes_money_the_french_way(client_a, affiliate_a, member_a):
    museum = factories.organisation(affiliate_a, actor=member_a, name="Musée de Bretagne")
    p = factories.partnership(
        affiliate_a, actor=member_a, partners=[(museum, "main")], title="Fonds photographique"
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
    client_a.post(reverse("set_language"), {"language": "fr", "next": "/"})
    url = reverse("partnerships:contribution_list", kwargs={"slug": "alpha", "pk": p.pk})
    html = client_a.get(url).content.decode()
    assert '<html lang="fr"' in html
    assert "Contributions à" in html and "Mon travail" in html and "Se déconnecter" in html
    assert f"12{NBSP}500,50 EUR" in html  # not 12,500.50
    assert "Financière" in html  # the kind of contribution, a model choice
    detail = client_a.get(
        reverse("partnerships:partnership_detail", kwargs={"slug": "alpha", "pk": p.pk})
    ).content.decode()
    assert "Liste de la convention" in detail and "Agreement checklist" not in detail
    # The same English word, two French ones: "Archive" the button is not "Archive" the
    # partner type (msgctxt), nor the page's "Timeline" the help request's.
    assert ">Archiver</button>" in detail and ">Historique</h2>" in detail


def test_the_daily_digest_goes_out_in_french_with_a_french_date(
    affiliate_a, member_a, django_capture_on_commit_callbacks
):
    set_preferred_language(actor=member_a, user=member_a, language="fr")
    todo.create_task(
        actor=member_a,
        affiliate=affiliate_a,
        title="Numériser les lettres",
        assignee=member_a,
        due_on=dt.date(2026, 5, 2),
    )
    reminders.generate_reminders(dt.date(2026, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_digests(dt.date(2026, 5, 1)) == 1
    subject, body, _to = DBTaskResult.objects.get().args_kwargs["args"]
    assert subject == f"Hub des partenariats{NBSP}: 1 rappel(s) pour le 1 mai 2026"
    assert body.startswith("Bonjour alice,\n")
    assert f"Vos rappels dans le Hub des partenariats pour le 1 mai 2026{NBSP}:" in body
    assert "Numériser les lettres" in body and "Ouvrir Mon travail" in body
    assert "Your reminders" not in body and "You get this e-mail" not in body


@time_machine.travel(TODAY, tick=False)
def test_the_impact_report_pdf_reads_in_french(world, partnership, refreshed, member_a):  # noqa: F811
    _share, token = services.create_share_link(actor=member_a, partnership=partnership)
    url = reverse("impact:shared_report_pdf", kwargs={"token": token})
    pdf = Client(headers={"accept-language": "fr"}).get(url).content
    text = pdf_text(pdf).replace(NBSP, " ")  # the PDF's text layer keeps plain spaces
    assert b"/Lang (fr)" in pdf
    assert text.startswith("Rapport d’impact : Nordic Museum images")
    assert "Les chiffres et leurs sources" in text and "Figures and their sources" not in text
    assert "ont été vues 72 000 fois en 2026" in text  # grouped with a space, not 72,000
    assert "0 1 000 2 000 3 000" in text  # the chart's axis too
    assert "Catégorie de Commons : Images from the Nordic Museum" in text
    assert "récupéré le 15 janvier 2027." in text


def test_an_upload_batchs_pace_reads_in_french():
    from django.utils import translation

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
    with translation.override("fr"):
        assert progress.pace == "1,5 fichiers par minute, reste environ 5 minutes."
    with translation.override("en"):
        assert progress.pace == "1.5 files a minute, about 5 minutes left."


def test_the_health_page_says_when_jobs_run_in_french_and_the_json_keeps_codes(db):
    client = Client(headers={"accept-language": "fr"})
    html = client.get(reverse("health")).content.decode()
    assert "tous les jours à 06:00" in html and "Jamais exécutée" in html
    assert "daily at" not in html
    jobs = client.get(reverse("health"), {"format": "json"}).json()["checks"]["scheduled_jobs"]
    assert {"period": "daily at 06:00", "outcome": "never"}.items() <= {
        k: v for job in jobs["jobs"] if job["name"] == "send_reminders" for k, v in job.items()
    }.items()
