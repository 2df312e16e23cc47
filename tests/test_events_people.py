"""An event's people: its settings, participants added or imported, sign-up, withdrawal, privacy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hub.core import personal_data
from hub.core.models import AuditEvent
from hub.events import services, signup
from hub.events.models import Edit, Event, Participant
from hub.partnerships import slots
from hub.partnerships.activities import services as activities
from tests import factories

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 8, 9, 0, tzinfo=dt.UTC)
END = dt.datetime(2026, 3, 8, 18, 0, tzinfo=dt.UTC)


def make_activity(affiliate: Any, actor: Any, kind: str = "editathon") -> Any:
    partnership = factories.partnership(affiliate, actor=actor, title="Museum partnership")
    return activities.create_activity(
        actor=actor,
        partnership=partnership,
        kind=kind,
        title="WikiGap edit-a-thon",
        starts_on=START.date(),
    )


def make_event(affiliate: Any, actor: Any, **fields: Any) -> Event:
    values: dict[str, Any] = {
        "wikis": ["https://sv.wikipedia.org"],
        "starts_at": START,
        "ends_at": END,
        "grace_days": 2,
    }
    values.update(fields)
    return services.create_event(actor=actor, activity=make_activity(affiliate, actor), **values)


def running_event(member: Any) -> Event:
    """Return an event of the member's affiliate that starts now and lasts a day."""
    now = timezone.now()
    affiliate = member.memberships.get().affiliate
    return make_event(affiliate, member, starts_at=now, ends_at=now + dt.timedelta(days=1))


@pytest.fixture
def event(affiliate_a: Any, member_a: Any) -> Event:
    return make_event(affiliate_a, member_a)


# -- event settings ---------------------------------------------------------------------------


def test_creating_an_event_tidies_wikis_hashtag_and_articles_and_is_audited(affiliate_a, member_a):
    event = make_event(
        affiliate_a,
        member_a,
        wikis=[
            "sv.wikipedia.org",
            "https://commons.wikimedia.org/wiki/Main_Page",
            "www.wikidata.org",
        ],
        hashtag="#WikiGap",
        articles=["Greta_Garbo", "Greta Garbo", " Selma  Lagerlöf "],
        category="Category:WikiGap 2026",
    )
    assert event.wikis == [
        "https://sv.wikipedia.org",
        "https://commons.wikimedia.org",
        "https://www.wikidata.org",
    ]
    assert event.hashtag == "WikiGap"
    assert event.articles == ["Greta Garbo", "Selma Lagerlöf"]
    assert event.category == "WikiGap 2026"
    assert event.affiliate == affiliate_a
    assert AuditEvent.objects.filter(action="event.created", target_id=event.pk).exists()


def test_a_hashtag_without_hash_is_the_same(affiliate_a, member_a):
    assert make_event(affiliate_a, member_a, hashtag="WikiGap").hashtag == "WikiGap"


@pytest.mark.parametrize(
    ("wiki", "words"),
    [
        ("https://office.wikimedia.org", "private Wikimedia wiki"),
        ("https://xx1.wikipedia.org", "not a Wikimedia wiki we know"),
        ("https://nowhere.wikimedia.org", "not a Wikimedia wiki we know"),
        ("https://example.org", "is not a Wikimedia wiki"),
        ("https://wiki.example.com/wiki/Main_Page", "is not a Wikimedia wiki"),
        ("ftp://sv.wikipedia.org", "is not a wiki address"),
    ],
)
def test_unknown_private_or_other_wikis_are_refused_with_a_clear_message(
    affiliate_a, member_a, wiki, words
):
    with pytest.raises(ValidationError) as caught:
        make_event(affiliate_a, member_a, wikis=[wiki])
    assert words in str(caught.value.message_dict["wikis"])
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("starts", "ends", "words"),
    [
        (END, START, "must end after it starts"),
        (START, START, "must end after it starts"),
        (START, START + dt.timedelta(days=3653), "at most a year"),
    ],
)
def test_a_window_that_ends_before_it_starts_or_lasts_ten_years_is_refused(
    affiliate_a, member_a, starts, ends, words
):
    with pytest.raises(ValidationError) as caught:
        make_event(affiliate_a, member_a, starts_at=starts, ends_at=ends)
    assert words in str(caught.value.message_dict["ends_at"])
    assert not Event.objects.exists()


