"""Changes to working groups: forming them, their members and tasks, their news."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.models import User
from hub.helpdesk.mail import header_safe
from hub.helpdesk.models import (
    GroupMember,
    GroupTask,
    HelpRequest,
    Message,
    Notification,
    WorkingGroup,
)
from hub.helpdesk.notify import notify
from hub.helpdesk.services import Status, lock_request, post_update, tell_requester


@transaction.atomic
def form_working_group(
    *,
    actor: User,
    name: str,
    purpose: str = "",
    request: HelpRequest | None = None,
    theme: str = "",
    lead: User | None = None,
) -> WorkingGroup:
    """Form a working group for a request or a theme; an approved request starts moving."""
    if request is None and not theme.strip():
        raise ValidationError(_("Form a group for a request or give it a theme."))
    if request is not None:
        request = lock_request(request)  # decide on the row as it is now, not as the caller saw it
    if request is not None and not request.is_open_for_help:
        raise ValidationError({"request": _("Working groups form for approved requests only.")})
    group = WorkingGroup(name=name, purpose=purpose, request=request, theme=theme)
    group.full_clean()
    group.save()
    audit.record(actor=actor, affiliate=None, action="working_group.formed", target=group)
    if lead is not None:
        add_group_member(actor=actor, group=group, user=lead, role=GroupMember.Role.LEAD)
    if request is not None:
        locked = request
        if locked.status == Status.APPROVED:
            locked.status = Status.IN_PROGRESS
            locked.save()
            audit.record(
                actor=actor,
                affiliate=None,
                action="help_request.status_changed",
                target=locked,
                changes={"status": [Status.APPROVED, Status.IN_PROGRESS]},
            )
        tell_requester(
            locked,
            lambda: (
                _("A working group is helping you"),
                [
                    _("The working group “%(name)s” formed to help with your request.")
                    % {"name": header_safe(name, 120)}
                ],
            ),
        )
    return group


@transaction.atomic
def add_group_member(
    *, actor: User, group: WorkingGroup, user: User, role: str = GroupMember.Role.MEMBER
) -> GroupMember:
    """Add a person (from any affiliate) to a working group and tell them."""
    member, created = GroupMember.objects.get_or_create(
        group=group, user=user, defaults={"role": role}
    )
    if not created and member.role != role:
        member.role = role
        member.save(update_fields=["role"])
    audit.record(
        actor=actor,
        affiliate=None,
        action="working_group.member_added",
        target=group,
        changes={"member": [None, user.username]},
    )
    if created and user != actor:
        notify(
            users=[user],
            kind=Notification.Kind.GROUP,
            text=lambda: (
                _("You joined the working group %(name)s") % {"name": header_safe(group.name, 80)}
            ),
            url=reverse("helpdesk:group_detail", kwargs={"pk": group.pk}),
        )
    return member


@transaction.atomic
def add_group_members(
    *, actor: User, group: WorkingGroup, users: Iterable[User], role: str = GroupMember.Role.MEMBER
) -> list[GroupMember]:
    """Add several people to a working group at once, all or none."""
    return [add_group_member(actor=actor, group=group, user=user, role=role) for user in users]


@transaction.atomic
def add_group_task(
    *,
    actor: User,
    group: WorkingGroup,
    title: str,
    owner: User | None = None,
    due_on: dt.date | None = None,
) -> GroupTask:
    """Add a task to a working group, owned by one of its members."""
    if owner is not None and not GroupMember.objects.filter(group=group, user=owner).exists():
        raise ValidationError({"owner": _("The owner must be a member of the group.")})
    task = GroupTask(group=group, title=title, owner=owner, due_on=due_on)
    task.full_clean()
    task.save()
    audit.record(
        actor=actor,
        affiliate=None,
        action="working_group.task_added",
        target=task,
        changes={"due_on": [None, due_on.isoformat() if due_on else None]},
    )
    if owner is not None and owner != actor:
        notify(
            users=[owner],
            kind=Notification.Kind.TASK,
            text=lambda: (
                _("A task for you in %(group)s: %(title)s")
                % {"group": header_safe(group.name, 60), "title": header_safe(title, 120)}
            ),
            url=reverse("helpdesk:group_detail", kwargs={"pk": group.pk}),
        )
    return task


@transaction.atomic
def complete_task(*, actor: User, task: GroupTask) -> GroupTask:
    """Mark a working group's task done."""
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        audit.record(actor=actor, affiliate=None, action="working_group.task_done", target=task)
    return task


def post_group_update(*, actor: User, group: WorkingGroup, body: str) -> Message:
    """Post a working group's news on its request, for the requester to read."""
    if group.request is None:
        raise ValidationError(_("This group works on a theme, not a request: nobody to tell."))
    return post_update(actor=actor, request=group.request, body=body, working_group=group)
