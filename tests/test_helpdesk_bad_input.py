"""Script and HTML typed into every helpdesk field are stored as text and shown escaped."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from hub.helpdesk import services, services_committee, services_groups
from hub.helpdesk.models import AgendaItem, HelpRequest
from tests import factories
from tests.helpdesk_factories import (
    fast_passwords,  # noqa: F401 (a fixture)
    immediate_tasks,  # noqa: F401 (a fixture)
    profile,
    staff,
    status_token,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks", "fast_passwords")]

PAYLOAD = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
TEXT_FIELDS = [
    "name",
    "partner",
    "approximate_size",
    "description",
    "justification",
    "timeline",
    "languages",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def assert_escaped(html: str) -> None:
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert ESCAPED in html


def form(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Ana",
        "email": "ana@example.org",
        "partner": "Museo",
        "description": "Photos",
        "consent": "on",
        "content_kinds": ["images"],
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_every_request_field_shows_script_as_text(field, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("helpdesk:request_new"), form(**{field: PAYLOAD}))
    assert response.status_code == 302
    request = HelpRequest.objects.get()
    hub = staff()
    client = Client()
    client.force_login(hub)
    for page in (
        reverse("helpdesk:request_detail", kwargs={"pk": request.pk}),
        reverse("helpdesk:dashboard"),
        reverse("helpdesk:request_status", kwargs={"token": status_token(request)}),
    ):
        html = client.get(page).content.decode()
        assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert_escaped(
        client.get(reverse("helpdesk:request_detail", kwargs={"pk": request.pk})).content.decode()
    )
    # Plain-text e-mail: the text goes as typed, never as HTML.
    assert all(not getattr(m, "alternatives", None) for m in mail.outbox)


def test_script_in_conversation_decisions_groups_and_profiles_is_shown_as_text(affiliate_a):
    hub = staff()
    helper = factories.member(affiliate_a, username="helper")
    request, _created = services.submit_request(
        actor=None, name="Ana", email="ana@example.org", partner="M", description="D", consent=True
    )
    services.ask_requester(actor=hub, request=request, body=PAYLOAD)
    services.reply_as_requester(request=request, body=PAYLOAD)
    services.add_note(actor=hub, request=request, body=PAYLOAD)
    services.save_checklist(actor=hub, request=request, points={"risk": ("good", PAYLOAD)})
    services.update_triage(actor=hub, request=request, public_summary=PAYLOAD, skills_needed=[])
    services.change_status(actor=hub, request=request, status="ready")
    meeting = services_committee.schedule_meeting(
        actor=hub, held_on=factories.dt.date(2026, 11, 20), title=PAYLOAD
    )
    services_committee.add_to_agenda(actor=hub, meeting=meeting)
    services_committee.record_decision(
        actor=hub,
        item=AgendaItem.objects.get(),
        outcome="approved",
        priority_rank=1,
        reasons=PAYLOAD,
    )
    services_committee.publish_brief(actor=hub, meeting=meeting)
    group = services_groups.form_working_group(
        actor=hub, name=PAYLOAD, purpose=PAYLOAD, request=request, lead=helper
    )
    services_groups.add_group_task(actor=hub, group=group, title=PAYLOAD, owner=helper)
    services_groups.post_group_update(actor=hub, group=group, body=PAYLOAD)
    profile(helper, languages=PAYLOAD[:190], about=PAYLOAD, availability="available")
    services_committee.add_committee_member(actor=hub, user=hub)

    staff_client = Client()
    staff_client.force_login(hub)
    helper_client = Client()
    helper_client.force_login(helper)
    pages = [
        (staff_client, reverse("helpdesk:request_detail", kwargs={"pk": request.pk})),
        (staff_client, reverse("helpdesk:meeting_detail", kwargs={"pk": meeting.pk})),
        (staff_client, reverse("helpdesk:meeting_list")),
        (staff_client, reverse("helpdesk:group_list")),
        (staff_client, reverse("community:find_helper", kwargs={"pk": request.pk})),
        (Client(), reverse("helpdesk:meeting_brief", kwargs={"pk": meeting.pk})),
        (Client(), reverse("helpdesk:brief_list")),
        (Client(), reverse("helpdesk:request_status", kwargs={"token": status_token(request)})),
        (helper_client, reverse("helpdesk:group_detail", kwargs={"pk": group.pk})),
        (helper_client, reverse("helpdesk:notifications")),
        (helper_client, reverse("community:directory")),
        (helper_client, reverse("community:request_board")),
        (
            helper_client,
            reverse("community:profile_detail", kwargs={"pk": helper.community_profile.pk}),
        ),
    ]
    for client, page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html and "<img src=x" not in html, page
    assert_escaped(
        staff_client.get(
            reverse("helpdesk:request_detail", kwargs={"pk": request.pk})
        ).content.decode()
    )


@pytest.mark.parametrize("value", ["\x00", "a\x00b"])
def test_nul_characters_never_reach_the_database(value):
    response = Client().post(reverse("helpdesk:request_new"), form(description=f"Photos {value}"))
    if response.status_code == 302:
        assert "\x00" not in HelpRequest.objects.get().description
    else:
        assert "errorlist" in response.content.decode()
        assert not HelpRequest.objects.exists()


def test_an_overlong_answer_by_the_link_is_refused_and_kept(django_capture_on_commit_callbacks):
    request, _created = services.submit_request(
        actor=None, name="Ana", email="ana@example.org", partner="M", description="D", consent=True
    )
    url = reverse("helpdesk:request_status", kwargs={"token": status_token(request)})
    response = Client().post(url, {"body": "z" * 5001})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please keep this under 5000 characters" in html and "z" * 5001 in html
    assert not request.messages.exists()
