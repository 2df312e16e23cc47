"""Give the pages that show activities their counted outputs (the ACTIVITY_OUTPUTS provider),
summed outputs (ACTIVITY_OUTPUT_TOTALS), and each event's public page (ACTIVITY_PUBLIC_LINKS)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core import signing
from django.db import connection
from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet, Sum, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from hub.core.links import url_by_id
from hub.core.models import Affiliate
from hub.events.models import EVENT_KINDS, Event, EventFigure, Participant
from hub.partnerships.models import Activity
from hub.partnerships.selectors import published_partnerships
from hub.partnerships.slots import Figure, OutputTotals

PUBLIC_SALT = "hub.events.out.public"
# The order pages show an event's figures in: the metrics' own order.
METRIC_ORDER = {metric: n for n, metric in enumerate(EventFigure.Metric.values)}
METRIC_LABELS = dict(EventFigure.Metric.choices)
SOURCE_LABELS = dict(EventFigure.Source.choices)


def _as_of(when: dt.datetime) -> dt.date:
    return timezone.localdate(when)


def _figure(metric: str, value: int, source: str, counted_at: dt.datetime) -> Figure:
    return Figure(
        label=str(METRIC_LABELS.get(metric, metric)),
        value=value,
        source=str(SOURCE_LABELS.get(source, source)),
        as_of=_as_of(counted_at),
        key=metric,
    )


def _moment(text: str) -> dt.datetime:
    """Return a moment the database wrote as text as the ORM reads it: PostgreSQL writes its
    offset; SQLite stores it without one, in the connection's time zone (as its converter
    reads it). tests/test_events_out.py checks both against the ORM's own reading."""
    when = parse_datetime(text)
    if when is None:
        raise ValueError(f"not a moment: {text!r}")
    if timezone.is_naive(when):
        when = timezone.make_aware(when, connection.timezone)
    return when


def activity_outputs(activities: Sequence[Activity]) -> dict[int, list[Figure]]:
    """Return the total figures (every wiki) of the activities' events, by activity id: one
    query for all of them. Where a figure was both counted and imported, the counted one."""
    rows = (
        EventFigure.objects.filter(event__activity_id__in=[a.pk for a in activities], wiki="")
        .order_by()
        # The moment as the database writes it: read as a datetime once per distinct moment
        # (_moment), not once per figure (750 on a list of 50 events: most of the query's time).
        .values_list(
            "event__activity_id", "metric", "value", "source", Cast("counted_at", TextField())
        )
    )
    # One figure per metric: the one counted from the wikis over one imported.
    counted = EventFigure.Source.COUNTED
    by_activity: dict[int, dict[str, tuple[int, str, str]]] = {}
    for activity_id, metric, value, source, counted_at in rows:
        chosen = by_activity.setdefault(activity_id, {})
        held = chosen.get(metric)
        if held is None or (held[1] != counted and source == counted):
            chosen[metric] = (value, source, counted_at)
    # Labels translated and days worked out once per call, not once per figure.
    labels = {metric: str(label) for metric, label in METRIC_LABELS.items()}
    sources = {source: str(label) for source, label in SOURCE_LABELS.items()}
    days: dict[str, dt.date] = {}
    found_figures: dict[int, list[Figure]] = {}
    for pk, chosen in by_activity.items():
        figures = []
        for metric in sorted(chosen, key=lambda m: METRIC_ORDER.get(m, 99)):
            value, source, when = chosen[metric]
            if when not in days:
                days[when] = _as_of(_moment(when))
            figures.append(
                Figure(
                    label=labels.get(metric, metric),
                    value=value,
                    source=sources.get(source, source),
                    as_of=days[when],
                    key=metric,
                )
            )
        found_figures[pk] = figures
    return found_figures


def activity_output_totals(activities: QuerySet[Activity]) -> OutputTotals:
    """Return the activities' total figures summed by metric and source (one aggregate query),
    and which activities have a figure of each output. Where a figure was both counted and
    imported for one event, only the counted one is summed, as activity_outputs shows it."""
    figures = EventFigure.objects.filter(
        event__activity__in=activities.order_by().values("pk"), wiki=""
    ).order_by()
    counted = EventFigure.Source.COUNTED
    recounted = EventFigure.objects.filter(
        event_id=OuterRef("event_id"), metric=OuterRef("metric"), wiki="", source=counted
    )
    rows = (
        figures.filter(Q(source=counted) | ~Exists(recounted))
        .values("metric", "source")
        .annotate(total=Sum("value"), oldest=Min("counted_at"), newest=Max("counted_at"))
    )
    summed = sorted(
        (_figure(r["metric"], r["total"] or 0, r["source"], r["oldest"]) for r in rows),
        key=lambda f: (METRIC_ORDER.get(f.key, 99), f.source),
    )

    def covered(keys: Sequence[str]) -> Iterable[tuple[int, str]]:
        if not summed:
            return []
        return (
            figures.filter(metric__in=keys).values_list("event__activity_id", "metric").distinct()
        )

    return OutputTotals(
        figures=summed,
        counted_ids=figures.values("event__activity_id").distinct(),
        covered=covered,
    )


def _token(pk: int) -> str:
    return signing.Signer(salt=PUBLIC_SALT).sign_object([pk])


def public_token(event: Event) -> str:
    """Return the signed token of an event's public page."""
    return _token(event.pk)


def public_url(event: Event) -> str:
    """Return the address of an event's public page."""
    return reverse("out_public_event", kwargs={"token": public_token(event)})


def public_event(token: str) -> Event:
    """Return the event a public token names, if its partnership is published; else 404."""
    try:
        value = signing.Signer(salt=PUBLIC_SALT).unsign_object(token)
        pk = int(value[0])
    except (signing.BadSignature, ValueError, TypeError, IndexError, KeyError):
        raise Http404 from None
    found = (
        Event.objects.filter(pk=pk, activity__partnership__in=published_partnerships().values("pk"))
        .select_related("activity__partnership__affiliate")
        .first()
    )
    if found is None:
        raise Http404
    return found


def public_names(event: Event) -> list[str]:
    """Return the usernames that may be shown publicly: participants who agreed (a consent
    recorded) and chose to be shown; nobody else, ever."""
    return list(
        Participant.objects.filter(event=event, show_name=True, consented_at__isnull=False)
        .order_by("username")
        .values_list("username", flat=True)
    )


def public_figures(event: Event) -> list[Figure]:
    """Return an event's total figures, for its public page."""
    return activity_outputs([event.activity]).get(event.activity_id, [])


def activity_public_links(activities: Sequence[Activity]) -> dict[int, str]:
    """Return the public page of each activity's event that has figures, by activity id (the
    caller shows published partnerships only; the page itself checks again)."""
    events = (
        Event.objects.filter(activity_id__in=[a.pk for a in activities], figures__wiki="")
        .order_by()
        .values_list("pk", "activity_id")
        .distinct()
    )
    return {
        activity_id: reverse("out_public_event", kwargs={"token": _token(pk)})
        for pk, activity_id in events
    }


def activity_member_links(
    affiliate: Affiliate, activities: Sequence[Activity]
) -> dict[int, list[tuple[str, str]]]:
    """Return the import link of each activity of an event kind (no queries)."""
    eligible = [a for a in activities if a.kind in EVENT_KINDS]
    if not eligible:
        return {}
    label = _("Import from the Dashboard")
    url = url_by_id("out_dashboard_import", slug=affiliate.slug)
    return {a.pk: [(label, url(a.pk))] for a in eligible}
