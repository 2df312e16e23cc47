"""Pages of the expert committee: meetings, agendas, decisions, members and capacity."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.core.forms import apply_errors
from hub.core.permissions import acting_user, hub_staff_view
from hub.helpdesk import selectors, services_committee
from hub.helpdesk.forms import (
    CapacityForm,
    CommitteeMemberForm,
    DecisionForm,
    MeetingForm,
)
from hub.helpdesk.models import AgendaItem, CommitteeMember
from hub.helpdesk.permissions import helpdesk_view


@helpdesk_view
def meeting_list(request: HttpRequest) -> HttpResponse:
    """List committee meetings and plan a new one."""
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = services_committee.schedule_meeting(
            actor=acting_user(request), **form.cleaned_data
        )
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
        added = services_committee.add_to_agenda(actor=acting_user(request), meeting=meeting)
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
            services_committee.record_decision(
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
    services_committee.publish_brief(actor=acting_user(request), meeting=meeting)
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
            services_committee.add_committee_member(
                actor=actor, user=member_form.cleaned_data["username"]
            )
            messages.success(request, _("Added to the committee."))
            return redirect("helpdesk:committee")
        if capacity_form.is_bound and capacity_form.is_valid():
            services_committee.set_capacity(actor=actor, **capacity_form.cleaned_data)
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
    services_committee.remove_committee_member(actor=acting_user(request), member=member)
    messages.success(request, _("Removed from the committee."))
    return redirect("helpdesk:committee")
