"""Load a demo event: WikiGap 2026 (an edit-a-thon of Wikimedia Sverige's published WikiGap
partnership) with participants, some of whom agreed to be named, the edits they made and the
figures counted from them, so the activity, impact and public pages show counted outputs.

Made up for trying out the Hub: no wiki was asked. The usernames are demo names.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q, Sum

from hub.events.models import Edit, Event, EventFigure, Participant
from hub.partnerships.models import Activity

AFFILIATE = "sweden"
ACTIVITY = "WikiGap 2026"
WIKI = "https://sv.wikipedia.org"
# (username, consented, show name, edits as (title, bytes, created)).
PEOPLE: tuple[tuple[str, bool, bool, tuple[tuple[str, int, bool], ...]], ...] = (
    (
        "Demo Astrid",
        True,
        True,
        (("Selma Lagerlöf", 1200, False), ("Elsa Andersson", 4200, True)),
    ),
    (
        "Demo Farah",
        True,
        True,
        (("Sonja Kovalevsky", 800, False), ("Karolina Widerström", 3900, True)),
    ),
    ("Demo Ingrid", True, False, (("Ada Blackjack", 2600, True), ("Ellen Key", 300, False))),
    ("Demo Noor", False, False, (("Agda Montelius", 3100, True),)),
    ("Demo Sven", False, False, (("Märta Måås-Fjetterström", 450, False),)),
)
METHOD = "Demo figures: made up for trying out the Hub, not counted on a wiki."


@transaction.atomic
def load_demo_events(*, today: dt.date) -> int:
    """Add the demo event if its activity exists and has none; return 1 if it was added."""
    activity = (
        Activity.objects.filter(
            partnership__affiliate__slug=AFFILIATE,
            partnership__affiliate__is_demo=True,
            title=ACTIVITY,
        )
        .select_related("partnership")
        .first()
    )
    if activity is None or Event.objects.filter(activity=activity).exists():
        return 0
    starts = dt.datetime.combine(activity.starts_on, dt.time(9, 0), tzinfo=dt.UTC)
    event = Event.objects.create(
        activity=activity,
        affiliate_id=activity.partnership.affiliate_id,
        wikis=[WIKI],
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=8),
        grace_days=7,
        hashtag="WikiGap",
        consent_text="Your edits during WikiGap are counted; your username is shown if you say so.",
    )
    revid = 9_000_000
    page_id = 500_000
    for username, consented, shown, edits in PEOPLE:
        participant = Participant.objects.create(
            event=event,
            username=username,
            source=Participant.Source.SIGNUP if consented else Participant.Source.ADDED,
            consented_at=starts - dt.timedelta(days=3) if consented else None,
            show_name=shown,
            wiki_check=Participant.Check.OK,
            registered_at=starts - dt.timedelta(days=400),
        )
        for n, (title, size, created) in enumerate(edits):
            revid += 1
            page_id += 1
            Edit.objects.create(
                event=event,
                participant=participant,
                wiki=WIKI,
                revid=revid,
                page_id=page_id,
                namespace=0,
                title=title,
                timestamp=starts + dt.timedelta(hours=1 + n),
                size_diff=size,
                created_page=created,
            )
    counted_at = starts + dt.timedelta(days=8)
    sums = Edit.objects.filter(event=event).aggregate(
        edits=Count("id"),
        created=Count("id", filter=Q(created_page=True)),
        improved=Count("page_id", filter=Q(created_page=False), distinct=True),
        bytes=Sum("size_diff"),
    )
    Metric = EventFigure.Metric
    for metric, value in (
        (Metric.PARTICIPANTS, len(PEOPLE)),
        (Metric.EDITS, sums["edits"]),
        (Metric.ARTICLES_CREATED, sums["created"]),
        (Metric.ARTICLES_IMPROVED, sums["improved"]),
        (Metric.BYTES_ADDED, sums["bytes"] or 0),
    ):
        for wiki in ("", WIKI):
            EventFigure.objects.create(
                event=event,
                metric=metric,
                wiki=wiki,
                value=value,
                source=EventFigure.Source.COUNTED,
                method=METHOD,
                counted_at=counted_at,
                detail={"demo": True},
            )
    event.last_counted_at = counted_at
    event.save(update_fields=["last_counted_at"])
    return 1
