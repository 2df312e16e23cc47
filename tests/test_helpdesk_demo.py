"""The helpdesk demo: requests at every stage, a committee, a working group; loaded once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hub.community.models import Profile
from hub.demo.helpdesk import REQUESTS, load_helpdesk_demo
from hub.demo.partners import load_demo
from hub.helpdesk.models import (
    AgendaItem,
    CommitteeMember,
    GroupTask,
    HelpRequest,
    Meeting,
    Message,
    WorkingGroup,
)
from tests.helpdesk_factories import fast_passwords  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def demo() -> Any:
    load_demo(today=TODAY)
    return load_helpdesk_demo(today=TODAY)


def test_demo_walks_requests_through_every_stage(demo):
    assert demo.requests == len(REQUESTS)
    statuses = dict(HelpRequest.objects.values_list("partner", "status"))
    assert statuses["National Cultural Heritage Service"] == "ready"
    assert statuses["Royal Institute of Amazigh Culture (IRCAM)"] == "in_progress"
    assert statuses["UNESCO"] == "parked"
    assert statuses["UNFPA Ukraine"] == "info_needed"
    assert statuses["Polish National Museum"] == "new"
    assert CommitteeMember.objects.filter(active=True).count() == 2
    assert Meeting.objects.filter(brief_published_at__isnull=False).count() == 1
    assert AgendaItem.objects.filter(outcome="").count() == 1  # next review: the Chilean photos
    group = WorkingGroup.objects.get()
    assert {m.user.username for m in group.memberships.all()} == {"morocco", "poland"}
    assert GroupTask.objects.filter(group=group).count() == 2
    assert Message.objects.filter(kind="reply").exists()
    assert Profile.objects.count() == 5


def test_loading_the_demo_again_creates_nothing(demo):
    counts = [m.objects.count() for m in (HelpRequest, Meeting, WorkingGroup, Profile, Message)]
    again = load_helpdesk_demo(today=TODAY + dt.timedelta(days=2))
    assert not again.created_anything
    assert [
        m.objects.count() for m in (HelpRequest, Meeting, WorkingGroup, Profile, Message)
    ] == counts


def test_demo_pages_open_for_the_demo_logins(demo):
    staff = Client()
    assert staff.login(username="hubstaff", password="demo-password")
    assert (
        "National Cultural Heritage Service"
        in staff.get(reverse("helpdesk:dashboard")).content.decode()
    )
    helper = Client()
    assert helper.login(username="poland", password="demo-password")
    groups = helper.get(reverse("helpdesk:group_list")).content.decode()
    assert "Tachelhit recordings (demo)" in groups
    brief = Meeting.objects.get(brief_published_at__isnull=False)
    assert (
        Client().get(reverse("helpdesk:meeting_brief", kwargs={"pk": brief.pk})).status_code == 200
    )
