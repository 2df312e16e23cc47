"""Test the demo partnerships."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from hub.core.models import User
from hub.demo.partners import load_demo
from hub.demo.partnerships import DEMO_PARTNERSHIPS, load_demo_partnerships
from hub.partnerships.models import (
    Activity,
    Contribution,
    Partnership,
    StageChange,
    Task,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)


def test_demo_partnerships_load_once_with_their_stages_and_activities():
    load_demo(today=TODAY)
    first = load_demo_partnerships(today=TODAY)
    assert first.partnerships == len(DEMO_PARTNERSHIPS)
    assert not first.skipped
    again = load_demo_partnerships(today=TODAY)
    assert again.partnerships == 0
    assert Partnership.objects.count() == len(DEMO_PARTNERSHIPS)
    wikigap = Partnership.objects.get(title="WikiGap with Swedish embassies")
    assert wikigap.stage == "continued"
    assert wikigap.partners.count() == 2
    # Every stage was walked through the lifecycle service, one recorded change per step.
    assert StageChange.objects.filter(partnership=wikigap).count() == 1 + 8
    assert Activity.objects.filter(partnership__affiliate__slug="poland").exists()
    assert Contribution.objects.filter(kind="in_kind").exists()
    assert Task.objects.filter(partnership=wikigap).count() == 2
    ended = Partnership.objects.get(stage="ended")
    assert ended.exit_notes


def test_demo_has_strategic_partnerships_and_collaborations_with_reasons():
    load_demo(today=TODAY)
    load_demo_partnerships(today=TODAY)
    strategic = set(Partnership.objects.filter(is_strategic=True).values_list("title", flat=True))
    assert "Wikipedian in Residence at the National Museum" in strategic
    assert Partnership.objects.filter(is_strategic=False).count() >= 5


def test_demo_partnership_pages_open_for_the_demo_manager():
    load_demo(today=TODAY)
    load_demo_partnerships(today=TODAY)
    client = Client()
    client.force_login(User.objects.get(username="sweden"))
    wikigap = Partnership.objects.get(title="WikiGap with Swedish embassies")
    page = client.get(f"/a/sweden/partnerships/{wikigap.pk}/")
    assert page.status_code == 200
    assert "WikiGap 2026" in page.content.decode()
    dashboard = client.get("/a/sweden/reports/")
    assert dashboard.status_code == 200
