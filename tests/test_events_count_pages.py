"""The count page, "Count now", the daily re-count, and wikis that are private or not answering."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hub.events.count_services import queue_due_counts, start_count
from hub.events.counting import run_count
from hub.events.models import CountRun, Event, EventFigure
from hub.events.sources import CountSource
from hub.partnerships.activities import services as activities
from tests import factories
from tests.localwiki import free_port
from tests.wikiserver import RecordedServer, Reply

pytestmark = pytest.mark.django_db


def make_event(wikis: list[str], **fields: Any) -> Event:
    affiliate = fields.pop("affiliate", None) or factories.affiliate()
    partnership = factories.partnership(affiliate)
    activity = activities.create_activity(
        actor=None,
        partnership=partnership,
        kind="editathon",
        title="WikiGap",
        starts_on=dt.date(2026, 3, 1),
    )
    fields.setdefault("starts_at", dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    fields.setdefault("ends_at", dt.datetime(2026, 3, 10, tzinfo=dt.UTC))
    event = Event.objects.create(activity=activity, affiliate=affiliate, wikis=wikis, **fields)
    event.participants.create(username="Alice")
    return event


def earlier_figure(event: Event) -> EventFigure:
    return EventFigure.objects.create(
        event=event,
        metric="edits",
        value=41,
        source="counted",
        method="earlier count",
        counted_at=dt.datetime(2026, 3, 11, tzinfo=dt.UTC),
    )


def test_a_private_wiki_fails_the_count_in_plain_words_and_keeps_the_figures(
    wiki_server: RecordedServer,
) -> None:
    wiki_server.add(
        "/w/api.php",
        Reply(
            {
                "error": {
                    "code": "readapidenied",
                    "info": "You need read permission to use this module.",
                }
            },
            headers={"MediaWiki-API-Error": "readapidenied"},
        ),
    )
    event = make_event([wiki_server.url("/w/api.php")])
    earlier_figure(event)
    run = CountRun.objects.create(event=event)
    outcome = run_count(run_id=run.pk, source=CountSource(background=False))
    run.refresh_from_db()
    assert "failed" in outcome
    assert run.status == CountRun.Status.FAILED
    assert "private wiki" in run.error
    assert list(EventFigure.objects.filter(event=event).values_list("value", flat=True)) == [41]


def test_a_wiki_not_answering_is_tried_again_later_then_given_up(settings: Any) -> None:
    from hub.wikimedia.http import reset_sessions

    closed = f"http://127.0.0.1:{free_port()}"
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [closed]
    reset_sessions()
    event = make_event([f"{closed}/api.php"])
    earlier_figure(event)
    run = CountRun.objects.create(event=event)
    outcome = run_count(run_id=run.pk, source=CountSource(background=False))
    run.refresh_from_db()
    assert "retry_at" in outcome
    assert run.status == CountRun.Status.QUEUED
    assert "not answering" in run.error and "try again" in run.error
    settings.HUB_TASK_MAX_ATTEMPTS = 2
    outcome = run_count(run_id=run.pk, source=CountSource(background=False))
    run.refresh_from_db()
    assert run.status == CountRun.Status.FAILED
    assert "not answering" in run.error
    assert EventFigure.objects.get(event=event).value == 41  # nothing half-counted


def test_the_count_page_shows_the_figures_and_counts_on_request() -> None:
    affiliate = factories.affiliate()
    member = factories.member(affiliate)
    event = make_event(["https://sv.wikipedia.org"], affiliate=affiliate)
    earlier_figure(event)
    CountRun.objects.create(
        event=event,
        status=CountRun.Status.FAILED,
        error="sv.wikipedia.org is not answering (timeout).",
    )
    client = Client()
    client.force_login(member)
    url = reverse("count_status", kwargs={"slug": affiliate.slug, "pk": event.pk})
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Count now" in text
    assert "sv.wikipedia.org is not answering" in text
    assert "41" in text and "earlier count" in text
    back = reverse("people_participants", kwargs={"slug": affiliate.slug, "pk": event.pk})
    assert f'href="{back}"' in text  # the way back to the event and its participants
    response = client.post(reverse("count_start", kwargs={"slug": affiliate.slug, "pk": event.pk}))
    assert response.status_code == 302 and response["Location"] == url
    assert event.runs.filter(status=CountRun.Status.QUEUED).count() == 1
    running = client.get(url).content.decode()
    assert 'http-equiv="refresh"' in running  # follows the count without JavaScript
    assert "Count now" not in running


def test_an_event_without_wikis_cannot_be_counted() -> None:
    event = make_event([])
    with pytest.raises(Exception, match="Add at least one wiki"):
        start_count(event, None)


def test_the_daily_job_recounts_events_under_way_or_ended_lately() -> None:
    now = timezone.now()
    ongoing = make_event(
        ["https://sv.wikipedia.org"],
        starts_at=now - dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=3),
    )
    recent = make_event(
        ["https://sv.wikipedia.org"],
        starts_at=now - dt.timedelta(days=20),
        ends_at=now - dt.timedelta(days=10),
    )
    old = make_event(
        ["https://sv.wikipedia.org"],
        starts_at=now - dt.timedelta(days=200),
        ends_at=now - dt.timedelta(days=190),
    )
    future = make_event(
        ["https://sv.wikipedia.org"],
        starts_at=now + dt.timedelta(days=10),
        ends_at=now + dt.timedelta(days=11),
    )
    assert queue_due_counts(now=now) == 2
    assert ongoing.runs.count() == 1 and recent.runs.count() == 1
    assert not old.runs.exists() and not future.runs.exists()
    assert queue_due_counts(now=now) == 0  # already queued: not twice


def test_commons_uploads_and_their_use_on_other_wikis_from_recorded_replies(
    wiki_server: RecordedServer, fixtures_dir: Any, settings: Any
) -> None:
    import json

    settings.HUB_IMPACT_COMMONS_URL = wiki_server.base_url
    recorded = json.loads((fixtures_dir / "commons" / "usercontribs.json").read_text("utf-8"))
    body = recorded[0]["body"]  # Jamzze|FieldMarine, August 2022: eight new files
    site = {
        "general": {"generator": "MediaWiki 1.45.0-wmf.25", "sitename": "Wikimedia Commons"},
        "userinfo": {"id": 0, "name": "127.0.0.1", "anon": True, "rights": ["read"]},
    }
    wiki_server.add(
        "/w/api.php",
        Reply({**body, "query": {**body["query"], **site}}),
        match={"list": "usercontribs"},
    )
    wiki_server.add(
        "/w/api.php",
        Reply(
            {
                "batchcomplete": True,
                "query": {
                    "users": [
                        {"userid": 1, "name": "Jamzze", "registration": "2022-08-02T10:00:00Z"},
                        {"userid": 2, "name": "FieldMarine", "registration": None},
                    ]
                },
            }
        ),
        match={"list": "users"},
    )
    files = [c["title"] for c in body["query"]["usercontribs"]]
    wiki_server.add(
        "/w/api.php",
        Reply(
            {
                "batchcomplete": True,
                "query": {
                    "pages": [
                        {
                            "pageid": i + 1,
                            "ns": 6,
                            "title": title,
                            "globalusage": (
                                [{"wiki": "en.wikipedia.org", "title": "Health", "ns": 0}]
                                if i < 3
                                else []
                            ),
                        }
                        for i, title in enumerate(files)
                    ]
                },
            }
        ),
        match={"prop": "globalusage"},
    )
    wiki_server.add(
        "/w/api.php",
        Reply({"batchcomplete": True, "query": {"usercontribs": []}}),
        match={"list": "usercontribs", "ucprop": "ids|timestamp"},
    )
    event = make_event(
        [wiki_server.url("/w/api.php")],
        starts_at=dt.datetime(2022, 8, 1, tzinfo=dt.UTC),
        ends_at=dt.datetime(2022, 9, 1, tzinfo=dt.UTC),
    )
    event.participants.all().delete()
    event.participants.create(username="Jamzze")
    event.participants.create(username="FieldMarine")
    run = CountRun.objects.create(event=event)
    run_count(run_id=run.pk, source=CountSource(background=False))
    run.refresh_from_db()
    assert run.status == CountRun.Status.DONE, run.error
    total = dict(EventFigure.objects.filter(event=event, wiki="").values_list("metric", "value"))
    assert total["files_uploaded"] == 8
    assert total["files_in_use"] == 3
    assert total["new_editors"] == 1  # Jamzze registered during the event
    assert "articles_created" not in total  # Commons' main namespace holds no articles
    contribs = [s for s in wiki_server.seen if s.query.get("list") == "usercontribs"]
    assert contribs[0].query["ucuser"] == "FieldMarine|Jamzze"
