"""Surveys: frozen versions, sending to whom and exactly once, reminders, opt-out, answers,
retention, the strategic score's satisfaction rule, the k >= 5 rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from hub.surveys import answering, delivery, mailing, selectors, services
from hub.surveys.models import Answer, Delivery, Invitation, OptOut, Question, Response
from tests import factories
from tests import survey_factories as sf

pytestmark = pytest.mark.django_db

DAY0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _day0() -> Any:
    """Every test starts on DAY0 (a test travels further where it says so)."""
    with time_machine.travel(DAY0, tick=False):
        yield


@pytest.fixture
def sent(affiliate_a: Any, member_a: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """A survey sent on DAY0 to two contacts of a partnership, e-mails delivered."""
    with time_machine.travel(DAY0, tick=False):
        survey = sf.survey(affiliate_a, member_a)
        partnership, contacts = sf.partnership_with_contacts(affiliate_a, member_a)
        return _sent(member_a, survey, partnership, contacts, django_capture_on_commit_callbacks)


def _sent(member: Any, survey: Any, partnership: Any, contacts: list[Any], capture: Any) -> Any:
    """Send the survey to the contacts (answer by 30 March, reminder after 7 days) and deliver
    the e-mails, as the queued task would."""
    with capture(execute=False):
        sending = sf.send(
            member,
            survey,
            partnership,
            contacts,
            deadline=dt.date(2026, 3, 30),
            reminder_after_days=7,
        )
    services.deliver(sending_id=sending.pk)
    return sending


def _answers(invitation: Invitation) -> dict[int, Any]:
    qs = {q.kind: q for q in invitation.sending.version.questions.all()}
    return {
        qs["rating"].pk: {"number": 4},
        qs["recommend"].pk: {"number": 9},
        qs["text"].pk: {"text": "Great <script>alert(1)</script>"},
    }


def test_sending_mails_each_contact_once_in_their_language(sent: Any) -> None:
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    invitation = Invitation.objects.get(email=message.to[0])
    assert delivery.token_for(invitation) in message.body
    assert "opt-out" in message.body
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    # Run again (a worker re-running the task): nobody gets a second e-mail.
    services.deliver(sending_id=sent.pk)
    assert len(mail.outbox) == 2


def test_the_invitation_carries_the_introduction_in_the_invitees_language(
    affiliate_a: Any, member_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The survey's introduction is in the invitation, translated where the affiliate wrote
    a translation; the reminder is only the reminder."""
    survey = sf.survey(affiliate_a, member_a)
    services.update_survey(
        actor=member_a,
        survey=survey,
        title=survey.title,
        intro="We would like to hear how the upload of your photographs went.",
        translations={"sv": {"title": "Hur går det?", "intro": "Hur gick uppladdningen?"}},
    )
    partnership, contacts = sf.partnership_with_contacts(affiliate_a, member_a)
    contacts[1].preferred_language = "sv"
    contacts[1].save(update_fields=["preferred_language"])
    _sent(member_a, survey, partnership, contacts, django_capture_on_commit_callbacks)
    bodies = {
        Invitation.objects.get(email=message.to[0]).contact_id: message.body
        for message in mail.outbox
    }
    english, swedish = bodies[contacts[0].pk], bodies[contacts[1].pk]
    assert "We would like to hear how the upload of your photographs went." in english
    assert "Hur gick uppladdningen?" in swedish
    assert "photographs" not in swedish
    mail.outbox.clear()
    with time_machine.travel(DAY0 + dt.timedelta(days=8), tick=False):
        services.send_reminders()
    assert "Reminder" in mail.outbox[0].subject
    assert all("photographs" not in m.body for m in mail.outbox)


