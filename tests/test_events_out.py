"""An event's outputs where activities appear, its public page, and the Dashboard import."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hub.events import dashboard_import, outputs
from hub.events.models import Event, EventFigure, Participant
from hub.partnerships import services as partnership_services
from hub.partnerships.activities import services as activities
from hub.partnerships.activities.outputs import output_summary, summary_of, with_output_lines
from hub.partnerships.models import Activity
from hub.partnerships.slots import activity_outputs
from tests import factories
from tests.impact_fixtures import pdf_text

pytestmark = pytest.mark.django_db

COUNTED_AT = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def partnership(affiliate_a: Any, member_a: Any) -> Any:
    museum = factories.organisation(affiliate_a, actor=member_a, name="Nordic Museum")
    return factories.partnership(
        affiliate_a, actor=member_a, title="WikiGap", partners=[(museum, "main")]
    )


def _activity(partnership: Any, actor: Any, **fields: Any) -> Activity:
    fields.setdefault("kind", "editathon")
    fields.setdefault("title", "WikiGap Stockholm")
    fields.setdefault("starts_on", dt.date(2026, 3, 8))
    return activities.create_activity(actor=actor, partnership=partnership, **fields)


def _event(activity: Activity, **figures: int) -> Event:
    start = dt.datetime(2026, 3, 8, 9, tzinfo=dt.UTC)
    event = Event.objects.create(
        activity=activity,
        affiliate_id=activity.partnership.affiliate_id,
        wikis=["https://sv.wikipedia.org"],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=8),
    )
    for metric, value in figures.items():
        EventFigure.objects.create(
            event=event,
            metric=metric,
            value=value,
            source=EventFigure.Source.COUNTED,
            counted_at=COUNTED_AT,
        )
    return event


@pytest.fixture
def counted(partnership: Any, member_a: Any) -> Activity:
    """An edit-a-thon with counted figures and a hand-typed count of people trained, and
    articles created typed by hand too (the counted figure wins)."""
    activity = _activity(partnership, member_a, articles_created=99, people_trained=7)
    event = _event(activity, articles_created=12, edits=340)
    # A figure for one wiki only: never shown as the activity's total.
    EventFigure.objects.create(
        event=event,
        metric="articles_created",
        wiki="https://sv.wikipedia.org",
        value=5,
        source=EventFigure.Source.COUNTED,
        counted_at=COUNTED_AT,
    )
    return activity


# The provider


def test_provider_gives_total_figures_with_source_and_date(counted: Activity) -> None:
    figures = activity_outputs([counted])[counted.pk]
    by_key = {f.key: f for f in figures}
    assert set(by_key) == {"articles_created", "edits"}
    assert by_key["articles_created"].value == 12
    assert by_key["articles_created"].source == "Counted from the wikis"
    assert by_key["articles_created"].as_of == dt.date(2026, 3, 20)
    assert by_key["articles_created"].label == "Articles created"


def test_provider_reads_many_activities_in_one_query(partnership: Any, member_a: Any) -> None:
    many = [
        _activity(partnership, member_a, title=f"Event {n}", starts_on=dt.date(2026, 1, 1 + n))
        for n in range(20)
    ]
    for activity in many:
        _event(activity, edits=10, articles_created=2)
    with CaptureQueriesContext(connection) as queries:
        found = outputs.activity_outputs(many)
    assert len(queries) == 1
    assert len(found) == 20


def _imported(activity: Activity, metric: str, value: int) -> None:
    """Record a figure imported from the Dashboard for the activity's event."""
    EventFigure.objects.create(
        event=activity.event,
        metric=metric,
        value=value,
        source=EventFigure.Source.DASHBOARD,
        counted_at=COUNTED_AT,
    )


def test_provider_prefers_counted_figure_to_imported(counted: Activity) -> None:
    _imported(counted, "articles_created", 8)
    _imported(counted, "new_editors", 3)
    by_key = {f.key: f for f in activity_outputs([counted])[counted.pk]}
    assert by_key["articles_created"].value == 12
    assert by_key["new_editors"].source == "Imported from the Programs & Events Dashboard"


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
def test_provider_dates_figures_as_the_orm_reads_them(
    counted: Activity, zone: str, settings: Any
) -> None:
    """The provider reads each moment as text (_moment): the day shown is the ORM's."""
    moments = [
        dt.datetime(2026, 3, 20, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 21, 0, 0, 0, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 31, 15, 30, tzinfo=dt.UTC),
    ]
    for moment, metric in zip(moments, ["views", "new_editors", "files_uploaded"], strict=True):
        EventFigure.objects.create(
            event=counted.event, metric=metric, value=1, source="dashboard", counted_at=moment
        )
    settings.TIME_ZONE = zone
    with timezone.override(zone):
        shown = {f.key: f.as_of for f in activity_outputs([counted])[counted.pk]}
        read = {
            f.metric: timezone.localdate(f.counted_at)
            for f in EventFigure.objects.filter(event=counted.event, wiki="")
        }
    assert shown == read


