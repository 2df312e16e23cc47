"""Participants' usernames checked on a real MediaWiki 1.39 (tests/localwiki.py): exists,
blocked, registered when, 50 names a request, through the task queue; and on each of an event's
wikis (two real local wikis), blocks being per wiki."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from hub.events import checking, services
from hub.events.counting import run_count
from hub.events.models import CountRun, EventFigure, Participant
from hub.events.sources import CountSource
from hub.wikimedia.http import reset_sessions
from hub.wikimedia.mediawiki import MediaWikiClient
from hub.wikimedia.mediawiki.results import WikiUser
from tests.event_wiki import create_users, import_revisions
from tests.localwiki import LocalWiki, create_local_wiki, free_port
from tests.test_events_people import START, make_activity
from tests.wikiserver import FakeClock

pytestmark = pytest.mark.django_db

ACTIVE = "Eva Eventsson"
BLOCKED = "Blocked Björn"
RTL = "أحمد المحرر"
PASSWORD = "Event-password-for-tests-1"  # noqa: S105 - a throwaway local wiki


def block(wiki: LocalWiki, names: Iterable[str]) -> None:
    """Block the users sitewide on the wiki, as its administrator."""
    wiki.php(
        "maintenance/blockUsers.php",
        "--performer",
        "Admin",
        "--reason",
        "test",
        stdin="".join(f"{n}\n" for n in names).encode(),
    )


@pytest.fixture
def wiki(local_wiki: LocalWiki, settings: Any) -> Iterator[LocalWiki]:
    """Return the local wiki with three accounts, one of them blocked (made once a session)."""
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [local_wiki.base_url]
    reset_sessions()
    local_wiki.set_maxlag(False)
    marker = local_wiki.root / "events-users.done"
    if not marker.exists():
        for name in (ACTIVE, BLOCKED, RTL):
            local_wiki.php("maintenance/createAndPromote.php", "--force", name, PASSWORD)
        block(local_wiki, [BLOCKED])
        marker.write_text("1")
    yield local_wiki
    reset_sessions()


def event_on(wiki: LocalWiki, affiliate: Any, actor: Any) -> Any:
    return services.create_event(
        actor=actor,
        activity=make_activity(affiliate, actor),
        wikis=[wiki.base_url],
        starts_at=START,
        ends_at=START + dt.timedelta(days=1),
    )


def test_the_client_reads_exists_blocked_and_registration(wiki: LocalWiki) -> None:
    client = MediaWikiClient(wiki.api_url, user_supplied=True)
    users = client.users([ACTIVE, BLOCKED, RTL, "Nobody Here At All"])
    assert users[ACTIVE].exists and not users[ACTIVE].blocked
    assert users[ACTIVE].registered is not None
    assert users[BLOCKED].exists and users[BLOCKED].blocked
    assert users[RTL].exists
    assert not users["Nobody Here At All"].exists
    assert client.stats.requests == 1


def test_55_names_take_two_requests(wiki: LocalWiki) -> None:
    client = MediaWikiClient(wiki.api_url, user_supplied=True)
    names = [ACTIVE, BLOCKED, RTL] + [f"Missing person {n}" for n in range(52)]
    users = client.users(names)
    assert len(users) == 55 and sum(u.exists for u in users.values()) == 3
    assert client.stats.requests == 2


def test_an_import_is_checked_by_the_queued_task(
    wiki, affiliate_a, member_a, client_a, django_capture_on_commit_callbacks
):
    event = event_on(wiki, affiliate_a, member_a)
    text = "\n".join(
        [
            "user:eva_Eventsson",  # lower-case first letter, underscores, a prefix
            f"https://en.wikipedia.org/wiki/User:{BLOCKED.replace(' ', '_')}",
            f"\u200f{RTL}\u200f",
            "Nobody Here At All",
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            reverse("people_import", kwargs={"slug": "alpha", "pk": event.pk}),
            {"text": text, "role": "participant"},
        )
    assert response.status_code == 302 and response["Location"].endswith("?checking=1")
    waiting = client_a.get(response["Location"]).content.decode()
    assert "waiting to be checked" in waiting and 'http-equiv="refresh"' in waiting

    queued = DBTaskResult.objects.get(task_path="hub.events.tasks_people.check_participants")
    assert queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"]) == 4
    checks = dict(event.participants.values_list("username", "wiki_check"))
    assert checks == {
        "Eva Eventsson": Participant.Check.OK,
        BLOCKED: Participant.Check.BLOCKED,
        RTL: Participant.Check.OK,
        "Nobody Here At All": Participant.Check.MISSING,
    }
    eva = event.participants.get(username=ACTIVE)
    assert eva.registered_at is not None and eva.checked_at is not None
    assert event.participants.get(username="Nobody Here At All").registered_at is None
    page = client_a.get(response["Location"]).content.decode()
    assert "waiting to be checked" not in page and "http-equiv" not in page
    assert "1 username not found on the event's wikis" in page and "1 blocked" in page
    # Running it again checks nothing more: every name is checked.
    assert checking.check_participants(event_id=event.pk) == 0


def test_a_wiki_that_does_not_answer_leaves_names_unchecked(affiliate_a, member_a, settings):
    base = f"http://127.0.0.1:{free_port()}"
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [base]
    event = services.create_event(
        actor=member_a,
        activity=make_activity(affiliate_a, member_a),
        wikis=[base],
        starts_at=START,
        ends_at=START + dt.timedelta(days=1),
    )
    services.add_participant(actor=member_a, event=event, username="Anna", check=False)
    # Its client asks and retries (in no real time; making it fails the same way: see below).
    assert checking.check_participants(event_id=event.pk, clients=dead_client(base)) == 0
    assert event.participants.get().wiki_check == Participant.Check.UNCHECKED


def dead_client(base: str) -> dict[str, MediaWikiClient]:
    """Return the client of a wiki that does not answer, whose retries take no real time."""
    clock = FakeClock()
    api = MediaWikiClient(f"{base}/w/api.php", user_supplied=True, sleep=clock.sleep, clock=clock)
    return {base: api}


# -- every wiki the event tracks ----------------------------------------------------------------

SECOND_BLOCKED = "Cilla Commonsblock"  # on both wikis, blocked on the second only
BOTH_BLOCKED = "Doris Doubleblock"  # blocked on both
SECOND_ONLY = "Sixten Secondonly"  # an account on the second wiki only
NOBODY = "Nobody Here At All"
ON_SECOND_SINCE = dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def second_wiki(local_wiki: LocalWiki, tmp_path_factory: Any) -> Iterator[LocalWiki]:
    """Run a second local wiki (a copy of the same cached one) for this module's tests."""
    second = create_local_wiki(tmp_path_factory.mktemp("mediawiki-second"))
    try:
        names = (ACTIVE, BLOCKED, SECOND_BLOCKED, BOTH_BLOCKED, SECOND_ONLY)
        create_users(second, dict.fromkeys(names, ON_SECOND_SINCE))
        block(second, [SECOND_BLOCKED, BOTH_BLOCKED])
        yield second
    finally:
        second.stop()


