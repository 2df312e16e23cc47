"""The public request form and the signed status link: abuse controls, bad input, privacy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from hub.helpdesk import services
from hub.helpdesk.models import HelpRequest, Message
from tests.helpdesk_factories import (
    fast_passwords,  # noqa: F401 (a fixture)
    help_request,
    immediate_tasks,  # noqa: F401 (a fixture)
    staff,
    status_token,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks", "fast_passwords")]

FORM_URL = reverse("helpdesk:request_new")
SENT_URL = reverse("helpdesk:request_sent")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def valid(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Patricia Example",
        "email": "patricia@example.org",
        "affiliate": "",
        "country": "CL",
        "partner": "Servicio Nacional del Patrimonio Cultural",
        "content_kinds": ["images", "data"],
        "approximate_size": "4,000 photographs",
        "description": "Upload the heritage photo archive with its metadata.",
        "justification": "Chilean heritage is missing on Commons; the partner commits staff.",
        "timeline": "Before March",
        "languages": "Spanish",
        "consent": "on",
        "homepage": "",
        "form_token": "A" * 24,
    }
    data.update(overrides)
    return data


def post(client: Client, capture: Any, data: dict[str, Any], **extra: Any) -> Any:
    with capture(execute=True):
        return client.post(FORM_URL, data, **extra)


def status_url(request: HelpRequest) -> str:
    return reverse("helpdesk:request_status", kwargs={"token": status_token(request)})


def test_anonymous_person_sends_a_request_and_follows_it_by_the_link(
    django_capture_on_commit_callbacks,
):
    client = Client()
    form = client.get(FORM_URL)
    assert form.status_code == 200
    assert b'name="homepage"' in form.content and b'name="form_token"' in form.content
    response = post(client, django_capture_on_commit_callbacks, valid())
    assert response.status_code == 302 and response["Location"] == SENT_URL
    request = HelpRequest.objects.get()
    assert request.content_kinds == "images,data" and request.region == "lac"
    message = next(m for m in mail.outbox if "patricia@example.org" in m.to[0])
    link = next(line for line in message.body.splitlines() if "/helpdesk/status/" in line)
    page = client.get(link.split("8000", 1)[-1])
    assert page.status_code == 200
    assert "Servicio Nacional del Patrimonio Cultural" in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex"


def test_signed_in_person_finds_their_details_filled_in(client_a, member_a, affiliate_a):
    member_a.first_name, member_a.last_name = "Alice", "Alpha"
    member_a.save()
    page = client_a.get(FORM_URL).content.decode()
    assert 'value="Alice Alpha"' in page
    assert 'value="alice@example.org"' in page
    assert f'<option value="{affiliate_a.pk}" selected>' in page
    assert '<option value="SE" selected>' in page


def test_honeypot_looks_successful_and_stores_nothing(django_capture_on_commit_callbacks):
    response = post(
        Client(), django_capture_on_commit_callbacks, valid(homepage="http://spam.example")
    )
    assert response.status_code == 302 and response["Location"] == SENT_URL
    assert not HelpRequest.objects.exists()
    assert mail.outbox == []


def test_one_post_too_many_answers_429_and_a_forged_forwarding_header_does_not_help(
    settings, django_capture_on_commit_callbacks
):
    settings.HUB_HELPDESK_RATE = "3/h"
    client = Client()
    for i in range(3):
        response = post(
            client,
            django_capture_on_commit_callbacks,
            valid(description=f"Request {i}", form_token=f"{i}" * 20),
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        )
        assert response.status_code == 302
    response = post(
        client,
        django_capture_on_commit_callbacks,
        valid(description="Request 4", form_token="4" * 20),
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert HelpRequest.objects.count() == 3
    # Another client address is counted on its own.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert (
        post(other, django_capture_on_commit_callbacks, valid(form_token="5" * 20)).status_code
        == 302
    )


def test_double_submission_of_the_same_form_makes_one_request(
    django_capture_on_commit_callbacks,
):
    client = Client()
    first = post(client, django_capture_on_commit_callbacks, valid())
    second = post(client, django_capture_on_commit_callbacks, valid())
    assert first.status_code == second.status_code == 302
    assert HelpRequest.objects.count() == 1
    assert len([m for m in mail.outbox if "patricia@example.org" in m.to[0]]) == 1


@pytest.mark.parametrize(
    "email",
    [
        "patricia@example.org\r\nBcc: victim@example.org",
        "patricia@example.org\n",
        "patricia@example.org\rX",
        "patricia@exam\nple.org",
    ],
)
def test_an_email_address_with_a_line_break_is_refused(email, django_capture_on_commit_callbacks):
    response = post(Client(), django_capture_on_commit_callbacks, valid(email=email))
    assert response.status_code == 200
    assert "An e-mail address must be on one line" in response.content.decode()
    assert not HelpRequest.objects.exists()
    assert mail.outbox == []


def test_consent_is_required(django_capture_on_commit_callbacks):
    data = valid()
    del data["consent"]
    response = post(Client(), django_capture_on_commit_callbacks, data)
    assert response.status_code == 200
    assert "only keep your request if you agree" in response.content.decode()
    assert not HelpRequest.objects.exists()


def test_over_long_text_gets_a_clear_message_and_keeps_what_was_typed(
    django_capture_on_commit_callbacks,
):
    response = post(
        Client(), django_capture_on_commit_callbacks, valid(description="x" * 5001, partner="Museo")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please keep this under 5000 characters (you typed 5001)" in page
    assert 'value="Museo"' in page  # nothing lost
    assert not HelpRequest.objects.exists()


def test_a_huge_post_is_refused_before_reading_it(settings, django_capture_on_commit_callbacks):
    settings.HUB_HELPDESK_MAX_POST_BYTES = 2000
    response = post(Client(), django_capture_on_commit_callbacks, valid(justification="y" * 3000))
    assert response.status_code == 413
    assert "too long" in response.content.decode()
    assert not HelpRequest.objects.exists()


def test_control_characters_and_line_breaks_leave_one_line_fields():
    response = Client().post(FORM_URL, valid(name="Ana\r\nMaría\x07", partner="Museo\x00 Nacional"))
    assert response.status_code == 302
    request = HelpRequest.objects.get()
    assert request.name == "Ana María"
    assert request.partner == "Museo Nacional"


@pytest.mark.parametrize("token", ["x", "WzEsIngiXQ:forged:signature", "a" * 400, "..%2F"])
def test_forged_links_show_a_clear_message_and_no_data(token):
    help_request(partner="Secret Archive")
    response = Client().get(reverse("helpdesk:request_status", kwargs={"token": token}))
    assert response.status_code == 404
    page = response.content.decode()
    assert "This link does not work" in page
    assert "Secret Archive" not in page


def test_an_expired_link_answers_410_with_a_clear_message():
    with time_machine.travel(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), tick=False):
        request = help_request(partner="Old Archive")
        url = status_url(request)
    with time_machine.travel(dt.datetime(2026, 1, 5, tzinfo=dt.UTC), tick=False):
        response = Client().get(url)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert "Old Archive" not in response.content.decode()


def test_a_link_stops_working_when_its_key_is_replaced():
    request = help_request(partner="Rotated Archive")
    url = status_url(request)
    HelpRequest.objects.filter(pk=request.pk).update(status_key="new-key")
    assert Client().get(url).status_code == 404


def test_the_requester_sees_only_their_own_request_and_no_internal_notes():
    hub = staff()
    mine = help_request(partner="My Museum")
    theirs = help_request(partner="Their Museum")
    services.add_note(actor=hub, request=mine, body="Internal: the committee doubts this.")
    services.ask_requester(actor=hub, request=mine, body="Which licence?")
    page = Client().get(status_url(mine)).content.decode()
    assert "My Museum" in page and "Which licence?" in page
    assert "Their Museum" not in page
    assert "Internal: the committee doubts this." not in page
    assert hub.username not in page  # staff names stay out too
    assert theirs.email not in page


def test_the_requester_answers_through_the_link(django_capture_on_commit_callbacks):
    hub = staff()
    request = help_request()
    services.ask_requester(actor=hub, request=request, body="How many photos?")
    url = status_url(request)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(url, {"body": "About 4,000."})
    assert response.status_code == 302 and response["Location"] == url
    assert Message.objects.filter(request=request, kind="reply", body="About 4,000.").exists()
    assert hub.notifications.filter(kind="requester_reply").exists()
    assert "About 4,000." in Client().get(url).content.decode()


def test_a_closed_request_shows_no_answer_form_and_refuses_answers():
    hub = staff()
    request = help_request()
    services.change_status(actor=hub, request=request, status="declined", message="Out of scope.")
    url = status_url(request)
    page = Client().get(url).content.decode()
    assert "Out of scope." in page and 'name="body"' not in page
    response = Client().post(url, {"body": "Please?"})
    assert response.status_code == 200
    assert "no longer takes answers" in response.content.decode()
    assert not Message.objects.filter(kind="reply").exists()


def test_requests_from_a_member_are_linked_to_their_account(client_a, member_a):
    client_a.post(FORM_URL, valid(email="alice@example.org"))
    assert HelpRequest.objects.get().user == member_a


def test_anonymous_visitors_see_a_link_to_the_helpdesk():
    page = Client().get(reverse("login")).content.decode()
    assert FORM_URL in page


def test_a_member_of_another_affiliate_cannot_open_the_staff_page(client_b, affiliate_a):
    request = help_request()
    response = client_b.get(reverse("helpdesk:request_detail", kwargs={"pk": request.pk}))
    assert response.status_code == 404
    assert request.email not in response.content.decode()


def test_a_french_requester_gets_every_email_in_french_whoever_writes(
    django_capture_on_commit_callbacks,
):
    from django.conf import settings

    Status = HelpRequest.Status

    from django.utils import translation

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    # The override puts the test's own language back after the French request.
    with translation.override(settings.LANGUAGE_CODE):
        post(client, django_capture_on_commit_callbacks, valid(email="amelie@example.org"))
    request = HelpRequest.objects.get()
    assert request.language == "fr"
    received = [m for m in mail.outbox if m.to[0].endswith("<amelie@example.org>")]
    assert received[0].subject.startswith("Nous avons bien reçu votre demande")
    assert received[0].body.startswith("Bonjour Patricia Example,")

    # Hub staff read the Hub in English; the requester still reads French.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(actor=staff(), request=request, status=Status.READY)
    (moved,) = [m for m in mail.outbox if m.to[0].endswith("<amelie@example.org>")]
    assert moved.subject.startswith("Votre demande a avancé")
    assert "Your request" not in moved.body


def test_a_request_from_before_languages_were_kept_is_answered_in_the_default(
    django_capture_on_commit_callbacks,
):
    Status = HelpRequest.Status

    request = help_request(email="old@example.org")
    assert request.language == ""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(actor=staff(), request=request, status=Status.READY)
    (moved,) = [m for m in mail.outbox if "old@example.org" in m.to[0]]
    assert moved.subject.startswith("Your request moved on")
