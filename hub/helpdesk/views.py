"""Pages of the helpdesk: the public form, status link and briefs, triage, notifications.

The committee's pages are in views_committee.py, working groups' in views_groups.py.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from hub.core import personal_data
from hub.core.exports import personal_data_download
from hub.core.forms import apply_errors
from hub.core.params import text_param
from hub.core.permissions import acting_user, hub_staff_view
from hub.core.security import (
    count_failure,
    failures_exceeded,
    log_event,
    recent_password_required,
)
from hub.helpdesk import selectors, services, services_privacy
from hub.helpdesk.erasure import request_personal_data
from hub.helpdesk.forms import (
    ChecklistForm,
    HelpRequestForm,
    MessageForm,
    PreferencesForm,
    ReplyForm,
    StatusForm,
    TriageForm,
)
from hub.helpdesk.models import (
    HelpRequest,
)
from hub.helpdesk.notify import preferences_for
from hub.helpdesk.permissions import helpdesk_view, login_view
from hub.helpdesk.tokens import LinkExpiredError, LinkInvalidError, read_status_token

logger = logging.getLogger(__name__)

PAGE_SIZE = 50


def _refused(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(
        request, "helpdesk/refused.html", {"title": title, "message": message}, status=status
    )


# --- The public side ------------------------------------------------------------------------


def _prefill(user: Any) -> dict[str, Any]:
    """Return a signed-in person's details for the request form."""
    if not user.is_authenticated:
        return {}
    membership = user.memberships.select_related("affiliate").first()
    affiliate = membership.affiliate if membership else None
    # The community directory (an app on top of the helpdesk) keeps the person's languages.
    profile = getattr(user, "community_profile", None)
    return {
        "name": user.get_full_name() or user.username,
        "email": user.email,
        "affiliate": affiliate,
        "country": str(affiliate.country.code) if affiliate and affiliate.country else "",
        "languages": profile.languages if profile else "",
    }


def _too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.HUB_HELPDESK_MAX_POST_BYTES


def _rate_limited(request: HttpRequest, group: str, rate: str) -> bool:
    # key="ip" is REMOTE_ADDR: a forged X-Forwarded-For header changes nothing.
    return is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True)