def test_activity_without_event_is_left_out(partnership: Any, member_a: Any) -> None:
    typed = _activity(partnership, member_a, kind="meeting", articles_created=4)
    assert activity_outputs([typed]) == {}


def _sums(summary: Any) -> tuple[dict[Any, Any], list[Any]]:
    """Return what a summary says: each counted figure by output and source, with its date,
    and the typed lines in their order."""
    counted = {(f.key, f.source): (f.value, f.as_of) for f in summary.counted}
    return counted, summary.typed


def test_summary_sums_counted_and_typed_without_counting_twice(
    counted: Activity, partnership: Any, member_a: Any
) -> None:
    _activity(partnership, member_a, title="Typed only", articles_created=4, people_trained=3)
    summary = output_summary(Activity.objects.filter(partnership=partnership))
    counted_figures = {f.key: f.value for f in summary.counted}
    typed = {line.key: line.value for line in summary.typed}
    assert counted_figures == {"articles_created": 12, "edits": 340}
    # The counted activity's hand-typed 99 articles are not added again: a figure counted them.
    # Its 7 people trained, which no wiki counts, are summed with the other activity's 3.
    assert typed == {"articles_created": 4, "people_trained": 10}


def test_summary_of_loaded_activities_is_the_databases(
    counted: Activity, partnership: Any, member_a: Any
) -> None:
    """A page that read every activity sums their outputs itself; a list of more than a page
    asks the database: both give the same figures, counted and typed."""
    _imported(counted, "views", 5000)
    _activity(partnership, member_a, title="Typed only", articles_created=4, people_trained=3)
    _activity(partnership, member_a, title="Typed too", articles_created=2, participants=9)
    found = Activity.objects.filter(partnership=partnership)
    summary = summary_of(with_output_lines(found))
    assert _sums(summary) == _sums(output_summary(found))
    # Typed outputs as the rows show them: the counted activity's 7 people trained, which
    # nothing counted, are typed by hand on its row and summed here too.
    assert [(line.key, line.value) for line in summary.typed] == [
        ("participants", 9),
        ("articles_created", 6),
        ("people_trained", 10),
    ]


def test_summary_counts_a_figure_both_counted_and_imported_once(
    counted: Activity, partnership: Any, member_a: Any
) -> None:
    """An event imported from the Dashboard and then counted: its counted edits are summed,
    its imported ones are not, on the rows and in the totals alike."""
    _imported(counted, "edits", 300)
    _imported(counted, "new_editors", 4)
    other = _activity(partnership, member_a, title="Imported only", starts_on=dt.date(2026, 2, 1))
    _event(other)
    _imported(other, "edits", 50)
    found = Activity.objects.filter(partnership=partnership)
    summary = output_summary(found)
    by_source = {(f.key, f.source): f.value for f in summary.counted}
    assert by_source == {
        ("articles_created", "Counted from the wikis"): 12,
        ("edits", "Counted from the wikis"): 340,
        ("edits", "Imported from the Programs & Events Dashboard"): 50,
        ("new_editors", "Imported from the Programs & Events Dashboard"): 4,
    }
    assert _sums(summary) == _sums(summary_of(with_output_lines(found)))


# Where they are shown


def test_activity_list_shows_counted_outputs_and_marks_typed_ones(
    counted: Activity, partnership: Any, client_a: Client
) -> None:
    url = reverse("partnerships:activity_list", kwargs={"slug": "alpha", "pk": partnership.pk})
    page = client_a.get(url).content.decode()
    assert "Articles created: <strong>12</strong>" in page
    assert "Counted from the wikis, 2026-03-20" in page
    assert '7 people trained <small class="muted">(typed by hand)</small>' in page
    assert "<strong>99</strong>" not in page
    assert "Import from the Dashboard" in page