def test_a_worker_killed_after_claiming_sends_nobody_twice(
    affiliate_a: Any, member_a: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    survey = sf.survey(affiliate_a, member_a)
    partnership, contacts = sf.partnership_with_contacts(affiliate_a, member_a, n=3)
    with django_capture_on_commit_callbacks(execute=False):
        sending = sf.send(member_a, survey, partnership, contacts)
    from hub.surveys import emails

    real = emails.invitation_message
    calls = {"n": 0}

    class Killed(BaseException):  # like SIGKILL: nothing after it runs
        pass

    def dying(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise Killed
        return real(*args, **kwargs)

    monkeypatch.setattr(emails, "invitation_message", dying)
    with pytest.raises(Killed):
        services.deliver(sending_id=sending.pk)
    monkeypatch.setattr(emails, "invitation_message", real)
    services.deliver(sending_id=sending.pk)  # the reaper re-runs the task
    services.deliver(sending_id=sending.pk)
    sent_to = [m.to[0] for m in mail.outbox]
    assert len(sent_to) == len(set(sent_to)) == 2  # the one claimed when killed is not resent
    assert Delivery.objects.filter(state="claimed").count() == 1


def test_left_out_contacts_are_named_with_the_reason(affiliate_a: Any, member_a: Any) -> None:
    survey = sf.survey(affiliate_a, member_a)
    partnership, contacts = sf.partnership_with_contacts(affiliate_a, member_a, n=1)
    org = contacts[0].organisation
    dnc = factories.contact(org, actor=member_a, name="Do Not", do_not_contact=True)
    no_mail = factories.contact(org, actor=member_a, name="No Mail", emails="")
    opted = factories.contact(org, actor=member_a, name="Opted", emails="opted@example.org")
    mailing.opt_out(affiliate_a, "OPTED@example.org", OptOut.Topic.SURVEYS)
    sending = sf.send(member_a, survey, partnership, [*contacts, dnc, no_mail, opted])
    assert sending.invitations.count() == 1
    reasons = {item["name"]: item["reason"] for item in sending.left_out}
    assert reasons == {
        "Do Not": "marked do not contact",
        "No Mail": "no e-mail address",
        "Opted": "asked not to receive this",
    }


def test_addresses_with_line_breaks_or_garbage_never_reach_a_header(
    affiliate_a: Any, member_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    survey = sf.survey(affiliate_a, member_a)
    partnership, _contacts = sf.partnership_with_contacts(affiliate_a, member_a, n=0)
    org = partnership.partners.get().organisation
    injected = factories.contact(org, actor=member_a, name="Inja", emails="inja@example.org")
    garbage = factories.contact(org, actor=member_a, name="Garb", emails="garb@example.org")
    # Records from before the contact form checked addresses (an old import), as stored.
    from hub.partners.models import Contact

    Contact.objects.filter(pk=injected.pk).update(
        emails="inja@example.org\r\nBcc: victim@example.org"
    )
    Contact.objects.filter(pk=garbage.pk).update(emails="garb at example dot org")
    injected.refresh_from_db()
    garbage.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        sending = sf.send(member_a, survey, partnership, [injected, garbage])
    services.deliver(sending_id=sending.pk)
    assert [m.to for m in mail.outbox] == [["inja@example.org"]]
    assert "victim" not in mail.outbox[0].message().as_string()
    assert sending.left_out == [{"name": "Garb", "reason": "the e-mail address is not valid"}]
    assert services.address_problem("a@example.org\nBcc: b@example.org")


def test_sending_to_nobody_says_why_and_saves_nothing(affiliate_a: Any, member_a: Any) -> None:
    survey = sf.survey(affiliate_a, member_a)
    partnership, contacts = sf.partnership_with_contacts(
        affiliate_a, member_a, n=1, do_not_contact=True
    )
    with pytest.raises(ValidationError, match="do not contact"):
        sf.send(member_a, survey, partnership, contacts)
    assert not Invitation.objects.exists()


def test_a_sent_version_is_frozen_and_a_change_makes_a_new_one(
    affiliate_a: Any, member_a: Any, sent: Any
) -> None:
    survey = sent.version.survey
    first = sent.version
    question = first.questions.get(kind="rating")
    services.update_question(
        actor=member_a,
        survey=survey,
        question=question,
        kind="rating",
        text="Happy?",
        satisfaction=True,
    )
    question.refresh_from_db()
    assert question.text == "How satisfied are you?"  # the sent one is untouched
    draft = services.current_version(survey)
    assert draft.number == 2 and draft.frozen_at is None
    assert draft.questions.get(kind="rating").text == "Happy?"


def test_reminders_go_once_after_the_days_to_those_who_have_not_answered(sent: Any) -> None:
    first, second = sent.invitations.order_by("pk")
    answering.save_answers(invitation=first, answers=_answers(first), submit=True)
    mail.outbox.clear()
    with time_machine.travel(DAY0 + dt.timedelta(days=6), tick=False):
        services.send_reminders()
    assert mail.outbox == []
    with time_machine.travel(DAY0 + dt.timedelta(days=7), tick=False):
        services.send_reminders()
        services.send_reminders()
    assert [m.to[0] for m in mail.outbox] == [second.email]
    assert "Reminder" in mail.outbox[0].subject


def test_no_reminder_after_the_deadline(sent: Any) -> None:
    mail.outbox.clear()
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC), tick=False):
        services.send_reminders()
    assert mail.outbox == []


def test_opt_out_stops_the_reminder_and_every_later_survey(
    affiliate_a: Any, member_a: Any, sent: Any
) -> None:
    invitation = sent.invitations.first()
    answering.opt_out_invitation(invitation)
    mail.outbox.clear()
    with time_machine.travel(DAY0 + dt.timedelta(days=8), tick=False):
        services.send_reminders()
    assert invitation.email not in [m.to[0] for m in mail.outbox]
    with pytest.raises(answering.LinkRefused):
        answering.open_invitation(delivery.token_for(invitation))
    # A new survey to the same partnership leaves them out, and says why.
    contacts = services.partnership_contacts(sent.partnership)
    again = sf.send(member_a, sent.version.survey, sent.partnership, contacts)
    assert invitation.email not in again.invitations.values_list("email", flat=True)
    assert any(i["reason"] == "asked not to receive this" for i in again.left_out)


def test_opting_out_after_queueing_skips_the_waiting_e_mail(
    affiliate_a: Any, member_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    survey = sf.survey(affiliate_a, member_a)
    partnership, contacts = sf.partnership_with_contacts(affiliate_a, member_a, n=1)
    with django_capture_on_commit_callbacks(execute=False):
        sending = sf.send(member_a, survey, partnership, contacts)
    mailing.opt_out(affiliate_a, contacts[0].main_email, OptOut.Topic.SURVEYS)
    services.deliver(sending_id=sending.pk)
    assert mail.outbox == []
    assert Delivery.objects.get().state == "skipped"


def test_answers_are_saved_as_they_go_and_editable_until_the_deadline(sent: Any) -> None:
    invitation = sent.invitations.first()
    rating = invitation.sending.version.questions.get(kind="rating")
    with time_machine.travel(DAY0, tick=False):
        answering.save_answers(invitation=invitation, answers={rating.pk: {"number": 2}})
        answering.save_answers(
            invitation=invitation, answers={rating.pk: {"number": 5}}, submit=True
        )
    assert Response.objects.count() == 1
    assert Answer.objects.get().number == 5
    with (
        time_machine.travel(dt.datetime(2026, 3, 31, tzinfo=dt.UTC), tick=False),
        pytest.raises(answering.LinkRefused, match="closed"),
    ):
        answering.save_answers(invitation=invitation, answers={rating.pk: {"number": 1}})
    assert Answer.objects.get().number == 5


def test_clean_answer_refuses_out_of_range_and_over_long(sent: Any) -> None:
    questions = {q.kind: q for q in sent.version.questions.all()}
    with pytest.raises(ValidationError):
        answering.clean_answer(questions["rating"], "6")
    with pytest.raises(ValidationError):
        answering.clean_answer(questions["recommend"], "-1")
    with pytest.raises(ValidationError):
        answering.clean_answer(questions["multiple"], ["0", "7"])
    with pytest.raises(ValidationError, match="under 4000"):
        answering.clean_answer(questions["text"], "x" * 4001)
    assert answering.clean_answer(questions["multiple"], ["2", "0"]) == {"choices": [0, 2]}
    assert answering.clean_answer(questions["text"], "  ") is None


def test_results_give_rate_averages_score_and_texts(sent: Any) -> None:
    first, _second = sent.invitations.order_by("pk")
    answering.save_answers(invitation=first, answers=_answers(first), submit=True)
    results = selectors.results(sent.affiliate, partnership=sent.partnership)
    assert (results.invited, results.responded, results.response_rate) == (2, 1, 50)
    assert results.satisfaction == 4 and results.nps == 100
    texts = next(q for q in results.questions if q.kind == Question.Kind.TEXT).texts
    assert texts == ["Great <script>alert(1)</script>"]


def test_movement_figures_only_for_groups_of_five(
    affiliate_a: Any, member_a: Any, affiliate_b: Any, member_b: Any
) -> None:
    def answered(affiliate: Any, actor: Any, n: int, region: str) -> None:
        survey = sf.survey(affiliate, actor)
        org = factories.organisation(affiliate, actor=actor, country=region)
        partnership = factories.partnership(affiliate, actor=actor, partners=[(org, "main")])
        contacts = [factories.contact(org, actor=actor) for _ in range(n)]
        sending = sf.send(actor, survey, partnership, contacts)
        rating = sending.version.questions.get(kind="rating")
        for invitation in sending.invitations.all():
            answering.save_answers(invitation=invitation, answers={rating.pk: {"number": 3}})

    answered(affiliate_a, member_a, 3, "MA")
    answered(affiliate_b, member_b, 2, "KE")  # 5 in MEA across two affiliates
    answered(affiliate_b, member_b, 4, "BR")  # 4: never shown
    shown, hidden = selectors.movement_figures("region")
    assert [(f.label, f.responses, f.satisfaction) for f in shown] == [
        ("Middle East and Africa", 5, 3.0)
    ]
    assert hidden == 1


def test_satisfaction_counts_in_the_strategic_score_when_staff_set_it(
    affiliate_a: Any, member_a: Any, sent: Any
) -> None:
    from hub.partnerships import scoring

    first = sent.invitations.first()
    answering.save_answers(invitation=first, answers=_answers(first), submit=True)
    definition = scoring.get_definition()
    before = scoring.assessments_for([sent.partnership])[sent.partnership.pk]
    assert "satisfaction" not in [r.rule for r in before.reasons]
    definition.min_satisfaction = 4.5
    definition.save()
    after = scoring.assessments_for([sent.partnership])[sent.partnership.pk]
    reason = next(r for r in after.reasons if r.rule == "satisfaction")
    assert not reason.met and "4.0 out of 5" in reason.explanation
    assert after.applicable == before.applicable + 1


def test_old_answers_are_anonymised_after_the_retention(sent: Any, settings: Any) -> None:
    settings.HUB_SURVEY_ANSWER_RETENTION_DAYS = 30
    first = sent.invitations.first()
    token = delivery.token_for(first)
    with time_machine.travel(DAY0, tick=False):
        answering.save_answers(invitation=first, answers=_answers(first), submit=True)
    with time_machine.travel(DAY0 + dt.timedelta(days=29), tick=False):
        answering.anonymise_old_answers()
    assert Answer.objects.exclude(text="").exists()
    with time_machine.travel(DAY0 + dt.timedelta(days=31), tick=False):
        answering.anonymise_old_answers()
        answering.anonymise_old_answers()
    first.refresh_from_db()
    assert first.email == "" and first.name == "" and first.contact is None
    assert not Answer.objects.exclude(text="").exists()
    assert Answer.objects.filter(number=4).exists()  # the scores stay for the results
    with pytest.raises(Exception):  # noqa: B017  the old link opens nothing
        answering.open_invitation(token)


def test_a_sendings_names_go_once_its_deadline_is_past_the_retention(
    affiliate_a: Any, member_a: Any, settings: Any
) -> None:
    settings.HUB_SURVEY_ANSWER_RETENTION_DAYS = 30
    survey = sf.survey(affiliate_a, member_a)
    partnership, contacts = sf.partnership_with_contacts(affiliate_a, member_a, n=2)
    org = contacts[0].organisation
    dnc = factories.contact(org, actor=member_a, name="Dora Nocontact", do_not_contact=True)
    sending = sf.send(
        member_a, survey, partnership, [*contacts, dnc], deadline=dt.date(2026, 3, 20)
    )
    answered, silent = sending.invitations.order_by("pk")
    answering.save_answers(invitation=answered, answers=_answers(answered), submit=True)
    silent_name = silent.name

    # 30 days after the deadline the names are still there; the day after, they go.
    with time_machine.travel(dt.datetime(2026, 4, 19, 9, tzinfo=dt.UTC), tick=False):
        answering.anonymise_old_answers()
    sending.refresh_from_db()
    assert sending.left_out[0]["name"] == "Dora Nocontact"
    with time_machine.travel(dt.datetime(2026, 4, 20, 9, tzinfo=dt.UTC), tick=False):
        answering.anonymise_old_answers()
        answering.anonymise_old_answers()  # run twice, changes nothing more
    sending.refresh_from_db()
    assert sending.left_out == [{"name": "", "reason": "marked do not contact"}]
    assert sending.anonymised_at is not None
    silent.refresh_from_db()
    assert (silent.name, silent.email, silent.contact) == ("", "", None)
    assert sending.invitations.filter(name="").count() == 2  # the one who answered, too
    assert not Invitation.objects.filter(name__in=["Dora Nocontact", silent_name]).exists()
    # The counts stay: two invited, one answered; the reason someone was left out stays.
    assert selectors.invitee_rows(sending)[0].name == "(anonymised)"
    assert sum(row.answered for row in selectors.invitee_rows(sending)) == 1


def test_a_sending_still_open_keeps_its_names(
    affiliate_a: Any, member_a: Any, settings: Any
) -> None:
    settings.HUB_SURVEY_ANSWER_RETENTION_DAYS = 30
    survey = sf.survey(affiliate_a, member_a)
    partnership, contacts = sf.partnership_with_contacts(affiliate_a, member_a, n=1)
    dnc = factories.contact(
        contacts[0].organisation, actor=member_a, name="Dora Nocontact", do_not_contact=True
    )
    sending = sf.send(member_a, survey, partnership, [*contacts, dnc], deadline=dt.date(2026, 6, 1))
    # Sent long ago by the clock of retention, but answers are accepted until June.
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC), tick=False):
        answering.anonymise_old_answers()
    sending.refresh_from_db()
    assert sending.left_out[0]["name"] == "Dora Nocontact" and sending.anonymised_at is None
    assert sending.invitations.get().name == contacts[0].name


