"""The real French, Spanish and Swedish catalogues, as shipped in locale/: each offered in the menu,
and a page, an e-mail, a PDF, an upload's pace and the health page read in it, with dates,
numbers and money written its way (12 500,50 EUR with a no-break space; 1 mai 2026).

Unlike tests/test_languages.py, which builds tiny catalogues, these use the real ones; Arabic,
right to left, has its own module (tests/test_arabic.py).
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
from hub.library.documents import services as documents
from hub.library.documents import templates
from hub.library.models import TemplateKind
from hub.partnerships.activities import services as activities
from hub.partnerships.todo import reminders
from hub.partnerships.todo import services as todo
from hub.uploads.selectors import Progress
from tests import factories
from tests.impact_fixtures import (  # noqa: F401 (fixtures)
    TODAY,
    partnership,
    pdf_text,
    refreshed,
    world,
)

NBSP = "\u00a0"  # all three group thousands with a no-break space; French also puts one before :


@dataclasses.dataclass(frozen=True)
class Expected:
    """What a reader of one language sees, page by page."""

    option: str  # the language menu's entry
    accept: str  # a browser's Accept-Language asking for it
    login: tuple[str, ...]  # words of the log-in page
    museum: str
    title: str
    contributions: tuple[str, ...]  # words of the contributions page
    financial: str  # the kind of contribution, a model choice
    detail: tuple[str, ...]  # the partnership page (contexts: "Archive", "Timeline")
    task: str
    subject: str
    greeting: str
    digest: tuple[str, ...]
    pdf_start: str
    pdf: tuple[str, ...]
    pace: str
    health: tuple[str, ...]


LANGUAGES = {
    "fr": Expected(
        option='<option value="fr" lang="fr">français</option>',
        accept="fr-FR,fr;q=0.9,en;q=0.5",
        login=(
            "Aller au contenu",
            f"Mot de passe oublié{NBSP}?",
            "Hub des partenariats — logiciel libre pour les partenariats de contenu",
        ),
        museum="Musée de Bretagne",
        title="Fonds photographique",
        contributions=("Contributions à", "Mon travail", "Se déconnecter"),
        financial="Financière",
        detail=("Liste de la convention", ">Archiver</button>", ">Historique</h2>"),
        task="Numériser les lettres",
        subject=f"Hub des partenariats{NBSP}: 1 rappel(s) pour le 1 mai 2026",
        greeting="Bonjour alice,\n",
        digest=(
            f"Vos rappels dans le Hub des partenariats pour le 1 mai 2026{NBSP}:",
            "Ouvrir Mon travail",
        ),
        pdf_start="Rapport d’impact : Nordic Museum images",
        pdf=(
            "Les chiffres et leurs sources",
            "ont été vues 72 000 fois en 2026",
            "Catégorie de Commons : Images from the Nordic Museum",
            "récupéré le 15 janvier 2027.",
        ),
        pace="1,5 fichiers par minute, reste environ 5 minutes.",
        health=("tous les jours à 06:00", "Jamais exécutée"),
    ),
    "es": Expected(
        option='<option value="es" lang="es">español</option>',
        accept="es-MX,es;q=0.9,en;q=0.5",
        login=(
            "Saltar al contenido",
            "¿Olvidaste tu contraseña?",
            "Hub de colaboraciones — software libre para las colaboraciones de contenido",
        ),
        museum="Museo de América",
        title="Fondo fotográfico",
        contributions=("Contribuciones a", "Mi trabajo", "Cerrar sesión"),
        financial="Económica",
        detail=("Lista de verificación del acuerdo", ">Archivar</button>"),
        task="Digitalizar las cartas",
        subject="Hub de colaboraciones: 1 recordatorio(s) para el 1 de mayo de 2026",
        greeting="Hola, alice:\n",
        digest=(
            "Tus recordatorios en el Hub de colaboraciones para el 1 de mayo de 2026:",
            "Abrir Mi trabajo",
        ),
        pdf_start="Informe de impacto: Nordic Museum images",
        pdf=(
            "Las cifras y sus fuentes",
            "se vieron 72 000 veces en 2026",
            "Categoría de Commons: Images from the Nordic Museum",
            "obtenida el 15 de enero de 2027.",
        ),
        pace="1,5 archivos por minuto, quedan unos 5 minutos.",
        health=("todos los días a las 06:00", "Nunca ejecutado"),
    ),
    "sv": Expected(
        option='<option value="sv" lang="sv">svenska</option>',
        accept="sv-SE,sv;q=0.9,en;q=0.5",
        login=(
            "Hoppa till innehållet",
            "Glömt ditt lösenord?",
            "Användarnamn",
            "Partnerskapshubben — fri programvara för Wikimedias innehållspartnerskap",
        ),
        museum="Upplandsmuseet",
        title="Fotosamlingen",
        contributions=("Bidrag till", "Mitt arbete", "Logga ut"),
        financial="Ekonomiskt",
        detail=("Avtalschecklista", ">Arkivera</button>", ">Tidslinje</h2>"),
        task="Digitalisera breven",
        subject="Partnerskapshubben: 1 påminnelse(r) för den 1 maj 2026",
        greeting="Hej alice,\n",
        digest=("Dina påminnelser i Partnerskapshubben för den 1 maj 2026:", "Öppna Mitt arbete"),
        pdf_start="Genomslagsrapport: Nordic Museum images",
        pdf=(
            "Siffrorna och deras källor",
            "sågs 72 000 gånger 2026",
            "Commons-kategori: Images from the Nordic Museum",
            "hämtad den 15 januari 2027.",
        ),
        pace="1,5 filer per minut, cirka 5 minuter kvar.",
        health=("dagligen kl. 06:00", "Aldrig körd"),
    ),
}

each_language = pytest.mark.parametrize("code", list(LANGUAGES))


@pytest.fixture(autouse=True)
def _shipped(code: str) -> None:
    """Fail, not skip, when a catalogue is incomplete: the menu would silently drop it."""
    if code not in dict(settings.LANGUAGES):
        pytest.fail(
            f"locale/{code} is incomplete or not compiled: run `make setup` (see make messages)"
        )


@each_language
def test_the_menu_offers_the_language_and_the_login_page_speaks_it(db, code):
    expected = LANGUAGES[code]
    assert expected.option in Client().get(reverse("login")).content.decode()
    page = Client(headers={"accept-language": expected.accept}).get(reverse("login"))
    html = page.content.decode()
    assert f'<html lang="{code}" dir="ltr">' in html
    assert "Skip to content" not in html and "Forgot your password" not in html
    for words in expected.login:
        assert words in html


@each_language
def test_a_partnership_page_writes_money_the_languages_way(client_a, affiliate_a, member_a, code):
    expected = LANGUAGES[code]
    museum = factories.organisation(affiliate_a, actor=member_a, name=expected.museum)
    p = factories.partnership(
        affiliate_a, actor=member_a, partners=[(museum, "main")], title=expected.title
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
    client_a.post(reverse("set_language"), {"language": code, "next": "/"})
    url = reverse("partnerships:contribution_list", kwargs={"slug": "alpha", "pk": p.pk})
    html = client_a.get(url).content.decode()
    assert f'<html lang="{code}"' in html
    for words in expected.contributions:
        assert words in html
    assert f"12{NBSP}500,50 EUR" in html  # not 12,500.50
    assert expected.financial in html and "Log out" not in html
    detail = client_a.get(
        reverse("partnerships:partnership_detail", kwargs={"slug": "alpha", "pk": p.pk})
    ).content.decode()
    # The same English word, two translations: "Archive" the button is not "Archive" the
    # partner type (msgctxt), nor the page's "Timeline" the help request's.
    assert "Agreement checklist" not in detail
    for words in expected.detail:
        assert words in detail


@each_language
def test_the_daily_digest_goes_out_in_the_readers_language_and_date(
    affiliate_a, member_a, django_capture_on_commit_callbacks, code
):
    expected = LANGUAGES[code]
    set_preferred_language(actor=member_a, user=member_a, language=code)
    todo.create_task(
        actor=member_a,
        affiliate=affiliate_a,
        title=expected.task,
        assignee=member_a,
        due_on=dt.date(2026, 5, 2),
    )
    reminders.generate_reminders(dt.date(2026, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):  # sent while English is active
        assert reminders.send_digests(dt.date(2026, 5, 1)) == 1
    subject, body, _to = DBTaskResult.objects.get().args_kwargs["args"]
    assert subject == expected.subject
    assert body.startswith(expected.greeting)
    assert expected.task in body
    for words in expected.digest:
        assert words in body
    assert "Your reminders" not in body and "You get this e-mail" not in body


@each_language
@time_machine.travel(TODAY, tick=False)
def test_the_impact_report_pdf_reads_in_the_language(world, partnership, refreshed, member_a, code):  # noqa: F811
    expected = LANGUAGES[code]
    _share, token = services.create_share_link(actor=member_a, partnership=partnership)
    url = reverse("impact:shared_report_pdf", kwargs={"token": token})
    pdf = Client(headers={"accept-language": code}).get(url).content
    text = pdf_text(pdf).replace(NBSP, " ")  # the PDF's text layer keeps plain spaces
    assert f"/Lang ({code})".encode() in pdf
    assert text.startswith(expected.pdf_start)
    assert "Figures and their sources" not in text
    assert "0 1 000 2 000 3 000" in text  # the chart's axis groups thousands too
    for words in expected.pdf:
        assert words in text


@each_language
def test_an_upload_batchs_pace_reads_in_the_language(code):
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
    with translation.override(code):
        assert progress.pace == LANGUAGES[code].pace
    with translation.override("en"):
        assert progress.pace == "1.5 files a minute, about 5 minutes left."
        assert dataclasses.replace(progress, seconds_left=1).time_left == "about 1 second"


@each_language
def test_the_health_page_says_when_jobs_run_and_the_json_keeps_codes(db, code):
    client = Client(headers={"accept-language": code})
    html = client.get(reverse("health")).content.decode()
    for words in LANGUAGES[code].health:
        assert words in html
    assert "daily at" not in html
    jobs = client.get(reverse("health"), {"format": "json"}).json()["checks"]["scheduled_jobs"]
    assert {"period": "daily at 06:00", "outcome": "never"}.items() <= {
        k: v for job in jobs["jobs"] if job["name"] == "send_reminders" for k, v in job.items()
    }.items()


@each_language
def test_the_guide_reads_in_the_language(db, code):
    page = Client(headers={"accept-language": code}).get(
        reverse("guide_chapter", args=["coordinators"])
    )
    assert f'<html lang="{code}"' in page.text
    assert "Bring your partner directory in" not in page.text


@pytest.mark.parametrize("code", ["sv"])
def test_swedish_time_left_has_its_plurals(code: str) -> None:
    with translation.override(code):
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
        assert progress.time_left == "cirka 5 minuter"
        assert dataclasses.replace(progress, seconds_left=30).time_left == "cirka 30 sekunder"
        assert dataclasses.replace(progress, seconds_left=1).time_left == "cirka 1 sekund"


@pytest.mark.parametrize("code", ["es"])
def test_the_hubs_default_documents_are_written_in_spanish(affiliate_a, member_a, code):
    museum = factories.organisation(affiliate_a, actor=member_a, name="Museo de América")
    factories.contact(museum, actor=member_a, name="Lucía Pérez", role="Conservadora")
    p = factories.partnership(
        affiliate_a,
        actor=member_a,
        title="Fondo fotográfico",
        partners=[(museum, "main")],
        start_date=dt.date(2026, 3, 1),
    )
    drafts = {}
    for kind in templates.DEFAULT_KINDS:
        source = templates.default(kind, code)
        assert source is not None and source.language == code, kind
        drafts[kind] = documents.draft(
            actor=member_a, partnership=p, source=source, language=code
        ).text
    letter = drafts[TemplateKind.LETTER_OF_INTENT]
    assert letter.startswith("# Carta de intención")
    assert "Estimado/a Lucía Pérez:" in letter
    assert "Proponemos comenzar el 1 de marzo de 2026" in letter  # not 2026-03-01
    assert "Acuerdo de colaboración (borrador): Fondo fotográfico" in drafts[TemplateKind.AGREEMENT]
    assert "Nota conceptual: Fondo fotográfico" in drafts[TemplateKind.CONCEPT_NOTE]
