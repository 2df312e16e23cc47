"""Data-protection rights across the Hub: find a person, export it all, erase it all."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult

from hub.community import services as community_services
from hub.core import personal_data
from hub.core.models import AuditEvent
from hub.events import services as event_services
from hub.helpdesk import services_groups
from hub.library.documents import templates
from hub.library.documents.services import generate_document
from hub.library.extraction import extract_text
from hub.library.models import TemplateKind
from hub.partners.models import Contact
from hub.partnerships.activities.services import create_activity
from hub.surveys import answering
from hub.surveys.portal.services import create_portal_link, request_change
from tests import factories, survey_factories
from tests import helpdesk_factories as hd
from tests.test_erasure import EMAIL, NAME, PHONE, mention_everywhere

pytestmark = pytest.mark.django_db


def database_hits(*needles: str) -> list[tuple[str, str]]:
    """Return (table, column) of every value in EVERY table of the database that holds one of
    the texts, case-insensitively: read by SQL, so tables without a model count too."""
    folded = [n.casefold() for n in needles]
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith("sqlite_"):
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (names from introspection)
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "ignore")
                    if not isinstance(value, str):
                        value = json.dumps(value, ensure_ascii=False, default=str)
                    if any(n in value.casefold() for n in folded):
                        hits.append((table, column))
    return hits


def media_hits(*needles: str) -> list[str]:
    """Return the files under HUB_DATA_DIR (media, uploads) whose name or text holds one of the
    texts; office files and PDFs are compressed, so their text is read as the library does."""
    folded = [n.casefold() for n in needles]
    hits = []
    for path in Path(settings.DATA_DIR).rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        kind = path.suffix.lower().lstrip(".")
        inside = extract_text(data, kind) if kind in {"pdf", "docx", "odt"} else ""
        text = f"{path.name}\n{inside}\n" + data.decode("utf-8", "ignore")
        if any(n in text.casefold() for n in folded):
            hits.append(str(path))
    return hits


def queued_mail_hits(*needles: str) -> list[int]:
    """Return the queued e-mails (sent or not) that still name the person."""
    folded = [n.casefold() for n in needles]
    return [
        row.pk
        for row in DBTaskResult.objects.all()
        if any(n in json.dumps(row.args_kwargs, ensure_ascii=False).casefold() for n in folded)
    ]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Keep HUB_DATA_DIR's files (media, uploads) in a folder of the test's own."""
    settings.DATA_DIR = tmp_path
    settings.HUB_UPLOADS_DIR = tmp_path / "uploads"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


@pytest.fixture
def manager_a(affiliate_a: Any) -> Any:
    return factories.member(affiliate_a, username="mona", role="manager")


@pytest.fixture
def client_m(manager_a: Any) -> Client:
    client = Client()
    client.force_login(manager_a)
    return client


def url(name: str, slug: str = "alpha", **query: str) -> str:
    base = reverse(name, kwargs={"slug": slug})
    return f"{base}?q={query['q']}" if "q" in query else base


def mention_in_every_app(affiliate: Any, actor: Any, django_capture: Any) -> Contact:
    """Name the person in partners, partnerships, the helpdesk and the community."""
    staff = hd.staff()
    with django_capture(execute=True):
        contact = mention_everywhere(affiliate, actor, staff)
        partnership = factories.partnership(
            affiliate,
            actor=actor,
            title="Textile scans",
            summary=f"Led on their side by {NAME}.",
            partners=[(contact.organisation, "main")],
        )
        # A letter the Hub writes from the partnership names the contact ("Dear Zofia ...").
        letter = templates.default(TemplateKind.LETTER_OF_INTENT, "en")
        assert letter is not None
        generate_document(
            actor=actor,
            partnership=partnership,
            source=letter,
            language="en",
        )
        request, _item = hd.approved_request(
            staff, affiliate=affiliate, description=f"Scans curated by {NAME}."
        )
        group = services_groups.form_working_group(
            actor=staff, name="Scans group", purpose=f"Help {NAME} ({EMAIL})", request=request
        )
        services_groups.add_group_task(actor=staff, group=group, title=f"Call {PHONE}")
        community_services.save_profile(
            actor=actor, affiliate=affiliate, about=f"I work with {NAME} on scans."
        )
        community_services.offer_help(actor=actor, request=request, message=f"I know {NAME}.")
        # A survey sent to them, answered with their name in the free text; a correction of
        # their details sent from the partner portal.
        sending = survey_factories.send(
            actor, survey_factories.survey(affiliate, actor), partnership, [contact]
        )
        invitation = sending.invitations.get()
        text = sending.version.questions.get(kind="text")
        answering.save_answers(
            invitation=invitation, answers={text.pk: {"text": f"Signed, {NAME}"}}
        )
        # They took part in an edit-a-thon of the partnership under their own name.
        editathon = create_activity(
            actor=actor,
            partnership=partnership,
            kind="editathon",
            title="Textile edit-a-thon",
            starts_on=dt.date(2026, 3, 8),
        )
        event = event_services.create_event(
            actor=actor,
            activity=editathon,
            wikis=["https://pl.wikipedia.org"],
            starts_at=dt.datetime(2026, 3, 8, 9, tzinfo=dt.UTC),
            ends_at=dt.datetime(2026, 3, 8, 18, tzinfo=dt.UTC),
        )
        event_services.add_participant(actor=actor, event=event, username=NAME, check=False)
        link = create_portal_link(actor=actor, organisation=contact.organisation)
        request_change(
            link=link, contact=contact, values={"phone": PHONE + "9"}, note=f"From {NAME}"
        )
    return contact