def test_rules_send_once_per_occasion(affiliate_a: Any, member_a: Any) -> None:
    from hub.partnerships.activities import services as activities

    survey = sf.survey(affiliate_a, member_a)
    partnership, _contacts = sf.partnership_with_contacts(affiliate_a, member_a)
    activities.create_activity(
        actor=member_a,
        partnership=partnership,
        kind="meeting",
        title="Edit-a-thon",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 3),
    )
    services.create_rule(
        actor=member_a, affiliate=affiliate_a, survey=survey, trigger="activity_ended"
    )
    services.run_rules(today=dt.date(2026, 3, 4))
    services.run_rules(today=dt.date(2026, 3, 5))
    assert partnership.survey_sendings.count() == 1
    assert partnership.survey_sendings.get().invitations.count() == 2


def test_editing_a_rule_never_sends_an_occasion_twice(affiliate_a: Any, member_a: Any) -> None:
    from hub.core.models import AuditEvent
    from hub.partnerships.activities import services as activities

    survey = sf.survey(affiliate_a, member_a)
    other = sf.survey(affiliate_a, member_a, title="Shorter survey")
    partnership, _contacts = sf.partnership_with_contacts(affiliate_a, member_a)
    activities.create_activity(
        actor=member_a,
        partnership=partnership,
        kind="meeting",
        title="Edit-a-thon",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 3),
    )
    rule = services.create_rule(
        actor=member_a, affiliate=affiliate_a, survey=survey, trigger="activity_ended"
    )
    services.run_rules(today=dt.date(2026, 3, 4))
    first = partnership.survey_sendings.get()

    # Another survey and other days: the occasion already sent for is not sent again.
    services.update_rule(
        actor=member_a,
        rule=rule,
        survey=other,
        trigger="activity_ended",
        answer_within_days=30,
        reminder_after_days=0,
    )
    services.run_rules(today=dt.date(2026, 3, 5))
    # Even through another trigger and back.
    for trigger in ("yearly", "activity_ended"):
        services.update_rule(
            actor=member_a,
            rule=rule,
            survey=other,
            trigger=trigger,
            answer_within_days=30,
            reminder_after_days=0,
        )
    services.run_rules(today=dt.date(2026, 3, 6))
    assert list(partnership.survey_sendings.all()) == [first]
    first.refresh_from_db()
    assert first.version.survey == survey  # what was sent keeps its survey
    rule.refresh_from_db()
    assert (rule.survey, rule.answer_within_days, rule.reminder_after_days) == (other, 30, 0)
    change = AuditEvent.objects.filter(action="survey.rule_update").order_by("pk").first()
    assert change is not None and change.actor == member_a
    assert change.changes["survey"] == ["How are we doing?", "Shorter survey"]
    assert change.changes["answer_within_days"] == [21, 30]

    # A new occasion goes out with the rule as it is now.
    activities.create_activity(
        actor=member_a,
        partnership=partnership,
        kind="meeting",
        title="Second edit-a-thon",
        starts_on=dt.date(2026, 3, 8),
        ends_on=dt.date(2026, 3, 9),
    )
    services.run_rules(today=dt.date(2026, 3, 10))
    newest = partnership.survey_sendings.exclude(pk=first.pk).get()
    assert newest.version.survey == other
    assert newest.deadline == dt.date(2026, 4, 9) and newest.reminder_after_days == 0