def test_a_hashtag_of_two_words_is_refused(affiliate_a, member_a):
    with pytest.raises(ValidationError) as caught:
        make_event(affiliate_a, member_a, hashtag="#Wiki Gap")
    assert "one word" in str(caught.value.message_dict["hashtag"])


def test_only_event_kinds_get_an_event(affiliate_a, member_a):
    meeting = make_activity(affiliate_a, member_a, kind="meeting")
    with pytest.raises(ValidationError):
        services.create_event(
            actor=member_a,
            activity=meeting,
            wikis=["sv.wikipedia.org"],
            starts_at=START,
            ends_at=END,
        )


def test_updating_records_only_what_changed(event, member_a):
    services.update_event(actor=member_a, event=event, grace_days=5, hashtag="#New")
    event.refresh_from_db()
    assert (event.grace_days, event.hashtag) == (5, "New")
    change = AuditEvent.objects.get(action="event.updated")
    assert set(change.changes) == {"grace_days", "hashtag"}


def test_an_update_that_breaks_the_window_changes_nothing(event, member_a):
    with pytest.raises(ValidationError):
        services.update_event(
            actor=member_a, event=event, grace_days=9, ends_at=START - dt.timedelta(hours=1)
        )
    event.refresh_from_db()
    assert (event.grace_days, event.ends_at) == (2, END)


# -- participants -----------------------------------------------------------------------------


