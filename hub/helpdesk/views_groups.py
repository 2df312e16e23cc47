"""Pages of working groups: their list, forming one, members, tasks and news."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hub.core.forms import apply_errors
from hub.core.params import text_param
from hub.core.permissions import acting_user
from hub.helpdesk import selectors, services_groups
from hub.helpdesk.forms import (
    GroupForm,
    GroupMemberForm,
    TaskForm,
    UpdateForm,
)
from hub.helpdesk.models import GroupTask
from hub.helpdesk.permissions import helpdesk_view, login_view


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
            group = services_groups.form_working_group(
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
    """Add people to the group (its lead, hub staff or the committee), found by searching."""
    page = selectors.group_page(acting_user(request), pk)  # 404 for outsiders, first
    if not page.is_lead:
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = GroupMemberForm(request.POST, auto_id="member_%s")
    if form.is_valid():
        services_groups.add_group_members(
            actor=acting_user(request),
            group=page.group,
            users=form.cleaned_data["people"],
            role=form.cleaned_data["role"],
        )
        messages.success(request, _("Members added."))
        return redirect("helpdesk:group_detail", pk=pk)
    return _group_detail(request, pk, status=200 if form.is_search else 400, member_form=form)


@login_view
def group_task_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a task to the group."""
    page = selectors.group_page(acting_user(request), pk)  # 404 for outsiders, first
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = TaskForm(request.POST, members=[m.user for m in page.members], auto_id="task_%s")
    if form.is_valid():
        try:
            services_groups.add_group_task(
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
    services_groups.complete_task(actor=acting_user(request), task=task)
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
            services_groups.post_group_update(
                actor=acting_user(request), group=page.group, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Update posted; the requester was told."))
            return redirect("helpdesk:group_detail", pk=pk)
    return _group_detail(request, pk, status=400, update_form=form)
