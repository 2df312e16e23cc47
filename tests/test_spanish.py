"""The real Spanish catalogue: offered in the menu, and a page, an e-mail, a PDF and the default
documents read in Spanish, with dates, numbers and money written the Spanish way (12 500,50 EUR,
with a no-break space; 1 de mayo de 2026).

Unlike tests/test_languages.py, which builds tiny catalogues, these use locale/es as shipped.
"""

from __future__ import annotations

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

NBSP = "\u00a0"  # Spanish groups thousands with a no-break space (Django's es formats)


@pytest.fixture(autouse=True)
def _spanish_is_shipped() -> None:
    if "es" not in dict(settings.LANGUAGES):
        pytest.fail("locale/es is incomplete or not compiled: run `make setup` (see make messages)")


def test_the_menu_offers_spanish_and_the_login_page_speaks_it(db):
    english = Client().get(reverse("login")).content.decode()
    assert '<option value="es" lang="es">español</option>' in english
    page = Client(headers={"accept-language": "es-MX,es;q=0.9,en;q=0.5"}).get(reverse("login"))
    html = page.content.decode()
    assert '<html lang="es" dir="ltr">' in html
    assert "Saltar al contenido" in html and "Skip to content" not in html
    assert "¿Olvidaste tu contraseña?" in html and "Forgot your password" not in html
    assert "Hub de colaboraciones — software libre para las colaboraciones de contenido" in html


def test_a_partnership_page_in_spanish_writes_money_the_spanish_way(
    client_a, affiliate_a, member_a
):
    museum = factories.organisation(affiliate_a, actor=member_a, name="Museo de América")
    p = factories.partnership(
        affiliate_a, actor=member_a, partners=[(museum, "main")], title="Fondo fotográfico"
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
    client_a.post(reverse("set_language"), {"language": "es", "next": "/"})
    url = reverse("partnerships:contribution_list", kwargs={"slug": "alpha", "pk": p.pk})
    html = client_a.get(url).content.decode()
    assert '<html lang="es"' in html
    assert "Contribuciones a" in html and "Mi trabajo" in html and "Cerrar sesión" in html
    assert f"12{NBSP}500,50 EUR" in html  # not 12,500.50
    assert "Económica" in html  # the kind of contribution, a model choice
    detail = client_a.get(
        reverse("partnerships:partnership_detail", kwargs={"slug": "alpha", "pk": p.pk})
    ).content.decode()
    assert "Lista de verificación del acuerdo" in detail and "Agreement checklist" not in detail
    # The same English word, two Spanish ones: "Archive" the button is not "Archive" the
    # partner type (msgctxt).
    assert ">Archivar</button>" in detail and ">Archivo<" not in detail


def test_the_daily_digest_goes_out_in_spanish_with_a_spanish_date(
    affiliate_a, member_a, django_capture_on_commit_callbacks
):
    set_preferred_language(actor=member_a, user=member_a, language="es")
    todo.create_task(
        actor=member_a,
        affiliate=affiliate_a,
        title="Digitalizar las cartas",
        assignee=member_a,
        due_on=dt.date(2026, 5, 2),
    )
    reminders.generate_reminders(dt.date(2026, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_digests(dt.date(2026, 5, 1)) == 1
    subject, body, _to = DBTaskResult.objects.get().args_kwargs["args"]
    assert subject == "Hub de colaboraciones: 1 recordatorio(s) para el 1 de mayo de 2026"
    assert body.startswith("Hola, alice:\n")
    assert "Tus recordatorios en el Hub de colaboraciones para el 1 de mayo de 2026:" in body
    assert "Digitalizar las cartas" in body and "Abrir Mi trabajo" in body
    assert "Your reminders" not in body and "You get this e-mail" not in body


def test_the_hubs_default_documents_are_written_in_spanish(affiliate_a, member_a):
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
        source = templates.default(kind, "es")
        assert source is not None and source.language == "es", kind
        drafts[kind] = documents.draft(
            actor=member_a, partnership=p, source=source, language="es"
        ).text
    letter = drafts[TemplateKind.LETTER_OF_INTENT]
    assert letter.startswith("# Carta de intención")
    assert "Estimado/a Lucía Pérez:" in letter
    assert "Proponemos comenzar el 1 de marzo de 2026" in letter  # not 2026-03-01
    assert "Acuerdo de colaboración (borrador): Fondo fotográfico" in drafts[TemplateKind.AGREEMENT]
    assert "Nota conceptual: Fondo fotográfico" in drafts[TemplateKind.CONCEPT_NOTE]


@time_machine.travel(TODAY, tick=False)
def test_the_impact_report_pdf_reads_in_spanish(world, partnership, refreshed, member_a):  # noqa: F811
    _share, token = services.create_share_link(actor=member_a, partnership=partnership)
    url = reverse("impact:shared_report_pdf", kwargs={"token": token})
    pdf = Client(headers={"accept-language": "es"}).get(url).content
    text = pdf_text(pdf).replace(NBSP, " ")  # the PDF's text layer keeps plain spaces
    assert b"/Lang (es)" in pdf
    assert text.startswith("Informe de impacto: Nordic Museum images")
    assert "Las cifras y sus fuentes" in text and "Figures and their sources" not in text
    assert "se vieron 72 000 veces en 2026" in text  # grouped with a space, not 72,000
    assert "0 1 000 2 000 3 000" in text  # the chart's axis too
    assert "Categoría de Commons: Images from the Nordic Museum" in text
    assert "obtenida el 15 de enero de 2027." in text


def test_an_upload_batchs_pace_reads_in_spanish():
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
    with translation.override("es"):
        assert progress.pace == "1,5 archivos por minuto, quedan unos 5 minutos."
    with translation.override("en"):
        assert progress.pace == "1.5 files a minute, about 5 minutes left."


def test_the_health_page_says_when_jobs_run_in_spanish_and_the_json_keeps_codes(db):
    client = Client(headers={"accept-language": "es"})
    html = client.get(reverse("health")).content.decode()
    assert "todos los días a las 06:00" in html and "Nunca ejecutado" in html
    assert "daily at" not in html
    jobs = client.get(reverse("health"), {"format": "json"}).json()["checks"]["scheduled_jobs"]
    assert {"period": "daily at 06:00", "outcome": "never"}.items() <= {
        k: v for job in jobs["jobs"] if job["name"] == "send_reminders" for k, v in job.items()
    }.items()
