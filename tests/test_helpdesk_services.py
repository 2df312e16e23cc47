"""The helpdesk workflow through its services: request, triage, committee, working group, done."""

from __future__ import annotations

import datetime as dt
from email.utils import getaddresses
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from hub.core.models import AuditEvent
from hub.helpdesk import selectors, services, services_committee, services_groups
from hub.helpdesk.models import (
    AgendaItem,
    HelpRequest,
    Message,
    Notification,
)
from tests import factories
from tests.helpdesk_factories import (
    approved_request,
    fast_passwords,  # noqa: F401 (a fixture)
    help_request,
    immediate_tasks,  # noqa: F401 (a fixture)
    meeting,
    ready_request,
    staff,
    working_group,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks", "fast_passwords")]

Status = HelpRequest.Status


@pytest.fixture
def capture(django_capture_on_commit_callbacks: Any) -> Any:
    def run() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    return run


def _link_in(message: Any) -> str:
    return next(line for line in message.body.splitlines() if "/helpdesk/status/" in line)


def test_whole_workflow_from_request_to_done(capture, affiliate_a, member_a):
    hub = staff("hana")
    colleague = staff("colleague")
    helper = factories.member(affiliate_a, username="helga")

    with capture():
        request, created = services.submit_request(
            actor=None,
            name="Amina Example",
            email="amina@example.org",
            affiliate=affiliate_a,
            country="MA",
            partner="Royal Institute of Amazigh Culture",
            content_kinds=["audio_video", "data"],
            description="Record and upload Tachelhit words with their metadata.",
            justification="No recordings of this language on Commons yet.",
            languages="Tachelhit, French",
            consent=True,
        )
    assert created and request.status == Status.NEW and request.region == "mea"
    to_requester = [m for m in mail.outbox if "amina@example.org" in m.to[0]]
    assert len(to_requester) == 1
    assert "We received your request" in to_requester[0].subject
    assert request.reference in to_requester[0].subject
    assert _link_in(to_requester[0]).startswith("http")
    assert Notification.objects.filter(user=hub, kind="new_request").exists()

    mail.outbox.clear()
    with capture():
        services.ask_requester(actor=hub, request=request, body="How many recordings?")
    request.refresh_from_db()
    assert request.status == Status.INFO_NEEDED and request.first_answered_at is not None
    assert "How many recordings?" in mail.outbox[0].body

    with capture():
        services.reply_as_requester(request=request, body="About 3,000 words.")
    assert Notification.objects.filter(user=hub, kind="requester_reply").count() == 1

    services.add_note(actor=hub, request=request, body="Good partner, call them.")
    services.save_checklist(actor=hub, request=request, points={"legal": ("good", "CC0")})
    services.update_triage(
        actor=hub,
        request=request,
        public_summary="Tachelhit recordings",
        skills_needed=["batch_upload", "structured_data"],
    )
    services.change_status(actor=hub, request=request, status=Status.READY)

    m = meeting(hub, held_on=dt.date(2026, 11, 20))
    assert services_committee.add_to_agenda(actor=hub, meeting=m) == 1
    item = AgendaItem.objects.get(meeting=m)
    mail.outbox.clear()
    with capture():
        services_committee.record_decision(
            actor=hub, item=item, outcome="approved", priority_rank=1, reasons="Unique language."
        )
    request.refresh_from_db()
    assert request.status == Status.APPROVED and request.priority == 1
    assert request.decided_at is not None
    assert "Unique language." in mail.outbox[0].body
    assert Notification.objects.filter(user=colleague, kind="decision").exists()
    assert not Notification.objects.filter(user=hub, kind="decision").exists()  # the decider

    mail.outbox.clear()
    with capture():
        group = services_groups.form_working_group(
            actor=hub, name="Tachelhit recordings", request=request, lead=helper
        )
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert any("working group" in m.subject for m in mail.outbox)
    assert Notification.objects.filter(user=helper, kind="group").exists()
    task = services_groups.add_group_task(
        actor=helper, group=group, title="Prepare the word list", owner=helper
    )
    services_groups.complete_task(actor=helper, task=task)
    with capture():
        services_groups.post_group_update(actor=helper, group=group, body="1,000 words uploaded.")

    page = selectors.status_page(request)
    bodies = [m.body for m in page.messages]
    assert "1,000 words uploaded." in bodies and "About 3,000 words." in bodies
    assert "Good partner, call them." not in bodies  # internal notes stay internal
    assert page.decision is not None and page.decision.reasons == "Unique language."
    assert page.groups[0].tasks.all()[0].done_at is not None

    services.change_status(actor=hub, request=request, status=Status.DONE)
    request.refresh_from_db()
    assert request.status == Status.DONE
    actions = set(
        AuditEvent.objects.filter(
            target_type="helpdesk.helprequest", target_id=request.pk
        ).values_list("action", flat=True)
    )
    assert {
        "help_request.submitted",
        "help_request.question_asked",
        "help_request.answered",
        "help_request.note_added",
        "help_request.checked",
        "help_request.triaged",
        "help_request.status_changed",
        "help_request.decided",
        "help_request.update_posted",
    } <= actions
    # The audit trail holds no name, address or free text of the requester.
    for event in AuditEvent.objects.filter(target_type="helpdesk.helprequest"):
        assert "amina" not in str(event.changes).lower()


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.NEW, Status.APPROVED),  # approval is the committee's decision
        (Status.NEW, Status.DONE),
        (Status.READY, Status.DECLINED),
        (Status.DECLINED, Status.READY),
    ],
)
def test_refuses_transitions_outside_the_workflow(start, target):
    hub = staff()
    request = help_request()
    HelpRequest.objects.filter(pk=request.pk).update(status=start)
    with pytest.raises(ValidationError):
        services.change_status(actor=hub, request=request, status=target)
    request.refresh_from_db()
    assert request.status == start