@pytest.fixture
def two_wikis(
    wiki: LocalWiki, second_wiki: LocalWiki, settings: Any
) -> tuple[LocalWiki, LocalWiki]:
    """Return the first wiki (the users above, BLOCKED blocked there) and the second one."""
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [wiki.base_url, second_wiki.base_url]
    reset_sessions()
    marker = wiki.root / "events-users-two.done"
    if not marker.exists():
        create_users(wiki, {SECOND_BLOCKED: START, BOTH_BLOCKED: START})
        block(wiki, [BOTH_BLOCKED])
        marker.write_text("1")
    return wiki, second_wiki


def event_on_all(wikis: Sequence[str], affiliate: Any, actor: Any, names: Iterable[str]) -> Any:
    event = services.create_event(
        actor=actor,
        activity=make_activity(affiliate, actor),
        wikis=list(wikis),
        starts_at=START,
        ends_at=START + dt.timedelta(days=1),
    )
    for name in names:
        services.add_participant(actor=actor, event=event, username=name, check=False)
    return event


def on_the_wiki(page: str, username: str) -> str:
    """Return the participants table's "On the wikis" cell of a username, as a person reads it."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.DOTALL):
        cells = [
            " ".join(html.unescape(re.sub(r"<[^>]+>", "", cell)).split())
            for cell in re.findall(r"<td>(.*?)</td>", row, flags=re.DOTALL)
        ]
        if cells and cells[0] == username:
            return cells[1]
    raise AssertionError(f"no row for {username}")


def participants_page(client: Any, event: Any) -> str:
    url = reverse("people_participants", kwargs={"slug": "alpha", "pk": event.pk})
    return str(client.get(url).content.decode())


def host(wiki: LocalWiki) -> str:
    return f"127.0.0.1:{wiki.port}"


def test_a_block_on_the_second_wiki_only_is_shown_with_that_wiki(
    two_wikis, affiliate_a, member_a, client_a
):
    first, second = two_wikis
    names = [ACTIVE, BLOCKED, SECOND_BLOCKED, BOTH_BLOCKED, SECOND_ONLY, NOBODY]
    event = event_on_all([first.base_url, second.base_url], affiliate_a, member_a, names)

    assert checking.check_participants(event_id=event.pk) == len(names)

    checks = {p.username: (p.wiki_check, p.blocked_on) for p in event.participants.all()}
    assert checks == {
        ACTIVE: (Participant.Check.OK, []),
        BLOCKED: (Participant.Check.BLOCKED, [first.base_url]),
        SECOND_BLOCKED: (Participant.Check.BLOCKED, [second.base_url]),
        BOTH_BLOCKED: (Participant.Check.BLOCKED, [first.base_url, second.base_url]),
        # Accounts are global: one the first wiki has not seen yet is no typo.
        SECOND_ONLY: (Participant.Check.OK, []),
        NOBODY: (Participant.Check.MISSING, []),
    }
    page = participants_page(client_a, event)
    assert on_the_wiki(page, SECOND_BLOCKED) == f"Blocked on {host(second)}"
    assert on_the_wiki(page, BLOCKED) == f"Blocked on {host(first)}"
    assert on_the_wiki(page, BOTH_BLOCKED) == f"Blocked on {host(first)}, {host(second)}"
    assert on_the_wiki(page, ACTIVE) == "Exists"
    assert on_the_wiki(page, SECOND_ONLY) == "Exists"
    assert on_the_wiki(page, NOBODY) == "No such user"
    assert "1 username not found on the event's wikis" in page and "3 blocked" in page


def test_the_registration_date_kept_is_the_first_wikis(two_wikis, affiliate_a, member_a):
    first, second = two_wikis
    event = event_on_all(
        [first.base_url, second.base_url], affiliate_a, member_a, [ACTIVE, SECOND_ONLY]
    )
    checking.check_participants(event_id=event.pk)
    on_first = MediaWikiClient(first.api_url, user_supplied=True).users([ACTIVE])[ACTIVE]
    assert on_first.registered is not None and on_first.registered != ON_SECOND_SINCE
    registered = dict(event.participants.values_list("username", "registered_at"))
    assert registered == {ACTIVE: on_first.registered, SECOND_ONLY: None}


def test_each_wiki_is_asked_once_per_50_names_and_a_rerun_asks_nothing(
    two_wikis, affiliate_a, member_a
):
    first, second = two_wikis
    names = [ACTIVE, SECOND_BLOCKED] + [f"Missing person {n}" for n in range(53)]
    event = event_on_all([first.base_url, second.base_url], affiliate_a, member_a, names)
    clients = {w.base_url: MediaWikiClient(w.api_url, user_supplied=True) for w in two_wikis}

    assert checking.check_participants(event_id=event.pk, clients=clients) == 55
    assert [c.stats.requests for c in clients.values()] == [2, 2]
    assert event.participants.filter(wiki_check=Participant.Check.MISSING).count() == 53
    assert event.participants.get(username=SECOND_BLOCKED).blocked_on == [second.base_url]

    assert checking.check_participants(event_id=event.pk, clients=clients) == 0
    assert [c.stats.requests for c in clients.values()] == [2, 2]


def test_a_second_wiki_that_does_not_answer_leaves_names_unchecked(
    two_wikis, affiliate_a, member_a, client_a, settings
):
    first, _second = two_wikis
    dead = f"http://127.0.0.1:{free_port()}"
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [first.base_url, dead]
    event = event_on_all([first.base_url, dead], affiliate_a, member_a, [ACTIVE, SECOND_BLOCKED])
    asked_first = MediaWikiClient(first.api_url, user_supplied=True)

    clients = {first.base_url: asked_first}  # the dead wiki's is made, and fails, first
    assert checking.check_participants(event_id=event.pk, clients=clients) == 0
    checks = set(event.participants.values_list("wiki_check", flat=True))
    assert checks == {Participant.Check.UNCHECKED}
    assert asked_first.stats.requests == 0  # the wiki that answers is not asked in vain
    page = participants_page(client_a, event)
    assert "2 usernames are waiting to be checked on the event's wikis" in page


class StopsAfterOneBatch(MediaWikiClient):
    """A real client of the second wiki, which stops answering once it has answered once."""

    wiki: LocalWiki

    def users(self, names: Iterable[str]) -> dict[str, WikiUser]:
        found = super().users(names)
        self.wiki.stop()
        return found


def test_a_wiki_stopping_midway_keeps_what_was_read_and_the_next_run_checks_the_rest(
    two_wikis, affiliate_a, member_a
):
    first, second = two_wikis
    names = [f"Missing person {n}" for n in range(50)] + [ACTIVE, SECOND_BLOCKED]
    event = event_on_all([first.base_url, second.base_url], affiliate_a, member_a, names)
    clock = FakeClock()  # the stopped wiki's retries take no real time
    stopping = StopsAfterOneBatch(
        second.api_url, user_supplied=True, sleep=clock.sleep, clock=clock
    )
    stopping.wiki = second
    clients = {
        first.base_url: MediaWikiClient(first.api_url, user_supplied=True),
        second.base_url: stopping,
    }
    try:
        assert checking.check_participants(event_id=event.pk, clients=clients) == 0
    finally:
        second.start()
        reset_sessions()
    # The first 50 (in the order they were added) were stored when read; the last two were not.
    unchecked = event.participants.filter(wiki_check=Participant.Check.UNCHECKED)
    assert set(unchecked.values_list("username", flat=True)) == {ACTIVE, SECOND_BLOCKED}

    clients = {w.base_url: MediaWikiClient(w.api_url, user_supplied=True) for w in two_wikis}
    assert checking.check_participants(event_id=event.pk, clients=clients) == 2
    assert [c.stats.requests for c in clients.values()] == [1, 1]
    assert event.participants.get(username=SECOND_BLOCKED).blocked_on == [second.base_url]


def test_adding_a_wiki_checks_everyone_again_on_every_wiki(
    two_wikis, affiliate_a, member_a, client_a, django_capture_on_commit_callbacks
):
    first, second = two_wikis
    event = event_on_all([first.base_url], affiliate_a, member_a, [ACTIVE, SECOND_BLOCKED])
    checking.check_participants(event_id=event.pk)
    assert on_the_wiki(participants_page(client_a, event), SECOND_BLOCKED) == "Exists"

    # The organiser adds the second wiki: a block there must show, so everyone is checked again.
    with django_capture_on_commit_callbacks(execute=True):
        services.update_event(actor=member_a, event=event, wikis=[first.base_url, second.base_url])
    assert "2 usernames are waiting to be checked" in participants_page(client_a, event)
    queued = DBTaskResult.objects.filter(
        task_path="hub.events.tasks_people.check_participants"
    ).latest("enqueued_at")
    assert queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"]) == 2
    page = participants_page(client_a, event)
    assert on_the_wiki(page, SECOND_BLOCKED) == f"Blocked on {host(second)}"
    assert on_the_wiki(page, ACTIVE) == "Exists"

    # Changing something else checks nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        services.update_event(actor=member_a, event=event, hashtag="wikigap")
    assert not event.participants.filter(wiki_check=Participant.Check.UNCHECKED).exists()


def test_a_count_names_as_missing_only_who_counted_nothing(two_wikis, affiliate_a, member_a):
    first, second = two_wikis
    marker = second.root / "events-second-only-edits.done"
    if not marker.exists():
        import_revisions(
            second,
            {"Second only page": [(START + dt.timedelta(hours=1), SECOND_ONLY, "Hello", "new")]},
        )
        marker.write_text("1")
    event = event_on_all(
        [first.base_url, second.base_url], affiliate_a, member_a, [SECOND_ONLY, NOBODY]
    )
    run = CountRun.objects.create(event=event)
    run_count(run_id=run.pk, source=CountSource())
    run.refresh_from_db()
    assert run.status == CountRun.Status.DONE, run.error
    # No account on the first wiki for either, but one has an edit counted on the second.
    assert NOBODY in run.warnings[0] and SECOND_ONLY not in run.warnings[0]
    assert EventFigure.objects.get(event=event, wiki="", metric="edits").value == 1
