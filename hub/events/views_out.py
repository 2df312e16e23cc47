"""Pages of the events app's out part: the Dashboard import and an event's public page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hub.core.forms import apply_errors
from hub.core.models import Affiliate
from hub.core.permissions import acting_user, affiliate_view, get_for_affiliate_or_404
from hub.events import dashboard_import, outputs
from hub.events.forms_out import DashboardImportForm
from hub.events.models import EVENT_KINDS
from hub.partnerships.models import Activity


@affiliate_view(edit=True)
def dashboard_import_page(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Import a Programs & Events Dashboard course or campaign into an activity's event."""
    activity = get_for_affiliate_or_404(
        Activity.objects.select_related("partnership"), affiliate, pk, through="partnership"
    )
    form = DashboardImportForm(request.POST or None, request.FILES or None)
    can_import = activity.kind in EVENT_KINDS
    if request.method == "POST" and form.is_valid():
        try:
            result = dashboard_import.import_dashboard(
                actor=acting_user(request),
                activity=activity,
                files=dashboard_import.files_from(form.cleaned_data),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Imported from the Programs & Events Dashboard: %(figures)s figures, "
                    "%(added)s participants added (%(known)s already there)."
                )
                % {
                    "figures": result.figures,
                    "added": result.participants_added,
                    "known": result.participants_known,
                },
            )
            return redirect(
                "partnerships:activity_list", slug=affiliate.slug, pk=activity.partnership_id
            )
    return render(
        request,
        "events/out/dashboard_import.html",
        {
            "form": form,
            "activity": activity,
            "partnership": activity.partnership,
            "can_import": can_import,
        },
    )


def public_event(request: HttpRequest, token: str) -> HttpResponse:
    """Show an event's totals and the usernames of participants who agreed to be shown (only
    while its partnership is published; anything else answers 404)."""
    event = outputs.public_event(token)
    response = render(
        request,
        "events/out/public_event.html",
        {
            "event": event,
            "activity": event.activity,
            "partnership": event.activity.partnership,
            "figures": outputs.public_figures(event),
            "names": outputs.public_names(event),
        },
    )
    response["Referrer-Policy"] = "no-referrer"
    return response