def hub_account(affiliate: Any, username: str = "zofia.p", **fields: Any) -> Any:
    """Return a Hub account of the person's (their address, name, Wikimedia link)."""
    user = factories.member(affiliate, username=username, **fields)
    first, last = NAME.split()
    user.email, user.first_name, user.last_name = EMAIL, first, last
    user.save()
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    SocialAccount.objects.create(
        user=user, provider="mediawiki", uid=f"uid-{username}", extra_data={"realname": NAME}
    )
    return user


def test_finds_the_person_everywhere_by_email(
    affiliate_a, member_a, media, django_capture_on_commit_callbacks
):
    mention_in_every_app(affiliate_a, member_a, django_capture_on_commit_callbacks)

    lookup = personal_data.look_up(affiliate_a, f"  {EMAIL.upper()} ")

    # The contact found by address gives the name and phone, so texts naming only those count.
    assert NAME in lookup.person.names and PHONE in lookup.person.phones
    kinds = {kind for kind, _items in lookup.groups}
    assert {
        "Contact",
        "Interaction",
        "Task",
        "Partnership",
        "Spreadsheet import",
        "Help request they sent",
        "Help request",
        "Working group",
        "Working group task",
        "Community profile",
        "Offer of help",
        "Notification",
        "History entry",
        "E-mail in the outgoing queue",
        "Partnership document",
        "Survey invitation and answers",
        "Correction sent from the partner portal",
        "Event participant",
    } <= kinds
    contact = next(f for f in lookup.found if f.kind == "Contact")
    assert contact.data["phone"] == PHONE


def test_erasing_from_the_page_leaves_no_trace_in_database_media_or_mail_queue(
    affiliate_a, member_a, client_m, media, django_capture_on_commit_callbacks
):
    mention_in_every_app(affiliate_a, member_a, django_capture_on_commit_callbacks)
    account = hub_account(affiliate_a)
    assert database_hits(NAME) and queued_mail_hits(EMAIL) and media_hits(NAME)
    page = client_m.get(url("personal_data_erase", q=EMAIL))
    assert page.status_code == 200
    assert page.context["closable"] == [account]
    assert f'name="accounts" value="{account.pk}"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_m.post(
            url("personal_data_erase", q=EMAIL),
            {
                "confirm": "erase",
                "seen": page.context["lookup"].fingerprint,
                "accounts": [account.pk],
            },
        )

    assert response.status_code == 302
    assert database_hits(NAME, EMAIL, PHONE) == []
    assert database_hits("Prywatna", "zofia.p") == []  # the account's own name and username
    account.refresh_from_db()
    assert not account.is_active and not account.has_usable_password()
    assert not Client().login(username="zofia.p", password="correct horse battery")
    assert media_hits(NAME, EMAIL, PHONE) == []
    assert queued_mail_hits(NAME, EMAIL, PHONE) == []
    # One audit row says an erasure happened and how many records changed, never who.
    erased = AuditEvent.objects.get(action="person.erased")
    assert erased.actor is not None and erased.actor.username == "mona"
    assert erased.changes["scrubbed"][1]["accounts closed"] == 1
    # Looking again finds nothing.
    assert personal_data.look_up(affiliate_a, EMAIL).found == []


