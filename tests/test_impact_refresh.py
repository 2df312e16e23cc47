"""Refresh a content link's figures: counting, the ledger, resuming, retrying, failing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from hub.impact import services
from hub.impact.models import ContentLink, MetricPoint, RefreshRun, RefreshStep
from hub.impact.refresh import run_refresh
from hub.impact.sources import SourceUnreachable
from hub.impact.tasks import refresh_link
from tests import factories, impact_source
from tests.impact_source import (
    ARTICLE_REVISIONS,
    CATEGORY,
    PARTNERSHIP_START,
    RecordedSource,
    add_articles,
    sample_world,
)

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2027, 1, 15, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    settings.HUB_IMPACT_SOURCE = "tests.impact_source.RecordedSource"
    settings.HUB_IMPACT_CIM_CATEGORIES = []
    data = sample_world()
    monkeypatch.setattr(impact_source, "WORLD", data)
    return data


@pytest.fixture
def link(world: dict[str, Any], affiliate_a: Any, member_a: Any) -> ContentLink:
    partnership = factories.partnership(affiliate_a, actor=member_a)
    return services.add_content_link(
        actor=member_a,
        partnership=partnership,
        kind=ContentLink.Kind.COMMONS_CATEGORY,
        target=CATEGORY,
        depth=1,
    )


def _figures(link: ContentLink) -> dict[tuple[str, str], int]:
    return {
        (p.metric, p.month.isoformat()[:7]): p.value for p in MetricPoint.objects.filter(link=link)
    }


def _queue_and_run(link: ContentLink, **kwargs: Any) -> RefreshRun:
    run = services.request_refresh(actor=None, link=link)
    run_refresh(run_id=run.pk, **kwargs)
    run.refresh_from_db()
    return run


@time_machine.travel(TODAY, tick=False)
def test_counts_a_category_live_from_members_usage_and_views(link: ContentLink) -> None:
    run = _queue_and_run(link)

    assert run.status == RefreshRun.Status.DONE
    figures = _figures(link)
    assert figures[("files", "2027-01")] == 120
    assert figures[("files_deep", "2027-01")] == 150
    assert figures[("files_in_use", "2027-01")] == 40
    assert figures[("pages_using", "2027-01")] == 60
    assert figures[("wikis_using", "2027-01")] == 4
    assert sum(v for (m, month), v in figures.items() if m == "views") == 60 * 12 * 100
    assert ("views", "2025-12") not in figures  # outside the 12 complete months
    assert sum(v for (m, _), v in figures.items() if m == "uploads") == 150
    assert run.requests == 4 + 3 + 3 + 60  # CIM asked first (404), then live
    assert run.done_steps == run.total_steps
    link.refresh_from_db()
    assert link.latest["files_in_use"]["source"] == "live-api"
    assert link.last_refreshed_at == TODAY


@time_machine.travel(TODAY, tick=False)
def test_refetch_replaces_figures_instead_of_adding(link: ContentLink) -> None:
    _queue_and_run(link)
    first = _figures(link)

    _queue_and_run(link)

    assert _figures(link) == first
    assert RefreshRun.objects.filter(link=link, status="done").count() == 2


@time_machine.travel(TODAY, tick=False)
def test_resumed_run_skips_ledger_steps_and_ends_with_the_same_figures(
    link: ContentLink, world: dict[str, Any], affiliate_a: Any
) -> None:
    clean = _queue_and_run(link)
    expected = _figures(link)
    MetricPoint.objects.filter(link=link).delete()

    class DiesAfter(RecordedSource):
        calls = 0

        def _made(self, requests: int = 1) -> None:
            super()._made(requests)
            DiesAfter.calls += 1
            if DiesAfter.calls == 20:
                raise KeyboardInterrupt  # the worker is gone, mid-step

    run = services.request_refresh(actor=None, link=link)
    with pytest.raises(KeyboardInterrupt):
        run_refresh(run_id=run.pk, source=DiesAfter())
    run.refresh_from_db()
    assert run.status == RefreshRun.Status.RUNNING
    steps_before = set(RefreshStep.objects.filter(run=run).values_list("key", flat=True))
    assert steps_before and "views:00000" not in steps_before

    resumed = RecordedSource()
    run_refresh(run_id=run.pk, source=resumed)

    run.refresh_from_db()
    assert run.status == RefreshRun.Status.DONE
    assert run.attempts == 2
    assert _figures(link) == expected
    # Only the steps missing from the ledger were fetched again.
    assert resumed.requests < clean.requests
    assert run.requests == clean.requests


@time_machine.travel(TODAY, tick=False)
def test_running_a_finished_run_again_changes_nothing(link: ContentLink) -> None:
    run = _queue_and_run(link)
    before = _figures(link)

    assert run_refresh(run_id=run.pk) == {"skipped": True}
    assert _figures(link) == before


@time_machine.travel(TODAY, tick=False)
def test_request_budget_limits_pages_and_says_so(link: ContentLink, settings: Any) -> None:
    settings.HUB_IMPACT_LIVE_REQUEST_BUDGET = 30  # 4 CIM, 6 listing and usage, 20 views

    run = _queue_and_run(link)

    assert run.requests == 30
    views = MetricPoint.objects.filter(link=link, metric="views").first()
    assert views is not None
    assert "20 of 60 pages" in views.method
    assert (
        sum(MetricPoint.objects.filter(link=link, metric="views").values_list("value", flat=True))
        == 20 * 1200
    )


@time_machine.travel(TODAY, tick=False)
def test_unreachable_wiki_retries_later_then_fails_with_the_reason(
    link: ContentLink,
    world: dict[str, Any],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.HUB_TASK_MAX_ATTEMPTS = 2
    world["unreachable"] = [impact_source.COMMONS]
    run = services.request_refresh(actor=None, link=link)
    DBTaskResult.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        result = refresh_link.call(run.pk)

    run.refresh_from_db()
    assert "retry_at" in result
    assert run.status == RefreshRun.Status.QUEUED
    assert "did not answer" in run.error
    retry = DBTaskResult.objects.get()
    assert retry.run_after is not None and retry.run_after > TODAY

    run_refresh(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == RefreshRun.Status.FAILED
    assert "did not answer" in run.error


@time_machine.travel(TODAY, tick=False)
def test_commons_impact_metrics_are_used_for_an_allow_listed_category(
    link: ContentLink, world: dict[str, Any], settings: Any
) -> None:
    settings.HUB_IMPACT_CIM_CATEGORIES = [CATEGORY]
    world["cim"][CATEGORY] = {
        "files": 120,
        "files_deep": 150,
        "files_in_use": 41,
        "pages_using": 61,
        "wikis_using": {"sv.wikipedia.org": 30, "en.wikipedia.org": 31},
        "views": {f"2026-{m:02d}": 1000 for m in range(1, 13)},
        "uploads": {"2025-03": 150},
        "top_pages": [["sv.wikipedia.org", "Nordiska museet", 9000]],
    }

    run = _queue_and_run(link)

    assert run.requests == 4
    figures = _figures(link)
    assert figures[("files_in_use", "2027-01")] == 41
    assert figures[("views", "2026-05")] == 1000
    point = MetricPoint.objects.get(link=link, metric="files_in_use")
    assert point.source == "commons-impact-metrics"


@time_machine.travel(TODAY, tick=False)
def test_category_missing_from_commons_impact_metrics_falls_back_to_live(
    link: ContentLink,
) -> None:
    run = _queue_and_run(link)  # no allow-list: CIM is asked and answers 404

    assert MetricPoint.objects.get(link=link, metric="files").source == "live-api"
    assert RefreshStep.objects.get(run=run, key="cim").payload == {"covered": False}


@time_machine.travel(TODAY, tick=False)
def test_wikidata_collection_counts_items_statements_and_sitelinks(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    partnership = factories.partnership(affiliate_a, actor=member_a)
    link = services.add_content_link(
        actor=member_a,
        partnership=partnership,
        kind=ContentLink.Kind.WIKIDATA_COLLECTION,
        target="q190804",
    )

    _queue_and_run(link)

    figures = _figures(link)
    assert figures[("items", "2027-01")] == 60
    assert figures[("statements", "2027-01")] == sum(10 + n % 5 for n in range(1, 61))
    assert figures[("sitelinks", "2027-01")] == sum(n % 3 for n in range(1, 61))


@time_machine.travel(TODAY, tick=False)
def test_due_command_queues_links_not_refreshed_this_month(link: ContentLink) -> None:
    call_command("refresh_impact", "--due", verbosity=0)
    assert RefreshRun.objects.filter(link=link, status="queued", trigger="schedule").count() == 1

    call_command("refresh_impact", "--due", verbosity=0)  # already queued: not twice
    assert RefreshRun.objects.filter(link=link).count() == 1

    run_refresh(run_id=RefreshRun.objects.get(link=link).pk)
    call_command("refresh_impact", "--due", verbosity=0)  # refreshed just now: not due
    assert RefreshRun.objects.filter(link=link).count() == 1


# Articles created and improved since the partnership started ----------------------------------


def _articles_link(
    affiliate: Any, member: Any, titles: list[str], *, start: dt.date | None = PARTNERSHIP_START
) -> ContentLink:
    link: ContentLink = factories.articles_link(affiliate, titles, member, start_date=start)
    return link


def _edit_points(link: ContentLink) -> tuple[MetricPoint, MetricPoint]:
    return (
        MetricPoint.objects.get(link=link, metric="articles_created"),
        MetricPoint.objects.get(link=link, metric="articles_improved"),
    )


@time_machine.travel(TODAY, tick=False)
def test_articles_created_and_improved_since_the_partnership_started(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    titles = add_articles(world, ARTICLE_REVISIONS, deleted=1)
    link = _articles_link(affiliate_a, member_a, titles)
    source = RecordedSource()

    run = _queue_and_run(link, source=source)

    created, improved = _edit_points(link)
    # Created on or after 1 March 2026: Nordiska museets samlingar, Hazelius (on the day).
    assert created.value == 2
    # Older, edited since: Skansen, Julmarknad. Dalahäst's last edit is the day before the
    # start; the deleted article counts in neither.
    assert improved.value == 2
    assert created.source == improved.source == "live-api"
    assert created.method == "first and latest revisions of 6 articles, since 2026-03-01"
    assert created.detail == {"since": "2026-03-01", "checked": 4, "edited": 4}
    # Only the articles edited since the start were asked for their first revision.
    assert sorted(source.first_asked) == [
        "Hazelius",
        "Julmarknad",
        "Nordiska museets samlingar",
        "Skansen",
    ]
    assert run.requests == 1 + 4 + 6  # one latest-revisions pass, 4 first revisions, 6 views
    assert run.done_steps == run.total_steps
    link.refresh_from_db()
    assert link.latest["articles_created"]["value"] == 2
    assert link.latest["articles"]["value"] == 6


@time_machine.travel(TODAY, tick=False)
def test_without_a_start_date_edits_count_from_the_day_the_link_was_added(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    titles = add_articles(world, ARTICLE_REVISIONS)
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        link = _articles_link(affiliate_a, member_a, titles, start=None)

    _queue_and_run(link)

    created, improved = _edit_points(link)
    # Since 1 June 2026 only Nordiska museets samlingar (created in April) and Skansen were
    # edited; both existed before that day.
    assert (created.value, improved.value) == (0, 2)
    assert "since 2026-06-01" in created.method


@time_machine.travel(TODAY, tick=False)
def test_request_budget_limits_first_revision_checks_and_says_so(
    world: dict[str, Any], affiliate_a: Any, member_a: Any, settings: Any
) -> None:
    revisions = {
        f"Artikel {n:03d}": ["2026-05-01T10:00:00+00:00", "2026-09-01T10:00:00+00:00"]
        for n in range(120)
    }
    link = _articles_link(affiliate_a, member_a, add_articles(world, revisions))
    settings.HUB_IMPACT_LIVE_REQUEST_BUDGET = 3 + 50  # the pass over 120 titles, 50 checks
    source = RecordedSource()

    run = _queue_and_run(link, source=source)

    created, improved = _edit_points(link)
    assert (created.value, improved.value) == (50, 0)
    assert created.method == (
        "first 50 of 120 articles edited since 2026-03-01 checked (request budget)"
    )
    assert improved.method == created.method
    assert source.first_asked == [f"Artikel {n:03d}" for n in range(50)]
    assert run.requests == 3 + 50 + 120  # views of a list are counted outside the budget


@time_machine.travel(TODAY, tick=False)
def test_worker_killed_between_steps_resumes_without_asking_twice(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    revisions = {
        f"Artikel {n:03d}": [
            "2026-05-01T10:00:00+00:00" if n % 3 else "2015-01-01T10:00:00+00:00",
            "2026-09-01T10:00:00+00:00",
        ]
        for n in range(45)
    }
    link = _articles_link(affiliate_a, member_a, add_articles(world, revisions))
    clean = _queue_and_run(link)
    expected = [p.value for p in _edit_points(link)]
    assert expected == [30, 15]
    MetricPoint.objects.filter(link=link).delete()

    class KilledBeforeSecondBatch(RecordedSource):
        def first_edit(self, wiki_url: str, title: str) -> dt.datetime | None:
            if len(self.first_asked) == 20:  # the first step of 20 is in the ledger
                raise KeyboardInterrupt  # the worker is gone before its next request
            return super().first_edit(wiki_url, title)

    killed = KilledBeforeSecondBatch()
    run = services.request_refresh(actor=None, link=link)
    with pytest.raises(KeyboardInterrupt):
        run_refresh(run_id=run.pk, source=killed)
    steps = set(RefreshStep.objects.filter(run=run).values_list("key", flat=True))
    assert steps == {"revisions:00000", "edits-plan", "first:00000"}

    resumed = RecordedSource()
    run_refresh(run_id=run.pk, source=resumed)

    run.refresh_from_db()
    assert run.status == RefreshRun.Status.DONE
    assert [p.value for p in _edit_points(link)] == expected
    asked = killed.first_asked + resumed.first_asked
    assert len(asked) == len(set(asked)) == 45  # every article asked once, none twice
    assert killed.requests + resumed.requests == clean.requests
    assert run.requests == clean.requests


def test_source_errors_say_whether_to_retry() -> None:
    assert SourceUnreachable("x").retryable


def _impact_imports() -> dict[str, set[str]]:
    """Return each hub.impact module's imports of other hub.impact modules, late ones too."""
    import ast
    from pathlib import Path

    import hub.impact

    folder = Path(hub.impact.__file__).parent
    graph: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                imported |= {n.split(".")[2] for n in names if n.startswith("hub.impact.")}
            elif isinstance(node, ast.Import):
                imported |= {
                    a.name.split(".")[2] for a in node.names if a.name.startswith("hub.impact.")
                }
        graph[path.stem] = imported - {path.stem}
    return graph


def test_the_impact_modules_import_each_other_one_way() -> None:
    graph = _impact_imports()
    assert "refresh" in graph["tasks"]  # the task is a thin entry point into the refresh
    assert "tasks" not in graph["refresh"]

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, set()) - seen:
            if nxt == goal or reaches(nxt, goal, seen | {nxt}):
                return True
        return False

    cycles = sorted(m for m in graph if reaches(m, m, set()))
    assert cycles == []