def test_partnership_page_sums_what_the_rows_show_past_its_first_activities(
    counted: Activity, partnership: Any, member_a: Any, client_a: Client
) -> None:
    """With more activities than the page reads, the database sums them: the counted
    activity's 7 people trained, which no wiki counts, are in the total with the others'."""
    for n in range(25):
        _activity(
            partnership,
            member_a,
            kind="training",
            title=f"Training {n}",
            starts_on=dt.date(2025, 1, 1) + dt.timedelta(days=n),
            people_trained=1,
        )
    url = reverse("partnerships:partnership_detail", kwargs={"slug": "alpha", "pk": partnership.pk})
    page = client_a.get(url).content.decode()
    section = page[page.index('aria-label="Outputs of all activities"') :]
    section = section[: section.index("</ul>")]
    assert "<strong>32</strong> People trained" in section
    assert "<strong>12</strong> Articles created" in section
    assert "<strong>99</strong>" not in section


def test_partnership_page_shows_counted_outputs(
    counted: Activity, partnership: Any, client_a: Client
) -> None:
    url = reverse("partnerships:partnership_detail", kwargs={"slug": "alpha", "pk": partnership.pk})
    page = client_a.get(url).content.decode()
    assert "Counted from the wikis, 2026-03-20" in page


def test_impact_page_and_pdf_show_outputs_with_provenance(
    counted: Activity, partnership: Any, client_a: Client
) -> None:
    base = f"/a/alpha/partnerships/{partnership.pk}/impact/"
    page = client_a.get(base).content.decode()
    assert "Activities and their outputs" in page
    assert "Counted from the wikis, 2026-03-20" in page
    assert "typed by hand" in page
    text = pdf_text(client_a.get(base + "report.pdf").content)
    assert "Activities and their outputs" in text
    assert "Counted from the wikis, 2026-03-20" in text
    assert "typed by hand" in text
    csv_text = client_a.get(base + "report.csv").content.decode("utf-8-sig")
    assert "Counted from the wikis" in csv_text


def test_partner_report_shows_outputs(
    counted: Activity, partnership: Any, client_a: Client
) -> None:
    org = partnership.partners.get().organisation
    base = f"/a/alpha/organisations/{org.pk}/impact/"
    page = client_a.get(base).content.decode()
    assert "Counted from the wikis, 2026-03-20" in page
    text = pdf_text(client_a.get(base + "report.pdf").content)
    assert "WikiGap Stockholm" in text and "typed by hand" in text


def test_dashboard_shows_counted_and_typed_outputs(
    counted: Activity, partnership: Any, member_a: Any, client_a: Client
) -> None:
    _activity(partnership, member_a, title="Typed only", files_uploaded=30)
    page = client_a.get(reverse("partnerships:dashboard", kwargs={"slug": "alpha"}))
    text = page.content.decode()
    assert "Outputs of the activities" in text
    assert "Counted from the wikis, 2026-03-20" in text
    assert "Files uploaded</th><td>30</td><td>typed by hand" in text


def test_grant_export_uses_counted_figures_and_says_where_from(
    counted: Activity, partnership: Any, client_a: Client
) -> None:
    url = reverse("partnerships:dashboard_export", kwargs={"slug": "alpha"}) + "?format=csv"
    header, row = list(csv.reader(io.StringIO(client_a.get(url).content.decode("utf-8-sig"))))
    values = dict(zip(header, row, strict=True))
    assert values["Articles created"] == "12"
    assert values["People trained"] == "7"
    where = values["Where the outputs come from"]
    assert "Articles created: 12 (Counted from the wikis, 2026-03-20)" in where
    assert "People trained: 7 (typed by hand)" in where


# The public event page


@pytest.fixture
def people(counted: Activity) -> Event:
    event = counted.event
    consent = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    Participant.objects.create(
        event=event, username="Shown Astrid", consented_at=consent, show_name=True
    )
    Participant.objects.create(
        event=event, username="Agreed Quiet", consented_at=consent, show_name=False
    )
    # show_name without a recorded consent (an import): never shown.
    Participant.objects.create(event=event, username="Never Agreed", show_name=True)
    Participant.objects.create(
        event=event, username="Dashboard Editor", source=Participant.Source.DASHBOARD
    )
    return event


def _publish(partnership: Any, actor: Any) -> None:
    partnership_services.update_partnership(
        actor=actor, partnership=partnership, visibility="published"
    )


