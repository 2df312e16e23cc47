"""Pages of the events app's people part: event settings, participants, public sign-up."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.core import wikimedia_login
from hub.core.forms import apply_errors
from hub.core.models import Affiliate
from hub.core.permissions import acting_user, affiliate_view, get_for_affiliate_or_404
from hub.core.security import rate_limited
from hub.events import selectors, services, signup
from hub.events.forms import (
    EventForm,
    ImportForm,
    ParticipantChangeForm,
    ParticipantForm,
    SignupForm,
)
from hub.events.models import EVENT_KINDS, Event, Participant
from hub.partnerships.activities.selectors import get_activity


def _participant(event: Event, pk: int) -> Participant:
    return get_for_affiliate_or_404(
        Participant.objects.select_related("event"),
        event.affiliate,
        pk,
        through="event",
        event=event,
    )


def _participants_url(affiliate: Affiliate, event: Event, *, checking: bool = False) -> str:
    url = reverse("people_participants", kwargs={"slug": affiliate.slug, "pk": event.pk})
    return url + "?checking=1" if checking else url


# -- event settings ---------------------------------------------------------------------------


@affiliate_view(edit=True)
def event_for_activity(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Create an activity's event settings (or go to them when they exist)."""
    activity = get_activity(affiliate, pk)
    existing = Event.objects.filter(activity=activity).first()
    if existing is not None:
        return redirect("people_event_edit", slug=affiliate.slug, pk=existing.pk)
    if activity.kind not in EVENT_KINDS:
        return render(
            request,
            "events/people/not_an_event.html",
            {"activity": activity, "partnership": activity.partnership},
        )
    form = EventForm(request.POST or None, initial=EventForm.initial_for_activity(activity))
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(
                actor=acting_user(request), activity=activity, **form.service_fields()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Event settings saved. Now add the participants."))
            return redirect("people_participants", slug=affiliate.slug, pk=event.pk)
    return render(
        request,
        "events/people/event_form.html",
        {"form": form, "activity": activity, "partnership": activity.partnership, "event": None},
    )


@affiliate_view(edit=True)
def event_edit(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Change an event's settings."""
    event = selectors.get_event(affiliate, pk)
    form = EventForm(request.POST or None, initial=EventForm.initial_of(event))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_event(actor=acting_user(request), event=event, **form.service_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("people_participants", slug=affiliate.slug, pk=event.pk)
    return render(
        request,
        "events/people/event_form.html",
        {
            "form": form,
            "activity": event.activity,
            "partnership": event.activity.partnership,
            "event": event,
        },
    )


@affiliate_view(edit=True)
@require_POST
def signup_toggle(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Open or close the event's public sign-up link."""
    event = selectors.get_event(affiliate, pk)
    is_open = request.POST.get("open") == "1"
    services.set_signup_open(actor=acting_user(request), event=event, is_open=is_open)
    messages.success(request, _("Sign-up is open.") if is_open else _("Sign-up is closed."))
    return redirect("people_participants", slug=affiliate.slug, pk=event.pk)


# -- participants -----------------------------------------------------------------------------


def _participants_page(
    request: HttpRequest,
    event: Event,
    *,
    add_form: ParticipantForm | None = None,
    import_form: ImportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "events/people/participants.html",
        {
            "event": event,
            "activity": event.activity,
            "partnership": event.activity.partnership,
            "page": selectors.participants_page(event, request.GET.get("page")),
            "add_form": add_form or ParticipantForm(),
            "import_form": import_form or ImportForm(),
            "signup_url": signup.signup_url(event),
            "roles": Participant.Role.choices,
            # Just after adding or importing: the page reloads itself until the check is done.
            "checking": request.GET.get("checking") == "1",
        },
        status=status,
    )


@affiliate_view()
def participants(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """List an event's participants, with their wiki check, and the forms to add more."""
    return _participants_page(request, selectors.get_event(affiliate, pk))


@affiliate_view(edit=True)
@require_POST
def participant_add(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Add one participant by username."""
    event = selectors.get_event(affiliate, pk)
    form = ParticipantForm(request.POST)
    if form.is_valid():
        try:
            added = services.add_participant(
                actor=acting_user(request),
                event=event,
                username=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form.add_error("username", error)
        else:
            messages.success(
                request,
                _("%(name)s added; the username is being checked on the event's wikis.")
                % {"name": added.username},
            )
            return redirect(_participants_url(affiliate, event, checking=True))
    return _participants_page(request, event, add_form=form, status=400)


@affiliate_view(edit=True)
@require_POST
def participants_import(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Import a pasted list or a file of usernames: all of them, or none if a line is wrong."""
    event = selectors.get_event(affiliate, pk)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            done = services.import_participants(
                actor=acting_user(request),
                event=event,
                text=form.cleaned_data["list"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "%(added)d added, %(already)d already taking part. The usernames are being "
                    "checked on the event's wikis."
                )
                % {"added": len(done.added), "already": len(done.already)},
            )
            return redirect(_participants_url(affiliate, event, checking=True))
    return _participants_page(request, event, import_form=form, status=400)


@affiliate_view(edit=True)
@require_POST
def participant_change(
    request: HttpRequest, affiliate: Affiliate, pk: int, participant_pk: int
) -> HttpResponse:
    """Change a participant's role or whether they are counted."""
    event = selectors.get_event(affiliate, pk)
    participant = _participant(event, participant_pk)
    form = ParticipantChangeForm(request.POST)
    if form.is_valid():
        services.update_participant(
            actor=acting_user(request),
            participant=participant,
            role=form.cleaned_data["role"],
            counted=form.cleaned_data["counted"],
        )
        messages.success(request, _("Changes saved."))
    else:
        messages.error(request, _("Choose participant, organiser or facilitator."))
    return redirect(_participants_url(affiliate, event))


@affiliate_view(edit=True)
def participant_remove(
    request: HttpRequest, affiliate: Affiliate, pk: int, participant_pk: int
) -> HttpResponse:
    """Take a participant off the event, after a confirmation page."""
    event = selectors.get_event(affiliate, pk)
    participant = _participant(event, participant_pk)
    if request.method == "POST":
        services.remove_participant(actor=acting_user(request), participant=participant)
        messages.success(request, _("%(name)s removed.") % {"name": participant.username})
        return redirect(_participants_url(affiliate, event))
    return render(
        request,
        "events/people/participant_remove.html",
        {
            "event": event,
            "participant": participant,
            "partnership": event.activity.partnership,
        },
    )


@affiliate_view(edit=True)
@require_POST
def participants_check(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Check the event's usernames on the wiki again (in the background)."""
    event = selectors.get_event(affiliate, pk)
    services.request_check(
        event=event, participant_ids=list(event.participants.values_list("pk", flat=True))
    )
    messages.success(request, _("The usernames are being checked on the event's wikis."))
    return redirect(_participants_url(affiliate, event, checking=True))


# -- the public side --------------------------------------------------------------------------


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex"
    # The token must not leave in a Referer; the form's own POST still carries its Origin.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def _refused(request: HttpRequest, refused: signup.LinkRefused) -> HttpResponse:
    page = render(
        request,
        "events/people/refused.html",
        {"reason": refused.reason},
        status=410 if refused.gone else 404,
    )
    return _public(page)


def signup_page(request: HttpRequest, token: str) -> HttpResponse:
    """Let a person sign up for an event by username, agreeing to how they are counted."""
    try:
        event = signup.open_signup(token)
    except signup.LinkRefused as refused:
        return _refused(request, refused)
    account = (
        wikimedia_login.wikimedia_account(request.user) if request.user.is_authenticated else None
    )
    wikimedia_name = wikimedia_login.wikimedia_username(account) if account else ""
    if request.method == "POST" and rate_limited(
        request, group="event-signup", rate=settings.HUB_EVENT_SIGNUP_RATE, keys=["ip"]
    ):
        page = render(
            request,
            "events/people/refused.html",
            {
                "heading": _("Too many sign-ups"),
                "reason": _(
                    "Many people signed up from your connection in a short time. Please wait "
                    "a while and try again; everyone who already signed up is kept."
                ),
            },
            status=429,
        )
        return _public(page)
    form = SignupForm(request.POST or None, initial={"username": wikimedia_name})
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.sign_up(
                event=event,
                username=form.cleaned_data["username"],
                agreed=form.cleaned_data["agreed"],
                show_name=form.cleaned_data["show_name"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("people_thanks", token=signup.withdraw_token(participant))
    return _public(
        render(
            request,
            "events/people/signup.html",
            {
                "event": event,
                "activity": event.activity,
                "form": form,
                "consent_text": signup.consent_text(event),
                "wikimedia_name": wikimedia_name,
            },
            status=400 if request.method == "POST" else 200,
        )
    )


def signup_thanks(request: HttpRequest, token: str) -> HttpResponse:
    """Thank the person and give them their personal withdrawal link."""
    try:
        participant = signup.open_withdrawal(token)
    except signup.LinkRefused as refused:
        return _refused(request, refused)
    return _public(
        render(
            request,
            "events/people/thanks.html",
            {
                "participant": participant,
                "activity": participant.event.activity,
                "withdraw_url": signup.withdraw_url(participant),
            },
        )
    )


def withdraw_page(request: HttpRequest, token: str) -> HttpResponse:
    """Let a participant withdraw from an event, after a confirmation."""
    try:
        participant = signup.open_withdrawal(token)
    except signup.LinkRefused as refused:
        return _refused(request, refused)
    activity = participant.event.activity
    if request.method == "POST":
        services.withdraw(participant=participant)
        return _public(render(request, "events/people/withdrawn.html", {"activity": activity}))
    return _public(
        render(
            request,
            "events/people/withdraw.html",
            {"participant": participant, "activity": activity},
        )
    )
