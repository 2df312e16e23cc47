"""Bring a Programs & Events Dashboard course or campaign into an activity's event from its
CSV downloads (overview, articles, uploads, editors), all or nothing.

The figures are stored as imported from the Dashboard (EventFigure.Source.DASHBOARD) with the
day of the import; the editors become participants who recorded no consent, so their
usernames are never shown publicly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.models import User
from hub.events.models import EVENT_KINDS, Event, EventFigure, Participant
from hub.events.usernames import canonical_username
from hub.partnerships.models import Activity

# The columns of each download (../shared/fixtures/movement-records/wikiedu_*_header.csv).
OVERVIEW_COLUMNS = (
    "course_slug,title,institution,term,home_wiki,created_at,start_date,end_date,"
    "new_or_returning,editors,new_editors,articles_edited,articles_created,bytes_added,"
    "references_added,total_edits,mainspace_edits,article_talk_edits,userspace_edits,"
    "article_views,upload_count,uploads_used_in_articles,upload_usage_count_across_all_wikis,"
    "training_completion_rate"
).split(",")
ARTICLES_COLUMNS = (
    "title,rating,namespace,wiki,usernames,url,edit_count,characters_added,references_added,"
    "new,deleted,pageviews_link"
).split(",")  # a campaign's download adds course_slug
UPLOADS_COLUMNS = "filename,commons_page,timestamp,username,usage_count,deleted".split(",")
EDITORS_COLUMNS = (
    "username,global_id,enrollment_timestamp,registered_at,revisions_during_project,"
    "mainspace_bytes_added,userspace_bytes_added,draft_space_bytes_added,references_added,"
    "registered_during_project,total_articles_edited,completed_training_modules_count,"
    "assigned_training_modules_count,completed_training_modules"
).split(",")
COMMONS = "https://commons.wikimedia.org"
# Past this a "CSV download" is not one: refuse rather than read it into memory.
MAX_BYTES = 20 * 1024 * 1024
Metric = EventFigure.Metric
# Overview column -> figure, for the total over every wiki.
OVERVIEW_FIGURES = (
    ("editors", Metric.PARTICIPANTS),
    ("new_editors", Metric.NEW_EDITORS),
    ("articles_created", Metric.ARTICLES_CREATED),
    ("bytes_added", Metric.BYTES_ADDED),
    ("references_added", Metric.REFERENCES_ADDED),
    ("total_edits", Metric.EDITS),
    ("article_views", Metric.VIEWS),
    ("upload_count", Metric.FILES_UPLOADED),
    ("uploads_used_in_articles", Metric.FILES_IN_USE),
)
TRUE = {"true", "t", "yes", "1"}


@dataclass
class DashboardFiles:
    """The downloads an organiser gave, as bytes with their file names (overview required)."""

    overview: tuple[str, bytes]
    articles: tuple[str, bytes] | None = None
    uploads: tuple[str, bytes] | None = None
    editors: tuple[str, bytes] | None = None


@dataclass
class ImportResult:
    """What an import wrote."""

    event: Event
    figures: int = 0
    participants_added: int = 0
    participants_known: int = 0
    notes: list[str] = field(default_factory=list)


def _text(name: str, data: bytes) -> str:
    """Return a download's text, or say in words why it cannot be read."""
    if not data.strip():
        raise ValidationError(_("The file %(name)s is empty.") % {"name": name})
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("The file %(name)s is larger than a Dashboard download can be.") % {"name": name}
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(
            _(
                'The file %(name)s is saved as UTF-16 ("Unicode text"). Download it again from '
                'the Dashboard, or save it as "CSV UTF-8", and try again.'
            )
            % {"name": name}
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _(
                "The file %(name)s is not in UTF-8, the Dashboard's encoding: a spreadsheet "
                "program may have saved it in another one. Download it again from the "
                'Dashboard, or save it as "CSV UTF-8", and try again.'
            )
            % {"name": name}
        ) from None


