"""Pages of the helpdesk: the public form and status link, triage, committee, working groups."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from hub.core.forms import apply_errors
from hub.core.params import text_param
from hub.core.permissions import acting_user, hub_staff_view
from hub.core.security import count_failure, failures_exceeded
from hub.helpdesk import selectors, services
from hub.helpdesk.forms import (
    CapacityForm,
    CheckForm,
    CommitteeMemberForm,
    DecisionForm,
    GroupForm,
    GroupMemberForm,
    HelpRequestForm,
    MeetingForm,
    MessageForm,
    PreferencesForm,
    ReplyForm,
    StatusForm,
    TaskForm,
    TriageForm,
    UpdateForm,
)
from hub.helpdesk.models import (
    AgendaItem,
    CommitteeMember,
    GroupTask,
    HelpRequest,
    ReviewCheck,
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
                services.submit_request(actor=actor, **form.service_fields())  # type: ignore[arg-type]
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


@never_cache
def request_status(request: HttpRequest, token: str) -> HttpResponse:
    """Show the requester their request through the signed link, and take their answers."""
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


def brief_list(request: HttpRequest) -> HttpResponse:
    """List the committee's published meeting briefs."""
    return render(request, "helpdesk/brief_list.html", {"meetings": selectors.published_briefs()})