def test_adding_a_participant_normalises_the_name_and_queues_its_check(
    event, member_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        p = services.add_participant(actor=member_a, event=event, username="User:anna_svensson")
    assert p.username == "Anna svensson" and p.counted and p.source == "added"
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "hub.events.tasks_people.check_participants"
    assert queued.args_kwargs["args"] == [event.pk, [p.pk]]
    with pytest.raises(ValidationError, match="already takes part"):
        services.add_participant(actor=member_a, event=event, username="anna svensson")


def test_organisers_and_facilitators_are_not_counted_unless_told(event, member_a):
    organiser = services.add_participant(
        actor=member_a, event=event, username="Lena", role="organiser"
    )
    facilitator = services.add_participant(
        actor=member_a, event=event, username="Ola", role="facilitator"
    )
    assert not organiser.counted and not facilitator.counted
    services.update_participant(actor=member_a, participant=organiser, counted=True)
    organiser.refresh_from_db()
    assert organiser.counted and organiser.role == "organiser"
    services.update_participant(actor=member_a, participant=facilitator, role="participant")
    facilitator.refresh_from_db()
    assert facilitator.counted


def test_importing_a_list_adds_everyone_once(event, member_a):
    services.add_participant(actor=member_a, event=event, username="Anna")
    done = services.import_participants(
        actor=member_a,
        event=event,
        text=(
            "username\nanna\nUser:Björn_Borg\n\n# a comment\n"
            "https://sv.wikipedia.org/wiki/Användare:Cecilia\nBjörn Borg\n"
        ),
    )
    assert done.added == ["Björn Borg", "Cecilia"] and done.already == ["Anna"]
    assert sorted(event.participants.values_list("username", flat=True)) == [
        "Anna",
        "Björn Borg",
        "Cecilia",
    ]


def test_a_list_with_bad_lines_imports_nothing_and_names_the_lines(event, member_a):
    with pytest.raises(ValidationError) as caught:
        services.import_participants(
            actor=member_a, event=event, text="Anna\nBad|Name\nCecilia\n[[\n"
        )
    text = " ".join(caught.value.messages)
    assert "Nothing was imported" in text
    assert "Line 2" in text and "Line 4" in text and "Line 3" not in text
    assert not event.participants.exists()


def test_importing_a_csv_file_through_the_page(event, client_a):
    url = reverse("people_import", kwargs={"slug": "alpha", "pk": event.pk})
    upload = SimpleUploadedFile(
        "names.csv", "username,email\nanna,a@example.org\nUser:Björn,b@example.org\n".encode()
    )
    response = client_a.post(url, {"file": upload, "role": "participant"})
    assert response.status_code == 302
    assert sorted(event.participants.values_list("username", flat=True)) == ["Anna", "Björn"]


def test_a_file_in_another_encoding_gets_a_clear_message(event, client_a):
    url = reverse("people_import", kwargs={"slug": "alpha", "pk": event.pk})
    upload = SimpleUploadedFile("names.txt", "Åsa\nBjörn\n".encode("latin-1"))
    response = client_a.post(url, {"file": upload, "role": "participant"})
    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()
    assert not event.participants.exists()


def test_the_page_shows_bad_lines_and_keeps_nothing(event, client_a):
    url = reverse("people_import", kwargs={"slug": "alpha", "pk": event.pk})
    response = client_a.post(url, {"text": "Anna\n{{Bad}}\n", "role": "participant"})
    assert response.status_code == 400
    assert "Line 2" in response.content.decode()
    assert not event.participants.exists()


def test_the_organiser_toggles_counted_on_the_page(event, member_a, client_a):
    p = services.add_participant(actor=member_a, event=event, username="Lena", role="organiser")
    url = reverse(
        "people_participant_change",
        kwargs={"slug": "alpha", "pk": event.pk, "participant_pk": p.pk},
    )
    assert client_a.post(url, {"role": "organiser", "counted": "1"}).status_code == 302
    p.refresh_from_db()
    assert p.counted


def test_removing_a_participant_keeps_their_edits_in_the_totals(event, member_a):
    p = services.add_participant(actor=member_a, event=event, username="Anna")
    edit = Edit.objects.create(
        event=event,
        participant=p,
        wiki="https://sv.wikipedia.org",
        revid=1,
        page_id=1,
        namespace=0,
        title="Greta Garbo",
        timestamp=START,
    )
    services.remove_participant(actor=member_a, participant=p)
    edit.refresh_from_db()
    assert edit.participant is None and Edit.objects.filter(event=event).count() == 1


def test_the_activity_list_links_to_the_event(event, client_a, affiliate_a, member_a):
    activity = event.activity
    meeting = activities.create_activity(
        actor=member_a,
        partnership=activity.partnership,
        kind="meeting",
        title="Kick-off",
        starts_on=START.date(),
    )
    plain = activities.create_activity(
        actor=member_a,
        partnership=activity.partnership,
        kind="training",
        title="Training",
        starts_on=START.date(),
    )
    links = slots.activity_links(activity.partnership.affiliate, [activity, meeting, plain])
    assert meeting.pk not in links
    assert links[activity.pk][0][1] == reverse(
        "people_participants", kwargs={"slug": "alpha", "pk": event.pk}
    )
    assert links[plain.pk][0][1] == reverse(
        "people_event_new", kwargs={"slug": "alpha", "pk": plain.pk}
    )
    page = client_a.get(
        reverse(
            "partnerships:activity_list", kwargs={"slug": "alpha", "pk": activity.partnership_id}
        )
    ).content.decode()
    assert links[activity.pk][0][1] in page


def test_the_activity_list_links_events_with_bounded_queries(
    event, client_a, member_a, django_assert_max_num_queries
):
    from hub.partnerships.models import Activity

    partnership = event.activity.partnership
    made = Activity.objects.bulk_create(
        Activity(
            partnership=partnership,
            kind="editathon",
            title=f"Edit-a-thon {i}",
            starts_on=START.date(),
        )
        for i in range(40)
    )
    for activity in made[:20]:
        Event.objects.create(
            activity=activity,
            affiliate=event.affiliate,
            wikis=event.wikis,
            starts_at=START,
            ends_at=END,
        )
    url = reverse("partnerships:activity_list", kwargs={"slug": "alpha", "pk": partnership.pk})
    with django_assert_max_num_queries(12):
        page = client_a.get(url).content.decode()
    assert page.count("Event and participants") == 21 and page.count("Set up the event") == 20


def test_creating_the_event_through_the_page(affiliate_a, member_a, client_a):
    activity = make_activity(affiliate_a, member_a)
    url = reverse("people_event_new", kwargs={"slug": "alpha", "pk": activity.pk})
    assert client_a.get(url).status_code == 200
    bad = client_a.post(
        url,
        {
            "wikis": "https://example.com",
            "starts_at": "2026-03-08T09:00",
            "ends_at": "2036-03-08T09:00",
            "grace_days": "0",
        },
    )
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "not a Wikimedia wiki" in body and "at most a year" in body
    response = client_a.post(
        url,
        {
            "wikis": "sv.wikipedia.org\ncommons.wikimedia.org",
            "starts_at": "2026-03-08T09:00",
            "ends_at": "2026-03-08T18:00",
            "grace_days": "1",
            "hashtag": "#WikiGap",
        },
    )
    event = Event.objects.get(activity=activity)
    assert response["Location"] == reverse(
        "people_participants", kwargs={"slug": "alpha", "pk": event.pk}
    )
    assert client_a.get(url)["Location"] == reverse(
        "people_event_edit", kwargs={"slug": "alpha", "pk": event.pk}
    )


# -- public sign-up and withdrawal ------------------------------------------------------------


def open_signup(event: Event, member: Any) -> str:
    services.set_signup_open(actor=member, event=event, is_open=True)
    return reverse("people_signup", kwargs={"token": signup.signup_token(event)})


def test_signing_up_records_consent_and_gives_a_withdrawal_link(
    member_a, django_capture_on_commit_callbacks
):
    event = make_event(
        member_a.memberships.get().affiliate,
        member_a,
        ends_at=timezone.now() + dt.timedelta(days=1),
        starts_at=timezone.now() - dt.timedelta(days=1),
    )
    url = open_signup(event, member_a)
    visitor = Client()
    page = visitor.get(url)
    assert page.status_code == 200 and "withdraw at any time" in page.content.decode()
    refused = visitor.post(url, {"username": "maria_g", "show_name": "on"})
    assert refused.status_code == 400 and "agree" in refused.content.decode()
    assert not event.participants.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(url, {"username": "maria_g", "agreed": "on", "show_name": "on"})
    participant = event.participants.get()
    assert participant.username == "Maria g" and participant.source == "signup"
    assert participant.consented_at is not None and participant.show_name
    thanks = visitor.get(response["Location"]).content.decode()
    withdraw = signup.withdraw_url(participant)
    assert withdraw in thanks
    assert DBTaskResult.objects.filter(
        task_path="hub.events.tasks_people.check_participants"
    ).exists()

    # Withdrawing: a confirmation, then the name is gone; the link then says it is done.
    path = reverse("people_withdraw", kwargs={"token": signup.withdraw_token(participant)})
    assert "Maria g" in visitor.get(path).content.decode()
    assert visitor.post(path).status_code == 200
    assert not event.participants.exists()
    assert visitor.get(path).status_code == 410
    assert AuditEvent.objects.filter(action="participant.withdrew").exists()
    # Their name leaves the history too; what happened stays.
    assert AuditEvent.objects.filter(action="participant.signed_up").exists()
    assert not AuditEvent.objects.filter(target_repr__icontains="Maria g").exists()


def test_signing_up_without_showing_the_name(member_a):
    event = running_event(member_a)
    url = open_signup(event, member_a)
    Client().post(url, {"username": "Anna", "agreed": "on"})
    assert not event.participants.get().show_name


def test_a_participant_added_by_the_organiser_who_signs_up_gives_consent(member_a):
    event = running_event(member_a)
    services.add_participant(actor=member_a, event=event, username="Anna", check=False)
    open_signup(event, member_a)
    participant = services.sign_up(event=event, username="anna", agreed=True, show_name=True)
    assert participant.source == "added" and participant.consented_at is not None
    assert event.participants.count() == 1
    # Someone else signing up under the same name changes nothing and gets no withdrawal link.
    response = Client().post(
        reverse("people_signup", kwargs={"token": signup.signup_token(event)}),
        {"username": "Anna", "agreed": "on"},
    )
    assert response.status_code == 400 and "already signed up" in response.content.decode()
    participant.refresh_from_db()
    assert participant.show_name


def test_the_wikimedia_username_is_offered_to_a_signed_in_person(member_a, settings):
    from allauth.socialaccount.models import SocialAccount

    event = running_event(member_a)
    url = open_signup(event, member_a)
    SocialAccount.objects.create(
        user=member_a, provider="mediawiki", uid="123", extra_data={"username": "Wiki Anna"}
    )
    client = Client()
    client.force_login(member_a)
    page = client.get(url).content.decode()
    assert 'value="Wiki Anna"' in page


def test_closed_or_finished_sign_up_answers_410_and_forged_404(member_a):
    event = running_event(member_a)
    token = signup.signup_token(event)
    url = reverse("people_signup", kwargs={"token": token})
    assert Client().get(url).status_code == 410  # not opened yet
    services.set_signup_open(actor=member_a, event=event, is_open=True)
    assert Client().get(url).status_code == 200
    Event.objects.filter(pk=event.pk).update(
        starts_at=START, ends_at=END
    )  # long over, grace included
    gone = Client().post(url, {"username": "Anna", "agreed": "on"})
    assert gone.status_code == 410 and not event.participants.exists()
    for forged in ("x", token[:-3] + "abc", "WzksOV0:" + token.rsplit(":", 1)[1]):
        response = Client().get(reverse("people_signup", kwargs={"token": forged}))
        assert response.status_code == 404
    # The withdrawal token of one event does not open another's sign-up.
    p = services.add_participant(actor=member_a, event=event, username="Anna", check=False)
    withdraw = signup.withdraw_token(p)
    assert Client().get(reverse("people_signup", kwargs={"token": withdraw})).status_code == 404
    assert Client().get(reverse("people_withdraw", kwargs={"token": token})).status_code == 404


def test_the_sign_up_page_works_without_javascript_on_a_phone(member_a):
    event = running_event(member_a)
    page = Client().get(open_signup(event, member_a)).content.decode()
    assert '<form method="post"' in page and "<script" not in page.split("<main", 1)[-1]
    assert 'for="id_username"' in page and 'for="id_agreed"' in page


# -- privacy ----------------------------------------------------------------------------------


def test_the_data_rights_search_finds_and_erases_participants(event, member_a, affiliate_a):
    services.add_participant(actor=member_a, event=event, username="Zofia_Prywatna", check=False)
    lookup = personal_data.look_up(affiliate_a, "zofia prywatna")
    kinds = [str(f.kind) for f in lookup.found]
    assert "Event participant" in kinds
    found = next(f for f in lookup.found if str(f.kind) == "Event participant")
    assert found.data["username"] == "Zofia Prywatna"
    personal_data.erase_found(actor=member_a, lookup=lookup)
    assert not Participant.objects.exists()
    assert personal_data.look_up(affiliate_a, "Zofia Prywatna").found == []


def test_another_affiliate_finds_none_of_our_participants(event, member_a, affiliate_b):
    services.add_participant(actor=member_a, event=event, username="Zofia Prywatna", check=False)
    assert personal_data.look_up(affiliate_b, "Zofia Prywatna").found == []


def test_the_participants_page_has_bounded_queries(
    event, client_a, member_a, django_assert_max_num_queries
):
    services.import_participants(
        actor=member_a, event=event, text="\n".join(f"Person {n}" for n in range(150))
    )
    url = reverse("people_participants", kwargs={"slug": "alpha", "pk": event.pk})
    with django_assert_max_num_queries(14):
        page = client_a.get(url).content.decode()
    assert "150 participants" in page and "Page 1 of 2" in page
    assert "150 usernames are waiting to be checked" in page


def test_a_script_posting_sign_ups_is_slowed_and_nothing_is_lost(member_a, settings):
    settings.HUB_EVENT_SIGNUP_RATE = "3/h"
    event = running_event(member_a)
    url = open_signup(event, member_a)
    visitor = Client()
    for name in ("Anna", "Berit", "Carl"):
        assert visitor.post(url, {"username": name, "agreed": "on"}).status_code == 302
    refused = visitor.post(url, {"username": "Dora", "agreed": "on"})
    assert refused.status_code == 429 and "try again" in refused.content.decode()
    # The page still opens; the three who signed up are kept, the fourth was not written.
    assert visitor.get(url).status_code == 200
    assert sorted(event.participants.values_list("username", flat=True)) == [
        "Anna",
        "Berit",
        "Carl",
    ]