def test_decision_needs_reasons_and_a_free_rank_for_approval():
    hub = staff()
    m = meeting(hub)
    first = ready_request(hub)
    second = ready_request(hub)
    services_committee.add_to_agenda(actor=hub, meeting=m)
    item1, item2 = AgendaItem.objects.filter(meeting=m).order_by("id")
    with pytest.raises(ValidationError) as no_rank:
        services_committee.record_decision(
            actor=hub, item=item1, outcome="approved", reasons="Good."
        )
    assert "priority_rank" in no_rank.value.error_dict
    with pytest.raises(ValidationError) as no_reasons:
        services_committee.record_decision(actor=hub, item=item1, outcome="declined", reasons="  ")
    assert "reasons" in no_reasons.value.error_dict
    services_committee.record_decision(
        actor=hub, item=item1, outcome="approved", priority_rank=1, reasons="Good."
    )
    with pytest.raises(ValidationError) as taken:
        services_committee.record_decision(
            actor=hub, item=item2, outcome="approved", priority_rank=1, reasons="Also good."
        )
    assert "priority_rank" in taken.value.error_dict
    services_committee.record_decision(
        actor=hub, item=item2, outcome="parked", reasons="No capacity."
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.priority) == (Status.APPROVED, 1)
    assert (second.status, second.priority) == (Status.PARKED, None)


def test_only_requests_ready_for_review_are_decided():
    hub = staff()
    m = meeting(hub)
    request = ready_request(hub)
    services_committee.add_to_agenda(actor=hub, meeting=m)
    services.change_status(actor=hub, request=request, status=Status.INFO_NEEDED)
    with pytest.raises(ValidationError):
        services_committee.record_decision(
            actor=hub, item=AgendaItem.objects.get(), outcome="declined", reasons="No."
        )


def test_agenda_takes_only_ready_requests_once():
    hub = staff()
    m = meeting(hub)
    ready_request(hub)
    help_request()  # new, not ready
    assert services_committee.add_to_agenda(actor=hub, meeting=m) == 1
    assert services_committee.add_to_agenda(actor=hub, meeting=m) == 0
    services_committee.publish_brief(actor=hub, meeting=m)
    ready_request(hub)
    with pytest.raises(ValidationError):
        services_committee.add_to_agenda(actor=hub, meeting=m)


def test_same_form_token_or_same_text_makes_one_request(capture):
    fields: dict[str, Any] = {
        "actor": None,
        "name": "Ana",
        "email": "ana@example.org",
        "partner": "Museo",
        "description": "Photos",
        "consent": True,
    }
    with capture():
        first, created = services.submit_request(submission_token="t" * 20, **fields)
        again, created_again = services.submit_request(submission_token="t" * 20, **fields)
        retyped, created_retyped = services.submit_request(
            submission_token="u" * 20, **{**fields, "description": "  photos "}
        )
    assert created and not created_again and not created_retyped
    assert first == again == retyped
    assert HelpRequest.objects.count() == 1
    assert len([m for m in mail.outbox if "ana@example.org" in m.to[0]]) == 1


def test_same_text_after_a_day_is_a_new_request():
    with time_machine.travel(dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC), tick=False):
        first = help_request(email="x@example.org", description="Same")
    with time_machine.travel(dt.datetime(2026, 1, 3, 9, tzinfo=dt.UTC), tick=False):
        second = help_request(email="x@example.org", description="Same", partner=first.partner)
    assert first != second


def test_refuses_a_request_without_consent():
    with pytest.raises(ValidationError) as error:
        help_request(consent=False)
    assert "consent" in error.value.error_dict
    assert not HelpRequest.objects.exists()


