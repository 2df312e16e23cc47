"""Counting an event's outputs against the real local MediaWiki (tests/localwiki.py).

Users edit, create pages and upload at known times around the event's window (inside,
outside, at the edges, in the grace period); an organiser is left out; one username does not
exist; a page is renamed; 60 users are read in two requests, one of them with enough edits to
need continuation; a worker killed between steps resumes with the same figures and requests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Sum

from hub.events import counting
from hub.events.count_services import start_count
from hub.events.counting import run_count
from hub.events.models import CountRun, CountStep, Edit, Event, EventFigure, Participant
from hub.events.sources import CountSource
from hub.partnerships.activities import services as activities
from tests import factories
from tests.event_wiki import create_users, import_revisions, move_page, upload_files
from tests.localwiki import LocalWiki

pytestmark = pytest.mark.django_db

UTC = dt.UTC
START = dt.datetime(2026, 3, 1, tzinfo=UTC)
END = dt.datetime(2026, 3, 10, tzinfo=UTC)
GRACE = 2
OLD = dt.datetime(2020, 1, 1, tzinfo=UTC)


def at(day: int, hour: int = 12, month: int = 3, **kw: int) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC, **kw)


# Page texts whose lengths give the bytes added.
ALPHA_1 = "Alpha is a place. #" + "a" * 100
ALPHA_2 = ALPHA_1 + " More about Alpha." + "b" * 50
BETA_0 = "Beta " * 40
BETA_1 = BETA_0 + "Beta grows." + "c" * 30
BETA_CAROL = BETA_1 + " organiser's edit"
DELTA_1 = "Delta, written in the grace period. [[Category:Event pages]]"
EPSILON_1 = "Epsilon " * 10


@pytest.fixture(scope="module")
def scenario(local_wiki: LocalWiki) -> LocalWiki:
    """Fill the wiki once for this module: the users and their contributions."""
    create_users(
        local_wiki,
        {
            "Ev Alice": OLD,
            "Ev Bob": at(2, 9),  # registered during the event: a new editor
            "Ev Carol": OLD,  # the organiser
            "Ev Eve": at(5, 9),  # a new editor too
            "Ev Frank": OLD,  # joins after the first count
            **{f"Ev Batch {n:02d}": OLD for n in range(1, 61)},
        },
    )
    import_revisions(
        local_wiki,
        {
            "Ev Alpha": [
                (at(2, 10), "Ev Alice", ALPHA_1, "Start #WikiGap"),
                (at(3, 10), "Ev Bob", ALPHA_2, "more #wikigap"),
            ],
            "Ev Beta": [
                (dt.datetime(2025, 1, 1, tzinfo=UTC), "Admin", BETA_0, "old"),
                (at(4), "Ev Alice", BETA_1, "expand"),
                (at(5), "Ev Carol", BETA_CAROL, "organiser"),
                (at(20), "Ev Bob", BETA_CAROL + " later", "after the event"),
                (at(1, month=5), "Ev Eve", BETA_CAROL + " much later", "after the event"),
            ],
            "Ev Gamma": [
                (dt.datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC), "Ev Bob", "Gamma", "before"),
                (START, "Ev Bob", "Gamma at the very start", "edge"),
            ],
            "Ev Delta": [
                (at(11), "Ev Alice", DELTA_1, "grace"),
                (at(12, 0, second=1), "Ev Alice", DELTA_1 + " late", "after the grace"),
            ],
            "Talk:Ev Alpha": [(at(6), "Ev Alice", "A question", "talk")],
            "Ev Epsilon": [(at(7), "Ev Eve", EPSILON_1, "new")],
            "Ev Frankly": [(at(5), "Ev Frank", "Frank's page", "new")],
            "Ev Busy page": [
                (at(2) + dt.timedelta(minutes=i), "Ev Batch 01", f"busy {i}", "busy")
                for i in range(520)
            ],
            **{
                f"Ev Batch page {n:02d}": [(at(4), f"Ev Batch {n:02d}", "x" * n, "batch")]
                for n in range(2, 61)
            },
        },
    )
    move_page(local_wiki, "Ev Epsilon", "Ev Epsilon (renamed)")
    import_revisions(
        local_wiki,
        {"Ev Epsilon (renamed)": [(at(8), "Ev Eve", EPSILON_1 + " more", "after the move")]},
    )
    upload_files(local_wiki, "Ev Alice", at(3), ["Ev upload one.png", "Ev upload two.png"])
    return local_wiki


@pytest.fixture
def wiki(scenario: LocalWiki, settings: Any) -> str:
    from hub.wikimedia.http import reset_sessions

    settings.HUB_ALLOWED_PRIVATE_WIKIS = [scenario.base_url]
    reset_sessions()
    return scenario.api_url


def make_event(wiki: str, people: dict[str, dict[str, Any]], **fields: Any) -> Event:
    affiliate = factories.affiliate()
    partnership = factories.partnership(affiliate)
    activity = activities.create_activity(
        actor=None,
        partnership=partnership,
        kind="editathon",
        title="WikiGap",
        starts_on=START.date(),
    )
    fields.setdefault("starts_at", START)
    fields.setdefault("ends_at", END)
    fields.setdefault("grace_days", GRACE)
    event = Event.objects.create(activity=activity, affiliate=affiliate, wikis=[wiki], **fields)
    for name, extra in people.items():
        Participant.objects.create(event=event, username=name, **extra)
    return event


MAIN_PEOPLE: dict[str, dict[str, Any]] = {
    "Ev Alice": {},
    "Ev Bob": {},
    "Ev Carol": {"role": "organiser", "counted": False},
    "Ev Dave": {},  # no such user on the wiki
    "Ev Eve": {"registered_at": at(5, 9)},
}


def figures(event: Event, wiki: str = "") -> dict[str, int]:
    return dict(EventFigure.objects.filter(event=event, wiki=wiki).values_list("metric", "value"))


def count(event: Event, source: CountSource | None = None) -> CountRun:
    run = CountRun.objects.create(event=event)
    run_count(run_id=run.pk, source=source or CountSource())
    run.refresh_from_db()
    return run


def test_an_event_is_counted_from_the_participants_contributions(wiki: str) -> None:
    event = make_event(wiki, MAIN_PEOPLE)
    run = count(event)
    assert run.status == CountRun.Status.DONE, run.error
    total = figures(event)
    # Alice: Alpha, Beta, Talk:Alpha, Delta (grace), two uploads; Bob: Alpha, Gamma at the
    # very start; Eve: Epsilon and its renamed title. Not: Carol (organiser), Gamma's creation
    # a second before the start, Delta's edit a second after the grace period, later edits.
    assert total["edits"] == 10, " / ".join(
        f"{e.title}:{e.participant}:{e.created_page}" for e in Edit.objects.filter(event=event)
    )
    assert total["articles_created"] == 3  # Alpha, Delta, Epsilon (renamed: one page)
    assert total["articles_improved"] == 2  # Beta, Gamma
    assert total["files_uploaded"] == 2
    assert total["bytes_added"] == (
        len(ALPHA_1)
        + (len(ALPHA_2) - len(ALPHA_1))
        + (len(BETA_1) - len(BETA_0))
        + len(DELTA_1)
        + len(EPSILON_1)
        + len(" more")
        + len("Gamma at the very start")
        - len("Gamma")
    )
    assert total["participants"] == 4
    assert total["new_editors"] == 2  # Bob (registration read from the wiki) and Eve
    assert total["retained_7"] == 2  # Bob edited on 20 March, Eve on 1 May
    assert total["retained_30"] == 1  # only Eve edited 30 days or more after the end
    assert "references_added" not in total  # not invented: said so instead
    edits_total = EventFigure.objects.get(event=event, wiki="", metric="edits")
    assert any("references" in note for note in edits_total.detail["not_known"])
    assert figures(event, wiki)["edits"] == 10
    assert Edit.objects.filter(event=event).count() == 10
    assert Participant.objects.get(event=event, username="Ev Bob").registered_at == at(2, 9)
    assert run.warnings and "Ev Dave" in run.warnings[0]
    # One request for five users' contributions, one for their accounts, one per retention.
    assert run.requests == 4
    figure = EventFigure.objects.get(event=event, wiki="", metric="articles_created")
    assert figure.source == "counted" and figure.method and figure.counted_at


def test_narrowing_by_hashtag_category_and_articles(wiki: str) -> None:
    by_tag = make_event(wiki, MAIN_PEOPLE, hashtag="wikigap")
    assert count(by_tag).status == CountRun.Status.DONE
    assert figures(by_tag)["edits"] == 2  # "#WikiGap" and "#wikigap", any case
    by_category = make_event(wiki, MAIN_PEOPLE, category="Event pages")
    assert count(by_category).status == CountRun.Status.DONE
    assert figures(by_category)["edits"] == 1
    assert figures(by_category)["articles_created"] == 1  # Delta
    by_list = make_event(wiki, MAIN_PEOPLE, articles=["Ev_Epsilon"])
    assert count(by_list).status == CountRun.Status.DONE
    # The old title matches the page, renamed since: both of Eve's edits count.
    assert figures(by_list)["edits"] == 2
    assert figures(by_list)["articles_created"] == 1


def test_a_recount_fetches_only_what_is_new(wiki: str, scenario: LocalWiki) -> None:
    event = make_event(wiki, {"Ev Alice": {}, "Ev Bob": {}})
    first = count(event)
    assert first.status == CountRun.Status.DONE
    before = figures(event)["edits"]
    Participant.objects.create(event=event, username="Ev Frank")
    import_revisions(
        scenario, {"Ev Beta": [(at(11, 18), "Ev Bob", BETA_CAROL + " in the grace", "grace")]}
    )
    second = count(event)
    assert second.status == CountRun.Status.DONE
    reads = CountStep.objects.get(run=second, key="plan").payload["reads"]
    # Alice and Bob from their newest stored edit (Delta, 11 March noon); Frank, new, from
    # the start.
    assert {(r["since"], tuple(r["users"])) for r in reads} == {
        (at(11).isoformat(), ("Ev Alice", "Ev Bob")),
        (START.isoformat(), ("Ev Frank",)),
    }
    rows = CountStep.objects.get(run=second, key="contribs:0000:00000").payload["rows"]
    assert len(rows) == 2  # Delta again (the edge) and Bob's new edit
    assert figures(event)["edits"] == before + 2  # Bob's new edit and Frank's page
    assert Edit.objects.filter(event=event).count() == before + 2  # nothing twice


def test_an_organiser_counted_after_a_count_has_their_older_edits_read(wiki: str) -> None:
    event = make_event(wiki, {"Ev Alice": {}, "Ev Carol": {"role": "organiser", "counted": False}})
    assert count(event).status == CountRun.Status.DONE
    before = figures(event)["edits"]
    # The organiser's edit (5 March) is older than Alice's newest (11 March): it is read all
    # the same once she counts, because no count read her before.
    Participant.objects.filter(event=event, username="Ev Carol").update(counted=True)
    second = count(event)
    assert second.status == CountRun.Status.DONE
    reads = CountStep.objects.get(run=second, key="plan").payload["reads"]
    assert {(r["since"], tuple(r["users"])) for r in reads} == {
        (at(11).isoformat(), ("Ev Alice",)),
        (START.isoformat(), ("Ev Carol",)),
    }
    assert figures(event)["edits"] == before + 1
    assert figures(event)["participants"] == 2


def batch_people() -> dict[str, dict[str, Any]]:
    return {f"Ev Batch {n:02d}": {"registered_at": OLD} for n in range(1, 61)}


def test_sixty_users_in_two_requests_with_continuation(wiki: str) -> None:
    event = make_event(wiki, batch_people())
    run = count(event)
    assert run.status == CountRun.Status.DONE, run.error
    plan = CountStep.objects.get(run=run, key="plan").payload
    assert [len(r["users"]) for r in plan["reads"]] == [50, 10]
    steps = dict(
        CountStep.objects.filter(run=run, key__startswith="contribs").values_list("key", "requests")
    )
    # The first 50 users have 520 + 49 edits: more than one reply holds (500), so two pages.
    assert steps == {
        "contribs:0000:00000": 1,
        "contribs:0000:00001": 1,
        "contribs:0001:00000": 1,
    }
    assert figures(event)["edits"] == 520 + 59
    assert run.requests == 3


class Killed(BaseException):
    """A worker killed in the middle of a count (nothing catches it)."""


class KilledAfter(CountSource):
    def __init__(self, steps: int) -> None:
        super().__init__()
        self.left = steps

    def contributions(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if self.left == 0:
            raise Killed
        self.left -= 1
        return super().contributions(*args, **kwargs)


def test_a_killed_count_resumes_with_the_same_figures_and_no_extra_request(wiki: str) -> None:
    whole = make_event(wiki, batch_people())
    reference = count(whole)
    killed = make_event(wiki, batch_people())
    run = CountRun.objects.create(event=killed)
    with pytest.raises(Killed):
        run_count(run_id=run.pk, source=KilledAfter(1))
    run.refresh_from_db()
    assert run.status == CountRun.Status.RUNNING
    assert not EventFigure.objects.filter(event=killed).exists()  # nothing half-counted
    assert not Edit.objects.filter(event=killed).exists()
    done_before = CountStep.objects.filter(run=run).aggregate(n=Sum("requests"))["n"]
    resumed = CountSource()
    run_count(run_id=run.pk, source=resumed)
    run.refresh_from_db()
    assert run.status == CountRun.Status.DONE, run.error
    assert figures(killed) == figures(whole)
    assert run.requests == reference.requests
    assert resumed.requests == reference.requests - done_before


def test_users_that_do_not_exist_count_nothing_and_are_named(wiki: str) -> None:
    event = make_event(wiki, {"Ev Nobody at all": {}, "Ev Alice": {"registered_at": OLD}})
    run = count(event)
    assert run.status == CountRun.Status.DONE
    assert "Ev Nobody at all" in run.warnings[0]
    assert figures(event)["edits"] == 6


def test_start_count_queues_one_run_at_a_time(wiki: str) -> None:
    event = make_event(wiki, {"Ev Alice": {}})
    first = start_count(event, None)
    assert start_count(event, None) == first
    assert counting.window_end(event) == END + dt.timedelta(days=GRACE)


Make = Callable[..., Event]


def test_a_count_shows_on_the_partnership_page_kept_before_it(wiki: str) -> None:
    """The partnership page keeps its reads until the affiliate records a change
    (hub.partnerships.page): a finished count is recorded (events.counted), so its figures
    show at once."""
    from django.test import Client
    from django.urls import reverse

    from hub.core.models import AuditEvent

    event = make_event(wiki, MAIN_PEOPLE)
    partnership = event.activity.partnership
    client = Client()
    client.force_login(factories.member(event.affiliate))
    url = reverse(
        "partnerships:partnership_detail",
        kwargs={"slug": event.affiliate.slug, "pk": partnership.pk},
    )
    section = 'id="activities-heading"'
    before = client.get(url).content.decode().split(section)[1].split("</section>")[0]
    assert count(event).status == CountRun.Status.DONE
    recorded = AuditEvent.objects.get(action="events.counted")
    assert recorded.affiliate == event.affiliate and recorded.target_id == event.activity_id
    after = client.get(url).content.decode().split(section)[1].split("</section>")[0]
    assert "Articles created" not in before
    assert "<strong>3</strong> Articles created<br>" in after
    assert "Articles created: <strong>3</strong>" in after