def test_editing_a_rule_refuses_bad_values_in_words_and_changes_nothing(
    affiliate_a: Any, affiliate_b: Any, member_a: Any, member_b: Any
) -> None:
    from hub.core.models import AuditEvent

    survey = sf.survey(affiliate_a, member_a)
    theirs = sf.survey(affiliate_b, member_b, title="B's survey")
    rule = services.create_rule(
        actor=member_a, affiliate=affiliate_a, survey=survey, trigger="yearly"
    )
    good: dict[str, Any] = {"survey": survey, "trigger": "yearly", "answer_within_days": 21}
    cases = [
        ({**good, "reminder_after_days": 21}, "reminder_after_days", "after the deadline"),
        ({**good, "survey": theirs, "reminder_after_days": 7}, "survey", "your surveys"),
        ({**good, "trigger": "daily", "reminder_after_days": 7}, "trigger", "from the list"),
        (
            {**good, "answer_within_days": 0, "reminder_after_days": 0},
            "answer_within_days",
            "between 1 and 365",
        ),
    ]
    for fields, field, words in cases:
        with pytest.raises(ValidationError) as error:
            services.update_rule(actor=member_a, rule=rule, **fields)
        assert words in " ".join(error.value.message_dict[field])
    rule.refresh_from_db()
    assert (rule.survey, rule.trigger, rule.reminder_after_days) == (survey, "yearly", 7)
    assert not AuditEvent.objects.filter(action="survey.rule_update").exists()
    services.stop_rule(actor=member_a, rule=rule)
    with pytest.raises(ValidationError, match="stopped"):
        services.update_rule(actor=member_a, rule=rule, **good, reminder_after_days=7)