def test_response_times_count_days_to_first_answer_and_to_decision():
    hub = staff()
    start = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        fast = help_request()
        slow = help_request()
        help_request()  # never answered
        clock.move_to(start + dt.timedelta(days=2))
        services.ask_requester(actor=hub, request=fast, body="Size?")
        clock.move_to(start + dt.timedelta(days=4))
        services.change_status(actor=hub, request=slow, status=Status.READY)
        clock.move_to(start + dt.timedelta(days=10))
        services.change_status(actor=hub, request=fast, status=Status.DECLINED)
    times = selectors.response_times()
    assert times.answered == 2 and times.unanswered == 1
    assert times.median_days_to_first_answer == 3.0
    assert times.mean_days_to_first_answer == 3.0
    assert times.decided == 1 and times.median_days_to_decision == 10.0


def test_capacity_table_sets_capacity_beside_demand():
    hub = staff()
    services_committee.set_capacity(actor=hub, year=2026, quarter=4, capacity=3)
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), tick=False):
        for _ in range(10):
            help_request()
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC), tick=False):
        approved_request(hub)
        rows = selectors.capacity_table(timezone.localdate(), quarters=2)
    this, previous = rows
    assert (this.label, this.capacity, this.asked, this.approved) == ("2026 Q4", 3, 11, 1)
    assert this.over_capacity
    assert (previous.label, previous.capacity, previous.asked) == ("2026 Q3", None, 0)


def test_notifications_follow_each_persons_preferences(capture):
    quiet = staff("quiet")
    mailonly = staff("mailonly")
    services.save_notification_preferences(actor=quiet, preferences={"new_request": (True, False)})
    services.save_notification_preferences(
        actor=mailonly, preferences={"new_request": (False, True)}
    )
    with capture():
        help_request()
    recipients = " ".join(m.to[0] for m in mail.outbox)
    assert "quiet@example.org" not in recipients
    assert "mailonly@example.org" in recipients
    assert Notification.objects.filter(user=quiet).count() == 1
    assert Notification.objects.filter(user=mailonly).count() == 0
    assert services.mark_notifications_read(actor=quiet) == 1


def test_mail_headers_carry_no_injected_line_breaks(capture):
    with capture():
        help_request(
            name="Eve\r\nBcc: victim@example.org",
            email="eve@example.org",
            partner="Museum\r\nSubject: spoofed",
        )
    message = mail.outbox[0]
    assert message.to == ['"Eve Bcc: victim@example.org" <eve@example.org>']
    assert [address for _name, address in getaddresses(message.to)] == ["eve@example.org"]
    headers = message.message().as_string().split("\n\n")[0]
    assert "\nBcc:" not in headers and "\nSubject: spoofed" not in headers
    assert message.bcc == []
    assert "\n" not in message.subject and "\r" not in message.subject


def test_working_group_tasks_are_owned_by_members():
    hub = staff()
    request, _item = approved_request(hub)
    group = working_group(hub, request)
    outsider = staff("outsider")
    with pytest.raises(ValidationError):
        services_groups.add_group_task(actor=hub, group=group, title="X", owner=outsider)


def test_groups_form_only_for_approved_requests_or_a_theme():
    hub = staff()
    with pytest.raises(ValidationError):
        services_groups.form_working_group(actor=hub, name="G", request=help_request())
    with pytest.raises(ValidationError):
        services_groups.form_working_group(actor=hub, name="G")
    group = services_groups.form_working_group(
        actor=hub, name="Wikidata for GLAMs", theme="Wikidata"
    )
    assert group.request is None
    with pytest.raises(ValidationError):
        services_groups.post_group_update(actor=hub, group=group, body="Nobody reads this")


def test_closed_requests_take_no_more_answers():
    hub = staff()
    request = help_request()
    services.change_status(actor=hub, request=request, status=Status.DECLINED)
    with pytest.raises(ValidationError):
        services.reply_as_requester(request=request, body="Please reconsider")
    assert not Message.objects.filter(kind="reply").exists()


def test_a_request_sits_on_one_undecided_agenda_at_a_time():
    hub = staff()
    request = ready_request(hub)
    november, december = meeting(hub), meeting(hub, held_on=dt.date(2026, 12, 18))
    assert services_committee.add_to_agenda(actor=hub, meeting=november, requests=[request]) == 1
    with pytest.raises(ValidationError, match="already on the agenda of"):
        services_committee.add_to_agenda(actor=hub, meeting=december, requests=[request])
    assert services_committee.add_to_agenda(actor=hub, meeting=december) == 0
    assert AgendaItem.objects.filter(request=request).count() == 1


@time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), tick=False)
def test_no_decision_is_recorded_for_a_meeting_still_to_come():
    hub = staff()
    request = ready_request(hub)
    coming = meeting(hub, held_on=dt.date(2026, 12, 18))
    services_committee.add_to_agenda(actor=hub, meeting=coming, requests=[request])
    item = AgendaItem.objects.get(request=request)
    with pytest.raises(ValidationError, match="once it has taken place"):
        services_committee.record_decision(
            actor=hub, item=item, outcome="declined", reasons="Out of scope."
        )
    request.refresh_from_db()
    assert request.status == Status.READY and AgendaItem.objects.get().outcome == ""