def test_public_page_shows_totals_and_only_consenting_names(
    people: Event, partnership: Any, member_a: Any
) -> None:
    _publish(partnership, member_a)
    page = Client().get(outputs.public_url(people)).content.decode()
    assert "Articles created" in page and "12" in page
    assert "Shown Astrid" in page
    for hidden in ("Agreed Quiet", "Never Agreed", "Dashboard Editor"):
        assert hidden not in page


def test_public_page_of_unpublished_partnership_is_404(people: Event, client_a: Client) -> None:
    url = outputs.public_url(people)
    for client in (Client(), client_a):
        response = client.get(url)
        assert response.status_code == 404
        assert b"Shown Astrid" not in response.content


def test_public_page_refuses_forged_tokens(people: Event, partnership: Any, member_a: Any) -> None:
    _publish(partnership, member_a)
    genuine = outputs.public_token(people)
    for token in ("x", genuine[:-3] + "abc", "WzEsIngiXQ:" + genuine.rsplit(":", 1)[1]):
        response = Client().get(reverse("out_public_event", kwargs={"token": token}))
        assert response.status_code == 404


def test_public_partnership_page_links_the_event(
    people: Event, partnership: Any, member_a: Any
) -> None:
    _publish(partnership, member_a)
    page = Client().get(reverse("showcase:partnership", kwargs={"pk": partnership.pk}))
    assert outputs.public_url(people) in page.content.decode()


# The Dashboard import


def _csv(fixtures_dir: Path, name: str, rows: list[list[str]]) -> bytes:
    header = (fixtures_dir / "movement-records" / f"wikiedu_{name}_csv__header.csv").read_text()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header.strip().split(","))
    writer.writerows(rows)
    return out.getvalue().encode()


def _overview(fixtures_dir: Path) -> bytes:
    return _csv(
        fixtures_dir,
        "course_overview",
        [
            [
                "WMSE/WikiGap_Göteborg_2025",
                "WikiGap Göteborg 2025",
                "Wikimedia Sverige",
                "2025",
                "sv.wikipedia",
                "2025-02-20 10:00:00 UTC",
                "2025-03-08 00:00:00 UTC",
                "2025-03-09 23:59:59 UTC",
                "",
                "3",
                "1",
                "14",
                "4",
                "18250",
                "31",
                "96",
                "80",
                "3",
                "13",
                "5120",
                "2",
                "1",
                "3",
                "0",
            ]
        ],
    )


def _articles(fixtures_dir: Path) -> bytes:
    row = "https://sv.wikipedia.org/wiki/{}"
    return _csv(
        fixtures_dir,
        "course_articles",
        [
            ["Elsa Andersson", "", "0", "sv.wikipedia", "Åsa Ek", row.format("E"), "5", "4200",
             "6", "true", "false", ""],
            ["Selma Lagerlöf", "b", "0", "sv.wikipedia", "Bo_berg", row.format("S"), "2", "300",
             "1", "false", "false", ""],
            ["Removed", "", "0", "sv.wikipedia", "Bo_berg", row.format("R"), "1", "10", "0",
             "true", "true", ""],
        ],
    )  # fmt: skip


def _uploads(fixtures_dir: Path) -> bytes:
    return _csv(
        fixtures_dir,
        "course_uploads",
        [
            ["File:A.jpg", "https://commons.wikimedia.org/wiki/File:A.jpg",
             "2025-03-08 11:00:00 UTC", "Åsa Ek", "2", "false"],
            ["File:B.jpg", "https://commons.wikimedia.org/wiki/File:B.jpg",
             "2025-03-08 12:00:00 UTC", "Åsa Ek", "0", "false"],
        ],
    )  # fmt: skip


def _editors(fixtures_dir: Path) -> bytes:
    return _csv(
        fixtures_dir,
        "course_students_editors",
        [
            ["Åsa Ek", "101", "2025-03-01 09:00:00 UTC", "2024-01-01 10:00:00 UTC", "60", "15000",
             "0", "0", "25", "false", "8", "0", "0", ""],
            ["bo_berg", "102", "2025-03-01 09:05:00 UTC", "2025-03-08 09:00:00 UTC", "30",
             "3250", "0", "0", "6", "true", "3", "0", "0", ""],
            ["Known Person", "103", "", "", "6", "0", "0", "0", "0", "false", "1", "0", "0", ""],
        ],
    )  # fmt: skip