def test_a_name_matching_several_people_is_shown_before_anything_is_erased(
    affiliate_a, member_a, client_m
):
    org = factories.organisation(affiliate_a, actor=member_a)
    one = factories.contact(org, actor=member_a, name="Anna Nowak", emails="anna1@example.org")
    two = factories.contact(org, actor=member_a, name="anna nowak", emails="anna2@example.org")

    page = client_m.get(url("personal_data_erase", q="Anna Nowak"))

    assert page.status_code == 200
    assert "2 different people match" in page.content.decode()
    assert b"anna1@example.org" in page.content and b"anna2@example.org" in page.content
    assert Contact.objects.count() == 2
    # Searching by one address narrows it to that person; erasing spares the other.
    narrow = client_m.get(url("personal_data_erase", q="anna1@example.org"))
    client_m.post(
        url("personal_data_erase", q="anna1@example.org"),
        {"confirm": "erase", "seen": narrow.context["lookup"].fingerprint},
    )
    assert list(Contact.objects.values_list("pk", flat=True)) == [two.pk]
    assert not Contact.objects.filter(pk=one.pk).exists()


ONE_WORD = "You searched for one word: check every record below is about this person"


def test_a_one_word_search_warns_that_it_may_list_another_person_before_erasing(
    affiliate_a, member_a, client_m
):
    org = factories.organisation(affiliate_a, actor=member_a)
    factories.contact(org, actor=member_a, name="Fulan Ibn Fulan", emails="fulan@example.org")
    factories.contact(org, actor=member_a, name="Fulana Bent Fulan")

    found = client_m.get(url("personal_data", q="Fulan")).content.decode()
    erase = client_m.get(url("personal_data_erase", q="Fulan"))
    text = erase.content.decode()

    assert ONE_WORD in found and ONE_WORD in text
    # The other person's history is listed on the erase page: what the button would erase.
    labels = [f.label for f in erase.context["lookup"].found]
    assert any("Fulana Bent Fulan" in label for label in labels)
    for label in labels:
        assert escape(label) in text
    assert f"Erase these {len(labels)} records for good" in text
    # A full name or an address gets no such warning.
    for typed in ("Fulan Ibn Fulan", "fulan@example.org"):
        assert ONE_WORD not in client_m.get(url("personal_data", q=typed)).content.decode()
    # Erasing changes exactly the records the page listed, and no contact goes.
    client_m.post(
        url("personal_data_erase", q="Fulan"),
        {"confirm": "erase", "seen": erase.context["lookup"].fingerprint},
    )
    erased = AuditEvent.objects.get(action="person.erased")
    assert sum(erased.changes["scrubbed"][1].values()) == len(labels)
    assert Contact.objects.count() == 2


def test_erasing_refuses_when_the_records_changed_since_they_were_shown(
    affiliate_a, member_a, client_m
):
    org = factories.organisation(affiliate_a, actor=member_a)
    factories.contact(org, actor=member_a, name="Olga Zmiana", emails="olga@example.org")
    response = client_m.post(
        url("personal_data_erase", q="olga@example.org"), {"confirm": "erase", "seen": "99"}
    )
    assert response.status_code == 200
    assert b"changed since you looked" in response.content
    assert Contact.objects.filter(name="Olga Zmiana").exists()


