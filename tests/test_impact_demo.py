"""Test the demo impact figures: a newcomer running `make run` sees what a measured report is."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from hub.core.models import AuditEvent
from hub.demo.impact import DEMO_LINKS, load_demo_impact
from hub.demo.partners import DEMO_PASSWORD, load_demo
from hub.demo.partnerships import load_demo_partnerships
from hub.impact import services
from hub.impact.models import ContentLink, MetricPoint, RefreshRun, Source
from hub.partnerships.models import Partnership
from tests import factories

TODAY = dt.date(2026, 11, 20)
WIKIGAP = "WikiGap with Swedish embassies"


@pytest.fixture
def demo(db: None, settings: Any) -> int:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo(today=TODAY)
    load_demo_partnerships(today=TODAY)
    return load_demo_impact(today=TODAY)


def _manager(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _wikigap_url(name: str) -> str:
    wikigap = Partnership.objects.get(title=WIKIGAP)
    return reverse(name, kwargs={"slug": wikigap.affiliate.slug, "pk": wikigap.pk})


def test_a_demo_partnerships_report_shows_measured_figures_marked_as_demo(demo: int) -> None:
    assert demo == len(DEMO_LINKS)
    page = _manager("sweden").get(_wikigap_url("impact:partnership_impact"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Not measured yet" not in text
    assert "Demo figures" in text
    # The figures of the data file: this month's files, and the views of January to October
    # 2026 (the last complete month on 20 November), March's International Women's Day peak
    # among them.
    assert "1,982" in text  # files with subcategories
    assert "520,800" in text  # views in 2026
    assert "Gender bias on Wikipedia" in text  # a top page
    assert 'id="chart-views"' in text
    response = _manager("sweden").get(_wikigap_url("impact:partnership_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_partner_and_affiliate_reports_of_demo_figures_say_they_are_demo(demo: int) -> None:
    title = "Women in science with the American Chemical Society"
    partnership = Partnership.objects.get(title=title)
    _share, token = services.create_share_link(actor=None, partnership=partnership)
    page = Client().get(reverse("impact:shared_report", kwargs={"token": token}))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Demo figures" in text and "Not measured yet" not in text
    assert "Marie Curie" in text
    assert "articles improved" in text
    # The affiliate's report, summed over its links, says so too.
    page = _manager("chile").get(reverse("impact:affiliate_report", kwargs={"slug": "chile"}))
    assert "Demo figures" in page.content.decode()
    assert "Valparaíso" in page.content.decode()


def test_loading_the_demo_figures_twice_creates_nothing_new(demo: int) -> None:
    before = (ContentLink.objects.count(), MetricPoint.objects.count(), AuditEvent.objects.count())
    assert load_demo_impact(today=TODAY + dt.timedelta(days=3)) == 0
    after = (ContentLink.objects.count(), MetricPoint.objects.count(), AuditEvent.objects.count())
    assert after == before
    assert not MetricPoint.objects.exclude(source=Source.DEMO).exists()


def test_the_scheduled_refresh_never_fetches_demo_links(demo: int, affiliate_a: Any) -> None:
    # A year on, every link is long due; only the real affiliate's link is queued.
    real = factories.partnership(affiliate_a, title="Real partnership")
    ContentLink.objects.create(
        affiliate=affiliate_a, partnership=real, kind="commons_category", target="Real"
    )
    a_year_on = dt.datetime.combine(TODAY + dt.timedelta(days=365), dt.time(), tzinfo=dt.UTC)
    assert services.queue_due_refreshes(now=a_year_on) == 1
    assert not RefreshRun.objects.filter(link__affiliate__is_demo=True).exists()


def test_demo_figures_go_only_to_demo_affiliates(demo: int, affiliate_a: Any) -> None:
    real = factories.partnership(affiliate_a, title="Real partnership")
    with pytest.raises(ValidationError):
        services.add_demo_link(
            actor=None,
            partnership=real,
            kind="commons_category",
            target="Anything",
            points=[{"metric": "files", "month": None, "value": 3}],
        )
    assert not ContentLink.objects.filter(partnership=real).exists()


def test_a_link_of_demo_figures_is_never_refreshed_from_the_wikis(demo: int) -> None:
    link = ContentLink.objects.get(partnership__title=WIKIGAP)
    client = _manager("sweden")
    page = client.get(_wikigap_url("impact:partnership_impact"))
    assert "Refresh now" not in page.content.decode()
    refresh = reverse(
        "impact:link_refresh",
        kwargs={"slug": "sweden", "pk": link.partnership_id, "link_pk": link.pk},
    )
    answer = client.post(refresh, follow=True)
    assert "never fetched from the wikis" in answer.content.decode()
    assert not RefreshRun.objects.exists()