@pytest.fixture
def campaign(partnership: Any, member_a: Any) -> Activity:
    return _activity(partnership, member_a, kind="campaign", title="WikiGap Göteborg")


def _files(fixtures_dir: Path, **replace: bytes) -> dashboard_import.DashboardFiles:
    parts = {
        "overview": _overview(fixtures_dir),
        "articles": _articles(fixtures_dir),
        "uploads": _uploads(fixtures_dir),
        "editors": _editors(fixtures_dir),
    }
    parts.update(replace)
    return dashboard_import.DashboardFiles(
        **{name: (f"{name}.csv", data) for name, data in parts.items()}  # type: ignore[arg-type]
    )


def test_import_creates_event_figures_and_participants(
    campaign: Activity, member_a: Any, fixtures_dir: Path
) -> None:
    result = dashboard_import.import_dashboard(
        actor=member_a, activity=campaign, files=_files(fixtures_dir)
    )
    event = Event.objects.get(activity=campaign)
    assert event.wikis == ["https://sv.wikipedia.org"]
    assert event.starts_at == dt.datetime(2025, 3, 8, tzinfo=dt.UTC)
    totals = {f.metric: f for f in EventFigure.objects.filter(event=event, wiki="")}
    assert totals["articles_created"].value == 4
    assert totals["articles_improved"].value == 10
    assert totals["participants"].value == 3
    assert totals["views"].value == 5120
    assert all(f.source == EventFigure.Source.DASHBOARD for f in totals.values())
    assert "WMSE/WikiGap_Göteborg_2025" in totals["edits"].method
    assert totals["edits"].detail["imported_on"] == totals["edits"].counted_at.date().isoformat()
    per_wiki = {
        (f.metric, f.wiki): f.value
        for f in EventFigure.objects.filter(event=event).exclude(wiki="")
    }
    assert per_wiki[("articles_created", "https://sv.wikipedia.org")] == 1  # the deleted one left
    assert per_wiki[("files_in_use", "https://commons.wikimedia.org")] == 1
    people = {p.username: p for p in Participant.objects.filter(event=event)}
    assert set(people) == {"Åsa Ek", "Bo berg", "Known Person"}
    assert all(p.source == Participant.Source.DASHBOARD for p in people.values())
    assert not any(p.show_name or p.consented_at for p in people.values())
    assert people["Bo berg"].registered_at == dt.datetime(2025, 3, 8, 9, tzinfo=dt.UTC)
    assert result.participants_added == 3
    shown = activity_outputs([campaign])[campaign.pk]
    assert {f.source for f in shown} == {"Imported from the Programs & Events Dashboard"}


def test_import_again_replaces_figures_and_keeps_participants_once(
    campaign: Activity, member_a: Any, fixtures_dir: Path
) -> None:
    dashboard_import.import_dashboard(actor=member_a, activity=campaign, files=_files(fixtures_dir))
    again = dashboard_import.import_dashboard(
        actor=member_a, activity=campaign, files=_files(fixtures_dir)
    )
    assert again.participants_added == 0 and again.participants_known == 3
    assert (
        EventFigure.objects.filter(event__activity=campaign, metric="edits", wiki="").count() == 1
    )


BAD_INPUT = {
    "other columns": ("overview", b"Organisation,Country\nMuseum,Sweden\n", "lacks the columns"),
    "empty": ("overview", b"", "is empty"),
    "header only": ("overview", None, "no course or campaign"),
    "utf-16": ("editors", None, "UTF-16"),
    "latin-1": ("editors", None, "not in UTF-8"),
    "semicolons": ("uploads", None, "semicolons"),
    "not a number": ("overview", None, "should be a number"),
    "articles as overview": ("overview", None, "lacks the columns"),
}