def test_finder_and_scrubber_cover_invitations_and_answers(affiliate_a: Any, sent: Any) -> None:
    from hub.core.erasure import Person, scrub_everywhere
    from hub.core.personal_data import find_everywhere

    invitation = sent.invitations.first()
    answering.save_answers(invitation=invitation, answers=_answers(invitation))
    person = Person(affiliate=affiliate_a, names=(invitation.name,), emails=(invitation.email,))
    found = [f for f in find_everywhere(person) if f.kind.startswith("Survey")]
    assert found and found[0].data["email"] == invitation.email
    scrub_everywhere(person)
    assert not Invitation.objects.filter(email=invitation.email).exists()


def test_waiting_surveys_for_the_portal(sent: Any) -> None:
    org = sent.partnership.partners.get().organisation
    waiting = selectors.waiting_surveys(org)
    assert len(waiting) == 2 and waiting[0].url.startswith("/s/")
    first = sent.invitations.first()
    answering.save_answers(invitation=first, answers=_answers(first), submit=True)
    assert len(selectors.waiting_surveys(org)) == 1
    _ = timezone


def test_erasing_someone_left_out_removes_their_name_from_the_sending(
    affiliate_a: Any, member_a: Any
) -> None:
    from hub.core.erasure import Person, scrub_everywhere
    from hub.core.personal_data import find_everywhere

    survey = sf.survey(affiliate_a, member_a)
    partnership, contacts = sf.partnership_with_contacts(affiliate_a, member_a, n=1)
    org = contacts[0].organisation
    dnc = factories.contact(org, actor=member_a, name="Dora Nocontact", do_not_contact=True)
    sending = sf.send(member_a, survey, partnership, [*contacts, dnc])
    person = Person(affiliate=affiliate_a, names=("Dora Nocontact",), emails=(dnc.main_email,))
    assert any(f.kind == "Left out of a survey" for f in find_everywhere(person))
    scrub_everywhere(person)
    sending.refresh_from_db()
    assert "Dora" not in str(sending.left_out)