def test_erasing_refuses_when_other_records_took_the_place_of_those_shown(
    affiliate_a, member_a, client_m
):
    org = factories.organisation(affiliate_a, actor=member_a)
    shown = factories.contact(org, actor=member_a, name="Olga Zmiana", emails="olga@example.org")
    page = client_m.get(url("personal_data_erase", q="olga@example.org"))
    # Meanwhile the record shown goes and another about the same address comes: as many.
    Contact.objects.filter(pk=shown.pk).delete()
    factories.contact(org, actor=member_a, name="Olga Nowa", emails="olga@example.org")
    response = client_m.post(
        url("personal_data_erase", q="olga@example.org"),
        {"confirm": "erase", "seen": page.context["lookup"].fingerprint},
    )
    assert response.status_code == 200
    assert b"changed since you looked" in response.content
    assert Contact.objects.filter(name="Olga Nowa").exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("olga@example.org\nBcc: all@example.org", "on one line"),
        ("olga@example", "is not an e-mail address"),
        ("ab", "at least 3 letters"),
        ("!!!", "at least 3 letters"),
    ],
)
def test_bad_searches_get_a_clear_message(client_m, typed, message):
    response = client_m.get(url("personal_data"), {"q": typed})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_script_in_records_is_shown_as_text(affiliate_a, member_a, client_m):
    org = factories.organisation(affiliate_a, actor=member_a)
    factories.contact(
        org, actor=member_a, name="<script>alert(1)</script> Eve", emails="eve@example.org"
    )
    for name in ("personal_data", "personal_data_report", "personal_data_erase"):
        response = client_m.get(url(name, q="eve@example.org"))
        assert response.status_code == 200, name
        assert b"<script>alert(1)" not in response.content
        assert b"&lt;script&gt;alert(1)" in response.content


def test_export_is_json_and_a_readable_page(affiliate_a, member_a, client_m):
    org = factories.organisation(affiliate_a, actor=member_a, name="Muzeum")
    factories.contact(org, actor=member_a, name=NAME, emails=EMAIL, phone=PHONE)
    factories.interaction(org, actor=member_a, summary=f"Called {PHONE}.")

    download = client_m.get(url("personal_data_export", q=EMAIL))
    data = json.loads(download.content)
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "private, no-store"
    assert data["names"] == [NAME] and data["phones"] == [PHONE]
    assert {r["kind"] for r in data["records"]} >= {"Contact", "Interaction"}
    page = client_m.get(url("personal_data_report", q=EMAIL))
    assert page.status_code == 200
    assert f"Called {PHONE}." in page.content.decode()


def test_another_affiliates_manager_finds_nothing_of_ours(
    affiliate_a, affiliate_b, member_a, django_capture_on_commit_callbacks
):
    mention_in_every_app(affiliate_a, member_a, django_capture_on_commit_callbacks)
    manager_b = factories.member(affiliate_b, username="bruno", role="manager")
    client = Client()
    client.force_login(manager_b)

    for name in ("personal_data", "personal_data_report", "personal_data_export"):
        response = client.get(url(name, slug="beta", q=EMAIL))
        assert NAME not in response.content.decode(), name
        assert "Muzeum Narodowe" not in response.content.decode(), name
    assert personal_data.look_up(affiliate_b, NAME).found == []
    assert personal_data.look_up(affiliate_b, EMAIL).found == []
    # Erasing in B leaves A's records alone.
    client.post(url("personal_data_erase", slug="beta", q=EMAIL), {"confirm": "erase", "seen": 0})
    assert Contact.objects.filter(name=NAME).exists()
    # And A's own pages are a 404 to B's manager.
    assert client.get(url("personal_data", q=EMAIL)).status_code == 404


def test_members_who_do_not_manage_are_refused(client_a):
    for name in (
        "personal_data",
        "personal_data_report",
        "personal_data_export",
        "personal_data_erase",
    ):
        assert client_a.get(url(name, q=EMAIL)).status_code == 403, name


def test_erasing_asks_for_the_password_again_when_it_is_not_recent(affiliate_a, member_a, client_m):
    import time

    from hub.core.security import PASSWORD_AT

    org = factories.organisation(affiliate_a, actor=member_a)
    factories.contact(org, actor=member_a, name="Erin Stale", emails="erin@example.org")
    session = client_m.session
    session[PASSWORD_AT] = int(time.time()) - 3600
    session.save()
    response = client_m.post(
        url("personal_data_erase", q="erin@example.org"), {"confirm": "erase", "seen": "1"}
    )
    assert response["Location"].startswith(reverse("confirm_password"))
    assert Contact.objects.filter(name="Erin Stale").exists()


def test_an_uploaded_file_naming_the_person_is_listed_and_kept(
    affiliate_a, member_a, client_m, media
):
    org = factories.organisation(affiliate_a, actor=member_a)
    factories.contact(org, actor=member_a, name=NAME, emails=EMAIL)
    partnership = factories.partnership(affiliate_a, actor=member_a, partners=[(org, "main")])
    import io

    import docx

    minutes = docx.Document()
    minutes.add_paragraph(f"Signed for the museum by {NAME}.")
    data = io.BytesIO()
    minutes.save(data)
    factories.document(partnership, actor=member_a, name="agreement.docx", content=data.getvalue())

    found = personal_data.look_up(affiliate_a, EMAIL).found
    document = next(f for f in found if f.kind == "Partnership document")
    assert document.data["on_erasure"].startswith("kept")
    page = client_m.get(url("personal_data_erase", q=EMAIL))
    client_m.post(
        url("personal_data_erase", q=EMAIL),
        {"confirm": "erase", "seen": page.context["lookup"].fingerprint},
    )
    assert partnership.documents.count() == 1