@never_cache
def request_new(request: HttpRequest) -> HttpResponse:
    """Show the public request form and store what it sends (honeypot, rate limit, no twins)."""
    if request.method == "POST":
        if _too_large(request):
            return _refused(
                request,
                _("Your request is too long"),
                _("Please shorten the text and send it again, or link to a longer document."),
                413,
            )
        if _rate_limited(request, "helpdesk-request", settings.HUB_HELPDESK_RATE):
            return _refused(
                request,
                _("Too many requests"),
                _(
                    "We received several requests from your connection in a short time. "
                    "Please wait an hour and try again; nothing you sent was lost."
                ),
                429,
            )
        form = HelpRequestForm(request.POST)
        if form.is_honeypot_filled:
            # Looks like success to the robot; nothing is stored or sent.
            logger.info("Helpdesk honeypot filled; request dropped.")
            return redirect("helpdesk:request_sent")
        if form.is_valid():
            actor = request.user if request.user.is_authenticated else None
            try:
                # The requester has no account: their e-mails go out in the form's language.
                services.submit_request(
                    actor=actor,
                    language=translation.get_language() or "",
                    **form.service_fields(),  # type: ignore[arg-type]
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return redirect("helpdesk:request_sent")
    else:
        form = HelpRequestForm(initial=_prefill(request.user))
    return render(request, "helpdesk/request_form.html", {"form": form})


def request_sent(request: HttpRequest) -> HttpResponse:
    """Thank the requester and tell them to look for the e-mail with their link."""
    return render(request, "helpdesk/request_sent.html")


def _link_problem(request: HttpRequest, *, expired: bool) -> HttpResponse:
    response = render(
        request,
        "helpdesk/link_problem.html",
        {"expired": expired},
        status=410 if expired else 404,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def _bad_link(request: HttpRequest) -> HttpResponse:
    """Count a wrong status link against the client and say the link does not work."""
    count_failure(request, group="helpdesk-link", rate=settings.HUB_HELPDESK_LINK_RATE)
    return _link_problem(request, expired=False)


def _linked_request(request: HttpRequest, token: str) -> HelpRequest | HttpResponse:
    """Return the request the signed link opens, or the page saying why it does not."""
    if failures_exceeded(request, group="helpdesk-link", rate=settings.HUB_HELPDESK_LINK_RATE):
        return _refused(
            request,
            _("Too many wrong links"),
            _("Please wait an hour, then open the link from your e-mail again."),
            429,
        )
    try:
        pk, key = read_status_token(token)
    except LinkExpiredError:
        return _link_problem(request, expired=True)
    except LinkInvalidError:
        return _bad_link(request)
    help_request = HelpRequest.objects.filter(pk=pk).first()
    if help_request is None or not constant_time_compare(help_request.status_key, key):
        return _bad_link(request)
    return help_request


@never_cache
def request_status(request: HttpRequest, token: str) -> HttpResponse:
    """Show the requester their request through the signed link, and take their answers."""
    help_request = _linked_request(request, token)
    if isinstance(help_request, HttpResponse):
        return help_request
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if _too_large(request) or _rate_limited(
            request, "helpdesk-reply", settings.HUB_HELPDESK_REPLY_RATE
        ):
            return _refused(
                request,
                _("Too many answers"),
                _("Please wait a while and send your answer again."),
                429,
            )
        if form.is_valid():
            try:
                services.reply_as_requester(request=help_request, body=form.cleaned_data["body"])
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Thank you: your answer was sent to the helpdesk."))
                return redirect("helpdesk:request_status", token=token)
    page = selectors.status_page(help_request)
    response = render(
        request, "helpdesk/request_status.html", {"page": page, "form": form, "token": token}
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
def request_my_data(request: HttpRequest, token: str) -> HttpResponse:
    """Give the requester a copy of what their request holds about them, as JSON."""
    help_request = _linked_request(request, token)
    if isinstance(help_request, HttpResponse):
        return help_request
    return personal_data_download(
        request_personal_data(help_request), f"{help_request.reference.lower()}-my-data.json"
    )


@never_cache
def request_privacy(request: HttpRequest, token: str) -> HttpResponse:
    """Pass on the requester's wish for a copy of all their data, or for its erasure."""
    help_request = _linked_request(request, token)
    if isinstance(help_request, HttpResponse):
        return help_request
    if request.method == "POST":
        if _rate_limited(request, "helpdesk-reply", settings.HUB_HELPDESK_REPLY_RATE):
            return _refused(
                request,
                _("Too many answers"),
                _("Please wait a while and send your answer again."),
                429,
            )
        try:
            services_privacy.ask_about_personal_data(
                request=help_request, wish=request.POST.get("wish", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Thank you: hub staff will handle your wish and write to you."),
            )
    return redirect("helpdesk:request_status", token=token)


def brief_list(request: HttpRequest) -> HttpResponse:
    """List the committee's published meeting briefs."""
    return render(request, "helpdesk/brief_list.html", {"meetings": selectors.published_briefs()})


def meeting_brief(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a meeting's public brief: decisions and counts, no personal data."""
    return render(request, "helpdesk/meeting_brief.html", {"brief": selectors.meeting_brief(pk)})


# --- Triage (hub staff and committee) -------------------------------------------------------


@hub_staff_view
@recent_password_required
def request_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase a request's sender everywhere in its affiliate's records (or the hub-wide ones),
    after a page that shows all of it (hub staff only)."""
    help_request = get_object_or_404(HelpRequest, pk=pk)
    detail = redirect("helpdesk:request_detail", pk=pk)
    try:
        lookup = personal_data.look_up(help_request.affiliate, help_request.email)
    except personal_data.QueryError:
        messages.info(request, _("This request no longer holds its sender's address."))
        return detail
    if request.method == "POST" and request.POST.get("confirm") == "erase":
        if request.POST.get("seen") != lookup.fingerprint:
            messages.warning(request, _("The records changed since you looked. Check them again."))
        else:
            personal_data.erase_found(actor=acting_user(request), lookup=lookup)
            log_event("personal_data.erased", request, help_request=pk)
            messages.success(request, _("The sender's data was erased everywhere."))
            return detail
    response = render(
        request, "helpdesk/request_erase.html", {"help_request": help_request, "lookup": lookup}
    )
    response["Cache-Control"] = "private, no-store"
    return response


@helpdesk_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show requests by status, response times and capacity beside demand."""
    status = text_param(request.GET, "status", 20)
    q = text_param(request.GET, "q", 100)
    page = Paginator(selectors.request_list(status, q), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "helpdesk/dashboard.html",
        {
            "page": page,
            "status": status,
            "q": q,
            "query": query.urlencode(),
            "counts": selectors.status_counts(),
            "status_choices": HelpRequest.Status.choices,
            "times": selectors.response_times(),
            "quarters": selectors.capacity_table(),
        },
    )


def _request_detail(
    request: HttpRequest, pk: int, status: int = 200, **forms: BaseForm
) -> HttpResponse:
    page = selectors.request_page(pk)
    help_request = page.request
    allowed = sorted(services.TRANSITIONS.get(help_request.status, set()))
    context = {
        "page": page,
        "help_request": help_request,
        "status_form": forms.get("status_form")
        or (StatusForm(allowed=allowed, auto_id="status_%s") if allowed else None),
        "message_form": forms.get("message_form") or MessageForm(auto_id="message_%s"),
        "triage_form": forms.get("triage_form")
        or TriageForm(
            initial={
                "public_summary": help_request.public_summary,
                "skills_needed": help_request.skill_list,
            },
            auto_id="triage_%s",
        ),
        "checklist_form": forms.get("checklist_form")
        or ChecklistForm(existing=page.checks, auto_id="check_%s"),
        "status_link": services.status_link(help_request),
    }
    return render(request, "helpdesk/request_detail.html", context, status=status)


@helpdesk_view
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a request with everything staff and the committee need to triage it."""
    return _request_detail(request, pk)


@helpdesk_view
@require_POST
def request_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a request to its next status."""
    help_request = selectors.get_request(pk)
    allowed = sorted(services.TRANSITIONS.get(help_request.status, set()))
    form = StatusForm(request.POST, allowed=allowed, auto_id="status_%s")
    if form.is_valid():
        try:
            services.change_status(
                actor=acting_user(request),
                request=help_request,
                status=form.cleaned_data["status"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Status changed; the requester was told."))
            return redirect("helpdesk:request_detail", pk=pk)
    return _request_detail(request, pk, status=400, status_form=form)


@helpdesk_view
@require_POST
def request_message(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the requester, post an update, or add an internal note."""
    help_request = selectors.get_request(pk)
    form = MessageForm(request.POST, auto_id="message_%s")
    if form.is_valid():
        actor = acting_user(request)
        body = form.cleaned_data["body"]
        kind = form.cleaned_data["kind"]
        if kind == "question":
            services.ask_requester(actor=actor, request=help_request, body=body)
            messages.success(request, _("Question sent to the requester."))
        elif kind == "update":
            services.post_update(actor=actor, request=help_request, body=body)
            messages.success(request, _("Update posted; the requester was told."))
        else:
            services.add_note(actor=actor, request=help_request, body=body)
            messages.success(request, _("Internal note added."))
        return redirect("helpdesk:request_detail", pk=pk)
    return _request_detail(request, pk, status=400, message_form=form)


@helpdesk_view
@require_POST
def request_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the whole review checklist at once."""
    help_request = selectors.get_request(pk)
    existing = {c.group: c for c in help_request.checks.all()}
    form = ChecklistForm(request.POST, existing=existing, auto_id="check_%s")
    if form.is_valid():
        try:
            services.save_checklist(
                actor=acting_user(request), request=help_request, points=form.points()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Checklist saved."))
            return redirect("helpdesk:request_detail", pk=pk)
    return _request_detail(request, pk, status=400, checklist_form=form)


@helpdesk_view
@require_POST
def request_triage(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the public summary and the skills a request needs."""
    help_request = selectors.get_request(pk)
    form = TriageForm(request.POST, auto_id="triage_%s")
    if form.is_valid():
        services.update_triage(
            actor=acting_user(request),
            request=help_request,
            public_summary=form.cleaned_data["public_summary"],
            skills_needed=form.cleaned_data["skills_needed"],
        )
        messages.success(request, _("Saved."))
        return redirect("helpdesk:request_detail", pk=pk)
    return _request_detail(request, pk, status=400, triage_form=form)


# --- Notifications --------------------------------------------------------------------------


@login_view
def notifications(request: HttpRequest) -> HttpResponse:
    """List my notifications, newest first."""
    page = Paginator(selectors.notifications_for(acting_user(request)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "helpdesk/notifications.html", {"page": page})


@login_view
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark all my notifications read."""
    services.mark_notifications_read(actor=acting_user(request))
    return redirect("helpdesk:notifications")


@login_view
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """Choose, per kind of notification, in the Hub and by e-mail."""
    user = acting_user(request)
    form = PreferencesForm(request.POST or None, current=preferences_for(user))
    if request.method == "POST" and form.is_valid():
        services.save_notification_preferences(actor=user, preferences=form.preferences())
        messages.success(request, _("Notification settings saved."))
        return redirect("helpdesk:notification_preferences")
    return render(request, "helpdesk/notification_preferences.html", {"form": form})
