"""Pages answer in an offered language whatever the request says; e-mails go out in the
recipient's language; the account page stores it; right-to-left pages say so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from hub.core.languages import language_for, set_preferred_language
from hub.core.models import AuditEvent
from hub.helpdesk.notify import notify
from hub.impact import services
from hub.partnerships.todo import reminders
from hub.partnerships.todo import services as todo
from tests.catalogue_fixtures import ARABIC, FRENCH, shipped, write_catalogue
from tests.impact_fixtures import (  # noqa: F401 (fixtures)
    TODAY,
    partnership,
    pdf_text,
    world,
)


@pytest.fixture
def french(tmp_path: Path):
    """Offer French (a tiny complete catalogue) and Arabic; Spanish stays incomplete."""
    write_catalogue(tmp_path, "fr", FRENCH)
    write_catalogue(tmp_path, "ar", ARABIC)
    write_catalogue(tmp_path, "es", {"Language": ""})
    with shipped(tmp_path) as languages:
        yield languages


def _lang(response) -> str:
    html = response.content.decode()
    start = html.index("<html")
    return html[start : html.index(">", start) + 1]


def test_menu_lists_only_complete_languages(french, db):
    assert [code for code, _ in french] == ["en", "fr", "ar"]
    html = Client().get(reverse("login")).content.decode()
    assert 'value="fr"' in html and 'value="ar"' in html
    assert 'value="es"' not in html and 'value="de"' not in html


def test_no_menu_when_only_english_is_offered(db, tmp_path):
    write_catalogue(tmp_path, "es", {"Language": ""})
    with shipped(tmp_path):
        html = Client().get(reverse("login")).content.decode()
    assert 'name="language"' not in html


def test_offered_language_is_used(french, db):
    response = Client(headers={"accept-language": "fr-CA,fr;q=0.9"}).get(reverse("login"))
    assert 'lang="fr"' in _lang(response)
    assert "Hub des partenariats" in response.content.decode()


@pytest.mark.parametrize(
    "header",
    [
        "x" * 10_000,
        "fr;q=" + "9" * 10_000,
        "ÿ\x01;;;,,,q=abc",
        "es",  # known to the Hub but its catalogue is incomplete
        "*;q=0.1,zz-ZZ",
        ",".join(f"l{i};q=0.{i % 9}" for i in range(2_000)),
    ],
)
def test_garbage_or_huge_accept_language_answers_in_english(french, db, header):
    response = Client(headers={"accept-language": header}).get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="en"' in _lang(response)


@pytest.mark.parametrize("cookie", ["es", "de", "xx", "../../etc", "f" * 5000, "fr\x00"])
def test_language_cookie_not_offered_answers_in_english(french, db, cookie):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="en"' in _lang(response)


def test_choosing_a_language_not_offered_changes_nothing(french, db):
    client = Client()
    for language in ["es", "xx", "", "e" * 3000]:
        response = client.post(reverse("set_language"), {"language": language, "next": "/"})
        assert response.status_code == 302
        assert 'lang="en"' in _lang(client.get(reverse("login")))
    response = client.get(reverse("login"), {"language": "es"})
    assert response.status_code == 200 and 'lang="en"' in _lang(response)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert 'lang="fr"' in _lang(client.get(reverse("login")))


def test_arabic_pages_are_right_to_left_and_names_keep_their_direction(french, client_a):
    client_a.post(reverse("set_language"), {"language": "ar", "next": "/"})
    response = client_a.get(reverse("account"))
    assert '<html lang="ar" dir="rtl">' in response.content.decode()
    assert "<bdi>alice</bdi>" in response.content.decode()


def test_account_page_stores_the_language_of_emails(french, client_a, member_a):
    response = client_a.get(reverse("account"))
    assert 'name="language"' in response.content.decode()
    response = client_a.post(reverse("account"), {"language": "fr"})
    assert response.status_code == 302
    member_a.refresh_from_db()
    assert member_a.language == "fr"
    assert AuditEvent.objects.filter(action="user.language", target_id=member_a.pk).exists()
    # A language that is not offered is refused on the field, and nothing changes.
    response = client_a.post(reverse("account"), {"language": "es"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    member_a.refresh_from_db()
    assert member_a.language == "fr"


def test_a_language_no_longer_offered_falls_back_to_english(french, member_a):
    set_preferred_language(actor=member_a, user=member_a, language="fr")
    assert language_for(member_a) == "fr"
    member_a.language = "es"
    assert language_for(member_a) == "en"


def test_digest_goes_out_in_each_readers_language(
    french, affiliate_a, member_a, django_capture_on_commit_callbacks
):
    set_preferred_language(actor=member_a, user=member_a, language="fr")
    english = _second_member(affiliate_a)
    for person in (member_a, english):
        todo.create_task(
            actor=person,
            affiliate=affiliate_a,
            title="Scan the letters",
            assignee=person,
            due_on=dt.date(2026, 5, 2),
        )
    reminders.generate_reminders(dt.date(2026, 5, 1))
    # The job runs with whatever language was active; each reader gets theirs.
    from django.utils import translation

    with translation.override("ar"), django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_digests(dt.date(2026, 5, 1)) == 2
    by_reader = {
        r.args_kwargs["args"][2][0]: r.args_kwargs["args"] for r in DBTaskResult.objects.all()
    }
    subject, body, _to = by_reader[member_a.email]
    assert subject.startswith("Hub des partenariats : 1 rappel(s)")
    assert "Vos rappels dans le Hub des partenariats" in body
    subject, body, _to = by_reader[english.email]
    assert subject.startswith("Partnerships Hub: 1 reminder(s)")


def test_notification_email_is_framed_in_the_readers_language(
    french, member_a, django_capture_on_commit_callbacks
):
    set_preferred_language(actor=member_a, user=member_a, language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[member_a], kind="request_new", text="New request")
    subject = DBTaskResult.objects.get().args_kwargs["args"][0]
    assert subject == "[Hub des partenariats] New request"


def test_notification_text_is_written_for_each_reader(french, affiliate_a, member_a):
    from django.utils.translation import gettext as _

    from hub.helpdesk.models import Notification

    set_preferred_language(actor=member_a, user=member_a, language="fr")
    english = _second_member(affiliate_a)
    notify(users=[member_a, english], kind="request_new", text=lambda: _("Your account"))
    said = dict(Notification.objects.values_list("user__username", "text"))
    assert said == {"alice": "Votre compte", "bob": "Your account"}


def test_password_reset_mail_uses_the_accounts_language(
    french, member_a, django_capture_on_commit_callbacks
):
    set_preferred_language(actor=member_a, user=member_a, language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("password_reset"), {"email": member_a.email})
    subject, body = DBTaskResult.objects.get().args_kwargs["args"][:2]
    # Django's own French catalogue writes this e-mail.
    assert "réinitialisation" in (subject + body).lower()


@time_machine.travel(TODAY, tick=False)
def test_shared_pdf_is_written_in_the_readers_language(french, world, partnership, member_a):  # noqa: F811
    _share, token = services.create_share_link(actor=member_a, partnership=partnership)
    url = reverse("impact:shared_report_pdf", kwargs={"token": token})
    pdf = Client(headers={"accept-language": "fr"}).get(url).content
    assert pdf_text(pdf).startswith("Rapport d’impact : Nordic Museum images")
    assert b"/Lang (fr)" in pdf
    english = Client(headers={"accept-language": "es"}).get(url).content
    assert pdf_text(english).startswith("Impact report:") and b"/Lang (en)" in english


def _second_member(affiliate):
    from tests import factories

    return factories.member(affiliate, username="bob")


def test_api_docs_show_the_operations_in_the_readers_language(db, tmp_path):
    write_catalogue(tmp_path, "fr", {**FRENCH, "List organisations": "Lister les organisations"})
    with shipped(tmp_path):
        french = Client(headers={"accept-language": "fr"}).get("/api/v1/docs/").content.decode()
        english = Client(headers={"accept-language": "en"}).get("/api/v1/docs/").content.decode()
        schema = Client(headers={"accept-language": "fr"}).get("/api/v1/schema/").json()
    assert "Lister les organisations" in french and "List organisations" not in french
    assert "List organisations" in english
    # The schema, for tools, keeps the English.
    summaries = [op.get("summary") for ops in schema["paths"].values() for op in ops.values()]
    assert "List organisations" in summaries
