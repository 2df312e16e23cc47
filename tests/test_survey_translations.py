"""A survey's title and introduction in the partner's language: entered beside the questions'
translations, shown on the answer page, in the e-mails' subjects and on the partner portal;
a language without a translation falls back to the survey's own words."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from hub.core.models import AuditEvent
from hub.surveys import delivery, services
from hub.surveys.models import Delivery, Invitation, Survey
from hub.surveys.portal.services import create_portal_link
from hub.surveys.portal.tokens import portal_token
from tests import factories
from tests import survey_factories as sf

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
SPANISH = {"es": {"title": "¿Qué tal lo hacemos?", "intro": "Gracias por su tiempo."}}


def _translated(affiliate: Any, actor: Any, translations: Any = None) -> Survey:
    survey = sf.survey(affiliate, actor)
    return services.update_survey(
        actor=actor,
        survey=survey,
        title=survey.title,
        intro="Thank you for your time.",
        translations=SPANISH if translations is None else translations,
    )


def _send_and_deliver(
    survey: Survey, actor: Any, capture: Any, **contact_fields: Any
) -> tuple[Any, Invitation]:
    assert survey.affiliate is not None
    partnership, contacts = sf.partnership_with_contacts(
        survey.affiliate, actor, n=1, **contact_fields
    )
    with capture(execute=False):
        sending = sf.send(actor, survey, partnership, contacts)
    services.deliver(sending_id=sending.pk)
    return sending, sending.invitations.get()


def _answer_page(invitation: Invitation) -> str:
    url = reverse("surveys:answer", kwargs={"token": delivery.token_for(invitation)})
    page = Client().get(url)
    assert page.status_code == 200
    return page.content.decode()


def _remind(invitation: Invitation) -> Any:
    Delivery.objects.create(invitation=invitation, kind=Delivery.Kind.REMINDER)
    services.deliver(sending_id=invitation.sending_id)
    return mail.outbox[-1]


def test_a_spanish_contact_reads_the_title_and_introduction_in_spanish(
    affiliate_a: Any, member_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    survey = _translated(affiliate_a, member_a)
    _sending, invitation = _send_and_deliver(
        survey, member_a, django_capture_on_commit_callbacks, preferred_language="es-MX"
    )
    assert "¿Qué tal lo hacemos?" in mail.outbox[-1].subject
    assert "How are we doing?" not in mail.outbox[-1].subject
    assert "¿Qué tal lo hacemos?" in _remind(invitation).subject
    page = _answer_page(invitation)
    assert "<h1>¿Qué tal lo hacemos?</h1>" in page and "Gracias por su tiempo." in page
    assert "How are we doing?" not in page and "Thank you for your time." not in page
    # The affiliate's own pages keep the survey's own title.
    client = Client()
    client.force_login(member_a)
    own = client.get(reverse("surveys:survey_list", kwargs={"slug": "alpha"})).content.decode()
    assert "How are we doing?" in own and "¿Qué tal lo hacemos?" not in own


@pytest.mark.parametrize("language", ["", "fr", "de-AT"])
def test_a_language_without_translation_falls_back_to_the_surveys_own_words(
    affiliate_a: Any, member_a: Any, django_capture_on_commit_callbacks: Any, language: str
) -> None:
    survey = _translated(affiliate_a, member_a)
    _sending, invitation = _send_and_deliver(
        survey, member_a, django_capture_on_commit_callbacks, preferred_language=language
    )
    assert "How are we doing?" in mail.outbox[-1].subject
    page = _answer_page(invitation)
    assert "<h1>How are we doing?</h1>" in page and "Thank you for your time." in page
    assert "Qué tal" not in page


def test_a_translated_title_without_introduction_keeps_the_own_introduction(
    affiliate_a: Any, member_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    survey = _translated(affiliate_a, member_a, {"es": {"title": "Encuesta", "intro": ""}})
    assert survey.title_in("es") == "Encuesta" and survey.intro_in("es") == survey.intro
    _sending, invitation = _send_and_deliver(
        survey, member_a, django_capture_on_commit_callbacks, preferred_language="es"
    )
    page = _answer_page(invitation)
    assert "<h1>Encuesta</h1>" in page and "Thank you for your time." in page


def test_script_in_the_translations_is_shown_as_text(
    affiliate_a: Any, member_a: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.LANGUAGES = [("en", "English"), ("es", "Spanish")]
    survey = _translated(affiliate_a, member_a, {"es": {"title": SCRIPT, "intro": SCRIPT}})
    _sending, invitation = _send_and_deliver(
        survey, member_a, django_capture_on_commit_callbacks, preferred_language="es"
    )
    page = _answer_page(invitation)
    assert SCRIPT not in page and page.count("&lt;script&gt;") >= 3  # <title>, <h1>, intro
    # The e-mail is plain text only (no HTML part to run a script in): the title as written.
    message = mail.outbox[-1]
    assert message.content_subtype == "plain" and not getattr(message, "alternatives", None)
    assert SCRIPT in message.subject
    assert invitation.contact is not None and invitation.contact.organisation is not None
    link = create_portal_link(actor=member_a, organisation=invitation.contact.organisation)
    portal = Client().get(
        reverse("surveys:portal", kwargs={"token": portal_token(link)}),
        headers={"accept-language": "es"},
    )
    body = portal.content.decode()
    assert SCRIPT not in body and "&lt;script&gt;" in body


def test_the_edit_form_keeps_the_translations_and_a_sent_version_stays(
    client_a: Client, affiliate_a: Any, member_a: Any
) -> None:
    created = client_a.post(
        reverse("surveys:survey_create", kwargs={"slug": "alpha"}),
        {"title": "Feedback", "title_es": "Opinión", "intro_fr": "Merci."},
    )
    assert created.status_code == 302
    survey = affiliate_a.surveys.get()
    assert survey.translations == {
        "fr": {"title": "", "intro": "Merci."},
        "es": {"title": "Opinión", "intro": ""},
    }
    services.add_question(actor=member_a, survey=survey, kind="text", text="Anything?")
    partnership, contacts = sf.partnership_with_contacts(affiliate_a, member_a, n=1)
    version = sf.send(member_a, survey, partnership, contacts).version
    url = reverse("surveys:survey_detail", kwargs={"slug": "alpha", "pk": survey.pk})
    form = client_a.get(url).content.decode()
    assert 'name="title_es"' in form and 'value="Opinión"' in form
    assert 'name="intro_fr"' in form and ">\nMerci.</textarea>" in form
    assert "Title in Spanish" in form and "Introduction in French" in form
    saved = client_a.post(
        url,
        {
            "title": "Feedback",
            "intro": "",
            "title_es": " Su opinión ",
            "intro_es": "Gracias.",
            "intro_fr": "",
        },
    )
    assert saved.status_code == 302
    survey.refresh_from_db()
    assert survey.translations == {"es": {"title": "Su opinión", "intro": "Gracias."}}
    assert survey.title_in("es") == "Su opinión" and survey.title_in("fr") == "Feedback"
    change = AuditEvent.objects.filter(action="survey.update").get()
    assert set(change.changes) == {"translations"}
    # Titles do not shape answers: the sent version stays the one to send and answer.
    assert services.current_version(survey) == version and version.frozen_at is not None
    # Saved again unchanged: nothing to audit.
    client_a.post(url, {"title": "Feedback", "title_es": "Su opinión", "intro_es": "Gracias."})
    assert AuditEvent.objects.filter(action="survey.update").count() == 1


def test_hub_staff_translate_the_standard_survey(affiliate_a: Any) -> None:
    staff = factories.member(affiliate_a, username="staffer", is_hub_staff=True)
    client = Client()
    client.force_login(staff)
    url = reverse("surveys:standard")
    assert 'name="title_es"' in client.get(url).content.decode()
    survey = services.standard_survey()
    response = client.post(url, {"title": survey.title, "title_es": "Satisfacción"})
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.title_in("es") == "Satisfacción"


def test_the_portal_lists_the_title_in_the_visitors_language(
    affiliate_a: Any, member_a: Any, settings: Any
) -> None:
    settings.LANGUAGES = [("en", "English"), ("es", "Spanish")]
    survey = _translated(affiliate_a, member_a)
    partnership, contacts = sf.partnership_with_contacts(affiliate_a, member_a, n=1)
    sf.send(member_a, survey, partnership, contacts)
    link = create_portal_link(actor=member_a, organisation=contacts[0].organisation)
    url = reverse("surveys:portal", kwargs={"token": portal_token(link)})
    spanish = Client().get(url, headers={"accept-language": "es"}).content.decode()
    assert "¿Qué tal lo hacemos?" in spanish and "How are we doing?" not in spanish
    english = Client().get(url, headers={"accept-language": "en"}).content.decode()
    assert "How are we doing?" in english and "¿Qué tal lo hacemos?" not in english