def test_looking_up_does_not_query_once_per_record(affiliate_a, member_a):
    org = factories.organisation(affiliate_a, actor=member_a)
    factories.contact(org, actor=member_a, name=NAME, emails=EMAIL)
    factories.interaction(org, actor=member_a, summary=f"Met {NAME}.")
    with CaptureQueriesContext(connection) as one:
        personal_data.look_up(affiliate_a, EMAIL)
    for n in range(20):
        factories.interaction(org, actor=member_a, summary=f"Met {NAME} again ({n}).")
    with CaptureQueriesContext(connection) as many:
        found = personal_data.look_up(affiliate_a, EMAIL).found
    assert len([f for f in found if f.kind == "Interaction"]) == 21
    assert len(many.captured_queries) == len(one.captured_queries)


# --- Phones match by their digits -----------------------------------------------------------


def test_a_phone_is_found_however_it_is_written(affiliate_a, member_a, client_m):
    org = factories.organisation(affiliate_a, actor=member_a, name="Muzeum")
    written = factories.contact(org, actor=member_a, name=NAME, emails=EMAIL, phone=PHONE)
    national = factories.contact(
        org, actor=member_a, name="Jan Krajowy", emails="jan@example.org", phone="601 234 567"
    )
    factories.contact(
        org, actor=member_a, name="Ola Inna", emails="ola@example.org", phone="+48 601 234 568"
    )
    factories.interaction(org, actor=member_a, summary="Called 601-234-567 about the scans.")
    factories.interaction(org, actor=member_a, summary="Called 0048 (601) 234.567 again.")
    factories.interaction(org, actor=member_a, summary="Ola is on 601 234 568.")

    for typed in ("601234567", "+48 601 234 567", "0048601234567", "601-234-567"):
        lookup = personal_data.look_up(affiliate_a, typed)
        people = {p.label.split(" (")[0] for p in lookup.people}
        # The stored number ends with the digits typed, or the digits typed end with it.
        assert people == {written.name, national.name}, typed
        interactions = [f for f in lookup.found if f.kind == "Interaction"]
        assert len(interactions) == 2, typed
        assert all("568" not in f.data["summary"] for f in interactions)
    page = client_m.get(url("personal_data", q="601 234 567"))
    assert page.status_code == 200 and b"Jan Krajowy" in page.content


def test_a_phone_search_needs_seven_digits(client_m):
    response = client_m.get(url("personal_data"), {"q": "234 567"})
    assert response.status_code == 400
    assert "at least 7 digits of the phone number" in response.content.decode()


def test_erasing_found_by_phone_scrubs_every_way_it_is_written(affiliate_a, member_a, client_m):
    org = factories.organisation(affiliate_a, actor=member_a, name="Muzeum")
    factories.contact(org, actor=member_a, name=NAME, emails=EMAIL, phone=PHONE)
    factories.interaction(org, actor=member_a, summary=f"{NAME}: call 601-234-567 or mail.")
    page = client_m.get(url("personal_data_erase", q="601234567"))
    client_m.post(
        url("personal_data_erase", q="601234567"),
        {"confirm": "erase", "seen": page.context["lookup"].fingerprint},
    )
    assert database_hits(NAME, EMAIL, PHONE, "601-234-567") == []
    assert not Contact.objects.filter(phone=PHONE).exists()


def test_a_phone_search_does_not_load_every_contact(affiliate_a, member_a):
    org = factories.organisation(affiliate_a, actor=member_a)
    factories.contact(org, actor=member_a, name=NAME, emails=EMAIL, phone=PHONE)
    with CaptureQueriesContext(connection) as one:
        personal_data.look_up(affiliate_a, "601234567")
    for n in range(20):
        factories.contact(org, actor=member_a, emails=f"c{n}@example.org", phone=f"+1 555 01{n:02}")
    with CaptureQueriesContext(connection) as many:
        lookup = personal_data.look_up(affiliate_a, "601234567")
    assert [p.names for p in lookup.people] == [(NAME,)]
    assert len(many.captured_queries) == len(one.captured_queries)


