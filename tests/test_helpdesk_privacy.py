"""A requester's data rights on the helpdesk: retention, a copy, erasure from the status link."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hub.core.models import AuditEvent
from hub.core.schedule import jobs
from hub.helpdesk import services
from hub.helpdesk.models import HelpRequest, Message, Notification
from hub.helpdesk.services_privacy import anonymise_closed_requests
from hub.partners.models import Contact
from tests import factories
from tests import helpdesk_factories as hd

pytestmark = pytest.mark.django_db

NAME, EMAIL = "Rosa Requester", "rosa@museo.example"


def token_of(request: HelpRequest) -> str:
    return services.status_link(request).rstrip("/").rsplit("/", 1)[1]


def closed(days_ago: int, **fields: Any) -> HelpRequest:
    staff = hd.staff()
    request = hd.help_request(name=NAME, email=EMAIL, **fields)
    services.ask_requester(actor=staff, request=request, body=f"Dear {NAME}, which scans?")
    services.change_status(actor=staff, request=request, status="declined")
    HelpRequest.objects.filter(pk=request.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return request


def test_closed_requests_are_anonymised_after_the_retention_period(settings, member_a):
    settings.HUB_HELPDESK_RETENTION_DAYS = 30
    old = closed(31, description=f"{NAME} wants help.", actor=member_a)
    recent = closed(29)
    still_open = hd.help_request(name=NAME, email=EMAIL, partner="Another museum")
    HelpRequest.objects.filter(pk=still_open.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=400)
    )

    assert anonymise_closed_requests() == 1
    assert anonymise_closed_requests() == 0  # safe to run twice

    old.refresh_from_db()
    assert (old.name, old.email, old.user) == ("[erased]", "", None)
    assert NAME not in old.description
    assert not Message.objects.filter(request=old, body__contains=NAME).exists()
    # Only that request: the recent one and the open one keep their sender.
    assert set(HelpRequest.objects.filter(email=EMAIL).values_list("pk", flat=True)) == {
        recent.pk,
        still_open.pk,
    }
    assert AuditEvent.objects.filter(action="help_request.anonymised").count() == 1


def test_retention_zero_keeps_everything(settings):
    settings.HUB_HELPDESK_RETENTION_DAYS = 0
    closed(5000)
    assert anonymise_closed_requests() == 0


def test_retention_is_a_scheduled_job():
    assert "helpdesk_retention" in {job.name for job in jobs}


def test_requester_downloads_their_data_from_the_status_link():
    staff = hd.staff()
    request = hd.help_request(name=NAME, email=EMAIL)
    services.add_note(actor=staff, request=request, body="Internal: sounds small.")
    services.ask_requester(actor=staff, request=request, body="How many scans?")

    response = Client().get(
        reverse("helpdesk:request_my_data", kwargs={"token": token_of(request)})
    )

    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert (data["name"], data["email"]) == (NAME, EMAIL)
    assert [m["text"] for m in data["messages"]] == ["How many scans?"]  # no internal notes


@pytest.mark.parametrize("wish", ["copy", "erase"])
def test_requester_asks_for_a_copy_or_erasure_and_hub_staff_hear_of_it(wish):
    staff = hd.staff()
    request = hd.help_request(name=NAME, email=EMAIL)
    url = reverse("helpdesk:request_privacy", kwargs={"token": token_of(request)})

    response = Client().post(url, {"wish": wish}, follow=True)

    assert "hub staff will handle your wish" in response.content.decode()
    note = Message.objects.get(request=request, kind=Message.Kind.NOTE)
    assert ("erase" in note.body) == (wish == "erase")
    assert Notification.objects.filter(user=staff, text__contains=request.reference).exists()
    assert AuditEvent.objects.filter(action="help_request.personal_data_asked").exists()


def test_a_forged_wish_is_refused_clearly():
    request = hd.help_request(name=NAME, email=EMAIL)
    url = reverse("helpdesk:request_privacy", kwargs={"token": token_of(request)})
    response = Client().post(url, {"wish": "<script>drop</script>"}, follow=True)
    assert "Choose what you would like us to do" in response.content.decode()
    assert not Message.objects.filter(request=request).exists()


def test_hub_staff_erase_a_requester_everywhere_after_seeing_it_all(affiliate_a, member_a):
    org = factories.organisation(affiliate_a, actor=member_a)
    factories.contact(org, actor=member_a, name=NAME, emails=EMAIL)
    request = hd.help_request(name=NAME, email=EMAIL, affiliate=affiliate_a)
    staff = hd.staff()
    client = Client()
    client.force_login(staff)
    url = reverse("helpdesk:request_erase", kwargs={"pk": request.pk})

    page = client.get(url)
    assert page.status_code == 200
    assert "Help request they sent" in page.content.decode()
    assert "Contact" in page.content.decode()
    response = client.post(url, {"confirm": "erase", "seen": page.context["lookup"].fingerprint})

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.name, request.email) == ("[erased]", "")
    assert not Contact.objects.filter(name=NAME).exists()
    assert AuditEvent.objects.filter(action="person.erased").count() == 1


def test_the_committee_and_members_cannot_erase(affiliate_a, client_a):
    request = hd.help_request(name=NAME, email=EMAIL, affiliate=affiliate_a)
    url = reverse("helpdesk:request_erase", kwargs={"pk": request.pk})
    assert client_a.post(url, {"confirm": "erase", "seen": 1}).status_code == 404
    request.refresh_from_db()
    assert request.email == EMAIL


def test_hub_staff_erase_the_sender_of_a_request_sent_to_no_affiliate(
    affiliate_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = hd.help_request(name=NAME, email=EMAIL, description=f"From {NAME}.")
    theirs_in_a = hd.help_request(name=NAME, email=EMAIL, affiliate=affiliate_a)
    client = Client()
    client.force_login(hd.staff())
    url = reverse("helpdesk:request_erase", kwargs={"pk": request.pk})
    page = client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirm": "erase", "seen": page.context["lookup"].fingerprint})

    request.refresh_from_db()
    assert (request.name, request.email) == ("[erased]", "")
    assert NAME not in request.description
    # The mail the helpdesk sent them is gone from the queue.
    assert not [r for r in DBTaskResult.objects.all() if EMAIL in json.dumps(r.args_kwargs)]
    # A request they sent to an affiliate is that affiliate's to erase.
    theirs_in_a.refresh_from_db()
    assert theirs_in_a.email == EMAIL
