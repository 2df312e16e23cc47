"""Survey pages: sending from a partnership, answering by the signed link (no JavaScript),
thank-you, opt-out, results and exports; bad input gets words and loses nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from hub.surveys import delivery, services
from hub.surveys.models import Answer, Delivery, Invitation, Response
from tests import factories
from tests import survey_factories as sf

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def sent(affiliate_a: Any, member_a: Any) -> Any:
    survey = sf.survey(affiliate_a, member_a)
    partnership, contacts = sf.partnership_with_contacts(affiliate_a, member_a)
    return sf.send(member_a, survey, partnership, contacts)


def _url(invitation: Invitation, name: str = "surveys:answer") -> str:
    return reverse(name, kwargs={"token": delivery.token_for(invitation)})


def _form(sending: Any, **by_kind: Any) -> dict[str, Any]:
    questions = {q.kind: q for q in sending.version.questions.all()}
    return {f"q{questions[k].pk}": v for k, v in by_kind.items()}


def test_member_sends_a_survey_from_the_partnership(
    client_a: Client,
    affiliate_a: Any,
    member_a: Any,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    survey = sf.survey(affiliate_a, member_a)
    partnership, contacts = sf.partnership_with_contacts(affiliate_a, member_a)
    url = reverse("surveys:send", kwargs={"slug": "alpha", "pk": partnership.pk})
    assert client_a.get(url).status_code == 200
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            url,
            {
                "survey": survey.pk,
                "contacts": [c.pk for c in contacts],
                "deadline": deadline,
                "reminder_after_days": 5,
            },
            follow=True,
        )
    assert response.status_code == 200
    assert "on its way to 2 people" in response.content.decode()
    assert len(mail.outbox) == 2


def test_a_past_deadline_is_refused_with_words(
    client_a: Client, affiliate_a: Any, member_a: Any
) -> None:
    survey = sf.survey(affiliate_a, member_a)
    partnership, contacts = sf.partnership_with_contacts(affiliate_a, member_a)
    response = client_a.post(
        reverse("surveys:send", kwargs={"slug": "alpha", "pk": partnership.pk}),
        {
            "survey": survey.pk,
            "contacts": [c.pk for c in contacts],
            "deadline": "2020-01-01",
            "reminder_after_days": 5,
        },
    )
    assert "Choose a deadline after today." in response.content.decode()
    assert not Invitation.objects.exists()


def test_answering_without_javascript_saves_then_sends(sent: Any) -> None:
    invitation = sent.invitations.first()
    client = Client()
    page = client.get(_url(invitation))
    assert page.status_code == 200 and "How satisfied are you?" in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex"
    # Save part-way: kept, no error although a needed question is still open.
    client.post(_url(invitation), {**_form(sent, text=SCRIPT), "save": "1"})
    assert Answer.objects.get().text == SCRIPT
    again = client.get(_url(invitation)).content.decode()
    assert SCRIPT not in again and "&lt;script&gt;" in again  # shown, never run
    # Sending without the needed rating: a clear message, the text kept.
    missing = client.post(_url(invitation), {**_form(sent, text=SCRIPT), "send": "1"})
    assert missing.status_code == 400
    assert "This question needs an answer." in missing.content.decode()
    assert Response.objects.get().submitted_at is None
    done = client.post(
        _url(invitation), {**_form(sent, rating="4", multiple=["0", "2"]), "send": "1"}
    )
    assert done.status_code == 302 and done["Location"].endswith("/thanks/")
    assert Response.objects.get().submitted_at is not None
    assert client.get(done["Location"]).status_code == 200


def test_the_link_used_twice_edits_the_same_response(sent: Any) -> None:
    invitation = sent.invitations.first()
    Client().post(_url(invitation), {**_form(sent, rating="2"), "send": "1"})
    Client().post(_url(invitation), {**_form(sent, rating="5"), "send": "1"})
    assert Response.objects.count() == 1
    assert Answer.objects.get(question__kind="rating").number == 5


def test_autosave_by_fetch_answers_in_plain_text(sent: Any) -> None:
    invitation = sent.invitations.first()
    response = Client().post(
        _url(invitation), {**_form(sent, yes_no="1"), "save": "1"}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 200 and response.content == b"Saved."
    assert Answer.objects.get().number == 1


def test_over_long_and_out_of_range_answers_get_words_and_lose_nothing(sent: Any) -> None:
    invitation = sent.invitations.first()
    response = Client().post(
        _url(invitation), {**_form(sent, text="x" * 5000, rating="9"), "save": "1"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "under 4000 characters" in body
    assert "x" * 5000 in body  # what they typed is still in the form
    assert not Answer.objects.exists()


def test_after_the_deadline_the_link_says_closed(sent: Any) -> None:
    invitation = sent.invitations.first()
    with time_machine.travel(sent.deadline + dt.timedelta(days=1)):
        get = Client().get(_url(invitation))
        post = Client().post(_url(invitation), {**_form(sent, rating="4"), "send": "1"})
    assert get.status_code == post.status_code == 410
    assert "closed" in get.content.decode()
    assert not Answer.objects.exists()


def test_opt_out_from_the_link_stops_surveys_and_the_link(sent: Any) -> None:
    invitation = sent.invitations.first()
    client = Client()
    assert "Stop every survey" in client.get(_url(invitation, "surveys:opt_out")).content.decode()
    assert "Done" in client.post(_url(invitation, "surveys:opt_out")).content.decode()
    assert client.get(_url(invitation)).status_code == 410
    assert client.post(_url(invitation), {**_form(sent, rating="4")}).status_code == 410
    assert not Answer.objects.exists()


def test_a_changed_id_in_the_link_opens_nothing(sent: Any) -> None:
    first, second = sent.invitations.order_by("pk")
    token = delivery.token_for(first)
    value, signature = token.rsplit(":", 1)
    other = delivery.token_for(second).rsplit(":", 1)[0]
    response = Client().get(reverse("surveys:answer", kwargs={"token": f"{other}:{signature}"}))
    assert response.status_code == 404
    assert first.name not in response.content.decode()
    assert second.name not in response.content.decode()
    assert value


def test_results_and_exports_are_formula_safe(
    client_a: Client, sent: Any, affiliate_a: Any
) -> None:
    invitation = sent.invitations.first()
    Client().post(_url(invitation), {**_form(sent, rating="4", text="=HYPERLINK(1)"), "send": "1"})
    page = client_a.get(
        reverse("surveys:partnership_results", kwargs={"slug": "alpha", "pk": sent.partnership_id})
    )
    body = page.content.decode()
    assert "<svg" in body and "<table" in body and "=HYPERLINK(1)" in body
    csv = client_a.get(
        reverse(
            "surveys:partnership_export",
            kwargs={"slug": "alpha", "pk": sent.partnership_id, "fmt": "csv"},
        )
    ).content.decode()
    assert "'=HYPERLINK(1)" in csv
    xlsx = client_a.get(
        reverse("surveys:affiliate_export", kwargs={"slug": "alpha", "fmt": "xlsx"})
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "=HYPERLINK(1)" in cells
    assert sheet.cell(row=1, column=1).data_type == "s"
    section = client_a.get(
        reverse(
            "partnerships:partnership_detail", kwargs={"slug": "alpha", "pk": sent.partnership_id}
        )
    )
    assert "1 of 2 invited partners answered" in section.content.decode()


def test_editing_a_survey_and_its_questions(client_a: Client, affiliate_a: Any) -> None:
    response = client_a.post(
        reverse("surveys:survey_create", kwargs={"slug": "alpha"}), {"title": SCRIPT}, follow=True
    )
    assert SCRIPT not in response.content.decode()
    survey = affiliate_a.surveys.get()
    add = reverse("surveys:question_add", kwargs={"slug": "alpha", "pk": survey.pk})
    bad = client_a.post(add, {"kind": "single", "text": "Pick", "choices": "Only one"})
    assert "Give between 2 and 20 choices" in bad.content.decode()
    client_a.post(
        add,
        {
            "kind": "single",
            "text": "Pick",
            "choices": "A\nB",
            "text_fr": "Choisir",
            "choices_fr": "Un\nDeux",
        },
    )
    question = services.current_version(survey).questions.get()
    assert question.choices == ["A", "B"] and question.text_in("fr") == "Choisir"
    assert question.choices_in("fr") == ["Un", "Deux"]


def test_the_demo_shows_survey_results_and_sends_no_e_mail() -> None:
    from hub.core.models import Membership
    from hub.demo.partners import load_demo
    from hub.demo.partnerships import load_demo_partnerships
    from hub.demo.surveys import load_demo_surveys

    today = timezone.localdate()
    load_demo(today=today)
    load_demo_partnerships(today=today)
    assert load_demo_surveys(today=today) > 0
    assert load_demo_surveys(today=today) == 0  # safe to run again
    assert not Delivery.objects.exclude(state="sent").exists()
    manager = Membership.objects.filter(role="manager").select_related("affiliate").first()
    assert manager is not None
    client = Client()
    client.force_login(manager.user)
    page = client.get(reverse("surveys:affiliate_results", kwargs={"slug": manager.affiliate.slug}))
    assert "Average satisfaction" in page.content.decode()
    assert Response.objects.filter(submitted_at__isnull=False).exists()


def test_cached_results_show_a_new_answer_at_once(client_a: Client, sent: Any) -> None:
    url = reverse("surveys:affiliate_results", kwargs={"slug": "alpha"})
    assert "No answers yet." in client_a.get(url).content.decode()
    invitation = sent.invitations.first()
    Client().post(_url(invitation), {**_form(sent, rating="4"), "save": "1"})
    body = client_a.get(url).content.decode()
    assert "No answers yet." not in body and "average 4" in body
    Client().post(_url(invitation), {**_form(sent, rating="2"), "save": "1"})
    assert "average 2" in client_a.get(url).content.decode()


def test_results_take_a_fixed_number_of_queries(
    sent: Any, member_a: Any, django_assert_max_num_queries: Any
) -> None:
    from hub.surveys import selectors

    for invitation in sent.invitations.all():
        Client().post(_url(invitation), {**_form(sent, rating="4", text="Fine"), "send": "1"})
    more = sf.send(
        member_a,
        sent.version.survey,
        sent.partnership,
        sf.partnership_with_contacts(sent.affiliate, member_a, n=6)[1],
    )
    for invitation in more.invitations.all():
        Client().post(_url(invitation), {**_form(more, rating="5", text="Good"), "send": "1"})
    # Invited, responded, questions, the counts, one per free-text question (count and
    # newest), the sendings' years, responses per sending, satisfaction per sending.
    with django_assert_max_num_queries(9):
        selectors.results(sent.affiliate)


def test_script_in_every_field_is_shown_as_text(
    client_a: Client, affiliate_a: Any, member_a: Any
) -> None:
    survey = services.create_survey(
        actor=member_a, affiliate=affiliate_a, title=SCRIPT, intro=SCRIPT
    )
    services.add_question(
        actor=member_a, survey=survey, kind="single", text=SCRIPT, choices=[SCRIPT, "<b>b</b>"]
    )
    services.add_question(actor=member_a, survey=survey, kind="text", text="Say " + SCRIPT)
    org = factories.organisation(affiliate_a, actor=member_a, name=SCRIPT)
    contact = factories.contact(org, actor=member_a, name=SCRIPT)
    partnership = factories.partnership(
        affiliate_a, actor=member_a, partners=[(org, "main")], title=SCRIPT
    )
    sending = sf.send(member_a, survey, partnership, [contact])
    invitation = sending.invitations.get()
    questions = list(sending.version.questions.all())
    Client().post(
        _url(invitation),
        {f"q{questions[0].pk}": "0", f"q{questions[1].pk}": SCRIPT, "send": "1"},
    )
    pages = [
        Client().get(_url(invitation)),
        client_a.get(reverse("surveys:survey_detail", kwargs={"slug": "alpha", "pk": survey.pk})),
        client_a.get(
            reverse("surveys:partnership_results", kwargs={"slug": "alpha", "pk": partnership.pk})
        ),
        client_a.get(
            reverse("surveys:sending_detail", kwargs={"slug": "alpha", "sending_pk": sending.pk})
        ),
        client_a.get(reverse("surveys:survey_list", kwargs={"slug": "alpha"})),
    ]
    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200
        assert SCRIPT not in body, page.request["PATH_INFO"]
        assert "&lt;script&gt;" in body


def test_hub_staff_make_satisfaction_a_strategic_rule(affiliate_a: Any) -> None:
    from hub.partnerships import scoring

    staff = factories.member(affiliate_a, username="staffer", is_hub_staff=True)
    client = Client()
    client.force_login(staff)
    fields = {
        "sustained_months": 12,
        "min_activities": 3,
        "interaction_within_months": 6,
        "require_main_goal": "on",
        "strategic_from_score": 0,
    }
    url = reverse("partnerships:strategic_definition")
    page = client.get(url).content.decode()
    assert "partner satisfaction in surveys, at least (1–5)" in page.lower()
    bad = client.post(url, {**fields, "min_satisfaction": "7"})
    assert "Use a satisfaction from 1 to 5" in bad.content.decode()
    client.post(url, {**fields, "min_satisfaction": "4.5"})
    assert str(scoring.get_definition().min_satisfaction) == "4.5"


def test_member_changes_a_rule_and_bad_values_get_words(
    client_a: Client, affiliate_a: Any, member_a: Any
) -> None:
    from hub.surveys.models import SurveyRule

    survey = sf.survey(affiliate_a, member_a)
    rule = services.create_rule(
        actor=member_a, affiliate=affiliate_a, survey=survey, trigger="yearly"
    )
    listing = client_a.get(reverse("surveys:survey_list", kwargs={"slug": "alpha"}))
    url = reverse("surveys:rule_edit", kwargs={"slug": "alpha", "rule_pk": rule.pk})
    assert url in listing.content.decode()
    page = client_a.get(url)
    assert page.status_code == 200 and b"not sent again" in page.content
    form = {
        "survey": survey.pk,
        "trigger": "evaluation",
        "answer_within_days": 10,
        "reminder_after_days": 12,
    }
    refused = client_a.post(url, form)
    assert refused.status_code == 200
    assert "The reminder would come after the deadline" in refused.content.decode()
    assert SurveyRule.objects.get(pk=rule.pk).trigger == "yearly"
    response = client_a.post(url, {**form, "reminder_after_days": 3})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.trigger, rule.answer_within_days, rule.reminder_after_days) == (
        "evaluation",
        10,
        3,
    )
    # A stopped rule is not edited.
    services.stop_rule(actor=member_a, rule=rule)
    assert client_a.get(url).status_code == 404


def test_a_viewer_cannot_change_a_rule(affiliate_a: Any, member_a: Any, viewer_a: Any) -> None:
    survey = sf.survey(affiliate_a, member_a)
    rule = services.create_rule(
        actor=member_a, affiliate=affiliate_a, survey=survey, trigger="yearly"
    )
    client = Client()
    client.force_login(viewer_a)
    url = reverse("surveys:rule_edit", kwargs={"slug": "alpha", "rule_pk": rule.pk})
    form = {"survey": survey.pk, "trigger": "evaluation", "answer_within_days": 10}
    assert client.post(url, {**form, "reminder_after_days": 3}).status_code == 403
    rule.refresh_from_db()
    assert rule.trigger == "yearly"