# --- Hub accounts --------------------------------------------------------------------------


def test_only_accounts_of_plain_members_of_this_affiliate_can_be_closed(
    affiliate_a, affiliate_b, member_a, manager_a, client_m
):
    from hub.core.models import Membership

    org = factories.organisation(affiliate_a, actor=member_a)
    factories.contact(org, actor=member_a, name=NAME, emails=EMAIL)
    plain = hub_account(affiliate_a, username="plain")
    staff = hub_account(affiliate_a, username="staffer", is_hub_staff=True)
    elsewhere = hub_account(affiliate_a, username="twohomes")
    Membership.objects.create(user=elsewhere, affiliate=affiliate_b, role="member")
    manager_a.email = EMAIL  # the manager erasing shares the address: never their own
    manager_a.save()

    page = client_m.get(url("personal_data_erase", q=EMAIL))
    assert page.context["closable"] == [plain]
    found = [f for f in page.context["lookup"].found if f.kind == "Hub account"]
    assert len(found) == 4  # all are shown; only one may be closed here
    # Ticking another account (a forged form) erases nothing.
    response = client_m.post(
        url("personal_data_erase", q=EMAIL),
        {"confirm": "erase", "seen": page.context["lookup"].fingerprint, "accounts": [staff.pk]},
    )
    assert b"changed since you looked" in response.content
    assert Contact.objects.filter(name=NAME).exists()
    staff.refresh_from_db()
    assert staff.is_active and staff.email == EMAIL
    # Not ticked: the person's records go, the account stays as it was.
    client_m.post(
        url("personal_data_erase", q=EMAIL),
        {"confirm": "erase", "seen": page.context["lookup"].fingerprint},
    )
    plain.refresh_from_db()
    assert plain.is_active and plain.username == "plain"
    assert not Contact.objects.filter(name=NAME).exists()


# --- The hub-wide records (hub staff) ------------------------------------------------------


@pytest.fixture
def client_staff(affiliate_a: Any) -> Client:
    client = Client()
    client.force_login(hd.staff("hubstaff"))
    return client


def test_hub_staff_find_copy_and_erase_a_request_sent_to_no_affiliate(
    affiliate_a, member_a, client_staff
):
    from hub.helpdesk.models import HelpRequest

    hd.help_request(name=NAME, email=EMAIL, description=f"{NAME} here: call me on {PHONE}.")
    # The same person as an affiliate's contact: not the hub's to show or erase.
    org = factories.organisation(affiliate_a, actor=member_a)
    factories.contact(org, actor=member_a, name=NAME, emails=EMAIL)
    account = hub_account(affiliate_a, username="zofia.p")

    page = client_staff.get(reverse("hub_personal_data"), {"q": EMAIL})
    assert page.status_code == 200
    kinds = {kind for kind, _items in page.context["lookup"].groups}
    assert "Help request they sent" in kinds and "Contact" not in kinds
    report = client_staff.get(reverse("hub_personal_data_report"), {"q": "601 234 567"})
    assert report.status_code == 200 and f"call me on {PHONE}." in report.content.decode()
    download = client_staff.get(reverse("hub_personal_data_export"), {"q": EMAIL})
    assert json.loads(download.content)["emails"] == [EMAIL]

    erase = reverse("hub_personal_data_erase") + f"?q={EMAIL}"
    page = client_staff.get(erase)
    assert page.context["closable"] == [account]  # hub staff may close any member's account
    response = client_staff.post(
        erase,
        {"confirm": "erase", "seen": page.context["lookup"].fingerprint, "accounts": [account.pk]},
    )
    assert response.status_code == 302
    assert not HelpRequest.objects.filter(email=EMAIL).exists()
    assert not HelpRequest.objects.filter(description__contains=NAME).exists()
    account.refresh_from_db()
    assert not account.is_active and account.email == ""
    assert Contact.objects.filter(name=NAME, affiliate=affiliate_a).exists()
    erased = AuditEvent.objects.get(action="person.erased")
    assert erased.affiliate is None and erased.changes["scrubbed"][1]["accounts closed"] == 1