def _rows(name: str, data: bytes, columns: list[str], what: str) -> list[dict[str, str]]:
    """Return a download's rows by column, after checking it has the Dashboard's columns."""
    text = _text(name, data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise ValidationError(_("The file %(name)s is empty.") % {"name": name}) from None
    if len(header) == 1 and header[0].count(";") >= 2:
        raise ValidationError(
            _(
                "The file %(name)s has its columns separated by semicolons; the Dashboard's "
                "downloads use commas. Download it again from the Dashboard and upload it "
                "without opening it in a spreadsheet program."
            )
            % {"name": name}
        )
    missing = [c for c in columns if c not in header]
    if missing:
        raise ValidationError(
            _(
                "The file %(name)s is not the Dashboard's %(what)s download: it lacks the "
                "columns %(missing)s."
            )
            % {"name": name, "what": what, "missing": ", ".join(missing)}
        )
    rows: list[dict[str, str]] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            rows.append(
                {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
            )
    except csv.Error as error:
        raise ValidationError(
            _("The file %(name)s could not be read as CSV: %(error)s")
            % {"name": name, "error": error}
        ) from None
    return rows


def _number(name: str, row: int, column: str, value: str) -> int:
    """Return a count from a cell ("" is 0), or say which cell is not one."""
    cleaned = value.replace(",", "").strip()
    if not cleaned:
        return 0
    try:
        number = int(float(cleaned))
    except ValueError:
        raise ValidationError(
            _('In %(name)s, row %(row)s: %(column)s should be a number, not "%(value)s".')
            % {"name": name, "row": row, "column": column, "value": value[:40]}
        ) from None
    if number < 0:
        raise ValidationError(
            _("In %(name)s, row %(row)s: %(column)s cannot be negative.")
            % {"name": name, "row": row, "column": column}
        )
    return number


_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?")


def _moment(value: str) -> dt.datetime | None:
    """Return a Dashboard timestamp ("2025-03-08 14:00:00 UTC", "2025-03-08") in UTC."""
    found = _DATE.match(value.strip())
    if not found:
        return None
    day = dt.date.fromisoformat(found.group(1))
    clock = dt.time.fromisoformat(found.group(2)) if found.group(2) else dt.time(0, 0)
    return dt.datetime.combine(day, clock, tzinfo=dt.UTC)


def wiki_address(value: str) -> str:
    """Return a wiki's base address from the Dashboard's way of naming it ("en.wikipedia")."""
    name = value.strip().lower().removeprefix("https://").removeprefix("http://").strip("/")
    if not name:
        return ""
    if not name.endswith(".org"):
        name += ".org"
    return f"https://{name}"


def _figure(
    event: Event, metric: str, value: int, method: str, now: dt.datetime, wiki: str = ""
) -> EventFigure:
    return EventFigure(
        event=event,
        metric=metric,
        wiki=wiki,
        value=value,
        source=EventFigure.Source.DASHBOARD,
        method=method,
        counted_at=now,
        detail={"imported_on": now.date().isoformat()},
    )


def _overview(files: DashboardFiles) -> dict[str, str]:
    name, data = files.overview
    rows = _rows(name, data, OVERVIEW_COLUMNS, _("overview"))
    if not rows:
        raise ValidationError(
            _("The file %(name)s has its columns but no course or campaign in it.") % {"name": name}
        )
    if len(rows) > 1:
        raise ValidationError(
            _(
                "The file %(name)s holds %(n)s courses; import one course or campaign at a time "
                "into an activity."
            )
            % {"name": name, "n": len(rows)}
        )
    return rows[0]


@transaction.atomic
def import_dashboard(
    *, actor: User | None, activity: Activity, files: DashboardFiles
) -> ImportResult:
    """Import a Dashboard course or campaign into the activity's event (made from the
    overview's dates and home wiki if the activity has none): its figures replace earlier
    imported ones, its editors join the participants. Everything or nothing is written."""
    if activity.kind not in EVENT_KINDS:
        raise ValidationError(
            _(
                "Only an edit-a-thon, campaign, training, residency or upload activity can have "
                "its outputs imported from the Dashboard."
            )
        )
    now = timezone.now()
    overview = _overview(files)
    name = files.overview[0]
    numbers = {
        column: _number(name, 2, column, overview[column]) for column, _m in OVERVIEW_FIGURES
    }
    edited = _number(name, 2, "articles_edited", overview["articles_edited"])
    article_rows = _rows(*files.articles, ARTICLES_COLUMNS, _("articles")) if files.articles else []
    upload_rows = _rows(*files.uploads, UPLOADS_COLUMNS, _("uploads")) if files.uploads else []
    editor_rows = _rows(*files.editors, EDITORS_COLUMNS, _("editors")) if files.editors else []

    event = Event.objects.select_for_update().filter(activity=activity).first()
    if event is None:
        starts = _moment(overview["start_date"])
        ends = _moment(overview["end_date"])
        if starts is None or ends is None or ends <= starts:
            raise ValidationError(
                _(
                    "The overview gives no start and end the event can use (start_date "
                    '"%(start)s", end_date "%(end)s").'
                )
                % {"start": overview["start_date"], "end": overview["end_date"]}
            )
        home = wiki_address(overview["home_wiki"])
        event = Event.objects.create(
            activity=activity,
            affiliate_id=activity.partnership.affiliate_id,
            wikis=[home] if home else [],
            starts_at=starts,
            ends_at=ends,
            created_by=actor if actor is not None and actor.pk else None,
        )
    slug = overview["course_slug"] or overview["title"]
    method = _("Imported from the Programs & Events Dashboard (%(course)s) on %(date)s") % {
        "course": slug,
        "date": now.date().isoformat(),
    }
    figures = [
        _figure(event, metric, numbers[column], method, now) for column, metric in OVERVIEW_FIGURES
    ]
    figures.append(
        _figure(
            event,
            Metric.ARTICLES_IMPROVED,
            max(edited - numbers["articles_created"], 0),
            method,
            now,
        )
    )
    # Per wiki, from the articles and uploads lists.
    per_wiki: dict[tuple[str, str], int] = {}
    for n, row in enumerate(article_rows, start=2):
        if row["deleted"].lower() in TRUE:
            continue
        wiki = wiki_address(row["wiki"]) or (event.wikis[0] if event.wikis else "")
        if not wiki:
            continue
        metric = Metric.ARTICLES_CREATED if row["new"].lower() in TRUE else Metric.ARTICLES_IMPROVED
        per_wiki[(metric, wiki)] = per_wiki.get((metric, wiki), 0) + 1
        _number(files.articles[0] if files.articles else "", n, "edit_count", row["edit_count"])
    kept_uploads = [r for r in upload_rows if r["deleted"].lower() not in TRUE]
    if kept_uploads:
        per_wiki[(Metric.FILES_UPLOADED, COMMONS)] = len(kept_uploads)
        uploads_name = files.uploads[0] if files.uploads else ""
        per_wiki[(Metric.FILES_IN_USE, COMMONS)] = sum(
            1
            for n, r in enumerate(kept_uploads, start=2)
            if _number(uploads_name, n, "usage_count", r["usage_count"]) > 0
        )
    for (wiki_metric, wiki), value in sorted(per_wiki.items()):
        figures.append(_figure(event, wiki_metric, value, method, now, wiki=wiki))
    EventFigure.objects.filter(event=event, source=EventFigure.Source.DASHBOARD).delete()
    EventFigure.objects.bulk_create(figures)

    result = ImportResult(event=event, figures=len(figures))
    known = set(Participant.objects.filter(event=event).values_list("username", flat=True))
    new: list[Participant] = []
    editors_name = files.editors[0] if files.editors else ""
    for n, row in enumerate(editor_rows, start=2):
        if not str(row["username"] or "").strip():
            raise ValidationError(
                _("In %(name)s, row %(row)s: the username is empty.")
                % {"name": editors_name, "row": n}
            )
        try:
            username = canonical_username(row["username"])
        except ValidationError:
            raise ValidationError(
                _('In %(name)s, row %(row)s: "%(username)s" is not a Wikimedia username.')
                % {"name": editors_name, "row": n, "username": str(row["username"])[:60]}
            ) from None
        if username in known:
            result.participants_known += 1
            continue
        known.add(username)
        new.append(
            Participant(
                event=event,
                username=username,
                source=Participant.Source.DASHBOARD,
                show_name=False,
                consented_at=None,
                registered_at=_moment(row["registered_at"]),
            )
        )
    Participant.objects.bulk_create(new)
    result.participants_added = len(new)
    audit.record(
        actor=actor,
        affiliate=activity.partnership.affiliate,
        action="event.dashboard_imported",
        target=activity.partnership,
        changes={
            "activity": [None, activity.title],
            "dashboard": [None, slug],
            "figures": [None, len(figures)],
            "participants": [None, len(new)],
        },
    )
    return result


def read_upload(upload: object) -> tuple[str, bytes] | None:
    """Return an uploaded file's name and bytes (None when no file was given)."""
    if upload is None:
        return None
    name = str(getattr(upload, "name", "upload.csv"))
    size = getattr(upload, "size", 0) or 0
    if size > MAX_BYTES:
        raise ValidationError(
            _("The file %(name)s is larger than a Dashboard download can be.") % {"name": name}
        )
    return name, upload.read()  # type: ignore[attr-defined]


def files_from(cleaned: Mapping[str, object]) -> DashboardFiles:
    """Return the downloads of a submitted import form."""
    overview = read_upload(cleaned.get("overview"))
    if overview is None:
        raise ValidationError(_("Choose the overview file of the course or campaign."))
    return DashboardFiles(
        overview=overview,
        articles=read_upload(cleaned.get("articles")),
        uploads=read_upload(cleaned.get("uploads")),
        editors=read_upload(cleaned.get("editors")),
    )
