"""Build helpdesk and community data through the services, as people would."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from hub.community import services as community_services
from hub.community.models import Profile
from hub.core.models import User
from hub.helpdesk import services, services_committee, services_groups
from hub.helpdesk.models import AgendaItem, HelpRequest, Meeting, WorkingGroup

_seq = itertools.count(1)


def staff(username: str | None = None, **fields: Any) -> User:
    username = username or f"staff{next(_seq)}"
    return User.objects.create_user(
        username=username,
        password="correct horse battery",
        email=f"{username}@example.org",
        is_hub_staff=True,
        **fields,
    )


def help_request(actor: User | None = None, **fields: Any) -> HelpRequest:
    n = next(_seq)
    fields.setdefault("name", f"Requester {n}")
    fields.setdefault("email", f"requester{n}@example.org")
    fields.setdefault("partner", f"Museo Regional {n}")
    fields.setdefault("description", f"We want to upload {n} hundred photographs of textiles.")
    fields.setdefault("consent", True)
    fields.setdefault("country", "CL")
    fields.setdefault("content_kinds", ["images"])
    request, _created = services.submit_request(actor=actor, **fields)
    return request


def ready_request(staff_user: User, **fields: Any) -> HelpRequest:
    request = help_request(**fields)
    return services.change_status(actor=staff_user, request=request, status="ready")


def meeting(staff_user: User, **fields: Any) -> Meeting:
    fields.setdefault("held_on", dt.date(2026, 11, 20))
    fields.setdefault("title", f"Committee meeting {next(_seq)}")
    return services_committee.schedule_meeting(actor=staff_user, **fields)


def approved_request(
    staff_user: User, meeting_: Meeting | None = None, rank: int = 1, **fields: Any
) -> tuple[HelpRequest, AgendaItem]:
    request = ready_request(staff_user, **fields)
    meeting_ = meeting_ or meeting(staff_user)
    services_committee.add_to_agenda(actor=staff_user, meeting=meeting_, requests=[request])
    item = AgendaItem.objects.get(meeting=meeting_, request=request)
    item = services_committee.record_decision(
        actor=staff_user,
        item=item,
        outcome="approved",
        priority_rank=rank,
        reasons="Fills a gap in textile heritage; the museum commits staff time.",
    )
    request.refresh_from_db()
    return request, item


def working_group(staff_user: User, request: HelpRequest, lead: User | None = None) -> WorkingGroup:
    return services_groups.form_working_group(
        actor=staff_user,
        name=f"Textile upload group {next(_seq)}",
        purpose="Prepare the metadata and upload the photographs.",
        request=request,
        lead=lead,
    )


def profile(user: User, **fields: Any) -> Profile:
    fields.setdefault("affiliate", None)
    return community_services.save_profile(actor=user, **fields)


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Run queued tasks at once (still only after commit), so e-mails land in mail.outbox."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def status_token(request: HelpRequest) -> str:
    """Return the token of a request's status link."""
    return services.status_link(request).rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    """Hash test passwords cheaply: these tests create many accounts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