def _bad(case: str, fixtures_dir: Path) -> bytes:
    if case == "header only":
        return _csv(fixtures_dir, "course_overview", [])
    if case == "utf-16":
        return _editors(fixtures_dir).decode().encode("utf-16")
    if case == "latin-1":
        return _editors(fixtures_dir).decode().encode("latin-1")
    if case == "semicolons":
        return _uploads(fixtures_dir).decode().replace(",", ";").encode()
    if case == "not a number":
        return _overview(fixtures_dir).replace(b",18250,", b",lots,")
    if case == "articles as overview":
        return _articles(fixtures_dir)
    data = BAD_INPUT[case][1]
    assert data is not None
    return data


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_files_are_refused_with_a_clear_message_and_nothing_written(
    case: str, campaign: Activity, member_a: Any, fixtures_dir: Path
) -> None:
    part, _data, words = BAD_INPUT[case]
    with pytest.raises(ValidationError) as refused:
        dashboard_import.import_dashboard(
            actor=member_a,
            activity=campaign,
            files=_files(fixtures_dir, **{part: _bad(case, fixtures_dir)}),
        )
    assert words in " ".join(refused.value.messages)
    assert not Event.objects.filter(activity=campaign).exists()
    assert not Participant.objects.exists()
    assert not EventFigure.objects.exists()


def test_bad_editors_file_leaves_an_existing_event_untouched(
    counted: Activity, member_a: Any, fixtures_dir: Path
) -> None:
    before = list(EventFigure.objects.order_by("pk").values_list("metric", "value", "source"))
    with pytest.raises(ValidationError):
        dashboard_import.import_dashboard(
            actor=member_a,
            activity=counted,
            files=_files(fixtures_dir, editors=_bad("latin-1", fixtures_dir)),
        )
    after = list(EventFigure.objects.order_by("pk").values_list("metric", "value", "source"))
    assert before == after
    assert not Participant.objects.exists()


def test_import_form_uploads_and_reports(
    campaign: Activity, client_a: Client, fixtures_dir: Path
) -> None:
    url = reverse("out_dashboard_import", kwargs={"slug": "alpha", "pk": campaign.pk})
    assert b'enctype="multipart/form-data"' in client_a.get(url).content
    response = client_a.post(
        url,
        {
            "overview": SimpleUploadedFile("overview.csv", _overview(fixtures_dir)),
            "editors": SimpleUploadedFile("editors.csv", _editors(fixtures_dir)),
        },
        follow=True,
    )
    assert "3 participants added" in response.content.decode()
    assert "Imported from the Programs &amp; Events Dashboard" in response.content.decode()


def test_import_form_shows_the_problem_in_words(
    campaign: Activity, client_a: Client, fixtures_dir: Path
) -> None:
    url = reverse("out_dashboard_import", kwargs={"slug": "alpha", "pk": campaign.pk})
    latin = _bad("latin-1", fixtures_dir)
    response = client_a.post(
        url,
        {
            "overview": SimpleUploadedFile("overview.csv", _overview(fixtures_dir)),
            "editors": SimpleUploadedFile("editors.csv", latin),
        },
    )
    assert response.status_code == 200
    assert "editors.csv is not in UTF-8" in response.content.decode()
    assert not Event.objects.exists()


def test_import_refuses_an_activity_that_is_not_an_event(
    partnership: Any, member_a: Any, fixtures_dir: Path
) -> None:
    meeting = _activity(partnership, member_a, kind="meeting", title="Planning")
    with pytest.raises(ValidationError):
        dashboard_import.import_dashboard(
            actor=member_a, activity=meeting, files=_files(fixtures_dir)
        )


def test_import_page_is_for_the_affiliates_editors_only(
    campaign: Activity, client_b: Client, viewer_a: Any
) -> None:
    url = reverse("out_dashboard_import", kwargs={"slug": "alpha", "pk": campaign.pk})
    assert client_b.get(url).status_code == 404
    viewer = Client()
    viewer.force_login(viewer_a)
    assert viewer.get(url).status_code == 403
    assert Client().get(url).status_code == 302


# The demo


def test_demo_event_shows_counted_outputs_and_consenting_names_only() -> None:
    from hub.demo.events import load_demo_events
    from hub.demo.partners import load_demo
    from hub.demo.partnerships import load_demo_partnerships

    today = dt.date(2026, 11, 20)
    load_demo(today=today)
    load_demo_partnerships(today=today)
    assert load_demo_events(today=today) == 1
    assert load_demo_events(today=today) == 0
    event = Event.objects.get(activity__title="WikiGap 2026")
    figures = {f.key: f.value for f in activity_outputs([event.activity])[event.activity_id]}
    assert figures["articles_created"] == 4 and figures["participants"] == 5
    page = Client().get(outputs.public_url(event)).content.decode()
    assert "Demo Astrid" in page and "Demo Farah" in page
    assert "Demo Ingrid" not in page and "Demo Noor" not in page
