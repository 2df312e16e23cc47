"""The helpdesk's back office, the committee, working groups and notifications, page by page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from hub.core.models import AuditEvent
from hub.helpdesk import selectors, services, services_committee, services_groups
from hub.helpdesk.models import AgendaItem, GroupMember, HelpRequest, Message, ReviewCheck
from tests import factories
from tests.helpdesk_factories import (
    approved_request,
    fast_passwords,  # noqa: F401 (a fixture)
    help_request,
    immediate_tasks,  # noqa: F401 (a fixture)
    meeting,
    ready_request,
    staff,
    status_token,
    working_group,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks", "fast_passwords")]


@pytest.fixture
def hub() -> Any:
    return staff("hana")


@pytest.fixture
def hub_client(hub: Any) -> Client:
    client = Client()
    client.force_login(hub)
    return client


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"helpdesk:{name}", kwargs=kwargs or None)


def test_committee_members_use_the_back_office_and_plain_members_do_not(
    hub, client_a, member_b, affiliate_b
):
    request = help_request()
    assert client_a.get(url("dashboard")).status_code == 404
    services_committee.add_committee_member(actor=hub, user=member_b)
    committee = Client()
    committee.force_login(member_b)
    assert committee.get(url("dashboard")).status_code == 200
    assert committee.get(url("request_detail", pk=request.pk)).status_code == 200
    assert committee.get(url("meeting_list")).status_code == 200
    # Membership of the committee and capacity stay with hub staff.
    assert committee.get(url("committee")).status_code == 404


def test_dashboard_shows_response_times_capacity_and_filters(hub, hub_client):
    help_request(partner="Museo Textil")
    ready_request(hub, partner="Archivo Sonoro")
    services_committee.set_capacity(actor=hub, year=2026, quarter=1, capacity=3)
    page = hub_client.get(url("dashboard")).content.decode()
    assert "days to first answer (median)" in page and "days to decision (median)" in page
    assert "Capacity beside demand" in page
    assert "Museo Textil" in page and "Archivo Sonoro" in page
    filtered = hub_client.get(url("dashboard") + "?status=ready").content.decode()
    assert "Archivo Sonoro" in filtered and "Museo Textil" not in filtered
    searched = hub_client.get(url("dashboard") + "?q=museo+textil").content.decode()
    assert "Museo Textil" in searched and "Archivo Sonoro" not in searched


def test_staff_ask_note_and_update_from_the_request_page(
    hub_client, django_capture_on_commit_callbacks
):
    request = help_request(email="req@example.org")
    detail = url("request_detail", pk=request.pk)
    with django_capture_on_commit_callbacks(execute=True):
        for kind, body in [
            ("question", "Which licence?"),
            ("note", "Internal hunch"),
            ("update", "We read it"),
        ]:
            response = hub_client.post(
                url("request_message", pk=request.pk), {"kind": kind, "body": body}
            )
            assert response.status_code == 302 and response["Location"] == detail
    page = hub_client.get(detail).content.decode()
    assert "Which licence?" in page and "Internal hunch" in page and "internal" in page
    to_requester = [m for m in mail.outbox if "req@example.org" in m.to[0]]
    bodies = " ".join(str(m.body) for m in to_requester)
    assert "Which licence?" in bodies and "We read it" in bodies
    assert "Internal hunch" not in bodies
    request.refresh_from_db()
    assert request.status == "info_needed"


def test_staff_move_a_request_and_fill_the_checklist(hub_client):
    request = help_request()
    response = hub_client.post(url("request_transition", pk=request.pk), {"status": "ready"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "ready"
    bad = hub_client.post(url("request_transition", pk=request.pk), {"status": "done"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    groups = ("technical", "legal", "risk", "sustainability")
    checklist: dict[str, str] = {}
    for group in groups:
        checklist |= {f"{group}_rating": "concerns", f"{group}_comment": f"{group} note"}
    response = hub_client.post(url("request_check", pk=request.pk), checklist)  # one save
    assert response.status_code == 302
    assert ReviewCheck.objects.filter(request=request, rating="concerns").count() == 4
    event = AuditEvent.objects.get(action="help_request.checked")
    assert set(event.changes) == set(groups)
    page = hub_client.get(url("request_detail", pk=request.pk)).content.decode()
    assert "sustainability note" in page
    response = hub_client.post(
        url("request_triage", pk=request.pk),
        {"public_summary": "Photos of textiles", "skills_needed": ["batch_upload", "licensing"]},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.skill_list == ["batch_upload", "licensing"]


def test_committee_meeting_agenda_decisions_and_public_brief(hub, hub_client):
    first = ready_request(
        hub,
        name="Secret Person",
        email="secret@example.org",
        partner="Hidden Partner",
        country="MA",
    )
    second = ready_request(hub, description="Private words about a person")
    response = hub_client.post(
        url("meeting_list"), {"held_on": "2026-11-20", "title": "November review"}
    )
    meeting_url = response["Location"]
    pk = int(meeting_url.rstrip("/").rsplit("/", 1)[1])
    hub_client.post(url("meeting_agenda", pk=pk))
    items = list(AgendaItem.objects.filter(meeting_id=pk).order_by("id"))
    assert [i.request for i in items] == [first, second]

    missing_rank = hub_client.post(
        url("item_decide", pk=items[0].pk), {"outcome": "approved", "reasons": "Good"}
    )
    assert missing_rank.status_code == 400
    assert "needs a priority rank" in missing_rank.content.decode()
    assert (
        hub_client.post(
            url("item_decide", pk=items[0].pk),
            {
                "outcome": "approved",
                "priority_rank": "1",
                "reasons": "Private reasoning about Secret Person",
            },
        ).status_code
        == 302
    )
    assert (
        hub_client.post(
            url("item_decide", pk=items[1].pk), {"outcome": "declined", "reasons": "Out of scope"}
        ).status_code
        == 302
    )

    brief_url = url("meeting_brief", pk=pk)
    assert Client().get(brief_url).status_code == 404  # not published yet
    assert hub_client.post(url("meeting_publish", pk=pk)).status_code == 302
    brief = Client().get(brief_url)
    assert brief.status_code == 200
    html = brief.content.decode()
    assert "November review" in html
    assert f"HD-{first.pk}" in html and "Approved" in html and "Declined" in html
    assert "Middle East and Africa" in html
    for personal in (
        "Secret Person",
        "secret@example.org",
        "Hidden Partner",
        "Private words",
        "Private reasoning",
        "Out of scope",
        hub.username,
    ):
        assert personal not in html, personal
    assert url("meeting_brief", pk=pk) in Client().get(url("brief_list")).content.decode()


def test_hub_staff_manage_the_committee_and_capacity(hub_client, member_a):
    response = hub_client.post(url("committee"), {"username": "ALICE"})
    assert response.status_code == 302
    assert selectors.is_committee_member(member_a)
    nobody = hub_client.post(url("committee"), {"username": "nobody"})
    assert nobody.status_code == 400 and "Nobody has the username" in nobody.content.decode()
    response = hub_client.post(url("committee"), {"year": "2026", "quarter": "4", "capacity": "3"})
    assert response.status_code == 302
    member = member_a.committee_membership
    hub_client.post(url("committee_remove", pk=member.pk))
    assert not selectors.is_committee_member(member_a)


def test_working_group_pages_are_for_members_only(hub, client_a, client_b, member_a, member_b):
    request, _item = approved_request(hub, partner="Textile Museum")
    group = working_group(hub, request, lead=member_a)
    detail = url("group_detail", pk=group.pk)
    assert client_b.get(detail).status_code == 404
    assert "Textile" not in client_b.get(url("group_list")).content.decode()
    assert client_a.get(detail).status_code == 200
    # The lead adds bob, from another affiliate; bob then sees the group.
    assert (
        client_a.post(
            url("group_member_add", pk=group.pk), {"people": [member_b.pk], "role": "member"}
        ).status_code
        == 302
    )
    assert client_b.get(detail).status_code == 200
    # A plain member may not add people.
    assert (
        client_b.post(
            url("group_member_add", pk=group.pk), {"people": [member_a.pk], "role": "member"}
        ).status_code
        == 403
    )
    response = client_b.post(
        url("group_task_add", pk=group.pk),
        {"title": "Check licences", "owner": member_b.pk, "due_on": "2026-12-01"},
    )
    assert response.status_code == 302
    task = group.tasks.get()
    assert client_b.post(url("task_done", pk=task.pk)).status_code == 302
    assert (
        client_b.post(url("group_update", pk=group.pk), {"body": "Licences checked."}).status_code
        == 302
    )
    status_page = Client().get(
        reverse("helpdesk:request_status", kwargs={"token": status_token(request)})
    )
    html = status_page.content.decode()
    assert "Licences checked." in html and group.name in html and "Check licences" in html
    assert member_b.username not in html  # owners stay off the requester's page


def test_group_form_from_the_request_page(hub, hub_client):
    request, _item = approved_request(hub)
    form = hub_client.get(url("group_create") + f"?request={request.pk}").content.decode()
    assert f'<option value="{request.pk}" selected>' in form
    response = hub_client.post(
        url("group_create"), {"name": "Upload group", "request": request.pk, "lead": "hana"}
    )
    assert response.status_code == 302
    assert GroupMember.objects.get().role == "lead"
    request.refresh_from_db()
    assert request.status == "in_progress"


def test_notifications_list_and_preferences(hub, hub_client):
    help_request(partner="Museo Nuevo")
    page = hub_client.get(url("notifications")).content.decode()
    assert "Museo Nuevo" in page
    hub_client.post(url("notifications_read"))
    assert not hub.notifications.filter(read_at=None).exists()
    response = hub_client.post(url("notification_preferences"), {"new_request__in_app": "on"})
    assert response.status_code == 302
    from hub.helpdesk.notify import preferences_for

    prefs = preferences_for(hub)
    assert prefs["new_request"] == (True, False)
    assert prefs["decision"] == (False, False)


# --- Reads that cross relations: the query count does not grow with the rows ---------------


def _fill(hub: Any, n: int) -> tuple[HelpRequest, Any]:
    meeting_ = meeting(hub)
    request = None
    for i in range(n):
        request = ready_request(hub)
        services.save_checklist(actor=hub, request=request, points={"risk": ("good", "")})
        services.ask_requester(actor=hub, request=request, body=f"Q{i}")
        services.change_status(actor=hub, request=request, status="ready")
    services_committee.add_to_agenda(actor=hub, meeting=meeting_)
    assert request is not None
    return request, meeting_


@pytest.mark.parametrize("n", [1, 4])
def test_meeting_page_reads_a_fixed_number_of_queries(hub, n, django_assert_num_queries):
    _request, meeting_ = _fill(hub, n)
    with django_assert_num_queries(6):
        page = selectors.meeting_page(meeting_.pk)
        for item in page.items:
            _ = [c.rating for c in item.request.checks.all()], item.request.affiliate


@pytest.mark.parametrize("n", [1, 4])
def test_request_page_reads_a_fixed_number_of_queries(hub, n, django_assert_num_queries):
    request, _meeting = _fill(hub, n)
    for i in range(n):
        services.add_note(actor=hub, request=request, body=f"note {i}")
    with django_assert_num_queries(6):
        page = selectors.request_page(request.pk)
        _ = [(m.author, m.working_group) for m in page.messages]
        _ = [(i.meeting.title, i.decided_by) for i in page.agenda_items]


@pytest.mark.parametrize("n", [1, 4])
def test_status_page_reads_a_fixed_number_of_queries(hub, n, django_assert_num_queries):
    request, _item = approved_request(hub)
    for i in range(n):
        group = working_group(hub, request)
        services_groups.add_group_task(actor=hub, group=group, title=f"T{i}")
        services_groups.post_group_update(actor=hub, group=group, body=f"U{i}")
    with django_assert_num_queries(4):
        page = selectors.status_page(request)
        _ = [m.working_group for m in page.messages]
        _ = [list(g.tasks.all()) for g in page.groups]


def test_dashboard_page_query_count_does_not_grow_with_requests(
    hub, hub_client, django_assert_max_num_queries
):
    for _ in range(3):
        help_request(affiliate=factories.affiliate())
    with django_assert_max_num_queries(14) as few:
        hub_client.get(url("dashboard"))
    for _ in range(6):
        help_request(affiliate=factories.affiliate())
    with django_assert_max_num_queries(len(few.captured_queries)):
        hub_client.get(url("dashboard"))


def test_messages_of_the_requester_are_never_internal(hub):
    request = help_request()
    services.reply_as_requester(request=request, body="Hello")
    assert not Message.objects.get().is_internal


def test_sent_page_offers_an_anonymous_requester_a_public_page(db):
    page = Client().get(url("request_sent")).content.decode()
    assert f'href="{url("request_new")}"' in page
    assert f'href="{reverse("home")}">' not in page.split("<main")[1]


def test_the_checklist_saves_nothing_while_one_point_is_wrong(hub_client):
    request = help_request()
    response = hub_client.post(
        url("request_check", pk=request.pk),
        {
            "technical_rating": "good",
            "legal_comment": "Licence unclear",  # a comment without its rating
            "risk_rating": "blocking",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="check_legal_rating_error"' in page
    assert "Choose a rating for this point, or clear its comment." in page
    assert "Licence unclear</textarea>" in page  # what was typed is kept
    assert not ReviewCheck.objects.filter(request=request).exists()


def test_a_rated_point_can_be_rerated_but_not_unrated(hub, hub_client):
    request = help_request()
    services.save_checklist(actor=hub, request=request, points={"risk": ("good", "")})
    response = hub_client.post(
        url("request_check", pk=request.pk), {"risk_rating": "", "technical_rating": "good"}
    )
    assert response.status_code == 400
    assert 'id="check_risk_rating_error"' in response.content.decode()
    assert ReviewCheck.objects.get(request=request).rating == "good"


def test_group_members_are_picked_by_searching_not_typed(hub, client_a, member_a, affiliate_b):
    request, _item = approved_request(hub)
    group = working_group(hub, request, lead=member_a)
    add = url("group_member_add", pk=group.pk)
    ines = factories.member(affiliate_b, username="ines", first_name="Inés", last_name="Duarte")
    ivo = factories.member(affiliate_b, username="ivo", first_name="Ivo", last_name="Duarte")
    factories.member(affiliate_b, username="zoe", first_name="Zoë", last_name="Marsh")
    # Without JavaScript: type part of a name, press Search, tick people, add them.
    search = client_a.post(add, {"people_q": "duarte", "people_search": "1", "role": "member"})
    assert search.status_code == 200
    page = search.content.decode()
    assert "Inés Duarte (ines)" in page and "Ivo Duarte (ivo)" in page and "Zoë" not in page
    assert "2 people match “duarte”." in page
    assert 'type="checkbox" name="people"' in page
    assert not GroupMember.objects.filter(group=group, user__in=[ines, ivo]).exists()
    added = client_a.post(add, {"people": [ines.pk, ivo.pk], "role": "member"})
    assert added.status_code == 302
    assert set(group.memberships.values_list("user__username", flat=True)) == {
        member_a.username,
        "ines",
        "ivo",
    }
    # Words typed but never searched are not silently dropped; nobody is added.
    typed = client_a.post(add, {"people_q": "zoe", "role": "member"})
    assert typed.status_code == 200
    assert "Tick the people found for “zoe”, then add them." in typed.content.decode()
    assert not group.memberships.filter(user__username="zoe").exists()
    assert (
        "Nobody in the Hub matches"
        in client_a.post(
            add, {"people_q": "nobody-here", "people_search": "1", "role": "member"}
        ).content.decode()
    )