def meeting_brief(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a meeting's public brief: decisions and counts, no personal data."""
    return render(request, "helpdesk/meeting_brief.html", {"brief": selectors.meeting_brief(pk)})


# --- Triage (hub staff and committee) -------------------------------------------------------


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
    check_forms = []
    for group, label in ReviewCheck.Group.choices:
        bound = forms.get(f"check_{group}")
        existing = page.checks.get(group)
        check_forms.append(
            (
                label,
                existing,
                bound
                or CheckForm(
                    initial={
                        "group": group,
                        "rating": existing.rating if existing else "",
                        "comment": existing.comment if existing else "",
                    },
                    auto_id=f"check_{group}_%s",
                ),
            )
        )
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
        "check_forms": check_forms,
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
    """Save one group of the review checklist."""
    help_request = selectors.get_request(pk)
    group = text_param(request.POST, "group", 20)
    form = CheckForm(request.POST, auto_id=f"check_{group}_%s")
    if form.is_valid():
        services.save_check(
            actor=acting_user(request),
            request=help_request,
            group=form.cleaned_data["group"],
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Checklist saved."))
        return redirect("helpdesk:request_detail", pk=pk)
    if group not in ReviewCheck.Group.values:
        raise Http404
    return _request_detail(request, pk, status=400, **{f"check_{group}": form})


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


# --- The committee --------------------------------------------------------------------------


@helpdesk_view
def meeting_list(request: HttpRequest) -> HttpResponse:
    """List committee meetings and plan a new one."""
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = services.schedule_meeting(actor=acting_user(request), **form.cleaned_data)
        messages.success(request, _("Meeting planned. Add the requests ready for review."))
        return redirect("helpdesk:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "helpdesk/meeting_list.html",
        {"meetings": selectors.meetings(), "form": form},
        status=400 if form.errors else 200,
    )


def _meeting_detail(
    request: HttpRequest, pk: int, status: int = 200, bound: dict[int, DecisionForm] | None = None
) -> HttpResponse:
    page = selectors.meeting_page(pk)
    bound = bound or {}
    items = [
        (
            item,
            bound.get(item.pk)
            or DecisionForm(
                initial={
                    "outcome": item.outcome or None,
                    "priority_rank": item.priority_rank,
                    "reasons": item.reasons,
                },
                auto_id=f"item{item.pk}_%s",
            ),
        )
        for item in page.items
    ]
    return render(
        request, "helpdesk/meeting_detail.html", {"page": page, "items": items}, status=status
    )


@helpdesk_view
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a meeting's agenda with a decision form per request, and the quarter's capacity."""
    return _meeting_detail(request, pk)


@helpdesk_view
@require_POST
def meeting_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    """Put every request ready for review on the meeting's agenda."""
    meeting = selectors.get_meeting(pk)
    try:
        added = services.add_to_agenda(actor=acting_user(request), meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)d request(s) added to the agenda.") % {"count": added})
    return redirect("helpdesk:meeting_detail", pk=pk)


@helpdesk_view
@require_POST
def item_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the committee's decision on one agenda item."""
    try:
        item = AgendaItem.objects.select_related("request").get(pk=pk)
    except AgendaItem.DoesNotExist:
        raise Http404 from None
    form = DecisionForm(request.POST, auto_id=f"item{item.pk}_%s")
    if form.is_valid():
        try:
            services.record_decision(
                actor=acting_user(request),
                item=item,
                outcome=form.cleaned_data["outcome"],
                priority_rank=form.cleaned_data["priority_rank"],
                reasons=form.cleaned_data["reasons"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Decision on %(reference)s recorded; the requester was told.")
                % {"reference": item.request.reference},
            )
            return redirect("helpdesk:meeting_detail", pk=item.meeting_id)
    return _meeting_detail(request, item.meeting_id, status=400, bound={item.pk: form})


@helpdesk_view
@require_POST
def meeting_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the meeting's brief."""
    meeting = selectors.get_meeting(pk)
    services.publish_brief(actor=acting_user(request), meeting=meeting)
    messages.success(request, _("The meeting brief is public now."))
    return redirect("helpdesk:meeting_brief", pk=pk)


@hub_staff_view
def committee(request: HttpRequest) -> HttpResponse:
    """Show the committee's members and the quarters' capacity; hub staff change them."""
    member_form = CommitteeMemberForm(
        request.POST if "username" in request.POST else None, auto_id="member_%s"
    )
    capacity_form = CapacityForm(
        request.POST if "capacity" in request.POST else None, auto_id="capacity_%s"
    )
    actor = acting_user(request)
    if request.method == "POST":
        if member_form.is_bound and member_form.is_valid():
            services.add_committee_member(actor=actor, user=member_form.cleaned_data["username"])
            messages.success(request, _("Added to the committee."))
            return redirect("helpdesk:committee")
        if capacity_form.is_bound and capacity_form.is_valid():
            services.set_capacity(actor=actor, **capacity_form.cleaned_data)
            messages.success(request, _("Capacity saved."))
            return redirect("helpdesk:committee")
    return render(
        request,
        "helpdesk/committee.html",
        {
            "members": selectors.committee_members(),
            "member_form": member_form,
            "capacity_form": capacity_form,
            "quarters": selectors.capacity_table(),
        },
        status=400 if member_form.errors or capacity_form.errors else 200,
    )


@hub_staff_view
@require_POST
def committee_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a person off the committee."""
    member = CommitteeMember.objects.filter(pk=pk).select_related("user").first()
    if member is None:
        raise Http404
    services.remove_committee_member(actor=acting_user(request), member=member)
    messages.success(request, _("Removed from the committee."))
    return redirect("helpdesk:committee")


# --- Working groups -------------------------------------------------------------------------


@login_view
def group_list(request: HttpRequest) -> HttpResponse:
    """List my working groups (hub staff and committee: all of them)."""
    user = acting_user(request)
    return render(
        request,
        "helpdesk/group_list.html",
        {"groups": selectors.groups_for(user), "can_form": selectors.can_use_helpdesk(user)},
    )


@helpdesk_view
def group_create(request: HttpRequest) -> HttpResponse:
    """Form a working group for a request or a theme."""
    initial = {}
    request_id = text_param(request.GET, "request", 12)
    if request_id.isdigit():
        initial["request"] = int(request_id)
    form = GroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.form_working_group(
                actor=acting_user(request),
                name=data["name"],
                purpose=data["purpose"],
                request=data["request"],
                theme=data["theme"],
                lead=data["lead"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Working group formed."))
            return redirect("helpdesk:group_detail", pk=group.pk)
    return render(
        request, "helpdesk/group_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _group_detail(
    request: HttpRequest, pk: int, status: int = 200, **forms: BaseForm
) -> HttpResponse:
    page = selectors.group_page(acting_user(request), pk)
    members = [m.user for m in page.members]
    return render(
        request,
        "helpdesk/group_detail.html",
        {
            "page": page,
            "group": page.group,
            "member_form": forms.get("member_form") or GroupMemberForm(auto_id="member_%s"),
            "task_form": forms.get("task_form") or TaskForm(members=members, auto_id="task_%s"),
            "update_form": forms.get("update_form") or UpdateForm(auto_id="update_%s"),
        },
        status=status,
    )


@login_view
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a working group to its members: people, tasks, updates."""
    return _group_detail(request, pk)


@login_view
def group_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person to the group (its lead, hub staff or the committee)."""
    page = selectors.group_page(acting_user(request), pk)  # 404 for outsiders, first
    if not page.is_lead:
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = GroupMemberForm(request.POST, auto_id="member_%s")
    if form.is_valid():
        services.add_group_member(
            actor=acting_user(request),
            group=page.group,
            user=form.cleaned_data["username"],
            role=form.cleaned_data["role"],
        )
        messages.success(request, _("Member added."))
        return redirect("helpdesk:group_detail", pk=pk)
    return _group_detail(request, pk, status=400, member_form=form)


@login_view
def group_task_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a task to the group."""
    page = selectors.group_page(acting_user(request), pk)  # 404 for outsiders, first
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = TaskForm(request.POST, members=[m.user for m in page.members], auto_id="task_%s")
    if form.is_valid():
        try:
            services.add_group_task(
                actor=acting_user(request), group=page.group, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Task added."))
            return redirect("helpdesk:group_detail", pk=pk)
    return _group_detail(request, pk, status=400, task_form=form)


@login_view
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a group's task done."""
    task = GroupTask.objects.filter(pk=pk).first()
    if task is None:
        raise Http404
    selectors.group_page(acting_user(request), task.group_id)  # 404 for outsiders, first
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.complete_task(actor=acting_user(request), task=task)
    messages.success(request, _("Task done."))
    return redirect("helpdesk:group_detail", pk=task.group_id)


@login_view
def group_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Post the group's news for the requester."""
    page = selectors.group_page(acting_user(request), pk)  # 404 for outsiders, first
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = UpdateForm(request.POST, auto_id="update_%s")
    if form.is_valid():
        try:
            services.post_group_update(
                actor=acting_user(request), group=page.group, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Update posted; the requester was told."))
            return redirect("helpdesk:group_detail", pk=pk)
    return _group_detail(request, pk, status=400, update_form=form)


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
