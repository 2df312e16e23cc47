"""The count part's member page: the counted figures, a "Count now" button, the last count."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hub.core.models import Affiliate
from hub.core.permissions import acting_user, affiliate_view, get_for_affiliate_or_404
from hub.events.count_services import latest_run, start_count
from hub.events.models import CountRun, Event, EventFigure


def event_for(affiliate: Affiliate, pk: int) -> Event:
    """Return the affiliate's event, or answer 404."""
    return get_for_affiliate_or_404(Event.objects.select_related("activity"), affiliate, pk)


@affiliate_view()
def count_status(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Show an event's counted figures and its last count; reloads itself while one runs."""
    event = event_for(affiliate, pk)
    run = latest_run(event)
    figures = list(EventFigure.objects.filter(event=event).order_by("wiki", "metric", "source"))
    totals = [f for f in figures if not f.wiki]
    per_wiki = [f for f in figures if f.wiki]
    edits_total = next((f for f in totals if f.metric == EventFigure.Metric.EDITS), None)
    active = run is not None and run.status in (CountRun.Status.QUEUED, CountRun.Status.RUNNING)
    percent = 0
    if run is not None and run.total_steps:
        percent = min(100, round(100 * run.done_steps / run.total_steps))
    return render(
        request,
        "events/count/status.html",
        {
            "event": event,
            "run": run,
            "active": active,
            "percent": percent,
            "totals": totals,
            "per_wiki": per_wiki,
            "not_known": (edits_total.detail.get("not_known", []) if edits_total else []),
        },
    )


@affiliate_view(edit=True)
@require_POST
def count_start(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Queue a count of the event's outputs and follow it on the count page."""
    event = event_for(affiliate, pk)
    try:
        start_count(event, acting_user(request))
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    return redirect("count_status", slug=affiliate.slug, pk=event.pk)
