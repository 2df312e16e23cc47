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
from tests import factories, impact_source
from tests.impact_source import CATEGORY, RecordedSource, sample_world

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
        result = run_refresh(run_id=run.pk)

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


def test_source_errors_say_whether_to_retry() -> None:
    assert SourceUnreachable("x").retryable
