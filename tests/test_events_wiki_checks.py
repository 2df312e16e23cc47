"""Participants' usernames checked on a real MediaWiki 1.39 (tests/localwiki.py): exists,
blocked, registered when, 50 names a request, through the task queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from hub.events import checking, services
from hub.events.models import Participant
from hub.wikimedia.http import reset_sessions
from hub.wikimedia.mediawiki import MediaWikiClient
from tests.localwiki import LocalWiki
from tests.test_events_people import START, make_activity

pytestmark = pytest.mark.django_db

ACTIVE = "Eva Eventsson"
BLOCKED = "Blocked Björn"
RTL = "أحمد المحرر"
PASSWORD = "Event-password-for-tests-1"  # noqa: S105 - a throwaway local wiki


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
        local_wiki.php(
            "maintenance/blockUsers.php",
            "--performer",
            "Admin",
            "--reason",
            "test",
            stdin=f"{BLOCKED}\n".encode(),
        )
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
    assert "1 username not found on the wiki" in page and "1 blocked" in page
    # Running it again checks nothing more: every name is checked.
    assert checking.check_participants(event_id=event.pk) == 0


def test_a_wiki_that_does_not_answer_leaves_names_unchecked(affiliate_a, member_a, settings):
    from tests.localwiki import free_port

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
    assert checking.check_participants(event_id=event.pk) == 0
    assert event.participants.get().wiki_check == Participant.Check.UNCHECKED
